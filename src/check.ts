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
  ms: number;
}

function randomBits(rand: () => number, bits: number): bigint {
  let v = 0n;
  for (let i = 0; i < bits; i += 16) v = (v << 16n) | BigInt(Math.floor(rand() * 65536));
  return v % (1n << BigInt(bits));
}

/**
 * Is every wire of the compiled circuit pinned by its constraints? Finds unused, unpinned and
 * undetermined signals by perturbing a witness (seeded) and checking which constraints notice.
 */
export async function checkCircuit(dir: string, seed = 1): Promise<CircuitCheck> {
  const t0 = performance.now();
  const compiled = await openCompiled(dir);
  const rand = mulberry32(seed);
  const { inputSize, inputBits } = compiled.info.layout;
  const half = 2 ** (inputBits - 1);
  const x = Array.from({ length: inputSize }, () => Math.floor(rand() * 2 * half) - half);
  const input = circuitInput(compiled.model, x, randomBits(rand, CONTEXT_BITS), randomBits(rand, 256) % FIELD_R);
  const gen = await WitnessGenerator.load(compiled.file("wasm"));
  const witness = parseWtns(await gen.compute(input));
  const r1cs = parseR1cs(await readFile(compiled.file("r1cs")), compiled.file("r1cs"));
  const names = symbolNames(await readFile(compiled.file("sym"), "utf8"));
  return { ...checkConstraints(r1cs, witness, names), ms: performance.now() - t0 };
}
