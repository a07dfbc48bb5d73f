/**
 * The Poseidon commitment to an inference's input and output vectors, computed exactly as the
 * generated circuit computes it (circuits/codegen.ts, circuits/lib/chain_hash.circom): blinding,
 * layout, then the packed values, chained through Poseidon.
 */
import { CHAIN_RATE, FIELD_R, packSigned } from "./field.js";
import { layoutTag, type CommitmentLayout } from "./layout.js";
import { WEIGHT_BITS } from "./ir.js";

export { randomBlinding } from "./field.js";
export { layoutTag, type CommitmentLayout } from "./layout.js";

type Poseidon = (inputs: bigint[]) => bigint;

/**
 * circomlib's Poseidon by number of inputs (poseidon-lite: the same constants, 0.8 MB of plain
 * JavaScript against circomlibjs's 30 MB with ethers v5, and nothing to build before the first
 * hash). test/gadgets/commitment.test.ts holds it to the circuit's ChainHash. Each arity is
 * loaded when first used (a chain needs two or three of the fifteen, and each is a table of
 * constants a cold `zkml verify` would otherwise parse); the imports are literal so bundlers
 * split them.
 */
const POSEIDON_LOADERS: Record<number, () => Promise<Record<string, unknown>>> = {
  2: () => import("poseidon-lite/poseidon2"),
  3: () => import("poseidon-lite/poseidon3"),
  4: () => import("poseidon-lite/poseidon4"),
  5: () => import("poseidon-lite/poseidon5"),
  6: () => import("poseidon-lite/poseidon6"),
  7: () => import("poseidon-lite/poseidon7"),
  8: () => import("poseidon-lite/poseidon8"),
  9: () => import("poseidon-lite/poseidon9"),
  10: () => import("poseidon-lite/poseidon10"),
  11: () => import("poseidon-lite/poseidon11"),
  12: () => import("poseidon-lite/poseidon12"),
  13: () => import("poseidon-lite/poseidon13"),
  14: () => import("poseidon-lite/poseidon14"),
  15: () => import("poseidon-lite/poseidon15"),
  16: () => import("poseidon-lite/poseidon16"),
};
const loaded = new Map<number, Promise<Poseidon>>();

function poseidon(arity: number): Promise<Poseidon> {
  let p = loaded.get(arity);
  if (!p) {
    const load = POSEIDON_LOADERS[arity];
    if (!load) throw new Error(`no Poseidon of ${arity} inputs`);
    p = load().then((m) => {
      const f = m[`poseidon${arity}`] ?? (m.default as Record<string, unknown> | undefined)?.[`poseidon${arity}`];
      if (typeof f !== "function") throw new Error(`poseidon-lite has no poseidon${arity}`);
      return f as Poseidon;
    });
    loaded.set(arity, p);
  }
  return p;
}

/** state_0 = number of elements; state_{i+1} = Poseidon(state_i, next ≤ 15 elements). */
export async function chainHash(elements: readonly bigint[]): Promise<bigint> {
  let state = BigInt(elements.length);
  for (let i = 0; i < elements.length; i += CHAIN_RATE) {
    const block = [state, ...elements.slice(i, i + CHAIN_RATE)];
    state = (await poseidon(block.length))(block);
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
