/**
 * Every ONNX op zkml imports, by op type: what is supported is this table's keys (the compile
 * help and docs/OPS.md list them from here). One entry per op; the op families live in handlers/.
 */
import type { GraphNode } from "../../core/ops/index.js";
import { NODE_KINDS } from "../../core/ops/index.js";
import type { OnnxOp } from "./handler.js";
import { ACTIVATION_OPS } from "./handlers/activation.js";
import { CONV_TRANSPOSE_OPS } from "./handlers/conv_transpose.js";
import { ELEMENTWISE_OPS } from "./handlers/elementwise.js";
import { LINEAR_OPS } from "./handlers/linear.js";
import { MATH_OPS } from "./handlers/math.js";
import { NORM_OPS } from "./handlers/norm.js";
import { OUTPUT_OPS } from "./handlers/output.js";
import { POOL_OPS } from "./handlers/pool.js";
import { REARRANGE_OPS } from "./handlers/rearrange.js";
import { RECURRENT_OPS } from "./handlers/recurrent.js";
import { REDUCE_OPS } from "./handlers/reduce.js";
import { RESIZE_OPS } from "./handlers/resize.js";
import { SHAPE_OPS } from "./handlers/shape.js";
import { TREE_OPS } from "./handlers/trees.js";
import { QUANTIZED_OPS } from "./quantized_ops.js";

/** The handler of an op that is a node kind one to one (NodeKind.onnx): the node on the op's one activation. */
function unaryOp(op: string): OnnxOp {
  return {
    import(b, n) {
      const a = b.actOf(n, n.input![0]!);
      if ((n.input ?? []).filter((x) => x).length > 1 || (n.attribute ?? []).length > 0) b.unsupported(n, `${n.opType} takes one input and no attribute here`);
      b.emit({ op, name: b.nameOf(n), onnxOp: n.opType!, input: b.srcOf(n), output: b.out0(n) } as GraphNode, a.shape);
    },
  };
}

/** The ops the node kinds declare as theirs one to one. */
const KIND_OPS: Record<string, OnnxOp> = Object.fromEntries(
  Object.entries(NODE_KINDS).flatMap(([op, kind]) => (kind.onnx ?? []).map((onnxOp) => [onnxOp, unaryOp(op)])),
);

export const ONNX_OPS: Readonly<Record<string, OnnxOp>> = {
  ...KIND_OPS,
  ...LINEAR_OPS,
  ...CONV_TRANSPOSE_OPS,
  ...ELEMENTWISE_OPS,
  ...POOL_OPS,
  ...ACTIVATION_OPS,
  ...MATH_OPS,
  ...NORM_OPS,
  ...OUTPUT_OPS,
  ...REARRANGE_OPS,
  ...REDUCE_OPS,
  ...RESIZE_OPS,
  ...RECURRENT_OPS,
  ...SHAPE_OPS,
  ...TREE_OPS,
  ...QUANTIZED_OPS,
};

/** The op types zkml imports, in a stable order. */
export const SUPPORTED_OPS: readonly string[] = Object.keys(ONNX_OPS).sort();

/** The handler of an op type, or undefined (Object.hasOwn: "constructor" or "__proto__" in a file is no op). */
export function onnxOp(opType: string): OnnxOp | undefined {
  return Object.hasOwn(ONNX_OPS, opType) ? ONNX_OPS[opType] : undefined;
}
