/**
 * The transformer example and bench model: one pre-LN block of single-head self-attention and a
 * GELU MLP over 8 tokens of width 16 (vocabulary 16, 4 classes; seeded random weights), written
 * with zkml's ONNX writer (circuits/onnx/write_transformer.ts), with token-id calibration samples
 * and one input. Run: node --import tsx examples/tiny-transformer/make.ts
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { writeTransformer, type TransformerSpec } from "../../circuits/onnx/write_transformer.js";
import { mulberry32 } from "../../core/random.js";

const DIR = path.dirname(fileURLToPath(import.meta.url));
export const SPEC: TransformerSpec = { name: "tiny-transformer", tokens: 8, width: 16, vocabulary: 16, hidden: 32, blocks: 1, classes: 4, seed: 7 };

/** n sequences of random token ids. */
export function tokenSamples(n: number, seed: number): number[][] {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, () => Array.from({ length: SPEC.tokens }, () => Math.floor(rand() * SPEC.vocabulary)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await writeTransformer(path.join(DIR, "tiny-transformer.onnx"), SPEC);
  await writeFile(path.join(DIR, "calibration.json"), JSON.stringify({ samples: tokenSamples(32, 1) }) + "\n");
  await writeFile(path.join(DIR, "input.json"), JSON.stringify({ input: [3, 1, 4, 1, 5, 9, 2, 6] }) + "\n");
}
