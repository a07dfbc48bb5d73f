/**
 * The Poseidon commitment to an inference's input and output vectors, computed exactly as the
 * generated circuit computes it (circuits/codegen.ts, circuits/lib/chain_hash.circom): blinding,
 * layout, then the packed values, chained through Poseidon.
 */
import { buildPoseidon } from "circomlibjs";
import { AbiCoder, keccak256 } from "ethers";
import { CHAIN_RATE, FIELD_R, packSigned } from "./field.js";
import { WEIGHT_BITS } from "./qmodel.js";

type Poseidon = ((inputs: bigint[]) => unknown) & { F: { toObject(x: unknown): bigint } };
let poseidonPromise: Promise<Poseidon> | undefined;

function poseidon(): Promise<Poseidon> {
  poseidonPromise ??= buildPoseidon() as Promise<Poseidon>;
  return poseidonPromise;
}

/** state_0 = number of elements; state_{i+1} = Poseidon(state_i, next ≤ 15 elements). */
export async function chainHash(elements: readonly bigint[]): Promise<bigint> {
  const p = await poseidon();
  let state = BigInt(elements.length);
  for (let i = 0; i < elements.length; i += CHAIN_RATE) {
    state = p.F.toObject(p([state, ...elements.slice(i, i + CHAIN_RATE)]));
  }
  return state;
}

/**
 * The salted commitment to a model's weights (private-weights circuits): chain Poseidon over
 * [salt, packed int8 weights of layer 0, packed biases of layer 0, layer 1, ...].
 */
export async function commitWeights(
  salt: bigint,
  layers: readonly { weights: readonly number[]; bias: readonly number[] }[],
  biasBits: readonly number[],
): Promise<bigint> {
  const elements: bigint[] = [salt];
  layers.forEach((l, i) => {
    elements.push(...packSigned(l.weights.map(BigInt), WEIGHT_BITS), ...packSigned(l.bias.map(BigInt), biasBits[i]!));
  });
  return chainHash(elements);
}

export interface CommitmentLayout {
  inputSize: number;
  inputBits: number;
  outputSize: number;
  outputBits: number;
  /** With several graph outputs: the size of each, in order. */
  outputParts?: readonly number[];
}

/**
 * The commitment's structure element: the input and output lengths and bit widths, hashed with
 * the values so that moving a value from the input to the output, or appending one that packs
 * to 0 (a trailing -128), gives another commitment. The circuit hashes the same constant.
 */
export function layoutTag(layout: CommitmentLayout): bigint {
  const tag = BigInt(layout.inputSize) + (BigInt(layout.outputSize) << 32n) + (BigInt(layout.inputBits) << 64n) + (BigInt(layout.outputBits) << 72n);
  if (!layout.outputParts) return tag;
  // Several outputs: where one ends and the next begins is part of the structure too (moving a
  // value from one output to the next must change the commitment). 160 bits of a keccak of
  // the sizes above the 80 bits of the single-output tag: below r, and never equal to one.
  const parts = BigInt(keccak256(AbiCoder.defaultAbiCoder().encode(["string", "uint256[]"], ["zkml.outputs.v1", layout.outputParts]))) >> 96n;
  return tag + (parts << 80n) + (1n << 240n);
}

/**
 * A fresh blinding factor: uniform below the field order (rejection sampling over 254 random
 * bits, so at least 253 bits of entropy). Web Crypto, so the same code runs in Node and browsers.
 */
export function randomBlinding(): bigint {
  for (;;) {
    const bytes = globalThis.crypto.getRandomValues(new Uint8Array(32));
    bytes[0]! &= 0x3f;
    const v = BigInt("0x" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(""));
    if (v < FIELD_R) return v;
  }
}

/**
 * commitment = chainHash([blinding, layoutTag, pack(input), pack(output)]): hiding thanks to the
 * blinding (a private circuit input drawn per proof), binding to the values and their layout.
 * Values whose count differs from the layout's are refused: they match no commitment.
 */
export async function commitInference(
  input: readonly bigint[],
  output: readonly bigint[],
  layout: CommitmentLayout,
  blinding: bigint,
): Promise<bigint> {
  if (input.length !== layout.inputSize || output.length !== layout.outputSize) {
    throw new RangeError(`${input.length} input and ${output.length} output values; the circuit has ${layout.inputSize} and ${layout.outputSize}`);
  }
  if (blinding < 0n || blinding >= FIELD_R) throw new RangeError("the blinding factor is not a field element");
  return chainHash([blinding, layoutTag(layout), ...packSigned(input, layout.inputBits), ...packSigned(output, layout.outputBits)]);
}
