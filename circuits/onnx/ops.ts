/**
 * Every ONNX op zkml imports, by op type: what is supported is this table's keys (the compile
 * help and docs/OPS.md list them from here). One entry per op; the op families live in handlers/.
 */
import type { OnnxOp } from "./handler.js";
import { ACTIVATION_OPS } from "./handlers/activation.js";
import { ELEMENTWISE_OPS } from "./handlers/elementwise.js";
import { LINEAR_OPS } from "./handlers/linear.js";
import { OUTPUT_OPS } from "./handlers/output.js";
import { POOL_OPS } from "./handlers/pool.js";
import { REARRANGE_OPS } from "./handlers/rearrange.js";
import { SHAPE_OPS } from "./handlers/shape.js";
import { QUANTIZED_OPS } from "./quantized_ops.js";

export const ONNX_OPS: Readonly<Record<string, OnnxOp>> = {
  ...LINEAR_OPS,
  ...ELEMENTWISE_OPS,
  ...POOL_OPS,
  ...ACTIVATION_OPS,
  ...OUTPUT_OPS,
  ...REARRANGE_OPS,
  ...SHAPE_OPS,
  ...QUANTIZED_OPS,
};

/** The op types zkml imports, in a stable order. */
export const SUPPORTED_OPS: readonly string[] = Object.keys(ONNX_OPS).sort();

/** The handler of an op type, or undefined (Object.hasOwn: "constructor" or "__proto__" in a file is no op). */
export function onnxOp(opType: string): OnnxOp | undefined {
  return Object.hasOwn(ONNX_OPS, opType) ? ONNX_OPS[opType] : undefined;
}
