/**
 * The Poseidon commitment to an inference's input and output vectors, computed exactly as the
 * circuit computes it (circuits/lib/commitment.circom): pack, then chain Poseidon over chunks.
 */
import { buildPoseidon } from "circomlibjs";
import { CHAIN_RATE, packSigned } from "./field.js";
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
  inputBits: number;
  outputBits: number;
}

export async function commitInference(
  input: readonly bigint[],
  output: readonly bigint[],
  layout: CommitmentLayout,
): Promise<bigint> {
  return chainHash([...packSigned(input, layout.inputBits), ...packSigned(output, layout.outputBits)]);
}
