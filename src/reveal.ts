/**
 * What a consumer contract needs to check revealed values against a proof's commitment: the
 * input and output packed exactly as the circuit packs them, and the output's scale.
 */
import { packSigned } from "../core/field.js";
import type { ProofFile } from "../core/proof_file.js";
import type { CircuitLayout } from "../core/compiled.js";

export interface RevealedValues {
  packedInput: bigint[];
  packedOutput: bigint[];
  /** The output integers; value = q · 2^-outputFrac. */
  outputs: bigint[];
  outputFrac: number;
  outputBits: number;
}

export function revealedValues(layout: Pick<CircuitLayout, "inputBits" | "outputBits">, proof: Pick<ProofFile, "input" | "output">): RevealedValues {
  const outputs = proof.output.values.map(BigInt);
  return {
    packedInput: packSigned(proof.input.values.map(BigInt), layout.inputBits),
    packedOutput: packSigned(outputs, layout.outputBits),
    outputs,
    outputFrac: proof.output.frac,
    outputBits: layout.outputBits,
  };
}
