/**
 * What a consumer contract needs to check revealed values against a proof's commitment: the
 * blinding, the layout element, the input and output packed exactly as the circuit packs them,
 * and the output's scale. commitment = chainHash([blinding, layoutTag, ...packedInput, ...packedOutput]).
 */
import { packSigned } from "../core/field.js";
import type { ProofFile } from "../core/proof_file.js";
import { layoutTag, type CommitmentLayout } from "../core/layout.js";

export interface RevealedValues {
  /** The commitment's blinding factor and layout element: hashed before the packed values. */
  blinding: bigint;
  layoutTag: bigint;
  packedInput: bigint[];
  packedOutput: bigint[];
  /** The output integers; value = q · 2^-outputFrac. */
  outputs: bigint[];
  outputFrac: number;
  outputBits: number;
}

/** What a proof file reveals off-chain, packed as the circuit and an on-chain Poseidon check take it (the commitment's preimage). */
export function revealedValues(layout: CommitmentLayout, proof: Pick<ProofFile, "input" | "output" | "blinding">): RevealedValues {
  const outputs = proof.output.values.map(BigInt);
  return {
    blinding: BigInt(proof.blinding),
    layoutTag: layoutTag(layout),
    packedInput: packSigned(proof.input.values.map(BigInt), layout.inputBits),
    packedOutput: packSigned(outputs, layout.outputBits),
    outputs,
    outputFrac: proof.output.frac,
    outputBits: layout.outputBits,
  };
}
