/**
 * The bundled regression example: a linear price model over six normalised property features
 * (size, rooms, age, distance to centre, school rating, garden), coefficients fixed by hand.
 * Its output is a number, not a class: AppraisalOracle.sol posts it on-chain with its scale.
 * Run: node --import tsx examples/appraisal/make.ts
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { writeMlp } from "../../circuits/onnx/write.js";
import { mulberry32 } from "../../core/random.js";

const DIR = path.dirname(fileURLToPath(import.meta.url));
// price in units of 100k = 3.0 + Σ coefficient · feature, features in [-1, 1].
const COEFFICIENTS = [1.2, 0.4, -0.5, -0.8, 0.3, 0.2];

await writeMlp(path.join(DIR, "appraisal.onnx"), {
  name: "appraisal",
  inputName: "features",
  outputName: "price",
  docString: "zkml's regression example: price (×100k) = 3.0 + [1.2, 0.4, -0.5, -0.8, 0.3, 0.2] · features (hand-set, not trained).",
  layers: [{ inFeatures: 6, outFeatures: 1, weight: COEFFICIENTS, bias: [3.0], relu: false }],
});
const rand = mulberry32(6);
const sample = () => Array.from({ length: 6 }, () => Math.round((rand() * 2 - 1) * 100) / 100);
await writeFile(path.join(DIR, "input.json"), JSON.stringify({ input: [0.5, 0.25, -0.4, -0.6, 0.8, 0.1] }) + "\n");
await writeFile(path.join(DIR, "calibration.json"), JSON.stringify({ samples: Array.from({ length: 32 }, sample) }) + "\n");
