/**
 * Groth16 verification on the native addon: snarkjs's groth16Verify step for step (public
 * signals below r, the proof's points on their curves, the same four pairs), with the
 * multi-exponentiation of the public signals and the pairing product in the addon. The points
 * are read from the key's and proof's decimal coordinates here, so no ffjavascript curve is built
 * (its WebAssembly start is most of a cold `zkml verify`'s own cost).
 */
import { FIELD_Q, FIELD_R } from "../field.js";
import type { CurveAccel } from "../native.js";

type Coord = bigint | string | number;
type G1Coords = Coord[];
type G2Coords = Coord[][];
interface Groth16Key {
  curve?: string;
  IC: G1Coords[];
  vk_alpha_1: G1Coords;
  vk_beta_2: G2Coords;
  vk_gamma_2: G2Coords;
  vk_delta_2: G2Coords;
}
interface Groth16Proof {
  pi_a: G1Coords;
  pi_b: G2Coords;
  pi_c: G1Coords;
}

const q = FIELD_Q;
const mod = (x: bigint) => ((x % q) + q) % q;
function powMod(b: bigint, e: bigint): bigint {
  let r = 1n;
  for (b = mod(b); e > 0n; e >>= 1n, b = (b * b) % q) if (e & 1n) r = (r * b) % q;
  return r;
}
const inv = (x: bigint) => powMod(x, q - 2n);
const R = mod(1n << 256n);
const R_INV = inv(R);

/** One coordinate as ffjavascript's fromObject reads it: an integer, reduced mod q. */
function coord(v: Coord | undefined): bigint {
  if (v === undefined) throw new Error("a coordinate is missing");
  return mod(BigInt(v));
}

function putMontgomery(out: Uint8Array, offset: number, x: bigint): void {
  let v = (x * R) % q;
  for (let i = 0; i < 32; i++, v >>= 8n) out[offset + i] = Number(v & 0xffn);
}
function readMontgomery(bytes: Uint8Array, offset: number): bigint {
  let v = 0n;
  for (let i = 31; i >= 0; i--) v = (v << 8n) | BigInt(bytes[offset + i]!);
  return (v * R_INV) % q;
}

type Fq2 = [bigint, bigint];
const mul2 = (a: Fq2, b: Fq2): Fq2 => [mod(a[0] * b[0] - a[1] * b[1]), mod(a[0] * b[1] + a[1] * b[0])];
function inv2(a: Fq2): Fq2 {
  const t = inv(mod(a[0] * a[0] + a[1] * a[1]));
  return [mod(a[0] * t), mod(-a[1] * t)];
}

/** A G1 point from Jacobian coordinates (x, y, z) to the addon's affine bytes; z = 0 is infinity, (0, 0). */
function putG1(out: Uint8Array, offset: number, [x, y, z]: [bigint, bigint, bigint]): void {
  if (z === 0n) return;
  const zi = inv(z);
  const zi2 = (zi * zi) % q;
  putMontgomery(out, offset, (x * zi2) % q);
  putMontgomery(out, offset + 32, (((y * zi2) % q) * zi) % q);
}
const g1 = (p: G1Coords): [bigint, bigint, bigint] => [coord(p[0]), coord(p[1]), coord(p[2])];

function putG2(out: Uint8Array, offset: number, p: G2Coords): void {
  const [x, y, z] = [0, 1, 2].map((i) => [coord(p[i]?.[0]), coord(p[i]?.[1])] as Fq2) as [Fq2, Fq2, Fq2];
  if (z[0] === 0n && z[1] === 0n) return;
  const zi = inv2(z);
  const zi2 = mul2(zi, zi);
  const ax = mul2(x, zi2);
  const ay = mul2(mul2(y, zi2), zi);
  [ax[0], ax[1], ay[0], ay[1]].forEach((c, i) => putMontgomery(out, offset + 32 * i, c));
}

/** snarkjs's verdict on a Groth16 proof, computed on `accel`. Throws where snarkjs throws (a key or proof it cannot read). */
export async function verifyGroth16Native(accel: CurveAccel, vkIn: unknown, signalsIn: readonly string[], proofIn: unknown): Promise<boolean> {
  const vk = vkIn as Groth16Key;
  const proof = proofIn as Groth16Proof;
  if (vk.curve !== undefined && vk.curve !== "bn128") throw new Error(`a key for ${vk.curve}, not bn128`);
  const signals = signalsIn.map((s) => BigInt(s));
  if (signals.some((s) => s < 0n || s >= FIELD_R)) return false;
  if (vk.IC.length !== signals.length + 1) throw new Error("the key's IC and the public signals differ in number");
  // IC[0] + Σ signal_i·IC[i+1], as one multi-exponentiation with IC[0]'s scalar 1.
  const bases = new Uint8Array(64 * vk.IC.length);
  const scalars = new Uint8Array(32 * vk.IC.length);
  vk.IC.forEach((p, i) => putG1(bases, 64 * i, g1(p)));
  [1n, ...signals].forEach((s, i) => {
    for (let b = 0, v = s; b < 32; b++, v >>= 8n) scalars[32 * i + b] = Number(v & 0xffn);
  });
  const sum = accel.msm(1, bases, scalars);
  const cpub: [bigint, bigint, bigint] = [readMontgomery(sum, 0), readMontgomery(sum, 32), readMontgomery(sum, 64)];
  // The pairs of snarkjs's check: e(−A, B)·e(cpub, γ)·e(C, δ)·e(α, β) = 1. Points off their
  // curves make the addon answer false, as snarkjs's isValid does for the proof's.
  const [ax, ay, az] = g1(proof.pi_a);
  const pairs = new Uint8Array(4 * 192);
  putG1(pairs, 0, [ax, mod(-ay), az]);
  putG2(pairs, 64, proof.pi_b);
  putG1(pairs, 192, cpub);
  putG2(pairs, 256, vk.vk_gamma_2);
  putG1(pairs, 384, g1(proof.pi_c));
  putG2(pairs, 448, vk.vk_delta_2);
  putG1(pairs, 576, g1(vk.vk_alpha_1));
  putG2(pairs, 640, vk.vk_beta_2);
  return accel.pairingCheck(pairs);
}
