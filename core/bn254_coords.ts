/**
 * BN254 points between snarkjs's decimal coordinates and the native addon's bytes (affine,
 * little-endian Montgomery, (0, 0) for infinity; Jacobian results (x, y, z)), in BigInt: the
 * few conversions a native proof or verification needs, without building ffjavascript's curve
 * (its WebAssembly start is ~0.2 s of a cold command).
 */
import { FIELD_Q, FIELD_R, modInverse, powMod } from "./field.js";

const q = FIELD_Q;
const modQ = (x: bigint) => ((x % q) + q) % q;
const invQ = (x: bigint) => modInverse(x, q);
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

/** Jacobian (x, y, z) → affine (x/z², y/z³); z = 0 is infinity, z = 1 (a snarkjs file's points) needs no inversion. */
export function g1Affine(x: bigint, y: bigint, z: bigint): G1Affine {
  z = modQ(z);
  if (z === 0n) return null;
  if (z === 1n) return [modQ(x), modQ(y)];
  const zi = invQ(z);
  const zi2 = (zi * zi) % q;
  return [modQ(x * zi2), modQ(((y * zi2) % q) * zi)];
}
/** The same over Fq2 (coordinates as [c0, c1]). */
export function g2Affine(x: Fq2, y: Fq2, z: Fq2): G2Affine {
  const [z0, z1] = [modQ(z[0]), modQ(z[1])];
  if (z0 === 0n && z1 === 0n) return null;
  if (z0 === 1n && z1 === 0n) return [x.map(modQ) as Fq2, y.map(modQ) as Fq2];
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

/** The groups' generators, as ffjavascript's bn128 (and EIP-196/197) fix them. */
export const G1_GENERATOR: G1Affine = [1n, 2n];
export const G2_GENERATOR: G2Affine = [
  [
    10857046999023057135944570762232829481370756359578518086990519993285655852781n,
    11559732032986387107991004021392285783925812861821192530917403151452391805634n,
  ],
  [
    8495653923123431417604973247489272438418190587263600148770280649306958101930n,
    4082367875863433681332203403145435568316851327593401208105741076214120093531n,
  ],
];

/** Group 1's or 2's generator as a zkey stores points (affine, Montgomery; 64 or 128 bytes). */
export function generatorBytes(group: 1 | 2): Uint8Array {
  const out = new Uint8Array(64 * group);
  if (group === 1) putG1(out, 0, G1_GENERATOR);
  else putG2(out, 0, G2_GENERATOR);
  return out;
}

/** An affine point as a zkey stores it (64 bytes for G1 at `offset`; (0, 0) is infinity). */
export function readAffineG1(bytes: Uint8Array, offset = 0): G1Affine {
  const [x, y] = [readMontgomery(bytes, offset), readMontgomery(bytes, offset + 32)];
  return x === 0n && y === 0n ? null : [x, y];
}
/** The same for G2 (128 bytes: x.c0, x.c1, y.c0, y.c1). */
export function readAffineG2(bytes: Uint8Array, offset = 0): G2Affine {
  const c = [0, 1, 2, 3].map((i) => readMontgomery(bytes, offset + 32 * i));
  return c.every((v) => v === 0n)
    ? null
    : [
        [c[0]!, c[1]!],
        [c[2]!, c[3]!],
      ];
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

/** An Fq12 (the addon's pairing, 384 bytes: Fq6 c0 then c1, each three Fq2) as snarkjs writes vk_alphabeta_12. */
export function gtObject(bytes: Uint8Array): string[][][] {
  const at = (i: number) => readMontgomery(bytes, 32 * i).toString();
  return [0, 1].map((h) => [0, 1, 2].map((k) => [at(6 * h + 2 * k), at(6 * h + 2 * k + 1)]));
}

/** The largest s with 2^s dividing r − 1: Fr has roots of unity of order up to 2^s (28 for BN254). */
export const FR_TWO_ADICITY = (() => {
  let s = 0;
  for (let t = FIELD_R - 1n; (t & 1n) === 0n; t >>= 1n) s++;
  return s;
})();

/**
 * Fr's root of unity of order 2^power and the shift of the coset the Groth16 quotient is
 * evaluated on, in normal form, as ffjavascript's field derives them: nqr the smallest
 * non-residue, w[s] = nqr^((r−1)/2^s), w[k−1] = w[k]², shift = nqr².
 */
export function frRoots(power: number): { omega: bigint; inc: bigint } {
  const r = FIELD_R;
  const s = FR_TWO_ADICITY;
  if (power > s) throw new Error(`no root of unity of order 2^${power} in Fr (2-adicity ${s})`);
  let nqr = 2n;
  while (powMod(nqr, (r - 1n) / 2n, r) === 1n) nqr++;
  const w: bigint[] = [];
  w[s] = powMod(nqr, (r - 1n) >> BigInt(s), r);
  for (let i = s; i > 0; i--) w[i - 1] = (w[i]! * w[i]!) % r;
  return { omega: w[power]!, inc: power === s ? (nqr * nqr) % r : w[power + 1]! };
}
