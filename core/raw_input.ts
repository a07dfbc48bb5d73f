/**
 * Quantizing the integers a contract holds (a price with 18 decimals, a balance, a timestamp)
 * into the model's int8 input, exactly: the float quantizer (quantizeValue) rounds
 * (raw - zero) / denom to a double first; this works on the rational itself, as
 * contracts/ZkmlData.sol's quantize does, so a contract and the prover agree on every value.
 * For values a double holds exactly the two quantizers agree (test/unit/raw-input.test.ts).
 */
import { ACT_MAX, ACT_MIN } from "./ir.js";

/** How a raw integer maps to the model's real-valued feature: x = (raw - zero) / denom. */
export interface RawFeature {
  /** The raw value that means 0 (a reference price, an epoch). */
  zero: bigint;
  /** Raw units per 1.0 of the feature (10^decimals, 86400 for days of seconds); above 0. */
  denom: bigint;
}

/** Floor division for bigints (BigInt's `/` truncates toward zero). */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/**
 * clamp(roundHalfEven((raw - zero) · 2^frac / denom), lo, 127), lo = 0 for a non-negative
 * input domain and -128 otherwise: the model's int8 at scale 2^-frac.
 */
export function quantizeRaw(raw: bigint, feature: RawFeature, frac: number, nonNegative = false): number {
  if (feature.denom <= 0n) throw new RangeError(`denom must be above 0, got ${feature.denom}`);
  if (!Number.isInteger(frac) || Math.abs(frac) > 64) throw new RangeError(`frac must be an integer in [-64, 64], got ${frac}`);
  let num = raw - feature.zero;
  let den = feature.denom;
  if (frac >= 0) num <<= BigInt(frac);
  else den <<= BigInt(-frac);
  const q = floorDiv(num, den);
  const twice = 2n * (num - q * den);
  const rounded = twice > den || (twice === den && (q & 1n) === 1n) ? q + 1n : q;
  const lo = BigInt(nonNegative ? 0 : ACT_MIN);
  return Number(rounded < lo ? lo : rounded > BigInt(ACT_MAX) ? BigInt(ACT_MAX) : rounded);
}
