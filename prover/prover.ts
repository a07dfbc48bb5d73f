/**
 * Proving with snarkjs for any supported system (core/systems/), the proving key held in memory
 * so repeated proofs pay no disk reads.
 */
import { readFile } from "node:fs/promises";
import type { ProofSystem } from "../core/proof_system.js";
import { backend, type ProofResult } from "../core/systems/index.js";

export type { ProofResult, SnarkProof } from "../core/systems/index.js";

export class SnarkProver {
  private constructor(
    readonly system: ProofSystem,
    private readonly zkey: Uint8Array,
  ) {}

  /** A prover for `system` with the zkey read once. */
  static async load(system: ProofSystem, zkeyFile: string): Promise<SnarkProver> {
    return new SnarkProver(system, await readFile(zkeyFile));
  }

  /** A proof of the witness (a .wtns file's bytes). */
  async prove(witness: Uint8Array): Promise<ProofResult> {
    const { proof, publicSignals } = await backend(this.system).prove({ type: "mem", data: this.zkey }, { type: "mem", data: witness });
    return { proof, publicSignals };
  }
}
