/** Off-chain verification with snarkjs and the exported verification key, for any system. */
import * as snarkjs from "snarkjs";
import type { ProofSystem } from "../core/proof_system.js";

const quiet = { info() {}, debug() {}, warn() {}, error() {} };

type SnarkjsVerify = (vk: unknown, publicSignals: string[], proof: unknown, logger?: unknown) => Promise<boolean>;

const VERIFY: Record<ProofSystem, SnarkjsVerify> = {
  groth16: snarkjs.groth16.verify,
  plonk: snarkjs.plonk.verify,
  fflonk: snarkjs.fflonk.verify,
};

export async function verifySnark(system: ProofSystem, verificationKey: unknown, publicSignals: string[], proof: unknown): Promise<boolean> {
  try {
    return (await VERIFY[system](verificationKey, publicSignals, proof, quiet)) === true;
  } catch {
    // Malformed points or signals: not a valid proof, whatever the reason.
    return false;
  }
}
