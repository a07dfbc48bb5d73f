/** Setting up any proof system for a compiled circuit: pick the ptau size, make the keys (core/systems/ holds each system). */
import { readFile } from "node:fs/promises";
import type { ProofSystem } from "../core/proof_system.js";
import { backend, type SystemKeys } from "../core/systems/index.js";
import { groth16DirectSetup, type Progress } from "./groth16_direct.js";

export type { SystemKeys } from "../core/systems/index.js";

/** The smallest powers-of-tau power the system's setup accepts for this circuit. */
export function requiredPtauPower(system: ProofSystem, r1csFile: string, nConstraints: number, nPublic: number): Promise<number> {
  return backend(system).requiredPower({ r1csFile, constraints: nConstraints, nPublic, r1csBytes: async () => new Uint8Array(await readFile(r1csFile)) });
}

/** Proving and verifying keys of `system` for the circuit (no silent default: every system is named). */
export function setupKeys(system: ProofSystem, r1csFile: string, ptauFile: string, zkeyFile: string): Promise<SystemKeys> {
  return backend(system).setup(r1csFile, ptauFile, zkeyFile);
}

/**
 * Development keys drawn directly, without a ptau (prover/groth16_direct.ts): only the systems
 * listed here have them; the others take the ptau path.
 */
export const DIRECT_SETUP: Partial<Record<ProofSystem, (r1csFile: string, zkeyFile: string, progress?: Progress) => Promise<SystemKeys>>> = {
  groth16: groth16DirectSetup,
};
