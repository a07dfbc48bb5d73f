/** Elementwise activations: activation nodes (a fused ReLU, a relu layer or an exact table, core/ops/activation.ts). */
import { ZkmlError } from "../../../core/errors.js";
import type { ActivationFn } from "../../../core/ops/activation.js";
import type { OnnxOp } from "../handler.js";
import type { GraphBuilder, NodeProto } from "../graph_builder.js";
import { attr, broadcastTo, floatAttr } from "../shapes.js";

/** An activation whose function reads only the node's attributes. */
function fromAttributes(fn: (n: NodeProto) => ActivationFn, readsInt8?: true): OnnxOp {
  return { import: (b, n) => b.activation(n, fn(n)), ...(readsInt8 && { readsInt8 }) };
}

function clip(b: GraphBuilder, n: NodeProto): ActivationFn {
  // Since opset 11 the bounds are inputs; before, attributes.
  const min = attr(n, "min") ? floatAttr(n, "min", -Infinity) : (b.optionalConst(n, 1)?.data[0] ?? -Infinity);
  const max = attr(n, "max") ? floatAttr(n, "max", Infinity) : (b.optionalConst(n, 2)?.data[0] ?? Infinity);
  return { kind: "clip", min, max };
}

function prelu(b: GraphBuilder, n: NodeProto): ActivationFn {
  const a = b.actOf(n, n.input![0]!);
  const slopeT = b.constOf(n, n.input![1]!, "slope").tensor;
  const slope = broadcastTo(slopeT, a.shape);
  if (!slope) throw new ZkmlError("BAD_MODEL", `${b.where(n)}: slope [${slopeT.dims}] does not broadcast to [${a.shape}]`);
  return { kind: "prelu", slope };
}

export const ACTIVATION_OPS: Record<string, OnnxOp> = {
  Relu: fromAttributes(() => ({ kind: "relu" }), true),
  LeakyRelu: fromAttributes((n) => ({ kind: "leakyrelu", alpha: floatAttr(n, "alpha", 0.01) })),
  Sigmoid: fromAttributes(() => ({ kind: "sigmoid" })),
  Tanh: fromAttributes(() => ({ kind: "tanh" })),
  HardSigmoid: fromAttributes((n) => ({ kind: "hardsigmoid", alpha: floatAttr(n, "alpha", 0.2), beta: floatAttr(n, "beta", 0.5) })),
  Clip: { import: (b, n) => b.activation(n, clip(b, n)) },
  PRelu: { import: (b, n) => b.activation(n, prelu(b, n)) },
};
