/**
 * The tree-ensemble example and bench model: a gradient-boosted regressor (100 trees of depth 4)
 * trained by examples/appraisal-gbt/gbt.ts on 2,000 synthetic sales, written with zkml's ONNX
 * writer as TreeEnsembleRegressor (ai.onnx.ml), with calibration samples and one input.
 * Run: node --import tsx examples/appraisal-gbt/make.ts
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { writeTreeEnsemble } from "../../circuits/onnx/write_trees.js";
import { appraisalData, FEATURES, trainGbt } from "./gbt.js";

const DIR = path.dirname(fileURLToPath(import.meta.url));
const train = appraisalData(2000, 26);
const { trees, base } = trainGbt(train.x, train.y, { trees: 100, depth: 4, rate: 0.1 });
await writeTreeEnsemble(path.join(DIR, "appraisal-gbt.onnx"), {
  name: "appraisal-gbt",
  features: FEATURES.length,
  trees,
  base: [base],
});
const held = appraisalData(64, 27);
await writeFile(path.join(DIR, "calibration.json"), JSON.stringify({ samples: held.x.slice(0, 32) }) + "\n");
await writeFile(path.join(DIR, "input.json"), JSON.stringify({ input: [0.5, 0.25, -0.4, -0.6, 0.8, 0.1] }) + "\n");
