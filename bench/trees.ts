/**
 * The tree-ensemble bench: the gradient-boosted appraisal model of examples/appraisal-gbt (100
 * trees of depth 4, TreeEnsembleRegressor) through the same cell as `zkml bench` (compile, setup,
 * warm and cold proofs, off-chain verification, deploy and verifyInference gas on the in-process
 * Hardhat chain), and its agreement with onnxruntime on 500 held-out sales: on the raw features,
 * and on the dequantized int8 features the circuit sees (where the paths are the same, bit for bit).
 *   npm run bench:trees [-- --runs N] [out.json]
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { importOnnx } from "../circuits/onnx/import.js";
import { quantizeGraph } from "../circuits/quantize.js";
import { readCalibrationFile } from "../core/input.js";
import { PACKAGE_ROOT } from "../core/package_files.js";
import { dequantize, quantizeInput, runReference } from "../core/qmodel.js";
import { appraisalData, price } from "../examples/appraisal-gbt/gbt.js";
import { releaseCurves } from "../src/index.js";
import { measureCell } from "./cell.js";
import { machineInfo } from "./machine.js";

const DIR = path.join(PACKAGE_ROOT, "examples/appraisal-gbt");
const SPEC = {
  name: "appraisal-gbt",
  onnx: path.join(DIR, "appraisal-gbt.onnx"),
  input: path.join(DIR, "input.json"),
  calibration: path.join(DIR, "calibration.json"),
  system: "groth16" as const,
};

/** onnxruntime on each row, and the quantized model on each row: max |difference| on raw and on grid features, and RMSE against the data's price. */
async function fidelity(samples: number) {
  const ort = await import("onnxruntime-node");
  const bytes = await readFile(SPEC.onnx);
  const session = await ort.InferenceSession.create(bytes);
  const model = quantizeGraph(importOnnx(bytes, SPEC.name), { samples: (await readCalibrationFile(SPEC.calibration)).samples });
  const run = async (x: number[]) =>
    ((await session.run({ input: new ort.Tensor("float32", Float32Array.from(x), [1, 6]) })).variable!.data as Float32Array)[0]!;
  const data = appraisalData(samples, 1234);
  let [raw, grid, sqFloat, sqQuant] = [0, 0, 0, 0];
  for (const x of data.x) {
    const q = quantizeInput(model, x);
    const circuit = dequantize(runReference(model, q).output, model.output.frac)[0]!;
    const onRaw = await run(x);
    raw = Math.max(raw, Math.abs(circuit - onRaw));
    grid = Math.max(grid, Math.abs(circuit - (await run(q.map((v) => v / 2 ** model.input.frac)))));
    sqFloat += (onRaw - price(x)) ** 2;
    sqQuant += (circuit - price(x)) ** 2;
  }
  const rmse = (s: number) => Math.sqrt(s / samples);
  return { samples, maxAbsVsOnnxruntime: raw, maxAbsVsOnnxruntimeOnGrid: grid, rmseFloat: rmse(sqFloat), rmseCircuit: rmse(sqQuant) };
}

const args = process.argv.slice(2);
const runsAt = args.indexOf("--runs");
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 5;
const out =
  args.find((a, i) => a.endsWith(".json") && args[i - 1] !== "--runs") ??
  path.join(PACKAGE_ROOT, `bench/results/appraisal-gbt-${new Date().toISOString().slice(0, 10)}.json`);
const workDir = await mkdtemp(path.join(os.tmpdir(), "zkml-bench-trees-"));
try {
  const cell = await measureCell(SPEC, { runs, coldRuns: 2, workDir, progress: (m) => process.stderr.write(`… ${m}\n`) });
  const fit = await fidelity(500);
  const result = { date: new Date().toISOString(), machine: machineInfo(), model: "100 trees of depth 4 (examples/appraisal-gbt)", cell, fidelity: fit };
  await writeFile(out, JSON.stringify(result, null, 2) + "\n");
  const c = cell;
  process.stdout.write(
    `appraisal-gbt: ${c.constraints} constraints; compile ${(c.compileMs / 1000).toFixed(1)} s, setup ${(c.setupMs / 1000).toFixed(1)} s; ` +
      `warm prove ${c.warm.proveMs.median.toFixed(0)} ms (witness ${c.warm.witnessMs.median.toFixed(0)} ms); verifyInference ${c.gas.verifyInferenceFreshWord} gas\n` +
      `fidelity over ${fit.samples} held-out sales: max |circuit − onnxruntime| ${fit.maxAbsVsOnnxruntime.toExponential(2)} (raw features), ` +
      `${fit.maxAbsVsOnnxruntimeOnGrid.toExponential(2)} (the int8 grid); RMSE vs price ${fit.rmseFloat.toFixed(4)} float, ${fit.rmseCircuit.toFixed(4)} circuit\n→ ${out}\n`,
  );
} finally {
  await releaseCurves();
  await rm(workDir, { recursive: true, force: true });
}
