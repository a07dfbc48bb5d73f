/**
 * Pre-quantized ONNX (QDQ, QOperator, integer ops) → graph IR. An int8 tensor is carried as its
 * real value (int · 2^-frac); a QuantizeLinear, or a QLinear op's output scale, becomes a
 * fixscale node that the quantizer turns into the requantization of the layer before it, with
 * ONNX's rounding. Every conversion is exact; what would need an approximation is refused.
 */
import { ZkmlError } from "../../core/errors.js";
import type { ExactQuant } from "../../core/graph.js";
import { roundHalfEven } from "../../core/graph.js";
import { DT, type DecodedTensor } from "./tensor.js";
import { activationZeroPointProblem, exactConstant, scaleFracs } from "./quant_params.js";
import { intAttr } from "./shapes.js";
import type { Activation, Constant, GraphBuilder, NodeProto } from "./graph_builder.js";
import type { OnnxOp } from "./handler.js";

const quantized: OnnxOp = { import: (b, n) => importQuantizedOp(b, n) };
const int8Reader: OnnxOp = { ...quantized, readsInt8: true };

/** The pre-quantized ops: they read or make int8 tensors, whose integers stay exact. */
export const QUANTIZED_OPS: Record<string, OnnxOp> = {
  QuantizeLinear: quantized,
  DequantizeLinear: int8Reader,
  QLinearConv: int8Reader,
  QLinearMatMul: int8Reader,
  MatMulInteger: int8Reader,
  ConvInteger: int8Reader,
  DynamicQuantizeLinear: quantized,
};

/** Imports one op of QUANTIZED_OPS. */
function importQuantizedOp(b: GraphBuilder, n: NodeProto): void {
  const { where, unsupported, values, constOf, actOf, valueNamed, optionalConst, emit, alias, setConst, emitConv, emitDense, out0, nameOf, srcOf } = b;
  /** The power-of-two fracs of a scale input, or the error that says why zkml cannot keep it exact. */
  const fracsOf = (scaleName: string): number[] => {
    const r = scaleFracs(constOf(n, scaleName, "scale").tensor);
    if ("notPowerOfTwo" in r) {
      throw new ZkmlError(
        "UNSUPPORTED_OP",
        `${where(n)}: scale ${Number(r.notPowerOfTwo.toPrecision(7))} is not a power of two`,
        "zkml keeps a model's own quantization exact, which needs power-of-two scales: re-quantize with power-of-two scales, or give zkml the float model and let it quantize",
      );
    }
    return r.fracs;
  };
  /** An activation's (per-tensor, symmetric) quantization from inputs scaleAt / zpAt: its int8 form. */
  const activationQuant = (scaleAt: number, zpAt: number): { frac: number; uint8: boolean } => {
    const fracs = fracsOf(n.input![scaleAt]!);
    if (fracs.length !== 1) unsupported(n, "per-channel scales on an activation are not supported (only on weights)");
    const zp = n.input?.[zpAt] ? optionalConst(n, zpAt) : undefined;
    const problem = activationZeroPointProblem(zp);
    if (problem) unsupported(n, `the quantization ${problem}`);
    return { frac: fracs[0]!, uint8: zp!.dataType === DT.UINT8 };
  };
  /** A QLinear op's int8 input at position at, whose scale and zero point must be the ones it was quantized with. */
  const int8Input = (at: number, scaleAt: number, zpAt: number): number => {
    const x = actOf(n, n.input![at]!);
    const q = activationQuant(scaleAt, zpAt);
    if (!x.int8) unsupported(n, `input "${n.input![at]}" is not an int8 tensor from a QuantizeLinear or QLinear op`);
    if (x.int8!.frac !== q.frac || x.int8!.uint8 !== q.uint8) {
      throw new ZkmlError(
        "BAD_MODEL",
        `${where(n)}: input "${n.input![at]}" was quantized at scale 2^-${x.int8!.frac}${x.int8!.uint8 ? " (uint8)" : ""} but is read at 2^-${q.frac}${q.uint8 ? " (uint8)" : ""}`,
      );
    }
    return q.frac;
  };
  /** Quantized weights (int8/uint8 data, scale per tensor or per channel along axis, any zero point) as exact integers. */
  const quantizedConstant = (data: DecodedTensor, scaleName: string, zpName: string | undefined, axis: number, role: string): Constant => {
    const fracs = fracsOf(scaleName);
    const zp = zpName ? constOf(n, zpName, "zero point").tensor : undefined;
    const exact = exactConstant(data, fracs, zp, axis);
    if (typeof exact === "string") unsupported(n, `${role} ${exact}`);
    const q = exact as ExactQuant;
    return { kind: "const", tensor: { dims: data.dims, dataType: DT.FLOAT, data: Float64Array.from(q.data, (v) => v * 2 ** -q.frac) }, quant: q };
  };

  const op = n.opType ?? "";
  const ins = n.input ?? [];
  switch (op) {
    case "QLinearConv":
    case "QLinearMatMul": {
      // x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp[, bias]: an int8 linear layer whose
      // output onnxruntime requantizes to y's scale (half to even), here a layer + fixscale.
      const xFrac = int8Input(0, 1, 2);
      const wConst = constOf(n, ins[3]!, "weight");
      const axis = op === "QLinearConv" ? 0 : 1;
      const w = quantizedConstant(wConst.tensor, ins[4]!, ins[5], axis, "weight");
      const yFrac = activationQuant(6, 7);
      const acc = `${out0(n)}/accumulator`;
      if (op === "QLinearConv") {
        // The bias is int32 at the accumulator scale s_x·s_w (per output channel).
        const b = optionalConst(n, 8);
        const wScales = constOf(n, ins[4]!, "scale").tensor.data;
        const bias = b && Float64Array.from(b.data, (v, c) => v * 2 ** -xFrac * wScales[wScales.length === 1 ? 0 : c]!);
        emitConv(n, ins[0]!, w, bias, acc, `${nameOf(n)}/conv`);
      } else {
        emitDense(n, ins[0]!, w, { transA: false, transB: false, alpha: 1, beta: 1 }, acc, `${nameOf(n)}/matmul`);
      }
      emit({ op: "fixscale", name: nameOf(n), onnxOp: op, input: acc, output: out0(n), frac: yFrac.frac }, (values.get(acc) as Activation).shape, yFrac);
      break;
    }
    case "MatMulInteger":
    case "ConvInteger": {
      // x, w[, x_zp, w_zp] → int32 Σ x_q·w_q. zkml carries x's real value x_q·2^-f, so the
      // layer's weights are w_q·2^f: exact, with frac -f. A Cast and Mul by the scales after
      // it fold back into the weights, still exact.
      const x = actOf(n, ins[0]!);
      if (!x.int8) unsupported(n, `input "${ins[0]}" is not an int8 tensor from a QuantizeLinear`);
      // Absent, the zero point is 0 of the input's type: right for int8, not for uint8 (whose 0 is 128).
      const zpProblem = activationZeroPointProblem(
        ins[2] ? optionalConst(n, 2) : { dims: [], dataType: x.int8!.uint8 ? DT.UINT8 : DT.INT8, data: Float64Array.of(0) },
      );
      if (zpProblem) unsupported(n, `input zero point ${zpProblem}`);
      const wConst = constOf(n, ins[1]!, "weight");
      const wZp = ins[3] ? optionalConst(n, 3) : undefined;
      const exact = exactConstant(wConst.tensor, [0], wZp && wZp.data.length === 1 ? wZp : undefined, 0);
      if (typeof exact === "string" || (wZp && wZp.data.length !== 1))
        unsupported(n, `weight ${typeof exact === "string" ? exact : "zero point must be one value"}`);
      const q = exact as ExactQuant;
      const f = x.int8!.frac;
      const w: Constant = {
        kind: "const",
        tensor: { dims: wConst.tensor.dims, dataType: DT.FLOAT, data: Float64Array.from(q.data, (v) => v * 2 ** f) },
        quant: { data: q.data, frac: -f },
      };
      if (op === "ConvInteger") emitConv(n, ins[0]!, w, undefined, out0(n), nameOf(n));
      else emitDense(n, ins[0]!, w, { transA: false, transB: false, alpha: 1, beta: 1 }, out0(n), nameOf(n));
      break;
    }
    case "QuantizeLinear":
    case "DequantizeLinear": {
      const src = valueNamed(n, ins[0]!);
      if (src.kind === "const" && op === "DequantizeLinear") {
        // Pre-quantized weights: the integers are kept exactly (per-channel scales put on one).
        values.set(out0(n), quantizedConstant(src.tensor, ins[1]!, ins[2], intAttr(n, "axis", 1), "input"));
      } else if (src.kind === "const") {
        const fracs = fracsOf(ins[1]!);
        if (fracs.length !== 1) unsupported(n, "a QuantizeLinear of a constant with per-channel scales is not supported");
        const zp = optionalConst(n, 2);
        const z = zp?.data[0] ?? 0;
        const [lo, hi] = zp?.dataType === DT.INT8 ? [-128, 127] : [0, 255];
        const data = src.tensor.data.map((v) => Math.max(lo, Math.min(hi, roundHalfEven(v * 2 ** fracs[0]!) + z)));
        setConst(n, { ...src.tensor, dataType: zp?.dataType ?? DT.UINT8, data });
      } else if (op === "QuantizeLinear") {
        const a = actOf(n, ins[0]!);
        const q = activationQuant(1, 2);
        emit({ op: "fixscale", name: nameOf(n), onnxOp: op, input: srcOf(n), output: out0(n), frac: q.frac }, a.shape, q);
      } else {
        // zkml carries the real value of an int8 tensor already: dequantizing it is a rename,
        // once the scale is checked to be the one it was quantized with.
        const a = actOf(n, ins[0]!);
        int8Input(0, 1, 2);
        alias(n, a.shape);
        delete (values.get(out0(n)) as Activation).int8;
      }
      break;
    }
    case "DynamicQuantizeLinear":
      unsupported(
        n,
        "dynamic quantization computes its scale from the data at run time, which a circuit fixed at compile time cannot follow; quantize with onnxruntime's quantize_static (QDQ or QOperator) and power-of-two scales, or give zkml the float model",
      );
      break;
  }
}
