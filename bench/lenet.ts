/**
 * Scale test: a LeNet-5-size CNN (1x32x32 input; conv 5x5 x6 → ReLU → maxpool 2 → conv 5x5
 * x16 → ReLU → maxpool 2 → dense 120 → ReLU → dense 84 → ReLU → dense 10; 61,706 parameters),
 * written with zkml's own ONNX writer (He-initialised weights, seeded), then compiled, set up
 * (Groth16) and proven, with time and peak memory of every step. A command of its own:
 *   node --import tsx bench/lenet.ts [out.json]      (needs a 2^18 ptau: generated and cached once)
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { encodeSequential, type SequentialLayer } from "../circuits/onnx/write_sequential.js";
import { writeFileAtomic } from "../core/manifest.js";
import { mulberry32 } from "../core/random.js";
import { peakRssMb } from "../core/memory.js";
import { compileModel, InferenceProver, releaseCurves, setupModel, verifyProofFile } from "../src/index.js";
import { machineInfo } from "./machine.js";

/** LeNet-5's layers with seeded random weights (for cost, not accuracy). */
export function lenetLayers(seed = 5): SequentialLayer[] {
  const rand = mulberry32(seed);
  const he = (n: number, fanIn: number) => Array.from({ length: n }, () => (rand() * 2 - 1) * Math.sqrt(6 / fanIn));
  const small = (n: number) => Array.from({ length: n }, () => (rand() * 2 - 1) * 0.05);
  return [
    { kind: "conv", outChannels: 6, kernel: 5, weight: he(6 * 25, 25), bias: small(6) },
    { kind: "activation", op: "Relu" },
    { kind: "maxpool", kernel: 2 },
    { kind: "conv", outChannels: 16, kernel: 5, weight: he(16 * 6 * 25, 150), bias: small(16) },
    { kind: "activation", op: "Relu" },
    { kind: "maxpool", kernel: 2 },
    { kind: "flatten" },
    { kind: "dense", outFeatures: 120, weight: he(120 * 400, 400), bias: small(120) },
    { kind: "activation", op: "Relu" },
    { kind: "dense", outFeatures: 84, weight: he(84 * 120, 120), bias: small(84) },
    { kind: "activation", op: "Relu" },
    { kind: "dense", outFeatures: 10, weight: he(10 * 84, 84), bias: small(10) },
  ];
}

async function main() {
  const outFile = process.argv[2];
  const work = path.resolve("build/lenet5");
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const onnxFile = path.join(work, "..", "lenet5.onnx");
  await writeFileAtomic(onnxFile, encodeSequential({ name: "lenet5", inputShape: [1, 32, 32], layers: lenetLayers() }));
  const rand = mulberry32(77);
  const samples = Array.from({ length: 16 }, () => Array.from({ length: 1024 }, () => rand()));
  const calibration = path.join(work, "..", "lenet5-calibration.json");
  await writeFile(calibration, JSON.stringify({ samples }));
  const log = (m: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${m}\n`);

  let t = performance.now();
  const c = await compileModel(onnxFile, { outDir: work, calibrationFile: calibration, progress: log });
  const compileMs = performance.now() - t;
  log(`compiled: ${c.info.constraints} constraints in ${(compileMs / 1000).toFixed(1)} s`);
  t = performance.now();
  const s = await setupModel(work, { progress: (m, f) => (f === 0 ? log(m) : undefined) });
  const setupMs = performance.now() - t;
  log(`setup: ${(setupMs / 1000).toFixed(1)} s (ptau 2^${s.info.ptau.power})`);
  const prover = await InferenceProver.open(work);
  const proveMs: number[] = [];
  let valid = false;
  for (let i = 0; i < 3; i++) {
    const r = await prover.prove(samples[i]!, { value: 1n });
    proveMs.push(r.timingsMs.witness + r.timingsMs.prove);
    valid = (await verifyProofFile(work, r.proof)).valid;
    log(`prove ${i + 1}/3: ${(proveMs.at(-1)! / 1000).toFixed(1)} s, verifies: ${valid}`);
  }
  await releaseCurves();
  const report = {
    model: "lenet5 (random He weights, 61,706 parameters)",
    machine: machineInfo(),
    constraints: c.info.constraints,
    compileMs,
    circomMs: c.info.timingsMs.circom,
    setupMs,
    ptauPower: s.info.ptau.power,
    proveMs,
    verified: valid,
    peakRssMb: peakRssMb(),
  };
  console.log(JSON.stringify(report, null, 2));
  if (outFile) await writeFile(outFile, JSON.stringify(report, null, 2) + "\n");
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  await main();
}
