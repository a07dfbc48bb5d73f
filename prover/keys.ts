/** Setting up any proof system for a compiled circuit: pick the ptau size, make the keys. */
import type { ProofSystem } from "../core/proof_system.js";
import { requiredPower } from "./ptau/index.js";
import { fflonkRequiredPower, fflonkSetup } from "./fflonk_setup.js";
import { groth16Setup } from "./groth16_setup.js";
import { plonkRequiredPower, plonkSetup } from "./plonk_setup.js";

export interface SystemKeys {
  zkeyFile: string;
  verificationKey: Record<string, unknown>;
  timingsMs: Record<string, number>;
}

/** The smallest powers-of-tau power the system's setup accepts for this circuit. */
export async function requiredPtauPower(system: ProofSystem, r1csFile: string, nConstraints: number, nPublic: number): Promise<number> {
  switch (system) {
    case "groth16": return requiredPower(nConstraints, nPublic);
    case "plonk": return plonkRequiredPower(r1csFile);
    case "fflonk": return fflonkRequiredPower(r1csFile);
    default: throw new Error(`internal error: no setup for proof system ${system satisfies never}`);
  }
}

/** Proving and verifying keys of `system` for the circuit (no silent default: every system is named). */
export function setupKeys(system: ProofSystem, r1csFile: string, ptauFile: string, zkeyFile: string): Promise<SystemKeys> {
  switch (system) {
    case "groth16": return groth16Setup(r1csFile, ptauFile, zkeyFile);
    case "plonk": return plonkSetup(r1csFile, ptauFile, zkeyFile);
    case "fflonk": return fflonkSetup(r1csFile, ptauFile, zkeyFile);
    default: throw new Error(`internal error: no setup for proof system ${system satisfies never}`);
  }
}
