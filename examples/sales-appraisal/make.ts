/**
 * The on-chain appraisal example: a linear model from the last 8 sale prices (in ether, oldest
 * first) to the next price, recent sales weighted more (hand-set, not trained). Its input and
 * output are hashed, so SalesAppraisal.sol can check a proof against the sales its ledger holds.
 * Run: node --import tsx examples/sales-appraisal/make.ts
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { writeMlp } from "../../circuits/onnx/write.js";
import { mulberry32 } from "../../core/random.js";

const DIR = path.dirname(fileURLToPath(import.meta.url));
const WEIGHTS = [0.05, 0.05, 0.1, 0.1, 0.1, 0.15, 0.2, 0.25];

await writeMlp(path.join(DIR, "sales-appraisal.onnx"), {
  name: "sales-appraisal",
  inputName: "sales",
  outputName: "price",
  docString: "zkml's on-chain data example: next price (ether) = weighted mean of the last 8 sale prices (hand-set weights).",
  layers: [{ inFeatures: 8, outFeatures: 1, weight: WEIGHTS, bias: [0], relu: false }],
});
const rand = mulberry32(8);
const sample = () => Array.from({ length: 8 }, () => Math.round((0.5 + rand() * 6.5) * 100) / 100);
await writeFile(path.join(DIR, "calibration.json"), JSON.stringify({ samples: Array.from({ length: 32 }, sample) }) + "\n");
