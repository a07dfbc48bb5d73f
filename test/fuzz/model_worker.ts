/**
 * Runs one fuzz case per message in a child process: import → quantize → circom source →
 * reference inference. The parent times each case and kills this process on a hang; an
 * out-of-memory death is a crash of the case it was running.
 */
import { generateCircom } from "../../circuits/codegen.js";
import { importOnnx } from "../../circuits/onnx/import.js";
import { quantizeGraph } from "../../circuits/quantize.js";
import { isZkmlError } from "../../core/errors.js";
import { sizeOf } from "../../core/ir.js";
import { quantizeInput, runReference } from "../../core/qmodel.js";
import { mulberry32 } from "../../core/random.js";

export type CaseOutcome = { i: number; outcome: "accepted" | "refused" | "crash"; message: string };

process.on("message", ({ i, bytes }: { i: number; bytes: Uint8Array }) => {
  let result: CaseOutcome;
  try {
    const graph = importOnnx(bytes, `fuzz-${i}`);
    const rand = mulberry32(i);
    const size = sizeOf(graph.input.shape);
    const samples = [0, 1].map(() => Array.from({ length: size }, () => rand() * 2 - 1));
    const model = quantizeGraph(graph, { samples });
    generateCircom(model);
    runReference(model, quantizeInput(model, samples[0]!));
    result = { i, outcome: "accepted", message: "" };
  } catch (e) {
    result = isZkmlError(e) ? { i, outcome: "refused", message: e.oneLine() } : { i, outcome: "crash", message: (e as Error)?.stack ?? String(e) };
  }
  process.send!(result);
});
