/**
 * What the per-model benches (tree ensemble, transformer, LSTM) share: one bench model through the
 * same cell as `zkml bench` (compile, setup, warm and cold proofs, off-chain verification, deploy
 * and verifyInference gas on the in-process Hardhat chain), its agreement with onnxruntime on
 * held-out inputs, and one JSON file with the machine; `--runs N` and an output path on the command line.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { measureFidelity } from "../circuits/fidelity.js";
import { importOnnx } from "../circuits/onnx/import.js";
import { quantizeGraph } from "../circuits/quantize.js";
import { readCalibrationFile } from "../core/input.js";
import { PACKAGE_ROOT } from "../core/package_files.js";
import type { QModel } from "../core/qmodel.js";
import { releaseCurves } from "../src/index.js";
import { measureCell, type CellResult } from "./cell.js";
import { machineInfo } from "./machine.js";

export interface BenchModel {
  /** The example folder's name, which holds `<name>.onnx`, input.json and calibration.json. */
  name: string;
  description: string;
  /** Held-out inputs for the fidelity measurement. */
  heldOut(): number[][];
}

/** The quantized model against onnxruntime on held-out inputs (the compile report's measure): argmax agreement, near-ties, errors. */
export async function heldOutFidelity(onnx: string, model: QModel, inputs: number[][]) {
  const { argmaxAgreement, nearTies, maxAbsError, meanAbsError } = await measureFidelity(onnx, model, inputs);
  return { inputs: inputs.length, argmaxAgreement, nearTies, maxAbsError, meanAbsError };
}

function summary(name: string, c: CellResult, fit: Awaited<ReturnType<typeof heldOutFidelity>>): string {
  return (
    `${name}: ${c.constraints} constraints; compile ${(c.compileMs / 1000).toFixed(1)} s, setup ${(c.setupMs / 1000).toFixed(1)} s; ` +
    `warm prove ${c.warm.proveMs.median.toFixed(0)} ms (witness ${c.warm.witnessMs.median.toFixed(0)} ms); verifyInference ${c.gas.verifyInferenceFreshWord} gas\n` +
    `against onnxruntime on ${fit.inputs} held-out inputs: argmax agreement ${(100 * fit.argmaxAgreement).toFixed(1)} %, ` +
    `max |err| ${fit.maxAbsError.toExponential(2)}, mean ${fit.meanAbsError.toExponential(2)} (${fit.nearTies} near-ties among the disagreements)\n`
  );
}

/** Runs the bench of one model and writes bench/results/<name>-<date>.json (or the path given). */
export async function runModelBench(m: BenchModel, argv: string[], extra?: (model: QModel) => Promise<Record<string, unknown>>): Promise<void> {
  const dir = path.join(PACKAGE_ROOT, "examples", m.name);
  const spec = {
    name: m.name,
    onnx: path.join(dir, `${m.name}.onnx`),
    input: path.join(dir, "input.json"),
    calibration: path.join(dir, "calibration.json"),
    system: "groth16" as const,
  };
  const runsAt = argv.indexOf("--runs");
  const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : 5;
  const out =
    argv.find((a, i) => a.endsWith(".json") && argv[i - 1] !== "--runs") ??
    path.join(PACKAGE_ROOT, `bench/results/${m.name}-${new Date().toISOString().slice(0, 10)}.json`);
  const workDir = await mkdtemp(path.join(os.tmpdir(), `zkml-bench-${m.name}-`));
  try {
    const cell = await measureCell(spec, { runs, coldRuns: 2, workDir, progress: (msg) => process.stderr.write(`… ${msg}\n`) });
    const model = quantizeGraph(importOnnx(await readFile(spec.onnx), m.name), { samples: (await readCalibrationFile(spec.calibration)).samples });
    const fidelity = await heldOutFidelity(spec.onnx, model, m.heldOut());
    const more = extra ? await extra(model) : {};
    await writeFile(
      out,
      JSON.stringify({ date: new Date().toISOString(), machine: machineInfo(), model: m.description, cell, fidelity, ...more }, null, 2) + "\n",
    );
    process.stdout.write(`${summary(m.name, cell, fidelity)}→ ${out}\n`);
  } finally {
    await releaseCurves();
    await rm(workDir, { recursive: true, force: true });
  }
}
