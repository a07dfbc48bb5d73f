/**
 * The recurrent example and bench model: an LSTM over 8 steps of 4 features (hidden 8) whose last
 * hidden state feeds a 3-class head, seeded random weights, written with zkml's ONNX writer
 * (circuits/onnx/write_recurrent.ts), with calibration sequences and one input.
 * Run: node --import tsx examples/lstm/make.ts
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { writeRecurrent, type RecurrentSpec } from "../../circuits/onnx/write_recurrent.js";
import { mulberry32 } from "../../core/random.js";

const DIR = path.dirname(fileURLToPath(import.meta.url));
export const SPEC: RecurrentSpec = { name: "lstm", cell: "LSTM", seq: 8, features: 4, hidden: 8, classes: 3, seed: 14 };

/** n random sequences, values on a 1/100 grid in [-1, 1]. */
export function sequenceSamples(n: number, seed: number): number[][] {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, () => Array.from({ length: SPEC.seq * SPEC.features }, () => Math.round((rand() * 2 - 1) * 100) / 100));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await writeRecurrent(path.join(DIR, "lstm.onnx"), SPEC);
  await writeFile(path.join(DIR, "calibration.json"), JSON.stringify({ samples: sequenceSamples(32, 1) }) + "\n");
  await writeFile(path.join(DIR, "input.json"), JSON.stringify({ input: sequenceSamples(1, 99)[0] }) + "\n");
}
