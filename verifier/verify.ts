/** Off-chain verification with snarkjs and the exported verification key, for any system (core/systems/). */
import type { ProofSystem } from "../core/proof_system.js";
import { backend } from "../core/systems/index.js";

/** snarkjs's verdict on a proof: false for a malformed proof, signal or key, whatever the reason. */
export function verifySnark(system: ProofSystem, verificationKey: unknown, publicSignals: string[], proof: unknown): Promise<boolean> {
  return backend(system).verify(verificationKey, publicSignals, proof);
}
