/**
 * Proving an inference in Node: the witness from circom's wasm and the proof with the keys held
 * in memory, between core/inference.ts's preparation and its check of every public signal
 * against the reference interpreter (the browser's prover runs the same two steps).
 */
import { readFile } from "node:fs/promises";
import { FILES } from "../core/build_files.js";
import { checkedProofFile, type InferenceTarget, prepareInference } from "../core/inference.js";
import type { ContextDetails, ProofFile } from "../core/proof_file.js";
import { curveAccel } from "../core/native.js";
import { quantizeInput } from "../core/qmodel.js";
import { backend, type ProofResult, proverFor } from "../core/systems/index.js";
import { WitnessGenerator } from "../prover/witness.js";
import { openReady, type ReadyModel } from "./build.js";

export type { ContextDetails };

export interface ProveResult {
  proof: ProofFile;
  timingsMs: { witness: number; prove: number };
}

/** Holds the witness wasm and proving key in memory: the second proof onwards is warm. */
export class InferenceProver {
  private constructor(
    readonly model: ReadyModel,
    private readonly witness: WitnessGenerator,
    private readonly proveWitness: (witness: Uint8Array) => Promise<ProofResult>,
    /** What the proofs are checked against and made for. */
    private readonly target: InferenceTarget,
  ) {}

  static async open(dir: string): Promise<InferenceProver> {
    const model = await openReady(dir);
    // The system's backend is resolved here, once, and its prover holds the key from now on.
    const prove = await proverFor(backend(model.setupInfo.system), await readFile(model.file("zkey")), curveAccel());
    const target = {
      model: model.model,
      ids: { modelId: model.info.modelId, vkey: model.setup.outputs[FILES.vkey]! },
      system: model.setupInfo.system,
      layout: model.info.layout,
    };
    return new InferenceProver(model, await WitnessGenerator.load(model.file("wasm")), prove, target);
  }

  async prove(values: readonly number[], context: ContextDetails = { value: 0n }): Promise<ProveResult> {
    return this.proveQuantized(quantizeInput(this.model.model, values), context);
  }

  /**
   * Prove one inference of an input already quantized: the int8 values a contract computed
   * from its own data (ZkmlData.quantize) and handed out through a view, so the proof is over
   * exactly what the contract will hash. Each value is checked against the input's domain.
   */
  async proveQuantized(q: readonly number[], context: ContextDetails = { value: 0n }): Promise<ProveResult> {
    const prepared = prepareInference(this.model.model, q, context);
    const t0 = performance.now();
    const wtns = await this.witness.compute(prepared.signals);
    const t1 = performance.now();
    const snark = await this.proveWitness(wtns);
    const t2 = performance.now();
    return { proof: await checkedProofFile(this.target, prepared, snark), timingsMs: { witness: t1 - t0, prove: t2 - t1 } };
  }
}
