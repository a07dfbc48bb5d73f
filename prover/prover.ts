/**
 * Proving with snarkjs for any supported system (core/systems/), the proving key held in memory
 * so repeated proofs pay no disk reads.
 */
import { readFile } from "node:fs/promises";
import { curveAccel } from "../core/native.js";
import type { ProofSystem } from "../core/proof_system.js";
import { backend, type ProofResult } from "../core/systems/index.js";

export type { ProofResult, SnarkProof } from "../core/systems/index.js";

export class SnarkProver {
  private constructor(
    readonly system: ProofSystem,
    private readonly proveWitness: (witness: Uint8Array) => Promise<ProofResult>,
  ) {}

  /** A prover for `system` with the zkey read once (and parsed once, where the system's backend has a warm prover; on the native curve backend where it runs). */
  static async load(system: ProofSystem, zkeyFile: string): Promise<SnarkProver> {
    const zkey = await readFile(zkeyFile);
    const b = backend(system);
    const warm = b.warmProver && (await b.warmProver(zkey, curveAccel()));
    return new SnarkProver(system, warm ?? ((witness) => b.prove({ type: "mem", data: zkey }, { type: "mem", data: witness })));
  }

  /** A proof of the witness (a .wtns file's bytes). */
  async prove(witness: Uint8Array): Promise<ProofResult> {
    const { proof, publicSignals } = await this.proveWitness(witness);
    return { proof, publicSignals };
  }
}
