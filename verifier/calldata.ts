/**
 * A snarkjs proof as the Solidity verifiers take it. zkml's contracts take every system's proof
 * as `bytes`: the proof's words ABI-encoded (8 for Groth16, 24 for PLONK and FFLONK), which the
 * per-model contract decodes for its snarkjs verifier and the registry forwards as they are.
 */
import { AbiCoder } from "ethers";
import type { ProofSystem } from "../core/proof_system.js";
import { backend } from "../core/systems/index.js";

export interface SnarkProofFile {
  system: ProofSystem;
  proof: unknown;
  publicSignals: string[];
}

/** The proof's words in the verifier's order, read from the proof's fields (PROOF_INVALID when malformed). */
export async function proofWords(p: SnarkProofFile): Promise<bigint[]> {
  return backend(p.system).words(p.proof);
}

/** Hex as viem types it (and ethers accepts): calldata, proof bytes. */
export type Hex = `0x${string}`;

/** `bytes proof` of verifyInference: the words, each 32 bytes big-endian. */
export async function encodeProof(p: SnarkProofFile): Promise<Hex> {
  const words = await proofWords(p);
  return AbiCoder.defaultAbiCoder().encode(
    words.map(() => "uint256"),
    words,
  ) as Hex;
}

/** Arguments of the bare snarkjs verifier's verifyProof for this system. */
export function verifyProofArgs(system: ProofSystem, words: bigint[], publicSignals: readonly string[]): unknown[] {
  return backend(system).verifyProofArgs(words, publicSignals.map(BigInt));
}
