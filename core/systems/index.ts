/**
 * The proof systems, one backend each (core/systems/<name>.ts): setup, prove, verify and the
 * proof's Solidity encoding reached only through this table, so no system is a silent default.
 */
import type { CurveAccel } from "../native.js";
import type { ProofSystem } from "../proof_system.js";
import type { ProofBackend, ProofResult } from "./backend.js";
import { fflonk } from "./fflonk.js";
import { groth16 } from "./groth16.js";
import { plonk } from "./plonk.js";

export type { CircuitFacts, ProofBackend, ProofResult, SnarkProof, SystemKeys } from "./backend.js";
export { proofEncodingProblem } from "./backend.js";

export const PROOF_BACKENDS: Readonly<Record<ProofSystem, ProofBackend>> = { groth16, plonk, fflonk };

/** 32-byte words of a proof as each system's Solidity verifier takes it. */
export const PROOF_WORDS = Object.fromEntries(Object.entries(PROOF_BACKENDS).map(([s, b]) => [s, b.proofWords])) as Readonly<Record<ProofSystem, number>>;

/** A system's backend; a name outside the table (a hostile proof file) is refused, not defaulted. */
export function backend(system: ProofSystem): ProofBackend {
  if (!Object.hasOwn(PROOF_BACKENDS, system)) throw new TypeError(`no proof system "${String(system)}" (${Object.keys(PROOF_BACKENDS).join(", ")})`);
  return PROOF_BACKENDS[system];
}

/**
 * Proofs of witnesses (.wtns bytes) with `zkey` held in memory: the backend's warm prover, which
 * parses the key once, where it has one (on the native curve backend where `accel` is given);
 * otherwise its prove, handed the key's bytes each time.
 */
export async function proverFor(b: ProofBackend, zkey: Uint8Array, accel?: CurveAccel): Promise<(witness: Uint8Array) => Promise<ProofResult>> {
  const warm = b.warmProver && (await b.warmProver(zkey, accel));
  return warm ?? ((witness) => b.prove({ type: "mem", data: zkey }, { type: "mem", data: witness }));
}
