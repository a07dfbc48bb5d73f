/**
 * Groth16 proving with snarkjs, keys held in memory so repeated proofs pay no disk reads.
 */
import { readFile } from "node:fs/promises";
import * as snarkjs from "snarkjs";

export interface Groth16Proof {
  pi_a: string[];
  pi_b: string[][];
  pi_c: string[];
  protocol: "groth16";
  curve: "bn128";
}

export interface ProofResult {
  proof: Groth16Proof;
  publicSignals: string[];
}

export class Groth16Prover {
  private constructor(private readonly zkey: Uint8Array) {}

  static async load(zkeyFile: string): Promise<Groth16Prover> {
    return new Groth16Prover(await readFile(zkeyFile));
  }

  async prove(witness: Uint8Array): Promise<ProofResult> {
    const { proof, publicSignals } = await snarkjs.groth16.prove(
      { type: "mem", data: this.zkey },
      { type: "mem", data: witness },
    );
    return { proof, publicSignals };
  }
}
