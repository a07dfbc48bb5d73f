/**
 * Scale test: a LeNet-5-size CNN (1x32x32 input; conv 5x5 x6 → ReLU → maxpool 2 → conv 5x5
 * x16 → ReLU → maxpool 2 → dense 120 → ReLU → dense 84 → ReLU → dense 10; 61,706 parameters),
 * written with zkml's own ONNX writer (He-initialised weights, seeded), then compiled, set up
 * (Groth16) and proven, with time and peak memory of every step. A command of its own:
 *   node --import tsx bench/lenet.ts [--square] [--no-fuse] [out.json]   (needs a 2^18 ptau: generated and cached once)
 * --square: the polynomial-activation variant (x·x + x, average pooling); --no-fuse: its chains
 * left one layer per ONNX node, for the before/after of the fusion (circuits/fuse.ts).
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { encodeSequential, type SequentialLayer } from "../circuits/onnx/write_sequential.js";
import { writeFileAtomic } from "../core/manifest.js";
import { mulberry32 } from "../core/random.js";
import { peakRssMb } from "../core/memory.js";
import { compileModel, InferenceProver, releaseCurves, setupModel, verifyProofFile } from "../src/index.js";
import { machineInfo } from "./machine.js";

/**
 * LeNet-5's layers with seeded random weights (for cost, not accuracy). "relu": ReLU and max
 * pooling; "square": the polynomial activation x·x + x of the ZKML literature and average
 * pooling, as CryptoNets-style models are built.
 */
export function lenetLayers(seed = 5, activation: "relu" | "square" = "relu"): SequentialLayer[] {
  const rand = mulberry32(seed);
  const he = (n: number, fanIn: number) => Array.from({ length: n }, () => (rand() * 2 - 1) * Math.sqrt(6 / fanIn));
  const small = (n: number) => Array.from({ length: n }, () => (rand() * 2 - 1) * 0.05);
  const act: SequentialLayer = activation === "relu" ? { kind: "activation", op: "Relu" } : { kind: "polynomial", a: 1, b: 1, c: 0 };
  const pool: SequentialLayer = { kind: activation === "relu" ? "maxpool" : "avgpool", kernel: 2 };
  return [
    { kind: "conv", outChannels: 6, kernel: 5, weight: he(6 * 25, 25), bias: small(6) },
    act,
    pool,
    { kind: "conv", outChannels: 16, kernel: 5, weight: he(16 * 6 * 25, 150), bias: small(16) },
    act,
    pool,
    { kind: "flatten" },
    { kind: "dense", outFeatures: 120, weight: he(120 * 400, 400), bias: small(120) },
    act,
    { kind: "dense", outFeatures: 84, weight: he(84 * 120, 120), bias: small(84) },
    act,
    { kind: "dense", outFeatures: 10, weight: he(10 * 84, 84), bias: small(10) },
  ];
}

async function main() {
  const args = process.argv.slice(2);
  const square = args.includes("--square");
  const fuse = !args.includes("--no-fuse");
  const outFile = args.find((a) => !a.startsWith("--"));
  const name = square ? "lenet5sq" : "lenet5";
  const work = path.resolve(`build/${name}${fuse ? "" : "-unfused"}`);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const onnxFile = path.join(work, "..", `${name}.onnx`);
  await writeFileAtomic(onnxFile, encodeSequential({ name, inputShape: [1, 32, 32], layers: lenetLayers(5, square ? "square" : "relu") }));
  const rand = mulberry32(77);
  const samples = Array.from({ length: 16 }, () => Array.from({ length: 1024 }, () => rand()));
  const calibration = path.join(work, "..", `${name}-calibration.json`);
  await writeFile(calibration, JSON.stringify({ samples }));
  const log = (m: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${m}\n`);

  let t = performance.now();
  const c = await compileModel(onnxFile, { outDir: work, calibrationFile: calibration, progress: log, fuse });
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
    model: `${name} (random He weights, 61,706 parameters${square ? `, x·x + x activations, average pooling${fuse ? "" : ", unfused"}` : ""})`,
    fidelity: c.fidelity && {
      argmaxAgreement: c.fidelity.argmaxAgreement,
      outputMaxAbsError: c.fidelity.maxAbsError,
      outputMeanAbsError: c.fidelity.meanAbsError,
    },
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
