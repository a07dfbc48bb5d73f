/**
 * Groth16 setup, the two ways, side by side in one run: development keys drawn directly
 * (prover/groth16_direct.ts) and snarkjs's `zkey new` on the (cached) development ptau plus one
 * contribution, the ceremony path. Each model is compiled once; each setup is timed with its
 * Solidity step; the ptau's generation, if the cache lacks it, is reported apart.
 *   npm run bench:setup -- [--quick] [--results DIR]
 * --quick: the tiny and MNIST MLPs only (the LeNet-size and private-weights models take ~10 min
 * each on the ceremony path here).
 */
import { mkdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { compileModel, InferenceProver, releaseCurves, setupModel, verifyProofFile, writeFileAtomic, writeSequential } from "../src/index.js";
import { lenetLayers } from "./lenet.js";
import { machineInfo, machineLabel } from "./machine.js";

interface Row {
  model: string;
  constraints: number;
  directMs: number;
  ceremonyMs: number;
  ptauGeneratedMs: number;
  verified: boolean;
}

async function main() {
  const { values } = parseArgs({ options: { quick: { type: "boolean" }, results: { type: "string" } } });
  const work = path.resolve("build/bench-setup");
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const lenetOnnx = path.join(work, "lenet5.onnx");
  await writeSequential(lenetOnnx, { name: "lenet5", inputShape: [1, 32, 32], layers: lenetLayers() });
  const models = [
    {
      name: "tiny-mlp",
      onnx: "examples/tiny-mlp/tiny-mlp.onnx",
      calibration: "examples/tiny-mlp/calibration.json",
      input: Array.from({ length: 16 }, () => 0.1),
    },
    {
      name: "mnist-mlp",
      onnx: "examples/mnist/mnist-mlp.onnx",
      calibration: "examples/mnist/calibration.json",
      input: Array.from({ length: 784 }, (_, i) => (i % 7) / 7),
    },
    ...(values.quick
      ? []
      : [
          {
            name: "mnist-mlp, private weights",
            onnx: "examples/mnist/mnist-mlp.onnx",
            calibration: "examples/mnist/calibration.json",
            weights: "private" as const,
            input: Array.from({ length: 784 }, (_, i) => (i % 7) / 7),
          },
          { name: "lenet5 (LeNet-size bench model)", onnx: lenetOnnx, input: Array.from({ length: 1024 }, (_, i) => ((i % 13) - 6) / 6) },
        ]),
  ];
  const rows: Row[] = [];
  for (const m of models) {
    const dir = path.join(work, m.name.replace(/[^a-z0-9]+/gi, "-"));
    const c = await compileModel(m.onnx, {
      outDir: dir,
      ...(m.calibration && { calibrationFile: m.calibration }),
      ...("weights" in m && { weights: m.weights }),
      fidelity: false,
    });
    process.stderr.write(`${m.name}: ${c.info.constraints} constraints; direct setup…\n`);
    let t = performance.now();
    await setupModel(dir);
    const directMs = performance.now() - t;
    // The direct keys must work: one proof, verified.
    const prover = await InferenceProver.open(dir);
    const verified = (await verifyProofFile(dir, (await prover.prove(m.input)).proof)).valid;
    await releaseCurves();
    process.stderr.write(`${m.name}: direct ${(directMs / 1000).toFixed(1)} s (proof verified: ${verified}); ceremony path…\n`);
    t = performance.now();
    const ceremony = await setupModel(dir, { keys: "ceremony" });
    const ceremonyMs = performance.now() - t - ceremony.ptau.generatedMs;
    await releaseCurves();
    rows.push({ model: m.name, constraints: c.info.constraints, directMs, ceremonyMs, ptauGeneratedMs: ceremony.ptau.generatedMs, verified });
    process.stderr.write(`${m.name}: ceremony path ${(ceremonyMs / 1000).toFixed(1)} s\n`);
  }
  const machine = machineInfo();
  const at = new Date().toISOString();
  const md = [
    `# Groth16 setup: direct development keys vs zkey new, ${at.slice(0, 10)}`,
    "",
    `Machine: ${machineLabel(machine)}. Each setup includes the Solidity verifiers (solc). The ceremony path's ptau came from the cache (generation, when it ran, is listed apart).`,
    "",
    "| model | constraints | direct keys | zkey new + contribution | speed-up | ptau generated | direct keys' proof verified |",
    "|---|---:|---:|---:|---:|---:|---|",
    ...rows.map(
      (r) =>
        `| ${r.model} | ${r.constraints.toLocaleString("en-US")} | ${(r.directMs / 1000).toFixed(1)} s | ${(r.ceremonyMs / 1000).toFixed(1)} s | ${(r.ceremonyMs / r.directMs).toFixed(1)}× | ${r.ptauGeneratedMs ? `${(r.ptauGeneratedMs / 1000).toFixed(0)} s` : "cached"} | ${r.verified} |`,
    ),
  ];
  const resultsDir = path.resolve(values.results ?? "bench/results");
  await mkdir(resultsDir, { recursive: true });
  const stem = path.join(resultsDir, `setup-${at.slice(0, 10)}-${os.hostname().replace(/[^A-Za-z0-9_-]/g, "")}`);
  await writeFileAtomic(`${stem}.json`, JSON.stringify({ at, machine, rows }, null, 2) + "\n");
  await writeFileAtomic(`${stem}.md`, md.join("\n") + "\n");
  process.stdout.write(md.join("\n") + `\n\nwritten: ${stem}.{json,md}\n`);
}

await main();
