/**
 * Batch verification of Groth16 proofs of one verification key: k proofs checked with k + 3
 * pairings instead of 4k, by a random linear combination of their pairing equations whose
 * coefficients come from a hash of every proof and public signal (Fiat–Shamir), so a prover
 * cannot choose them. The contract generated from the key (verifier/batch_solidity.ts) and the
 * off-chain check here compute the same transcript, the same coefficients and the same
 * equation; the soundness argument is in docs/CIRCUIT.md.
 *
 *   Π e(rᵢ·Aᵢ, Bᵢ) · e(−(Σ rᵢ)·α, β) · e(−Σ rᵢ·vk_x(i), γ) · e(−Σ rᵢ·Cᵢ, δ) = 1
 *   vk_x(i) = IC₀ + Σⱼ xᵢⱼ·ICⱼ,  so  Σ rᵢ·vk_x(i) = (Σ rᵢ)·IC₀ + Σⱼ (Σᵢ rᵢ·xᵢⱼ)·ICⱼ
 */
import { AbiCoder, concat, keccak256, solidityPackedKeccak256, toBeHex, zeroPadValue } from "ethers";
import * as snarkjs from "snarkjs";
import { ZkmlError } from "../core/errors.js";
import { FIELD_Q, FIELD_R } from "../core/field.js";
import { PROOF_BACKENDS } from "../core/systems/index.js";

/** BN254's base field: proof coordinates must be below it (the precompiles refuse others). */

/** Bytes of one Groth16 proof in a batch: its 8 words as the snarkjs verifier takes them. */
export const GROTH16_PROOF_BYTES = 256;

/** What the batch check needs of a snarkjs Groth16 verification key. */
export interface Groth16Key {
  nPublic: number;
  vk_alpha_1: string[];
  vk_beta_2: string[][];
  vk_gamma_2: string[][];
  vk_delta_2: string[][];
  IC: string[][];
}

/** One proof of a batch: its 8 words (precompile order) and all its public signals. */
export interface BatchItem {
  words: bigint[];
  publicSignals: bigint[];
}

const word = (v: string, what: string): bigint => {
  if (typeof v !== "string" || !/^[0-9]{1,78}$/.test(v) || BigInt(v) >= FIELD_Q)
    throw new ZkmlError("BAD_MODEL", `verification key: ${what} is not a coordinate below q`, "run zkml setup again");
  return BigInt(v);
};
const g1 = (p: string[], what: string) => [word(p[0]!, what), word(p[1]!, what)];
// The precompile's (and snarkjs template's) G2 order: imaginary part first.
const g2 = (p: string[][], what: string) => [word(p[0]![1]!, what), word(p[0]![0]!, what), word(p[1]![1]!, what), word(p[1]![0]!, what)];

/** The key's points as precompile words, checked: G1 points 2 words, G2 points 4. */
function groth16KeyPoints(vk: Groth16Key): { alpha: bigint[]; beta: bigint[]; gamma: bigint[]; delta: bigint[]; ic: bigint[][] } {
  if (!Number.isInteger(vk.nPublic) || vk.nPublic < 1 || vk.nPublic > 16 || !Array.isArray(vk.IC) || vk.IC.length !== vk.nPublic + 1) {
    throw new ZkmlError("BAD_MODEL", "verification key: nPublic and IC disagree", "run zkml setup again");
  }
  return {
    alpha: g1(vk.vk_alpha_1, "alpha"),
    beta: g2(vk.vk_beta_2, "beta"),
    gamma: g2(vk.vk_gamma_2, "gamma"),
    delta: g2(vk.vk_delta_2, "delta"),
    ic: vk.IC.map((p, i) => g1(p, `IC${i}`)),
  };
}

/** The key's words in the snarkjs template's order: α, β, γ, δ, IC₀, IC₁, … */
export function groth16KeyWords(vk: Groth16Key): bigint[] {
  const k = groth16KeyPoints(vk);
  return [...k.alpha, ...k.beta, ...k.gamma, ...k.delta, ...k.ic.flat()];
}

const BATCH_TAG = keccak256(new TextEncoder().encode("zkml.groth16.batch.v1"));

/** The transcript's first word: zkml's batch tag and the whole verification key. */
export function batchDomain(vk: Groth16Key): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32", "uint256[]"], [BATCH_TAG, groth16KeyWords(vk)]));
}

/** keccak256(domain ‖ every proof's words ‖ every public signal), as the contract's batchSeed. */
export function batchSeed(domain: string, items: readonly BatchItem[]): string {
  const w = (x: bigint) => zeroPadValue(toBeHex(x), 32);
  return keccak256(concat([domain, ...items.flatMap((i) => i.words.map(w)), ...items.flatMap((i) => i.publicSignals.map(w))]));
}

/** rᵢ = keccak256(seed ‖ i) mod r, never 0 (a zero coefficient would drop proof i). */
export function batchCoefficients(seed: string, k: number): bigint[] {
  return Array.from({ length: k }, (_, i) => {
    const r = BigInt(solidityPackedKeccak256(["bytes32", "uint256"], [seed, i])) % FIELD_R;
    return r === 0n ? 1n : r;
  });
}

/** The 8 words of a snarkjs Groth16 proof object, in the order the Solidity verifier takes them. */
export function groth16ProofWords(proof: unknown): bigint[] {
  return PROOF_BACKENDS.groth16.words(proof);
}

/** The proofs of a batch as the contract's `bytes proofs`: every proof's 8 words in a row. */
export function encodeBatchProofs(items: readonly Pick<BatchItem, "words">[]): string {
  return concat(items.flatMap((i) => i.words.map((w) => zeroPadValue(toBeHex(w), 32))));
}

/**
 * The batch check off-chain, with the contract's transcript and algebra: true iff the
 * contract's verifyProofs would return true for these items.
 */
export async function verifyGroth16Batch(vk: Groth16Key, items: readonly BatchItem[]): Promise<boolean> {
  if (items.length === 0) return false;
  const key = groth16KeyPoints(vk);
  for (const it of items) {
    if (it.words.length !== 8 || it.words.some((w) => w < 0n || w >= FIELD_Q)) return false;
    if (it.publicSignals.length !== vk.nPublic || it.publicSignals.some((s) => s < 0n || s >= FIELD_R)) return false;
  }
  const rs = batchCoefficients(batchSeed(batchDomain(vk), items), items.length);
  const curve = await snarkjs.curves.getCurveFromName("bn128");
  const { G1, G2 } = curve;
  const toG1 = (x: bigint, y: bigint) => (x === 0n && y === 0n ? G1.zeroAffine : G1.fromObject([x, y, 1n]));
  const toG2 = (w: bigint[]) =>
    w.every((v) => v === 0n)
      ? G2.zeroAffine
      : G2.fromObject([
          [w[1]!, w[0]!],
          [w[3]!, w[2]!],
          [1n, 0n],
        ]);
  const neg = (s: bigint) => (FIELD_R - (s % FIELD_R)) % FIELD_R;
  const args: Uint8Array[] = [];
  let sumR = 0n;
  const sums = new Array<bigint>(vk.nPublic).fill(0n);
  let c = G1.zero;
  for (const [i, it] of items.entries()) {
    const r = rs[i]!;
    const a = toG1(it.words[0]!, it.words[1]!);
    const b = toG2(it.words.slice(2, 6));
    const cp = toG1(it.words[6]!, it.words[7]!);
    // On the curve, and B in the order-r subgroup: what the EVM precompiles check (BN254's G1
    // has cofactor 1; its G2 does not).
    if (!G1.isValid(a) || !G2.isValid(b) || !G1.isValid(cp) || !G2.isZero(G2.timesScalar(b, FIELD_R))) return false;
    args.push(G1.timesScalar(a, r), b);
    c = G1.add(c, G1.timesScalar(cp, r));
    sumR = (sumR + r) % FIELD_R;
    it.publicSignals.forEach((x, j) => (sums[j] = (sums[j]! + r * x) % FIELD_R));
  }
  const point = ([x, y]: bigint[]) => toG1(x!, y!);
  let vkx = G1.timesScalar(point(key.ic[0]!), sumR);
  sums.forEach((s, j) => (vkx = G1.add(vkx, G1.timesScalar(point(key.ic[j + 1]!), s))));
  args.push(G1.timesScalar(point(key.alpha), neg(sumR)), toG2(key.beta), G1.neg(vkx), toG2(key.gamma), G1.neg(c), toG2(key.delta));
  return curve.pairingEq(...args);
}

/**
 * Which items of a failing batch are invalid, by bisection with the batch check: about
 * 2·b·log₂(k) batch checks for b bad items, so the caller can resubmit the rest.
 */
export async function findInvalidItems(vk: Groth16Key, items: readonly BatchItem[]): Promise<number[]> {
  const bad: number[] = [];
  const search = async (from: number, to: number): Promise<void> => {
    if (from >= to || (await verifyGroth16Batch(vk, items.slice(from, to)))) return;
    if (to - from === 1) {
      bad.push(from);
      return;
    }
    const mid = (from + to) >> 1;
    await search(from, mid);
    await search(mid, to);
  };
  await search(0, items.length);
  return bad;
}
