/**
 * The transformer bench: the tiny transformer of examples/tiny-transformer (token embedding,
 * one pre-LN block of self-attention and a GELU MLP, 8 tokens of width 16) through the same cell
 * as `zkml bench` (compile, setup, warm and cold proofs, off-chain verification, deploy and
 * verifyInference gas on the in-process Hardhat chain), and its agreement with onnxruntime on
 * 200 random token sequences.
 *   npm run bench:transformer [-- --runs N] [out.json]
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { floatOutputs } from "../circuits/fidelity.js";
import { importOnnx } from "../circuits/onnx/import.js";
import { quantizeGraph } from "../circuits/quantize.js";
import { readCalibrationFile } from "../core/input.js";
import { PACKAGE_ROOT } from "../core/package_files.js";
import { argmax, dequantize, quantizeInput, runReference } from "../core/qmodel.js";
import { tokenSamples } from "../examples/tiny-transformer/make.js";
import { releaseCurves } from "../src/index.js";
import { measureCell } from "./cell.js";
import { machineInfo } from "./machine.js";

const DIR = path.join(PACKAGE_ROOT, "examples/tiny-transformer");
const SPEC = {
  name: "tiny-transformer",
  onnx: path.join(DIR, "tiny-transformer.onnx"),
  input: path.join(DIR, "input.json"),
  calibration: path.join(DIR, "calibration.json"),
  system: "groth16" as const,
};

/** The quantized model against onnxruntime on held-out sequences: argmax agreement and the largest error, relative to the logits' range. */
async function fidelity(count: number) {
  const bytes = await readFile(SPEC.onnx);
  const model = quantizeGraph(importOnnx(bytes, SPEC.name), { samples: (await readCalibrationFile(SPEC.calibration)).samples });
  const sequences = tokenSamples(count, 2026);
  const expected = await floatOutputs(bytes, model, sequences);
  const range = Math.max(...expected.flat().map(Math.abs));
  let [agree, worst, sum, values] = [0, 0, 0, 0];
  sequences.forEach((ids, k) => {
    const out = dequantize(runReference(model, quantizeInput(model, ids)).output, model.output.frac);
    out.forEach((v, i) => {
      const err = Math.abs(v - expected[k]![i]!);
      worst = Math.max(worst, err);
      sum += err;
      values++;
    });
    if (argmax(out) === argmax(expected[k]!)) agree++;
  });
  return { sequences: count, argmaxAgreement: agree / count, maxAbsError: worst, meanAbsError: sum / values, logitRange: range };
}

const args = process.argv.slice(2);
const runsAt = args.indexOf("--runs");
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 5;
const out =
  args.find((a, i) => a.endsWith(".json") && args[i - 1] !== "--runs") ??
  path.join(PACKAGE_ROOT, `bench/results/tiny-transformer-${new Date().toISOString().slice(0, 10)}.json`);
const workDir = await mkdtemp(path.join(os.tmpdir(), "zkml-bench-transformer-"));
try {
  const cell = await measureCell(SPEC, { runs, coldRuns: 2, workDir, progress: (m) => process.stderr.write(`… ${m}\n`) });
  const fit = await fidelity(200);
  await writeFile(
    out,
    JSON.stringify({ date: new Date().toISOString(), machine: machineInfo(), model: "examples/tiny-transformer", cell, fidelity: fit }, null, 2) + "\n",
  );
  const c = cell;
  process.stdout.write(
    `tiny-transformer: ${c.constraints} constraints; compile ${(c.compileMs / 1000).toFixed(1)} s, setup ${(c.setupMs / 1000).toFixed(1)} s; ` +
      `warm prove ${c.warm.proveMs.median.toFixed(0)} ms (witness ${c.warm.witnessMs.median.toFixed(0)} ms); verifyInference ${c.gas.verifyInferenceFreshWord} gas\n` +
      `fidelity over ${fit.sequences} sequences: argmax agreement ${(100 * fit.argmaxAgreement).toFixed(1)} %, max |err| ${fit.maxAbsError.toFixed(4)} ` +
      `(logits within ±${fit.logitRange.toFixed(3)}), mean ${fit.meanAbsError.toFixed(4)}\n→ ${out}\n`,
  );
} finally {
  await releaseCurves();
  await rm(workDir, { recursive: true, force: true });
}
