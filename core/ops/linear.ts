/** What dense and conv layers share: int8 weights, exact accumulation, optional requantization. */
import {
  ACT_BITS,
  bitsForBound,
  fracForRange,
  maxAbs,
  quantizeValue,
  requantText,
  roundHalfEven,
  roundingConstant,
  type ExactQuant,
  type FloatTensor,
  type LayerBase,
  type Requant,
} from "../ir.js";
import type { LayerKind, QuantizeContext, TensorRef } from "./kind.js";

export interface LinearNodeParams {
  weight: FloatTensor;
  bias: Float64Array;
  /** Set when the ONNX file carried the weights already quantized (DequantizeLinear). */
  weightQuant?: ExactQuant;
}

export interface LinearParams extends LayerBase {
  /**
   * Integers, int8 unless the ONNX file's own quantization made them wider (per-channel scales
   * on one scale); dense: row-major [outFeatures][inFeatures]; conv: [outChannels][inChannels / group][kh][kw].
   */
  weights: number[];
  /** Per output feature/channel, integers at the accumulator scale. */
  bias: number[];
  inFrac: number;
  wFrac: number;
  accFrac: number;
  /** Signed bit width that holds every reachable accumulator (plus rounding constant). */
  accBits: number;
  requant: Requant | null;
}

/**
 * The coarsest scale at which every weight is an int8 exactly (0/±1 selection and path matrices,
 * halves and quarters), if there is one: the range rule would put a weight of 1.0 at 127/128.
 */
function exactWeightFrac(w: Float64Array): number | undefined {
  for (let f = -8; f <= ACT_BITS - 1; f++) {
    const scale = 2 ** f;
    if (w.every((v) => Number.isInteger(v * scale) && Math.abs(v * scale) <= 127)) return f;
    if (w.some((v) => Math.abs(v * scale) > 127)) return undefined;
  }
  return undefined;
}

function quantizeWeights(node: LinearNodeParams): { weights: number[]; wFrac: number } {
  const wFrac = node.weightQuant?.frac ?? exactWeightFrac(node.weight.data) ?? fracForRange(maxAbs(node.weight.data));
  // Pre-quantized weights may be wider than int8 (per-channel scales put on one scale, or
  // MatMulInteger's weights times the input scale): as circuit constants that costs only
  // accumulator bits, which accumulatorBits() bounds.
  const weights = node.weightQuant ? Array.from(node.weightQuant.data) : Array.from(node.weight.data, (w) => quantizeValue(w, wFrac));
  return { weights, wFrac };
}

/** Worst-case |accumulator| of a linear layer: |bias| + Σ|w|·128 per output. */
function accumulatorBound(weights: number[], bias: number[], rowLength: number): number {
  const inMag = 2 ** (ACT_BITS - 1);
  const rows = weights.length / rowLength;
  let bound = 0;
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let i = 0; i < rowLength; i++) s += Math.abs(weights[r * rowLength + i]!) * inMag;
    bound = Math.max(bound, s + Math.abs(bias[r]!));
  }
  return bound;
}

/** The signed width that holds `bound`, refused (naming the node) past JS's exact integers. */
function widthOf(ctx: QuantizeContext, bound: number): number {
  if (!Number.isSafeInteger(bound)) ctx.malformed(`accumulator bound ${bound} is too large`);
  return bitsForBound(bound);
}

/**
 * The integer parameters of a dense or conv node reading `src`, with the ReLU and Q/DQ pair
 * after it folded in; `last` is the node whose output the layer computes.
 */
export function quantizeLinear(
  node: LinearNodeParams,
  src: TensorRef,
  rowLength: number,
  ctx: QuantizeContext,
): { last: number; from: { from?: number }; params: Omit<LinearParams, "node" | "from"> } {
  const { last, relu, fixed } = ctx.absorb(true);
  const { weights, wFrac } = quantizeWeights(node);
  const accFrac = src.frac + wFrac;
  const bias = Array.from(node.bias, (b) => roundHalfEven(b * 2 ** accFrac));
  // A reader that takes the exact accumulator (a polynomial activation, an average that sums)
  // requantizes after its own exact arithmetic: one rounding and one range check fewer.
  const bound = accumulatorBound(weights, bias, rowLength);
  const keepExact = !relu && fixed === undefined && ctx.readerTakesExact(last, { bits: widthOf(ctx, bound), frac: accFrac });
  const requant = keepExact ? null : ctx.requantFor(last, relu, fixed, accFrac);
  const accBits = widthOf(ctx, bound + roundingConstant(requant));
  return { last, from: ctx.fromField(src.layer), params: { weights, bias, inFrac: src.frac, wFrac, accFrac, accBits, requant } };
}

/** An accumulating layer's output scale and width: int8 after requantization, else the exact accumulator. */
export function accumulatorOut(l: { accFrac: number; accBits: number; requant: Requant | null }): { frac: number; bits: number } {
  return l.requant ? { frac: l.requant.outFrac, bits: ACT_BITS } : { frac: l.accFrac, bits: l.accBits };
}

/** The shape of a layer of two operands with an exact accumulator (binary, matmul): sources, size, scale, width. */
export function twoOperandAccumulator<L extends { a: number; b: number; size: number; accFrac: number; accBits: number; requant: Requant | null }>(): Pick<
  LayerKind<L>,
  "sources" | "outSize" | "outFrac" | "outBits"
> {
  return { sources: (l) => [l.a, l.b], outSize: (l) => l.size, outFrac: (l) => accumulatorOut(l).frac, outBits: (l) => accumulatorOut(l).bits };
}

/** A dense or conv layer's line for people: its shape (`what`), scales and requantization. */
export function describeLinear(what: string, l: LinearParams): string {
  return `${what}, weights 2^-${l.wFrac}, acc 2^-${l.accFrac} (${l.accBits} bits)` + requantText(l.requant);
}
