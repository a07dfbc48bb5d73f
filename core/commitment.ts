/**
 * The Poseidon commitment to an inference's input and output vectors, computed exactly as the
 * generated circuit computes it (circuits/codegen.ts, circuits/lib/chain_hash.circom): blinding,
 * layout, then the packed values, chained through Poseidon.
 */
import * as poseidonLite from "poseidon-lite";
import { CHAIN_RATE, FIELD_R, packSigned } from "./field.js";
import { layoutTag, type CommitmentLayout } from "./layout.js";
import { WEIGHT_BITS } from "./qmodel.js";

export { randomBlinding } from "./field.js";
export { layoutTag, type CommitmentLayout } from "./layout.js";

/**
 * circomlib's Poseidon by number of inputs (poseidon-lite: the same constants, 0.8 MB of plain
 * JavaScript against circomlibjs's 30 MB with ethers v5, and nothing to build before the first
 * hash). test/gadgets/commitment.test.ts holds it to the circuit's ChainHash.
 */
const POSEIDON: readonly ((inputs: bigint[]) => bigint)[] = Array.from({ length: 15 }, (_, k) => {
  const f = (poseidonLite as Record<string, unknown>)[`poseidon${k + 2}`];
  if (typeof f !== "function") throw new Error(`poseidon-lite has no poseidon${k + 2}`);
  return f as (inputs: bigint[]) => bigint;
});

/** state_0 = number of elements; state_{i+1} = Poseidon(state_i, next ≤ 15 elements). */
export async function chainHash(elements: readonly bigint[]): Promise<bigint> {
  let state = BigInt(elements.length);
  for (let i = 0; i < elements.length; i += CHAIN_RATE) {
    const block = [state, ...elements.slice(i, i + CHAIN_RATE)];
    state = POSEIDON[block.length - 2]!(block);
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

/**
 * commitment = chainHash([blinding, layoutTag, pack(input), pack(output)]): hiding thanks to the
 * blinding (a private circuit input drawn per proof), binding to the values and their layout.
 * Values whose count differs from the layout's are refused: they match no commitment.
 */
export async function commitInference(input: readonly bigint[], output: readonly bigint[], layout: CommitmentLayout, blinding: bigint): Promise<bigint> {
  if (input.length !== layout.inputSize || output.length !== layout.outputSize) {
    throw new RangeError(`${input.length} input and ${output.length} output values; the circuit has ${layout.inputSize} and ${layout.outputSize}`);
  }
  if (blinding < 0n || blinding >= FIELD_R) throw new RangeError("the blinding factor is not a field element");
  return chainHash([blinding, layoutTag(layout), ...packSigned(input, layout.inputBits), ...packSigned(output, layout.outputBits)]);
}
