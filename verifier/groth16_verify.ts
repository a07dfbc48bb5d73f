/** Off-chain Groth16 verification with the exported verification key. */
import * as snarkjs from "snarkjs";

const quiet = { info() {}, debug() {}, warn() {}, error() {} };

export async function groth16Verify(verificationKey: unknown, publicSignals: string[], proof: unknown): Promise<boolean> {
  try {
    return (await snarkjs.groth16.verify(verificationKey, publicSignals, proof, quiet)) === true;
  } catch {
    // Malformed points or signals: not a valid proof, whatever the reason.
    return false;
  }
}
