/**
 * What every layer kind (core/ops/) stands on: the parts of the float graph and of the
 * quantized model that are not one kind's own (tensors, window geometry, requantization, the
 * int8 range), and the arithmetic two or more kinds share. Nothing here knows which kinds exist,
 * so the kinds can import it and the registry can import the kinds without a cycle.
 */
import { checkedSize } from "./limits.js";

export interface FloatTensor {
  dims: number[];
  data: Float64Array;
}

/** Integer values with an exact power-of-two scale: value = data[i] * 2^-frac. */
export interface ExactQuant {
  data: Int32Array;
  frac: number;
}

/** What every float graph node has. */
export interface NodeBase {
  /** ONNX node name (or a generated one) for error messages. */
  name: string;
  onnxOp: string;
  input: string;
  output: string;
}

/** 2-D geometry shared by convolutions and pools. pads: [top, left, bottom, right]. */
export interface Window2d {
  inShape: [number, number, number];
  outShape: [number, number, number];
  kernel: [number, number];
  strides: [number, number];
  pads: [number, number, number, number];
}

/** Activations are int8: every value between layers is range-checked to [ACT_MIN, ACT_MAX]. */
export const ACT_BITS = 8;
export const ACT_MIN = -128;
export const ACT_MAX = 127;
/** Weights are int8 in every zkml model (also when they are private circuit inputs). */
export const WEIGHT_BITS = 8;

export interface Requant {
  shift: number;
  outFrac: number;
  relu: boolean;
  /**
   * Ties to the even quotient, as ONNX QuantizeLinear and onnxruntime's QLinear ops round. Set
   * where the model's own Q/DQ or QLinear op fixed the output scale; zkml's own scales round half
   * up (3 constraints cheaper).
   */
  halfEven?: boolean;
}

/** Every layer reads one earlier layer's output: the one before it unless `from` says otherwise. */
export interface LayerBase {
  node: string;
  /** Index of the layer whose output this one reads; -1 is the circuit input. Absent: the previous layer. */
  from?: number;
}

/** Values of a tensor of this shape; refuses a shape that is no size or over LIMITS.tensorElements. */
export function sizeOf(shape: readonly number[]): number {
  return checkedSize(shape, () => "a tensor");
}

/** Round half to even, as ONNX QuantizeLinear does. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v) + 0; // + 0: no -0 among the integers
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** v limited to [lo, hi]. */
export function clampInt(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** An accumulator to int8: add 2^(shift-1), floor-divide by 2^shift (ties to even when `halfEven`), ReLU if asked, clamp. */
export function requantize(acc: number, r: Requant): number {
  const rounded = r.shift > 0 ? acc + 2 ** (r.shift - 1) : acc;
  let q = Math.floor(rounded / 2 ** r.shift);
  const tie = r.shift > 0 && rounded - q * 2 ** r.shift === 0;
  if (r.halfEven && tie && q % 2 !== 0) q -= 1;
  return clampInt(q, r.relu ? 0 : ACT_MIN, ACT_MAX);
}

/** What the requantization adds to an accumulator before its shift (2^(k−1), or 0): part of the width bound. */
export function roundingConstant(r: Requant | null): number {
  return r && r.shift > 0 ? 2 ** (r.shift - 1) : 0;
}

/** ", requant >>k (ties to even) + relu → int8 at 2^-f", or ", output exact". */
export function requantText(r: Requant | null): string {
  return r ? `, requant >>${r.shift}${r.halfEven ? " (ties to even)" : ""}${r.relu ? " + relu" : ""} → int8 at 2^-${r.outFrac}` : ", output exact";
}

/** A rescale's accumulator width: |x + 2^(shift-1)| < 2^(B-1) for int8 x, and shift < B - 1. */
export function rescaleBits(shift: number): number {
  return Math.max(ACT_BITS + 1, shift + 2);
}

/** Largest frac with maxAbs * 2^frac <= 128: the range fills int8, saturating by < 1 step. */
export function fracForRange(maxAbs: number): number {
  if (!(maxAbs > 0)) return ACT_BITS - 1;
  return Math.floor(Math.log2(128 / maxAbs));
}

/** Largest frac at which every integer of [-maxAbs, maxAbs] is an unsaturated int8 (booleans, Sign's values, a comparison's). */
export function fracForIntegers(maxAbs: number): number {
  return maxAbs >= 1 ? Math.floor(Math.log2(127 / maxAbs)) : ACT_BITS - 2;
}

/** An integer input's scale: 2^0, where every integer up to 127 is exact (a finer one adds nothing), coarser only past int8. */
export function fracForIntegerInput(maxAbs: number): number {
  return Math.min(0, fracForIntegers(maxAbs));
}

/** The largest finite |v| of the values (0 for none): log(0) or 1/0 in calibration must not set a range. */
export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]!);
    if (a > m && a !== Infinity) m = a;
  }
  return m;
}

/** The signed bit width B that holds every integer in [-bound, bound] (2^(B-1) > bound). */
export function bitsForBound(bound: number): number {
  // Signed width holding [-bound, bound]: B - 1 magnitude bits, 2^(B-1) > bound. Counted on the
  // integer's bits, not with log2, whose rounding made 2^49..2^52 one bit short.
  if (!Number.isFinite(bound) || bound < 0 || bound > Number.MAX_SAFE_INTEGER) throw new RangeError(`bound ${bound} is not a safe non-negative integer`);
  const b = Math.ceil(bound);
  return (b === 0 ? 0 : b.toString(2).length) + 1;
}

/** int8 of a float at 2^-frac, ties to even. */
export function quantizeValue(v: number, frac: number): number {
  return clampInt(roundHalfEven(v * 2 ** frac), ACT_MIN, ACT_MAX);
}

/** MatMul of two tensors by its index pairs: out[o] = Σ_j a[aIndex[o·k + j]]·b[bIndex[o·k + j]]. */
export function sumOfProducts(a: ArrayLike<number>, b: ArrayLike<number>, m: { k: number; aIndex: ArrayLike<number>; bIndex: ArrayLike<number> }): number[] {
  const { k, aIndex, bIndex } = m;
  return Array.from({ length: aIndex.length / k }, (_, o) => {
    let s = 0;
    for (let j = o * k; j < (o + 1) * k; j++) s += a[aIndex[j]!]! * b[bIndex[j]!]!;
    return s;
  });
}

/** Convolution of flat [C][H][W] data with [OC][C/group][KH][KW] weights and a bias per output channel. */
export function convolve(node: Window2d & { group: number }, weights: ArrayLike<number>, bias: ArrayLike<number>, x: ArrayLike<number>): number[] {
  const [C, H, W] = node.inShape;
  const [OC, OH, OW] = node.outShape;
  const [KH, KW] = node.kernel;
  const cpg = C / node.group;
  const opg = OC / node.group;
  const out = new Array<number>(OC * OH * OW);
  for (let oc = 0; oc < OC; oc++) {
    const g = Math.floor(oc / opg);
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        let s = bias[oc]!;
        for (let ic = 0; ic < cpg; ic++) {
          const c = g * cpg + ic;
          for (let ky = 0; ky < KH; ky++) {
            const iy = oy * node.strides[0] - node.pads[0] + ky;
            if (iy < 0 || iy >= H) continue;
            for (let kx = 0; kx < KW; kx++) {
              const ix = ox * node.strides[1] - node.pads[1] + kx;
              if (ix < 0 || ix >= W) continue;
              s += weights[((oc * cpg + ic) * KH + ky) * KW + kx]! * x[(c * H + iy) * W + ix]!;
            }
          }
        }
        out[(oc * OH + oy) * OW + ox] = s;
      }
    }
  }
  return out;
}

const windowCache = new WeakMap<Window2d, { cells: number[][]; windowSize: number }>();
/**
 * Window cells of each pool output: input indices inside the image, and the full window size.
 * The reference interpreter and the codegen both use this, so the geometry is defined once;
 * it is cached per layer object because the interpreter runs once per inference.
 */
export function poolWindows(w: Window2d): { cells: number[][]; windowSize: number } {
  const cached = windowCache.get(w);
  if (cached) return cached;
  const [C, H, W] = w.inShape;
  const [, OH, OW] = w.outShape;
  const cells: number[][] = [];
  for (let c = 0; c < C; c++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const cell: number[] = [];
        for (let ky = 0; ky < w.kernel[0]; ky++) {
          const iy = oy * w.strides[0] - w.pads[0] + ky;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < w.kernel[1]; kx++) {
            const ix = ox * w.strides[1] - w.pads[1] + kx;
            if (ix >= 0 && ix < W) cell.push((c * H + iy) * W + ix);
          }
        }
        cells.push(cell);
      }
    }
  }
  const result = { cells, windowSize: w.kernel[0] * w.kernel[1] };
  windowCache.set(w, result);
  return result;
}
