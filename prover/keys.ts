/** What setting up a proof system needs beyond its backend (core/systems/): the ptau size a circuit file needs, and development keys without a ptau. */
import { readFile } from "node:fs/promises";
import type { ProofSystem } from "../core/proof_system.js";
import { backend, type SystemKeys } from "../core/systems/index.js";
import { groth16DirectSetup, type Progress } from "./groth16_direct.js";

export type { SystemKeys } from "../core/systems/index.js";

/** The smallest powers-of-tau power the system's setup accepts for this circuit. */
export function requiredPtauPower(system: ProofSystem, r1csFile: string, nConstraints: number, nPublic: number): Promise<number> {
  return backend(system).requiredPower({ r1csFile, constraints: nConstraints, nPublic, r1csBytes: async () => new Uint8Array(await readFile(r1csFile)) });
}

/** Development keys of a circuit drawn directly, without a ptau, into `zkeyFile`. */
export type DirectSetup = (r1csFile: string, zkeyFile: string, progress?: Progress) => Promise<SystemKeys>;

/**
 * Each system's development keys without a ptau, or undefined where its keys come from the ptau
 * alone: a Record over ProofSystem, so a new system decides here. Groth16's are drawn from a
 * fresh tau directly into its key's points (prover/groth16_direct.ts); PLONK's and FFLONK's keys
 * are the ptau's powers themselves (universal), so a development ptau is their shortcut.
 */
export const DIRECT_SETUP: Readonly<Record<ProofSystem, DirectSetup | undefined>> = {
  groth16: groth16DirectSetup,
  plonk: undefined,
  fflonk: undefined,
};
