/**
 * How cost grows: dense networks of increasing width, proven warm and as a fresh process, with
 * prove time and peak memory fitted against the constraint count.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { encodeMlp, randomDenseLayers } from "../circuits/onnx/write.js";
import { mulberry32 } from "../core/random.js";
import { compileModel, InferenceProver, setupModel } from "../src/index.js";
import { coldProve } from "./cell.js";
import { linearFit } from "./public_signals.js";
import { stat, type Stat } from "./stats.js";

export interface SweepPoint {
  widths: number[];
  parameters: number;
  constraints: number;
  compileMs: number;
  setupMs: number;
  proveMs: Stat;
  peakRssMb: number;
}

export interface Sweep {
  points: SweepPoint[];
  /** prove ms ≈ intercept + slope · constraints; peak MB likewise. */
  proveFit: { intercept: number; slope: number };
  memoryFit: { intercept: number; slope: number };
}

async function writeRandomMlp(file: string, widths: number[], seed: number): Promise<number> {
  const layers = randomDenseLayers(widths, mulberry32(seed));
  await writeFile(file, encodeMlp({ name: path.basename(file, ".onnx"), inputName: "input", outputName: "logits", layers }));
  return layers.reduce((n, l) => n + l.inFeatures * l.outFeatures + l.outFeatures, 0);
}

/** Constraints, compile, setup and prove time and peak memory over dense networks of growing size. */
export async function sizeSweep(sizes: number[][], runs: number, workDir: string, progress: (m: string) => void): Promise<Sweep> {
  const points: SweepPoint[] = [];
  for (const widths of sizes) {
    const name = `mlp-${widths.join("-")}`;
    progress(`size sweep: ${name}`);
    const dir = path.join(workDir, "sweep", name);
    await mkdir(path.dirname(dir), { recursive: true });
    const onnx = `${dir}.onnx`;
    const parameters = await writeRandomMlp(
      onnx,
      widths,
      widths.reduce((a, b) => a * 31 + b, 7),
    );
    const rand = mulberry32(parameters);
    const values = Array.from({ length: widths[0]! }, () => rand() * 2 - 1);
    const input = `${dir}.input.json`;
    await writeFile(input, JSON.stringify({ input: values }));
    const c = await compileModel(onnx, { outDir: dir });
    const s = await setupModel(dir);
    const prover = await InferenceProver.open(dir);
    await prover.prove(values);
    const prove: number[] = [];
    for (let i = 0; i < runs; i++) prove.push((await prover.prove(values)).timingsMs.prove);
    const cold = await coldProve(dir, input, path.join(dir, "cold-proof.json"));
    points.push({
      widths,
      parameters,
      constraints: c.info.constraints,
      compileMs: c.info.timingsMs.compile,
      setupMs: s.info.timingsMs.ptau + s.info.timingsMs.setup + s.info.timingsMs.solidity,
      proveMs: stat(prove),
      peakRssMb: cold.peakRssMb,
    });
  }
  const xs = points.map((p) => p.constraints);
  return {
    points,
    proveFit: linearFit(
      xs,
      points.map((p) => p.proveMs.median),
    ),
    memoryFit: linearFit(
      xs,
      points.map((p) => p.peakRssMb),
    ),
  };
}
