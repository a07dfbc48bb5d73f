/**
 * One inference proof around the snark, the same steps in Node (src/prove.ts) and the browser
 * (browser/index.ts), so neither checks less than the other: check the quantized input against
 * the model's domain, run the reference interpreter, draw the blinding and write the circuit's
 * input; then, given the snark's public signals, check every one of them against the reference
 * (statement, class, context, the weights commitment) before the proof file is assembled.
 * Browser-safe: no node: imports.
 */
import { type CircuitSignals, circuitInput } from "./circuit_input.js";
import { splitClassContext } from "./context.js";
import { randomBlinding } from "./field.js";
import { assembleProofFile, type ContextDetails, type ProofFile } from "./proof_file.js";
import type { ProofSystem } from "./proof_system.js";
import { checkQuantizedInput, modelClass, type QModel, runReference } from "./qmodel.js";
import { computeStatement, type StatementLayout } from "./statement.js";
import type { ProofResult } from "./systems/index.js";

/** The model a proof is made for, as both provers hold it. */
export interface InferenceTarget {
  model: QModel;
  ids: { modelId: string; vkey: string };
  system: ProofSystem;
  layout: StatementLayout;
}

/** An input checked and run through the reference, ready for the witness. */
export interface PreparedInference {
  input: number[];
  output: number[];
  blinding: bigint;
  context: ContextDetails;
  /** The circuit's input signals (x, ctx, the blinding where the circuit has one). */
  signals: CircuitSignals;
}

/** Checks `q` against the model's input domain and prepares its witness input. */
export function prepareInference(model: QModel, q: readonly number[], context: ContextDetails): PreparedInference {
  checkQuantizedInput(model, q);
  const input = [...q];
  const output = runReference(model, input).output;
  const blinding = randomBlinding();
  return { input, output, blinding, context, signals: circuitInput(model, input, context.value, blinding) };
}

/**
 * The proof file of a prepared inference, once every public signal is what the reference
 * says it must be. A disagreement means zkml's circuit and interpreter differ: a bug, never
 * handed out as a proof.
 */
export async function checkedProofFile(target: InferenceTarget, p: PreparedInference, snark: ProofResult): Promise<ProofFile> {
  const m = target.model;
  const signals = snark.publicSignals;
  const statement = await computeStatement(p.input.map(BigInt), p.output.map(BigInt), target.layout, p.blinding);
  const { context, cls } = splitClassContext(BigInt(signals[1] ?? -1));
  const wrong = [
    BigInt(signals[0] ?? -1) !== statement.value && "statement",
    cls !== modelClass(m, p.output) && "class",
    context !== p.context.value && "context",
    m.privateWeights && BigInt(signals[2] ?? -1) !== BigInt(m.privateWeights.commitment) && "weights commitment",
  ].filter(Boolean);
  if (wrong.length > 0) throw new Error(`internal error: model ${m.name}: the circuit's public ${wrong.join(", ")} disagree with the reference interpreter`);
  return assembleProofFile({
    model: m,
    ids: target.ids,
    system: target.system,
    proof: snark.proof,
    publicSignals: signals,
    input: p.input,
    output: p.output,
    context: p.context,
    blinding: p.blinding,
    statement,
  });
}
