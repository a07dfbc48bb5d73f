/**
 * Proving with snarkjs for any supported system, the proving key held in memory so repeated
 * proofs pay no disk reads. The three snarkjs provers share one signature.
 */
import { readFile } from "node:fs/promises";
import * as snarkjs from "snarkjs";
import type { ProofSystem } from "../core/proof_system.js";

/** The proof object as snarkjs returns it for the system (serialised as is in proof files). */
export type SnarkProof = Record<string, unknown> & { protocol: string; curve: string };

export interface ProofResult {
  proof: SnarkProof;
  publicSignals: string[];
}

type SnarkjsProve = (zkey: unknown, witness: unknown, logger?: unknown) => Promise<ProofResult>;

const PROVE: Record<ProofSystem, SnarkjsProve> = {
  groth16: snarkjs.groth16.prove,
  plonk: snarkjs.plonk.prove,
  fflonk: snarkjs.fflonk.prove,
};

export class SnarkProver {
  private constructor(
    readonly system: ProofSystem,
    private readonly zkey: Uint8Array,
  ) {}

  static async load(system: ProofSystem, zkeyFile: string): Promise<SnarkProver> {
    return new SnarkProver(system, await readFile(zkeyFile));
  }

  async prove(witness: Uint8Array): Promise<ProofResult> {
    const { proof, publicSignals } = await PROVE[this.system]({ type: "mem", data: this.zkey }, { type: "mem", data: witness });
    return { proof, publicSignals };
  }
}
