/**
 * The tree-ensemble bench: the gradient-boosted appraisal model of examples/appraisal-gbt (100
 * trees of depth 4, TreeEnsembleRegressor) through the cell of `zkml bench`, and its agreement
 * with onnxruntime on 500 held-out sales: on the raw features, and on the dequantized int8
 * features the circuit reads (where the paths are the same, bit for bit); RMSE against the price.
 *   npm run bench:trees [-- --runs N] [out.json]
 */
import path from "node:path";
import { floatOutputs } from "../circuits/fidelity.js";
import { PACKAGE_ROOT } from "../core/package_files.js";
import { dequantize, quantizeInput, runReference, type QModel } from "../core/qmodel.js";
import { appraisalData, price } from "../examples/appraisal-gbt/gbt.js";
import { runModelBench } from "./model_bench.js";

const held = appraisalData(500, 1234);

/** onnxruntime on the dequantized grid features against the circuit, and both models' RMSE against the data's price. */
async function onTheGrid(model: QModel) {
  const onnx = path.join(PACKAGE_ROOT, "examples/appraisal-gbt/appraisal-gbt.onnx");
  const grid = held.x.map((x) => quantizeInput(model, x));
  const circuit = grid.map((q) => dequantize(runReference(model, q).output, model.output.frac)[0]!);
  const onGrid = await floatOutputs(
    onnx,
    model,
    grid.map((q) => q.map((v) => v / 2 ** model.input.frac)),
  );
  const onRaw = await floatOutputs(onnx, model, held.x);
  const rmse = (values: number[]) => Math.sqrt(values.reduce((s, v, i) => s + (v - price(held.x[i]!)) ** 2, 0) / values.length);
  return {
    maxAbsVsOnnxruntimeOnGrid: Math.max(...circuit.map((v, i) => Math.abs(v - onGrid[i]![0]!))),
    rmseFloat: rmse(onRaw.map((o) => o[0]!)),
    rmseCircuit: rmse(circuit),
  };
}

await runModelBench(
  { name: "appraisal-gbt", description: "examples/appraisal-gbt: 100 trees of depth 4 (examples/appraisal-gbt)", heldOut: () => held.x },
  process.argv.slice(2),
  onTheGrid,
);
