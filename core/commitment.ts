/**
 * The Poseidon commitment to an inference's input and output vectors, computed exactly as the
 * circuit computes it (circuits/lib/commitment.circom): pack, then chain Poseidon over chunks.
 */
import { buildPoseidon } from "circomlibjs";
import { CHAIN_RATE, packSigned } from "./field.js";

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
