/**
 * The transformer bench: the tiny transformer of examples/tiny-transformer (token embedding,
 * one pre-LN block of self-attention and a GELU MLP, 8 tokens of width 16) through the cell of
 * `zkml bench`, and its agreement with onnxruntime on 200 random token sequences.
 *   npm run bench:transformer [-- --runs N] [out.json]
 */
import { tokenSamples } from "../examples/tiny-transformer/make.js";
import { runModelBench } from "./model_bench.js";

await runModelBench(
  {
    name: "tiny-transformer",
    description: "examples/tiny-transformer: 1 block, 8 tokens × 16, vocabulary 16, 4 classes",
    heldOut: () => tokenSamples(200, 2026),
  },
  process.argv.slice(2),
);
