/**
 * The recurrent bench: the LSTM classifier of examples/lstm (8 steps of 4 features, hidden 8,
 * unrolled at import) through the cell of `zkml bench`, and its agreement with onnxruntime on 200
 * random sequences.
 *   npm run bench:lstm [-- --runs N] [out.json]
 */
import { sequenceSamples } from "../examples/lstm/make.js";
import { runModelBench } from "./model_bench.js";

await runModelBench(
  { name: "lstm", description: "examples/lstm: LSTM, 8 steps × 4 features, hidden 8, 3 classes", heldOut: () => sequenceSamples(200, 2026) },
  process.argv.slice(2),
);
