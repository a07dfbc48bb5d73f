/**
 * The proof file zkml writes and reads: the Groth16 proof and public signals, plus what the
 * commitment hides, revealed off-chain (the int8 input and the output vector), and the context.
 */
export const PROOF_FORMAT = "zkml-proof/1";

export interface ProofFile {
  format: typeof PROOF_FORMAT;
  /** vkey: sha256 of the verification_key.json the proof was made against. */
  model: { name: string; modelId: string; vkey: string };
  system: "groth16";
  proof: { pi_a: string[]; pi_b: string[][]; pi_c: string[]; protocol: string; curve: string };
  /** [commitment, classContext]. */
  publicSignals: string[];
  /** The int8 input the circuit saw (the float input quantized at 2^-input.frac). */
  input: { values: number[]; frac: number };
  output: { values: number[]; frac: number; class: number; dequantized: number[] };
  context: { value: string; chainId?: string; contract?: string; sender?: string; nonce?: string };
}
