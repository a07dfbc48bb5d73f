/**
 * A snarkjs proof as the Solidity verifiers take it. zkml's contracts take every system's proof
 * as `bytes`: the proof's words ABI-encoded (8 for Groth16, 24 for PLONK and FFLONK), which the
 * per-model contract decodes for its snarkjs verifier and the registry forwards as they are.
 */
import { AbiCoder } from "ethers";
import * as snarkjs from "snarkjs";
import { PROOF_WORDS, type ProofSystem } from "../core/proof_system.js";
import { groth16ProofWords } from "./batch.js";

export interface SnarkProofFile {
  system: ProofSystem;
  proof: unknown;
  publicSignals: string[];
}

/**
 * The proof's words in the verifier's order: Groth16's read from its fields (pi_b's G2
 * coordinates imaginary part first, as the precompile takes them), PLONK's and FFLONK's from
 * snarkjs's exportSolidityCallData, parsed.
 */
export async function proofWords(p: SnarkProofFile): Promise<bigint[]> {
  let text: string;
  switch (p.system) {
    case "groth16": return groth16ProofWords(p.proof);
    case "plonk": text = await snarkjs.plonk.exportSolidityCallData(p.proof, p.publicSignals); break;
    case "fflonk": text = await snarkjs.fflonk.exportSolidityCallData(p.publicSignals, p.proof); break;
    default: throw new Error(`internal error: no proof encoding for ${p.system satisfies never}`);
  }
  // The three exporters differ: PLONK's has no comma between proof and signals, FFLONK's
  // hex words are unquoted. Normalise to JSON: quoted words, arrays separated by commas.
  const json = text.replace(/"/g, "").replace(/0x[0-9a-fA-F]+/g, (w) => `"${w}"`).replace(/\]\s*\[/g, "],[");
  const parts = JSON.parse(`[${json}]`) as unknown[];
  const words = parts.slice(0, -1).flat(2).map((w) => BigInt(w as string));
  if (words.length !== PROOF_WORDS[p.system]) throw new Error(`internal error: ${p.system} proof has ${words.length} words, expected ${PROOF_WORDS[p.system]}`);
  return words;
}

/** `bytes proof` of verifyInference: the words, each 32 bytes big-endian. */
export async function encodeProof(p: SnarkProofFile): Promise<string> {
  const words = await proofWords(p);
  return AbiCoder.defaultAbiCoder().encode(words.map(() => "uint256"), words);
}

/** Arguments of the bare snarkjs verifier's verifyProof for this system. */
export function verifyProofArgs(system: ProofSystem, words: bigint[], publicSignals: readonly string[]): unknown[] {
  const pub = publicSignals.map(BigInt);
  switch (system) {
    case "groth16": {
      const [a0, a1, b00, b01, b10, b11, c0, c1] = words as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
      return [[a0, a1], [[b00, b01], [b10, b11]], [c0, c1], pub];
    }
    case "plonk": return [words, pub];
    case "fflonk": return [words.map((w) => "0x" + w.toString(16).padStart(64, "0")), pub];
    default: throw new Error(`internal error: no verifyProof arguments for ${system satisfies never}`);
  }
}
