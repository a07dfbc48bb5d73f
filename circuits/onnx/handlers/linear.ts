/**
 * Ops with constant weights (dense and conv nodes, free multiply-adds in the circuit), MatMul of
 * two activations (a matmul node), and BatchNormalization (folded into the layer before it).
 */
import { ZkmlError } from "../../../core/errors.js";
import type { OnnxOp } from "../handler.js";
import { sizeOf } from "../../../core/ir.js";
import type { Constant, GraphBuilder, NodeProto } from "../graph_builder.js";
import { floatAttr, intAttr, matmulIndex, windowGeometry } from "../shapes.js";
import type { DecodedTensor } from "../tensor.js";

export interface GemmOptions {
  transA: boolean;
  transB: boolean;
  alpha: number;
  beta: number;
  bias?: DecodedTensor;
}

/** The weights of a Gemm / MatMul as [outF][inF] (transposed unless transB), times alpha; exact integers kept alongside. */
function denseWeights(w: Constant, inF: number, outF: number, o: GemmOptions): { weight: Float64Array; wq: Int32Array | undefined } {
  const weight = new Float64Array(outF * inF);
  const wq = w.quant ? new Int32Array(outF * inF) : undefined;
  for (let oF = 0; oF < outF; oF++) {
    for (let i = 0; i < inF; i++) {
      const src = o.transB ? oF * inF + i : i * outF + oF;
      weight[oF * inF + i] = o.alpha * w.tensor.data[src]!;
      if (wq) wq[oF * inF + i] = w.quant!.data[src]!;
    }
  }
  return { weight, wq };
}

/** Gemm / MatMul with constant weights: a dense node. */
export function emitDense(b: GraphBuilder, n: NodeProto, xName: string, w: Constant, o: GemmOptions, out: string, name: string): void {
  const a = b.actOf(n, xName);
  if (w.tensor.dims.length !== 2) b.unsupported(n, `weight must be 2-D, got [${w.tensor.dims}]`);
  const [r, c] = w.tensor.dims as [number, number];
  const [inF, outF] = o.transB ? [c, r] : [r, c];
  // A is a row [1, K], or with transA a column [K, 1] holding the same values; or M rows
  // [..., M, K] (a sequence), each through the same weights.
  const features = o.transA ? a.shape[0]! : a.shape.at(-1)!;
  if (o.transA && a.shape.length !== 2) b.unsupported(n, `transA=1 needs a 2-D input, got [${a.shape}]`);
  const rows = o.transA ? 1 : sizeOf(a.shape) / features;
  if (features !== inF || (o.transA && sizeOf(a.shape) !== features)) {
    throw new ZkmlError("BAD_MODEL", `${b.where(n)}: input shape [${a.shape}] does not match weight [${w.tensor.dims}]${o.transB ? " (transB)" : ""}`);
  }
  const { weight, wq } = denseWeights(w, inF, outF, o);
  const bias = new Float64Array(outF);
  if (o.bias) {
    if (o.bias.data.length !== outF && o.bias.data.length !== 1) b.unsupported(n, `bias of shape [${o.bias.dims}] does not broadcast to [${outF}]`);
    for (let oF = 0; oF < outF; oF++) bias[oF] = o.beta * o.bias.data[o.bias.data.length === 1 ? 0 : oF]!;
  }
  b.emit(
    {
      op: "dense",
      name,
      onnxOp: n.opType!,
      input: b.canon(xName),
      output: out,
      weight: { dims: [outF, inF], data: weight },
      bias,
      weightQuant: wq && o.alpha === 1 ? { data: wq, frac: w.quant!.frac } : undefined,
      ...(rows > 1 && { rows }),
    },
    rows > 1 ? [...a.shape.slice(0, -1), outF] : [1, outF],
  );
}

/** Conv with constant weights: a conv node. */
export function emitConv(b: GraphBuilder, n: NodeProto, xName: string, w: Constant, biasData: ArrayLike<number> | undefined, out: string, name: string): void {
  const a = b.actOf(n, xName);
  const inShape = b.spatial(n, a);
  const oneD = a.shape.length === 3;
  if (w.tensor.dims.length !== (oneD ? 3 : 4)) b.unsupported(n, `only 1-D and 2-D convolutions are supported (input [${a.shape}], weight [${w.tensor.dims}])`);
  // A 1-D kernel [OC, C/group, K] is a 2-D one of height 1: the same values in the same order.
  const [OC, cpg, KH, KW] = (oneD ? [w.tensor.dims[0], w.tensor.dims[1], 1, w.tensor.dims[2]] : w.tensor.dims) as [number, number, number, number];
  const group = intAttr(n, "group", 1);
  if (group < 1 || inShape[0] % group !== 0 || OC % group !== 0 || inShape[0] / group !== cpg) {
    throw new ZkmlError("BAD_MODEL", `${b.where(n)}: group ${group} does not fit input channels ${inShape[0]}, weight [${w.tensor.dims}]`);
  }
  const geometry = windowGeometry(n, inShape, [KH, KW], b.where(n), OC);
  const bias = new Float64Array(OC);
  if (biasData) {
    if (biasData.length !== OC) throw new ZkmlError("BAD_MODEL", `${b.where(n)}: bias has ${biasData.length} values for ${OC} output channels`);
    bias.set(biasData);
  }
  b.emit(
    {
      op: "conv",
      name,
      onnxOp: n.opType!,
      input: b.canon(xName),
      output: out,
      ...geometry,
      group,
      weight: { dims: [OC, cpg, KH, KW], data: Float64Array.from(w.tensor.data) },
      bias,
      weightQuant: w.quant ? { data: Int32Array.from(w.quant.data), frac: w.quant.frac } : undefined,
    },
    b.spatialShape(a, geometry.outShape),
  );
}

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
    emitDense(
      b,
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
      emitConv(b, n, ins[0]!, b.constOf(n, ins[1]!, "weight"), ins[2] ? b.constOf(n, ins[2], "bias").tensor.data : undefined, b.out0(n), b.nameOf(n));
    },
  },
  BatchNormalization: { import: batchNormalization },
};
