/**
 * Ops with constant weights (dense and conv nodes, free multiply-adds in the circuit), MatMul of
 * two activations (a matmul node), and BatchNormalization (folded into the layer before it).
 */
import { ZkmlError } from "../../../core/errors.js";
import type { OnnxOp } from "../handler.js";
import type { GraphBuilder, NodeProto } from "../graph_builder.js";
import { floatAttr, intAttr, matmulIndex } from "../shapes.js";

/** Two activations (attention's Q·Kᵀ): every product is a constraint. */
function matmulOfActivations(b: GraphBuilder, n: NodeProto): void {
  const [a, c] = [b.actOf(n, n.input![0]!), b.actOf(n, n.input![1]!)];
  const m = matmulIndex(a.shape, c.shape);
  if (!m)
    throw new ZkmlError(
      "BAD_MODEL",
      `${b.where(n)}: [${a.shape}] × [${c.shape}] do not multiply (MatMul of activations needs rank ≥ 2, A [..., M, K] × B [..., K, N])`,
    );
  b.emit(
    {
      op: "matmul",
      name: b.nameOf(n),
      onnxOp: n.opType!,
      input: b.srcOf(n, 0),
      input2: b.srcOf(n, 1),
      output: b.out0(n),
      k: m.k,
      aIndex: m.aIndex,
      bIndex: m.bIndex,
    },
    m.shape,
  );
}

const gemmOrMatMul: OnnxOp = {
  import(b, n) {
    const ins = n.input ?? [];
    const gemm = n.opType === "Gemm";
    if (!gemm && b.valueNamed(n, ins[0]!).kind === "act" && b.valueNamed(n, ins[1]!).kind === "act") {
      matmulOfActivations(b, n);
      return;
    }
    const w = b.constOf(n, ins[1]!, "weight");
    const bias = gemm && ins[2] ? b.constOf(n, ins[2], "bias").tensor : undefined;
    b.emitDense(
      n,
      ins[0]!,
      w,
      {
        transA: gemm && intAttr(n, "transA", 0) !== 0,
        transB: gemm && intAttr(n, "transB", 0) !== 0,
        alpha: gemm ? floatAttr(n, "alpha", 1) : 1,
        beta: gemm ? floatAttr(n, "beta", 1) : 1,
        bias,
      },
      b.out0(n),
      b.nameOf(n),
    );
  },
};

/** y = x·factor + shift per channel: folded into the layer before, else a depthwise 1×1 conv (4-D) or a diagonal dense (2-D). */
function batchNormalization(b: GraphBuilder, n: NodeProto): void {
  const ins = n.input ?? [];
  const a = b.actOf(n, ins[0]!);
  const [scale, beta, mean, variance] = [1, 2, 3, 4].map((i) => b.constOf(n, ins[i]!, "parameter").tensor.data) as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  const eps = floatAttr(n, "epsilon", 1e-5);
  const C = a.shape[1]!;
  if (a.shape[0] !== 1 || scale.length !== C) throw new ZkmlError("BAD_MODEL", `${b.where(n)}: ${scale.length} parameters for input [${a.shape}]`);
  const factor = Float64Array.from(scale, (s, c) => s / Math.sqrt(variance[c]! + eps));
  const shift = Float64Array.from(beta, (v, c) => v - mean[c]! * factor[c]!);
  const target = b.foldTarget(ins[0]!);
  const base = { name: b.nameOf(n), onnxOp: n.opType!, input: b.srcOf(n), output: b.out0(n), bias: shift };
  if (target && target.bias.length === C) {
    b.foldAffine(target, factor, shift);
    b.alias(n, a.shape);
  } else if (a.shape.length === 4) {
    const inShape = a.shape.slice(1) as [number, number, number];
    b.emit(
      {
        op: "conv",
        ...base,
        inShape,
        outShape: inShape,
        kernel: [1, 1],
        strides: [1, 1],
        pads: [0, 0, 0, 0],
        group: C,
        weight: { dims: [C, 1, 1, 1], data: factor },
      },
      a.shape,
    );
  } else if (a.shape.length === 2) {
    const weight = new Float64Array(C * C);
    for (let c = 0; c < C; c++) weight[c * C + c] = factor[c]!;
    b.emit({ op: "dense", ...base, weight: { dims: [C, C], data: weight } }, a.shape);
  } else {
    b.unsupported(n, `BatchNormalization of a [${a.shape}] tensor is not supported`);
  }
}

export const LINEAR_OPS: Record<string, OnnxOp> = {
  Gemm: gemmOrMatMul,
  MatMul: gemmOrMatMul,
  Conv: {
    import(b, n) {
      const ins = n.input ?? [];
      b.emitConv(n, ins[0]!, b.constOf(n, ins[1]!, "weight"), ins[2] ? b.constOf(n, ins[2], "bias").tensor.data : undefined, b.out0(n), b.nameOf(n));
    },
  },
  BatchNormalization: { import: batchNormalization },
};
