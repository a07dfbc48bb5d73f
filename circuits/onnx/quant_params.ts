/**
 * ONNX quantization parameters (scale, zero point, per-tensor or per-channel) → zkml's exact
 * form: integers with one power-of-two scale. Only exact conversions are made; anything that
 * would need an approximation is reported back as a reason, for the importer's error.
 */
import type { ExactQuant } from "../../core/ir.js";
import { DT, type DecodedTensor } from "./tensor.js";

/** log2 of 1/scale when it is an integer power of two, else null. */
export function powerOfTwoFrac(scale: number): number | null {
  if (!(scale > 0) || !Number.isFinite(scale)) return null;
  const f = -Math.log2(scale);
  const r = Math.round(f);
  return Math.abs(f - r) < 1e-9 ? r : null;
}

/** The frac of every scale in the tensor (one per channel, or one), or the first scale that is not a power of two. */
export function scaleFracs(scale: DecodedTensor): { fracs: number[] } | { notPowerOfTwo: number } {
  const fracs: number[] = [];
  for (const s of scale.data) {
    const f = powerOfTwoFrac(s);
    if (f === null) return { notPowerOfTwo: s };
    fracs.push(f);
  }
  return { fracs };
}

/**
 * An activation's zero point, which must leave zkml's symmetric int8 values: int8 with zero
 * point 0, or uint8 with 128 (the same values shifted by 128). Returns why not, or null.
 * `zp` absent means ONNX's default: uint8 with zero point 0, i.e. values in [0, 255].
 */
export function activationZeroPointProblem(zp: DecodedTensor | undefined): string | null {
  if (!zp) return "has no zero point, so ONNX quantizes to uint8 [0, 255]; zkml's activations are int8: give an int8 zero point 0 (or uint8 128)";
  if (zp.data.length !== 1) return "has a per-channel zero point; an activation's must be one value";
  const z = zp.data[0]!;
  if (zp.dataType === DT.UINT8) return z === 128 ? null : `has uint8 zero point ${z}; zkml's activations are symmetric int8: use 128 (or int8 with 0)`;
  if (zp.dataType === DT.INT8) return z === 0 ? null : `has int8 zero point ${z}; zkml's activations are symmetric: use 0`;
  return `has a zero point of data type ${zp.dataType}; expected int8 or uint8`;
}

/** Which channel (index along `axis`) element i of a tensor of these dims is in. */
function channelOf(dims: number[], axis: number): (i: number) => number {
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const count = dims[axis] ?? 1;
  return (i) => Math.floor(i / inner) % count;
}

/**
 * Quantized constant (weights) → exact integers on one scale. Per-channel scales 2^-f_c become
 * the finest one, F = max f_c, with channel c's integers multiplied by 2^(F - f_c): the values
 * are the same, only the integers grow (weights are circuit constants, so their width costs
 * nothing but accumulator bits). Any zero point is subtracted exactly.
 */
export function exactConstant(q: DecodedTensor, fracs: number[], zp: DecodedTensor | undefined, axis: number): ExactQuant | string {
  const rank = q.dims.length;
  const ax = axis < 0 ? axis + rank : axis;
  const channels = fracs.length;
  if (channels !== 1 && (ax < 0 || ax >= rank || q.dims[ax] !== channels)) {
    return `has ${channels} scales for axis ${axis} of a [${q.dims}] tensor`;
  }
  if (zp && zp.data.length !== 1 && zp.data.length !== channels) return `has ${zp.data.length} zero points for ${channels} scales`;
  const channel = channels === 1 ? () => 0 : channelOf(q.dims, ax);
  const zeroOf = (c: number) => (zp ? zp.data[zp.data.length === 1 ? 0 : c]! : 0);
  return (
    onOneScale(q.data, fracs, channel, (v, c) => v - zeroOf(c)) ??
    `per-channel scales span 2^${Math.max(...fracs) - Math.min(...fracs)}, too wide to put on one scale`
  );
}

/**
 * Integers whose channel c is at 2^-fracs[c], moved to the finest scale F = max fracs: value i
 * becomes adjust(v, c)·2^(F − fracs[c]). Exact, or null when an integer would leave int32.
 */
function onOneScale(ints: ArrayLike<number>, fracs: number[], channel: (i: number) => number, adjust: (v: number, c: number) => number): ExactQuant | null {
  const F = Math.max(...fracs);
  const data = new Int32Array(ints.length);
  for (let i = 0; i < ints.length; i++) {
    const c = channel(i);
    const v = adjust(ints[i]!, c) * 2 ** (F - fracs[c]!);
    if (!Number.isSafeInteger(v) || Math.abs(v) >= 2 ** 31) return null;
    data[i] = v;
  }
  return { data, frac: F };
}

/**
 * An exact quant multiplied by per-channel factors, when every factor is ± a power of two (so
 * the result is still exact integers), else null. `channels` splits the data row-major.
 */
export function scaleExactly(q: ExactQuant, factors: ArrayLike<number>, channels: number): ExactQuant | null {
  const shifts: number[] = [];
  for (let c = 0; c < channels; c++) {
    const f = powerOfTwoFrac(Math.abs(factors[c]!));
    if (f === null) return null;
    shifts.push(f);
  }
  // value = q·2^-frac · ±2^-shift_c: channel c's integers ±q at 2^-(frac + shift_c).
  const per = q.data.length / channels;
  return onOneScale(
    q.data,
    shifts.map((s) => q.frac + s),
    (i) => Math.floor(i / per),
    (v, c) => v * Math.sign(factors[c]!),
  );
}
