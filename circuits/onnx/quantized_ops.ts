/**
 * Pre-quantized ONNX (QDQ, QOperator, integer ops) → graph IR. An int8 tensor is carried as its
 * real value (int · 2^-frac); a QuantizeLinear, or a QLinear op's output scale, becomes a
 * fixscale node that the quantizer turns into the requantization of the layer before it, with
 * ONNX's rounding. Every conversion is exact; what would need an approximation is refused.
 */
import { ZkmlError } from "../../core/errors.js";
import type { ExactQuant } from "../../core/ir.js";
import { roundHalfEven } from "../../core/ir.js";
import { DT, type DecodedTensor } from "./tensor.js";
import { activationZeroPointProblem, exactConstant, scaleFracs } from "./quant_params.js";
import { intAttr } from "./shapes.js";
import type { Activation, Constant, GraphBuilder, NodeProto } from "./graph_builder.js";
import { emitConv, emitDense } from "./handlers/linear.js";
import type { OnnxOp } from "./handler.js";

/** The power-of-two fracs of a scale input, or the error that says why zkml cannot keep it exact. */
function fracsOf(b: GraphBuilder, n: NodeProto, scaleName: string): number[] {
  const r = scaleFracs(b.constOf(n, scaleName, "scale").tensor);
  if ("notPowerOfTwo" in r) {
    throw new ZkmlError(
      "UNSUPPORTED_OP",
      `${b.where(n)}: scale ${Number(r.notPowerOfTwo.toPrecision(7))} is not a power of two`,
      "zkml keeps a model's own quantization exact, which needs power-of-two scales: re-quantize with power-of-two scales, or give zkml the float model and let it quantize",
    );
  }
  return r.fracs;
}

/** An activation's (per-tensor, symmetric) quantization from inputs scaleAt / zpAt: its int8 form. */
function activationQuant(b: GraphBuilder, n: NodeProto, scaleAt: number, zpAt: number): { frac: number; uint8: boolean } {
  const fracs = fracsOf(b, n, n.input![scaleAt]!);
  if (fracs.length !== 1) b.unsupported(n, "per-channel scales on an activation are not supported (only on weights)");
  const zp = n.input?.[zpAt] ? b.optionalConst(n, zpAt) : undefined;
  const problem = activationZeroPointProblem(zp);
  if (problem) b.unsupported(n, `the quantization ${problem}`);
  return { frac: fracs[0]!, uint8: zp!.dataType === DT.UINT8 };
}

/** A QLinear op's int8 input at position at, whose scale and zero point must be the ones it was quantized with. */
function int8Input(b: GraphBuilder, n: NodeProto, at: number, scaleAt: number, zpAt: number): number {
  const x = b.actOf(n, n.input![at]!);
  const q = activationQuant(b, n, scaleAt, zpAt);
  if (!x.int8) b.unsupported(n, `input "${n.input![at]}" is not an int8 tensor from a QuantizeLinear or QLinear op`);
  if (x.int8!.frac !== q.frac || x.int8!.uint8 !== q.uint8) {
    throw new ZkmlError(
      "BAD_MODEL",
      `${b.where(n)}: input "${n.input![at]}" was quantized at scale 2^-${x.int8!.frac}${x.int8!.uint8 ? " (uint8)" : ""} but is read at 2^-${q.frac}${q.uint8 ? " (uint8)" : ""}`,
    );
  }
  return q.frac;
}

/** Quantized weights (int8/uint8 data, scale per tensor or per channel along axis, any zero point) as exact integers. */
function quantizedConstant(
  b: GraphBuilder,
  n: NodeProto,
  data: DecodedTensor,
  scaleName: string,
  zpName: string | undefined,
  axis: number,
  role: string,
): Constant {
  const fracs = fracsOf(b, n, scaleName);
  const zp = zpName ? b.constOf(n, zpName, "zero point").tensor : undefined;
  const exact = exactConstant(data, fracs, zp, axis);
  if (typeof exact === "string") b.unsupported(n, `${role} ${exact}`);
  const q = exact as ExactQuant;
  return { kind: "const", tensor: { dims: data.dims, dataType: DT.FLOAT, data: Float64Array.from(q.data, (v) => v * 2 ** -q.frac) }, quant: q };
}

/**
 * QLinearConv / QLinearMatMul: x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp[, bias], an
 * int8 linear layer whose output onnxruntime requantizes to y's scale (half to even), here a
 * layer + fixscale.
 */
function qlinear(b: GraphBuilder, n: NodeProto): void {
  const op = n.opType!;
  const ins = n.input ?? [];
  const xFrac = int8Input(b, n, 0, 1, 2);
  const wConst = b.constOf(n, ins[3]!, "weight");
  const w = quantizedConstant(b, n, wConst.tensor, ins[4]!, ins[5], op === "QLinearConv" ? 0 : 1, "weight");
  const yFrac = activationQuant(b, n, 6, 7);
  const acc = `${b.out0(n)}/accumulator`;
  if (op === "QLinearConv") {
    // The bias is int32 at the accumulator scale s_x·s_w (per output channel).
    const bias32 = b.optionalConst(n, 8);
    const wScales = b.constOf(n, ins[4]!, "scale").tensor.data;
    const bias = bias32 && Float64Array.from(bias32.data, (v, c) => v * 2 ** -xFrac * wScales[wScales.length === 1 ? 0 : c]!);
    emitConv(b, n, ins[0]!, w, bias, acc, `${b.nameOf(n)}/conv`);
  } else {
    emitDense(b, n, ins[0]!, w, { transA: false, transB: false, alpha: 1, beta: 1 }, acc, `${b.nameOf(n)}/matmul`);
  }
  const shape = (b.values.get(acc) as Activation).shape;
  b.emit({ op: "fixscale", name: b.nameOf(n), onnxOp: op, input: acc, output: b.out0(n), frac: yFrac.frac }, shape, yFrac);
}

/**
 * MatMulInteger / ConvInteger: x, w[, x_zp, w_zp] → int32 Σ x_q·w_q. zkml carries x's real value
 * x_q·2^-f, so the layer's weights are w_q·2^f: exact, with frac -f. A Cast and Mul by the
 * scales after it fold back into the weights, still exact.
 */
function integerOp(b: GraphBuilder, n: NodeProto): void {
  const ins = n.input ?? [];
  const x = b.actOf(n, ins[0]!);
  if (!x.int8) b.unsupported(n, `input "${ins[0]}" is not an int8 tensor from a QuantizeLinear`);
  // Absent, the zero point is 0 of the input's type: right for int8, not for uint8 (whose 0 is 128).
  const zpProblem = activationZeroPointProblem(
    ins[2] ? b.optionalConst(n, 2) : { dims: [], dataType: x.int8!.uint8 ? DT.UINT8 : DT.INT8, data: Float64Array.of(0) },
  );
  if (zpProblem) b.unsupported(n, `input zero point ${zpProblem}`);
  const wConst = b.constOf(n, ins[1]!, "weight");
  const wZp = ins[3] ? b.optionalConst(n, 3) : undefined;
  const exact = exactConstant(wConst.tensor, [0], wZp && wZp.data.length === 1 ? wZp : undefined, 0);
  if (typeof exact === "string" || (wZp && wZp.data.length !== 1))
    b.unsupported(n, `weight ${typeof exact === "string" ? exact : "zero point must be one value"}`);
  const q = exact as ExactQuant;
  const f = x.int8!.frac;
  const w: Constant = {
    kind: "const",
    tensor: { dims: wConst.tensor.dims, dataType: DT.FLOAT, data: Float64Array.from(q.data, (v) => v * 2 ** f) },
    quant: { data: q.data, frac: -f },
  };
  if (n.opType === "ConvInteger") emitConv(b, n, ins[0]!, w, undefined, b.out0(n), b.nameOf(n));
  else emitDense(b, n, ins[0]!, w, { transA: false, transB: false, alpha: 1, beta: 1 }, b.out0(n), b.nameOf(n));
}

/** QuantizeLinear of a constant: evaluated (saturating, ties to even) into a uint8/int8 constant. */
function quantizeConstant(b: GraphBuilder, n: NodeProto, src: Constant): void {
  const fracs = fracsOf(b, n, n.input![1]!);
  if (fracs.length !== 1) b.unsupported(n, "a QuantizeLinear of a constant with per-channel scales is not supported");
  const zp = b.optionalConst(n, 2);
  const z = zp?.data[0] ?? 0;
  const [lo, hi] = zp?.dataType === DT.INT8 ? [-128, 127] : [0, 255];
  const data = src.tensor.data.map((v) => Math.max(lo, Math.min(hi, roundHalfEven(v * 2 ** fracs[0]!) + z)));
  b.setConst(n, { ...src.tensor, dataType: zp?.dataType ?? DT.UINT8, data });
}

/** QuantizeLinear and DequantizeLinear, of a constant (weights) or an activation (a scale the model fixes). */
function quantizeDequantize(b: GraphBuilder, n: NodeProto): void {
  const ins = n.input ?? [];
  const src = b.valueNamed(n, ins[0]!);
  const dequantize = n.opType === "DequantizeLinear";
  if (src.kind === "const" && dequantize) {
    // Pre-quantized weights: the integers are kept exactly (per-channel scales put on one).
    b.values.set(b.out0(n), quantizedConstant(b, n, src.tensor, ins[1]!, ins[2], intAttr(n, "axis", 1), "input"));
  } else if (src.kind === "const") {
    quantizeConstant(b, n, src);
  } else if (!dequantize) {
    const a = b.actOf(n, ins[0]!);
    const q = activationQuant(b, n, 1, 2);
    b.emit({ op: "fixscale", name: b.nameOf(n), onnxOp: n.opType!, input: b.srcOf(n), output: b.out0(n), frac: q.frac }, a.shape, q);
  } else {
    // zkml carries the real value of an int8 tensor already: dequantizing it is a rename,
    // once the scale is checked to be the one it was quantized with.
    const a = b.actOf(n, ins[0]!);
    int8Input(b, n, 0, 1, 2);
    b.alias(n, a.shape);
    delete (b.values.get(b.out0(n)) as Activation).int8;
  }
}

/** The pre-quantized ops: they read or make int8 tensors, whose integers stay exact. */
export const QUANTIZED_OPS: Record<string, OnnxOp> = {
  QuantizeLinear: { import: quantizeDequantize },
  DequantizeLinear: { import: quantizeDequantize, readsInt8: true },
  QLinearConv: { import: qlinear, readsInt8: true },
  QLinearMatMul: { import: qlinear, readsInt8: true },
  MatMulInteger: { import: integerOp, readsInt8: true },
  ConvInteger: { import: integerOp, readsInt8: true },
  DynamicQuantizeLinear: {
    import: (b, n) =>
      b.unsupported(
        n,
        "dynamic quantization computes its scale from the data at run time, which a circuit fixed at compile time cannot follow; quantize with onnxruntime's quantize_static (QDQ or QOperator) and power-of-two scales, or give zkml the float model",
      ),
  },
};
