/**
 * Groth16 verification on the native addon: snarkjs's groth16Verify step for step (public
 * signals below r, the proof's points on their curves, the same four pairs), with the
 * multi-exponentiation of the public signals and the pairing product in the addon. The points
 * are read from the key's and proof's decimal coordinates here, so no ffjavascript curve is built
 * (its WebAssembly start is most of a cold `zkml verify`'s own cost).
 */
import { type G1Affine, type G2Affine, g1Affine, g2Affine, putG1, putG2, readJacobianG1, scalarBytes } from "../bn254_coords.js";
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

/** One coordinate as ffjavascript's fromObject reads it: an integer (reduced mod q on the way in). */
function coord(v: Coord | undefined): bigint {
  if (v === undefined) throw new Error("a coordinate is missing");
  return BigInt(v);
}
const g1 = (p: G1Coords): G1Affine => g1Affine(coord(p[0]), coord(p[1]), coord(p[2]));
function g2(p: G2Coords): G2Affine {
  const c = (i: number): [bigint, bigint] => [coord(p[i]?.[0]), coord(p[i]?.[1])];
  return g2Affine(c(0), c(1), c(2));
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
  vk.IC.forEach((p, i) => putG1(bases, 64 * i, g1(p)));
  const cpub = readJacobianG1(accel.msm(1, bases, scalarBytes([1n, ...signals])));
  // The pairs of snarkjs's check: e(−A, B)·e(cpub, γ)·e(C, δ)·e(α, β) = 1. Points off their
  // curves make the addon answer false, as snarkjs's isValid does for the proof's.
  const a = g1(proof.pi_a);
  const pairs = new Uint8Array(4 * 192);
  putG1(pairs, 0, a && [a[0], FIELD_Q - a[1]]);
  putG2(pairs, 64, g2(proof.pi_b));
  putG1(pairs, 192, cpub);
  putG2(pairs, 256, g2(vk.vk_gamma_2));
  putG1(pairs, 384, g1(proof.pi_c));
  putG2(pairs, 448, g2(vk.vk_delta_2));
  putG1(pairs, 576, g1(vk.vk_alpha_1));
  putG2(pairs, 640, g2(vk.vk_beta_2));
  return accel.pairingCheck(pairs);
}
