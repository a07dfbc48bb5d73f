/**
 * The contract of an ONNX op handler: one entry per op type, as tinygrad's onnx.py and the ONNX
 * reference evaluator keep one unit per op. What zkml imports is the keys of ONNX_OPS (ops.ts);
 * a handler reads the node through the builder's moves (graph_builder.ts) and emits float graph
 * nodes (core/ops/), folds constants, or renames.
 */
import type onnxProto from "onnx-proto";
import type { GraphBuilder, NodeProto } from "./graph_builder.js";

/** What a handler may need beyond the node: the opset and the whole graph. */
export interface ImportContext {
  /** The ai.onnx opset the file imports (attributes moved to inputs over the versions). */
  opset: number;
  graph: onnxProto.onnx.IGraphProto;
  /** Graph output name → the Softmax/ArgMax removed from its end. */
  transforms: Map<string, "softmax" | "argmax">;
}

export interface OnnxOp {
  import(b: GraphBuilder, n: NodeProto, ctx: ImportContext): void;
  /**
   * It may read an int8 (quantized) tensor: it moves, compares or dequantizes its values. Any
   * other op reading one is refused (it would compute on the integers as if they were reals).
   */
  readsInt8?: true;
}
