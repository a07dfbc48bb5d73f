/**
 * core/inference.ts, the steps both provers (Node's InferenceProver and the browser's) run
 * around the snark: a proof file is assembled only when every public signal is the reference
 * interpreter's, and each wrong one is named.
 */
import { describe, expect, it } from "vitest";
import { circuitLayout } from "../../circuits/codegen.js";
import { importOnnx } from "../../circuits/onnx/import.js";
import { quantizeGraph, withPrivateWeights } from "../../circuits/quantize.js";
import { checkedProofFile, type InferenceTarget, prepareInference } from "../../core/inference.js";
import { toField } from "../../core/field.js";
import { modelClass, quantizeInput } from "../../core/qmodel.js";
import { computeStatement } from "../../core/statement.js";
import { randomMlp } from "../helpers/models.js";

const model = quantizeGraph(importOnnx(randomMlp([4, 3, 2], 7), "m"), { samples: [[0, 1, 0.5, 0.25]] });
const target: InferenceTarget = { model, ids: { modelId: "0x01", vkey: "ab" }, system: "groth16", layout: circuitLayout(model) };
const snarkProof = { protocol: "groth16", curve: "bn128" };

async function honestSignals(p: ReturnType<typeof prepareInference>): Promise<string[]> {
  const statement = await computeStatement(p.input.map(BigInt), p.output.map(BigInt), target.layout, p.blinding);
  return [statement.value.toString(), ((p.context.value << 8n) + BigInt(modelClass(model, p.output))).toString()];
}

describe("one inference around the snark (core/inference.ts)", () => {
  it("prepares the circuit's input from a checked input, with a fresh blinding each time", () => {
    const q = quantizeInput(model, [0.5, -0.25, 1, 0]);
    const a = prepareInference(model, q, { value: 9n });
    const b = prepareInference(model, q, { value: 9n });
    expect(a.signals.x).toEqual(q.map(toField));
    expect(a.signals.ctx).toBe(9n);
    expect(a.blinding).not.toBe(b.blinding);
    expect(() => prepareInference(model, [...q.slice(0, 3), 200], { value: 0n })).toThrow(/int8|range|-128|127/i);
    expect(() => prepareInference(model, q.slice(0, 3), { value: 0n })).toThrow();
  });

  it("assembles the proof file when every public signal is the reference's", async () => {
    const p = prepareInference(model, quantizeInput(model, [0.1, 0.2, 0.3, 0.4]), { value: 3n });
    const file = await checkedProofFile(target, p, { proof: snarkProof, publicSignals: await honestSignals(p) });
    expect(file.output.values).toEqual(p.output);
    expect(file.output.class).toBe(modelClass(model, p.output));
    expect(file.input.values).toEqual(p.input);
  });

  it("refuses, naming it, a statement, class or context the reference does not give", async () => {
    const p = prepareInference(model, quantizeInput(model, [0.1, 0.2, 0.3, 0.4]), { value: 3n });
    const [statement, classContext] = await honestSignals(p);
    const cases: [string[], RegExp][] = [
      [[(BigInt(statement!) + 1n).toString(), classContext!], /public statement disagree/],
      [[statement!, (BigInt(classContext!) ^ 1n).toString()], /public class disagree/],
      [[statement!, (BigInt(classContext!) + 256n).toString()], /public context disagree/],
      [[statement!], /class, context disagree/],
    ];
    for (const [publicSignals, message] of cases) {
      await expect(checkedProofFile(target, p, { proof: snarkProof, publicSignals })).rejects.toThrow(message);
    }
  });

  it("with private weights, refuses a third signal that is not the model's weights commitment", async () => {
    const priv = await withPrivateWeights(model, 12345n);
    const privTarget: InferenceTarget = { ...target, model: priv, layout: circuitLayout(priv) };
    const p = prepareInference(priv, quantizeInput(priv, [0.1, 0.2, 0.3, 0.4]), { value: 3n });
    const statement = await computeStatement(p.input.map(BigInt), p.output.map(BigInt), privTarget.layout, p.blinding);
    const classContext = ((p.context.value << 8n) + BigInt(modelClass(priv, p.output))).toString();
    const honest = [statement.value.toString(), classContext, priv.privateWeights!.commitment];
    expect((await checkedProofFile(privTarget, p, { proof: snarkProof, publicSignals: honest })).publicSignals).toEqual(honest);
    const forged = [...honest.slice(0, 2), (BigInt(honest[2]!) + 1n).toString()];
    await expect(checkedProofFile(privTarget, p, { proof: snarkProof, publicSignals: forged })).rejects.toThrow(/public weights commitment disagree/);
    await expect(checkedProofFile(privTarget, p, { proof: snarkProof, publicSignals: honest.slice(0, 2) })).rejects.toThrow(/weights commitment/);
  });
});
