/**
 * Builds the bundled MNIST model once (compile + Groth16 development keys drawn directly, about
 * half a minute) and shares the build folder with every test file that needs a ready model.
 * Tests that set up on a ptau (PLONK, FFLONK, --ceremony) share one ptau cache.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    mnistDir: string;
    ptauDir: string;
  }
}

export default async function setup(project: TestProject) {
  process.env.ZKML_PTAU_DIR ??= path.join(os.homedir(), ".cache", "zkml", "ptau");
  const { compileModel, setupModel, releaseCurves } = await import("../src/index.js");
  const root = await mkdtemp(path.join(os.tmpdir(), "zkml-test-"));
  const mnistDir = path.join(root, "mnist-mlp");
  const t0 = performance.now();
  await compileModel("examples/mnist/mnist-mlp.onnx", { outDir: mnistDir, calibrationFile: "examples/mnist/calibration.json" });
  await setupModel(mnistDir);
  await releaseCurves();
  process.stderr.write(`[global setup] MNIST model compiled and set up in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  project.provide("mnistDir", mnistDir);
  project.provide("ptauDir", process.env.ZKML_PTAU_DIR);
  return async () => {
    await rm(root, { recursive: true, force: true });
  };
}
