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
  if (system === "plonk") return plonkRequiredPower(r1csFile);
  if (system === "fflonk") return fflonkRequiredPower(r1csFile);
  return requiredPower(nConstraints, nPublic);
}

export function setupKeys(system: ProofSystem, r1csFile: string, ptauFile: string, zkeyFile: string): Promise<SystemKeys> {
  if (system === "plonk") return plonkSetup(r1csFile, ptauFile, zkeyFile);
  if (system === "fflonk") return fflonkSetup(r1csFile, ptauFile, zkeyFile);
  return groth16Setup(r1csFile, ptauFile, zkeyFile);
}
