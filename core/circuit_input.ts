/**
 * The circuit's input signals for one inference, as field elements. The names are the contract
 * between the generated circuit (circuits/codegen.ts) and every prover of it.
 */
import { toField } from "./field.js";
import { denseLayers, type QModel } from "./qmodel.js";
import { modelVisibilities, needsBlinding } from "./statement.js";

export type CircuitSignals = Record<string, bigint | bigint[]>;

/** Public signals of a circuit, in the order snarkjs lists them. */
export function publicSignalNames(model: Pick<QModel, "privateWeights">): string[] {
  return model.privateWeights ? ["commitment", "classContext", "modelCommitment"] : ["commitment", "classContext"];
}

/**
 * x: the int8 input; ctx: the caller context; blinding: the commitment's fresh random factor;
 * with private weights also the weights and salt.
 */
export function circuitInput(model: QModel, qInput: readonly number[], ctx: bigint, blinding: bigint): CircuitSignals {
  const signals: CircuitSignals = { x: qInput.map((v) => toField(v)), ctx };
  // A data statement with both sides hashed hides nothing: its circuit has no blinding input.
  if (needsBlinding(modelVisibilities(model))) signals.blinding = blinding;
  if (model.privateWeights) {
    denseLayers(model).forEach((l, i) => {
      signals[`w${i}`] = l.weights.map((v) => toField(v));
      signals[`b${i}`] = l.bias.map((v) => toField(v));
    });
    signals.salt = BigInt(model.privateWeights.salt);
  }
  return signals;
}
