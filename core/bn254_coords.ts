/**
 * BN254 points between snarkjs's decimal coordinates and the native addon's bytes (affine,
 * little-endian Montgomery, (0, 0) for infinity; Jacobian results (x, y, z)), in BigInt: the
 * few conversions a native proof or verification needs, without building ffjavascript's curve
 * (its WebAssembly start is ~0.2 s of a cold command).
 */
import { FIELD_Q, FIELD_R } from "./field.js";

const q = FIELD_Q;
const modQ = (x: bigint) => ((x % q) + q) % q;

/** b^e mod m, square and multiply. */
export function powMod(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  for (b = ((b % m) + m) % m; e > 0n; e >>= 1n, b = (b * b) % m) if (e & 1n) r = (r * b) % m;
  return r;
}
const invQ = (x: bigint) => powMod(x, q - 2n, q);
const R = modQ(1n << 256n);
const R_INV = invQ(R);

/** A scalar (below 2^256) as 32 little-endian bytes, the addon's scalar form. */
export function scalarBytes(values: readonly bigint[]): Uint8Array {
  const out = new Uint8Array(32 * values.length);
  values.forEach((s, i) => {
    for (let b = 0, v = s; b < 32; b++, v >>= 8n) out[32 * i + b] = Number(v & 0xffn);
  });
  return out;
}

function putMontgomery(out: Uint8Array, offset: number, x: bigint): void {
  let v = (modQ(x) * R) % q;
  for (let i = 0; i < 32; i++, v >>= 8n) out[offset + i] = Number(v & 0xffn);
}
function readMontgomery(bytes: Uint8Array, offset: number): bigint {
  let v = 0n;
  for (let i = 31; i >= 0; i--) v = (v << 8n) | BigInt(bytes[offset + i]!);
  return (v * R_INV) % q;
}

type Fq2 = [bigint, bigint];
const mul2 = (a: Fq2, b: Fq2): Fq2 => [modQ(a[0] * b[0] - a[1] * b[1]), modQ(a[0] * b[1] + a[1] * b[0])];
function inv2(a: Fq2): Fq2 {
  const t = invQ(modQ(a[0] * a[0] + a[1] * a[1]));
  return [modQ(a[0] * t), modQ(-a[1] * t)];
}

/** Affine coordinates, null for infinity. */
export type G1Affine = [bigint, bigint] | null;
export type G2Affine = [Fq2, Fq2] | null;

/** Jacobian (x, y, z) → affine (x/z², y/z³); z = 0 is infinity. */
export function g1Affine(x: bigint, y: bigint, z: bigint): G1Affine {
  if (modQ(z) === 0n) return null;
  const zi = invQ(modQ(z));
  const zi2 = (zi * zi) % q;
  return [modQ(x * zi2), modQ(((y * zi2) % q) * zi)];
}
/** The same over Fq2 (coordinates as [c0, c1]). */
export function g2Affine(x: Fq2, y: Fq2, z: Fq2): G2Affine {
  if (modQ(z[0]) === 0n && modQ(z[1]) === 0n) return null;
  const zi = inv2(z);
  const zi2 = mul2(zi, zi);
  return [mul2(x, zi2), mul2(mul2(y, zi2), zi)];
}

/** Into the addon's affine bytes at `offset` (64 bytes for G1, 128 for G2; infinity stays zeros). */
export function putG1(out: Uint8Array, offset: number, p: G1Affine): void {
  if (!p) return;
  putMontgomery(out, offset, p[0]);
  putMontgomery(out, offset + 32, p[1]);
}
/** The same for G2: x.c0, x.c1, y.c0, y.c1. */
export function putG2(out: Uint8Array, offset: number, p: G2Affine): void {
  if (!p) return;
  [p[0][0], p[0][1], p[1][0], p[1][1]].forEach((c, i) => putMontgomery(out, offset + 32 * i, c));
}

/** The addon's Jacobian result (96 bytes for G1, 192 for G2) as affine coordinates. */
export function readJacobianG1(bytes: Uint8Array): G1Affine {
  return g1Affine(readMontgomery(bytes, 0), readMontgomery(bytes, 32), readMontgomery(bytes, 64));
}
/** The same for G2 (192 bytes). */
export function readJacobianG2(bytes: Uint8Array): G2Affine {
  const c = (i: number): Fq2 => [readMontgomery(bytes, 64 * i), readMontgomery(bytes, 64 * i + 32)];
  return g2Affine(c(0), c(1), c(2));
}

/** As snarkjs writes a point in a proof: affine, z = 1 (infinity: (0, 1, 0)). */
export function g1Object(p: G1Affine): string[] {
  return p ? [p[0].toString(), p[1].toString(), "1"] : ["0", "1", "0"];
}
/** A G2 point as snarkjs writes it: [[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]. */
export function g2Object(p: G2Affine): string[][] {
  return p
    ? [
        [p[0][0].toString(), p[0][1].toString()],
        [p[1][0].toString(), p[1][1].toString()],
        ["1", "0"],
      ]
    : [
        ["0", "0"],
        ["1", "0"],
        ["0", "0"],
      ];
}

/** A uniform scalar below r (512 random bits reduced: a bias below 2^-250). */
export function randomScalar(): bigint {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(64));
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v % FIELD_R;
}

/**
 * Fr's root of unity of order 2^power and the shift of the coset the Groth16 quotient is
 * evaluated on, in normal form, as ffjavascript's field derives them: nqr the smallest
 * non-residue, w[s] = nqr^((r−1)/2^s), w[k−1] = w[k]², shift = nqr².
 */
export function frRoots(power: number): { omega: bigint; inc: bigint } {
  const r = FIELD_R;
  let nqr = 2n;
  while (powMod(nqr, (r - 1n) / 2n, r) === 1n) nqr++;
  let s = 0;
  let t = r - 1n;
  while ((t & 1n) === 0n) {
    t >>= 1n;
    s++;
  }
  if (power > s) throw new Error(`no root of unity of order 2^${power} in Fr (2-adicity ${s})`);
  const w: bigint[] = [];
  w[s] = powMod(nqr, t, r);
  for (let i = s; i > 0; i--) w[i - 1] = (w[i]! * w[i]!) % r;
  return { omega: w[power]!, inc: power === s ? (nqr * nqr) % r : w[power + 1]! };
}
