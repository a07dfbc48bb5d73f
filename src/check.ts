/**
 * `zkml check`: is every wire of a compiled circuit pinned? Computes an honest witness for a
 * seeded random input and runs circuits/constraint_check.ts on the build folder's r1cs.
 */
import { readFile } from "node:fs/promises";
import { circuitInput } from "../core/circuit_input.js";
import { openCompiled } from "../core/compiled.js";
import { CONTEXT_BITS } from "../core/context.js";
import { FIELD_R } from "../core/field.js";
import { parseR1cs, parseWtns } from "../core/r1cs.js";
import { mulberry32 } from "../core/random.js";
import { checkConstraints, symbolNames, type ConstraintCheckReport } from "../circuits/constraint_check.js";
import { WitnessGenerator } from "../prover/witness.js";

export interface CircuitCheck extends ConstraintCheckReport {
  /** The verdict: the honest witness satisfies the constraints, no wire is at fault and the public signals are pinned. */
  pinned: boolean;
  ms: number;
}

function randomBits(rand: () => number, bits: number): bigint {
  let v = 0n;
  for (let i = 0; i < bits; i += 16) v = (v << 16n) | BigInt(Math.floor(rand() * 65536));
  return v % (1n << BigInt(bits));
}

/**
 * A witness for a seeded random input the circuit accepts: int8 values first, then non-negative
 * ones of fewer and fewer bits, down to zeros, for a model whose input has a smaller domain
 * (token ids into an embedding, 0/1 masks). Throws the last refusal when none is accepted.
 */
async function honestWitness(compiled: Awaited<ReturnType<typeof openCompiled>>, gen: WitnessGenerator, rand: () => number): Promise<Uint8Array> {
  const { inputSize, inputBits } = compiled.info.layout;
  const ranges: [number, number][] = [[-(2 ** (inputBits - 1)), 2 ** inputBits]];
  for (let bits = inputBits - 1; bits >= 0; bits--) ranges.push([0, 2 ** bits]);
  let refusal: unknown;
  for (const [low, span] of ranges) {
    const x = Array.from({ length: inputSize }, () => low + Math.floor(rand() * span));
    try {
      return await gen.compute(circuitInput(compiled.model, x, randomBits(rand, CONTEXT_BITS), randomBits(rand, 256) % FIELD_R));
    } catch (e) {
      refusal = e;
    }
  }
  throw refusal;
}

/**
 * Is every wire of the compiled circuit pinned by its constraints? Finds unused, unpinned and
 * undetermined signals by perturbing a witness (seeded) and checking which constraints notice.
 */
export async function checkCircuit(dir: string, seed = 1): Promise<CircuitCheck> {
  const t0 = performance.now();
  const compiled = await openCompiled(dir);
  const gen = await WitnessGenerator.load(compiled.file("wasm"));
  const witness = parseWtns(await honestWitness(compiled, gen, mulberry32(seed)));
  const r1cs = parseR1cs(await readFile(compiled.file("r1cs")), compiled.file("r1cs"));
  const names = symbolNames(await readFile(compiled.file("sym"), "utf8"));
  const report = checkConstraints(r1cs, witness, names);
  return { ...report, pinned: report.satisfied && report.problems.length === 0 && report.publicPinned, ms: performance.now() - t0 };
}
