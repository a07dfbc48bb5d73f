/**
 * The proof file zkml writes and reads: the proof and public signals, plus what the
 * commitment hides, revealed off-chain (the int8 input, the output vector and the blinding), and
 * the context. Everything in it is checked by `zkml verify`: no field is taken on trust.
 */
import type { ProofSystem } from "./proof_system.js";

/** 2: the commitment is blinded and binds the layout (zkml-proof/1 files verify against no build of today). */
export const PROOF_FORMAT = "zkml-proof/2";

export interface ProofFile {
  format: typeof PROOF_FORMAT;
  /** vkey: sha256 of the verification_key.json the proof was made against. */
  model: { name: string; modelId: string; vkey: string };
  system: ProofSystem;
  /** The proof object as snarkjs returns it for `system`. */
  proof: Record<string, unknown> & { protocol: string; curve: string };
  /** [commitment, classContext], and with private weights the weights commitment. */
  publicSignals: string[];
  /** The int8 input the circuit saw (the float input quantized at 2^-input.frac; with several graph inputs on scales of their own, frac is the first one's: the model's input.parts has each). */
  input: { values: number[]; frac: number };
  output: { values: number[]; frac: number; class: number; dequantized: number[] };
  context: { value: string; chainId?: string; contract?: string; sender?: string; nonce?: string };
  /**
   * The commitment's blinding factor (0x hex), drawn fresh for this proof. Whoever holds it and
   * the values can open the commitment; without it the public signals say nothing of the input.
   */
  blinding: string;
}
