/**
 * A QuantizeLinear → DequantizeLinear pair on an activation: the model fixes that tensor's
 * scale. It is no layer of its own: right after an accumulating layer or a table it becomes that
 * layer's output scale (rounded ties to even, as ONNX rounds), on the input it is the input's
 * scale, and on a value already at that scale it is a rename.
 */
import { ACT_MAX, ACT_MIN, roundHalfEven, type NodeBase } from "../ir.js";
import { oneInput, type NodeKind } from "./kind.js";

export interface FixScaleNode extends NodeBase {
  op: "fixscale";
  frac: number;
}

export const fixscaleNode: NodeKind<FixScaleNode> = {
  inputs: oneInput,
  float(n, [x]) {
    const s = 2 ** n.frac;
    return x!.map((v) => Math.min(ACT_MAX, Math.max(ACT_MIN, roundHalfEven(v * s))) / s);
  },
  work: () => ({ work: 1, constraints: 0 }),
  absorbed: (n) => ({ fixedFrac: n.frac }),
  quantize(n, _index, ctx) {
    const src = ctx.tensor(n.input);
    // Re-quantizing an int8 tensor to another scale is not a layer zkml has; the same scale is a no-op.
    if (n.frac !== src.frac)
      ctx.refuse(`a QuantizeLinear at 2^-${n.frac} on a value at 2^-${src.frac} must follow a Gemm/MatMul/Conv or an activation directly`);
    ctx.alias(n.output, src);
  },
};
