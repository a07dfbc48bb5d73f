/**
 * Proving an inference: quantize the input, compute the witness, prove, and check the public
 * signals against the reference interpreter before handing the proof out.
 */
import { circuitInput } from "../core/circuit_input.js";
import { randomBlinding } from "../core/commitment.js";
import { FILES } from "../core/build_files.js";
import { splitClassContext } from "../core/context.js";
import { assembleProofFile, type ContextDetails, type ProofFile } from "../core/proof_file.js";
import { checkQuantizedInput, modelClass, quantizeInput, runReference } from "../core/qmodel.js";
import { computeStatement } from "../core/statement.js";
import { SnarkProver } from "../prover/prover.js";
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
    private readonly prover: SnarkProver,
  ) {}

  static async open(dir: string): Promise<InferenceProver> {
    const model = await openReady(dir);
    return new InferenceProver(model, await WitnessGenerator.load(model.file("wasm")), await SnarkProver.load(model.setupInfo.system, model.file("zkey")));
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
    const m = this.model.model;
    checkQuantizedInput(m, q);
    const ref = runReference(m, q);
    const blinding = randomBlinding();
    const t0 = performance.now();
    const wtns = await this.witness.compute(circuitInput(m, q, context.value, blinding));
    const t1 = performance.now();
    const { proof, publicSignals } = await this.prover.prove(wtns);
    const t2 = performance.now();

    // The circuit and the reference interpreter must agree bit for bit; if not, zkml is wrong.
    const statement = await computeStatement(q.map(BigInt), ref.output.map(BigInt), this.model.info.layout, blinding);
    const expected = statement.value;
    const { context: ctx, cls } = splitClassContext(BigInt(publicSignals[1]!));
    const modelCommitment = m.privateWeights && BigInt(publicSignals[2]!) !== BigInt(m.privateWeights.commitment);
    const outputClass = modelClass(m, ref.output);
    if (BigInt(publicSignals[0]!) !== expected || cls !== outputClass || ctx !== context.value || modelCommitment) {
      throw new Error(`internal error: circuit output disagrees with the reference interpreter for model ${m.name}`);
    }
    const file = assembleProofFile({
      model: m,
      ids: { modelId: this.model.info.modelId, vkey: this.model.setup.outputs[FILES.vkey]! },
      system: this.model.setupInfo.system,
      proof,
      publicSignals,
      input: [...q],
      output: ref.output,
      context,
      blinding,
      statement,
    });
    return { proof: file, timingsMs: { witness: t1 - t0, prove: t2 - t1 } };
  }
}
