/**
 * A small transformer in the circuit: the generated circom equals the reference interpreter at
 * every layer (embedding, LayerNormalization, attention's MatMuls and Softmax, GELU table,
 * residuals, the mean over tokens) on random token sequences; a forged one-hot row, a forged
 * square root and a forged output of each layer are rejected; an id outside the vocabulary has no
 * witness.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateCircom } from "../circuits/codegen.js";
import { importOnnx } from "../circuits/onnx/import.js";
import { encodeTransformer } from "../circuits/onnx/write_transformer.js";
import { quantizeGraph } from "../circuits/quantize.js";
import { releaseCurves } from "../core/curve.js";
import { toField } from "../core/field.js";
import { mulberry32 } from "../core/random.js";
import { layerOutSize } from "../core/ops/index.js";
import { quantizeInput, runReference, type QModel } from "../core/qmodel.js";
import { TestCircuit } from "./helpers/circuit.js";

afterAll(releaseCurves);

const SPEC = { name: "tx-small", tokens: 4, width: 8, vocabulary: 8, hidden: 8, blocks: 1, classes: 3, seed: 3 };
const rand = mulberry32(9);
const sequences = Array.from({ length: 24 }, () => Array.from({ length: SPEC.tokens }, () => Math.floor(rand() * SPEC.vocabulary)));
const model: QModel = quantizeGraph(importOnnx(encodeTransformer(SPEC), SPEC.name), { samples: sequences });
const isFree = (op: string) => op === "select" || op === "concat";

describe("tiny transformer circuit", () => {
  let c: TestCircuit;
  beforeAll(async () => {
    c = await TestCircuit.compile(generateCircom(model).split("\n").slice(1).join("\n"), "O1");
  });
  const witness = (ids: number[]) => c.witness({ x: quantizeInput(model, ids).map((v) => toField(v)), ctx: 5n, blinding: 11n });

  it("equals the reference interpreter at every layer", async () => {
    for (const ids of [...sequences.slice(0, 5), [0, 0, 0, 0], [7, 7, 7, 7]]) {
      const w = await witness(ids);
      expect(await c.check(w)).toBe(true);
      const ref = runReference(model, quantizeInput(model, ids));
      ref.layers.forEach((values, li) => {
        if (isFree(model.layers[li]!.op) || !c.has(`a${li}[0]`)) return;
        values.forEach((v, j) => expect(c.getSigned(w, `a${li}[${j}]`), `layer ${li} (${model.layers[li]!.op}) [${j}]`).toBe(BigInt(v)));
      });
    }
  });

  it("rejects a forged one-hot, square root and layer output; has no witness for an id outside the vocabulary", async () => {
    const w = await witness(sequences[0]!);
    const id = sequences[0]![0]!;
    // Moving token 0's one-hot to another row breaks Σ v·b_v = id.
    expect(await c.check(c.forge(w, { [`onehot0[0][${id}]`]: 0, [`onehot0[0][${(id + 1) % SPEC.vocabulary}]`]: 1 }))).toBe(false);
    const norm = model.layers.findIndex((l) => l.op === "norm");
    // The square root is what the first division reads as its divisor (r and d are one wire at --O1).
    expect(await c.check(c.forge(w, { [`div${norm}[0].d`]: c.getSigned(w, `div${norm}[0].d`) + 1n }))).toBe(false);
    expect(await c.check(c.forge(w, { [`div${norm}[0].q`]: c.getSigned(w, `div${norm}[0].q`) + 1n }))).toBe(false);
    for (const li of model.layers.keys()) {
      if (isFree(model.layers[li]!.op) || !c.has(`a${li}[0]`)) continue;
      const at = `a${li}[${Math.min(1, layerOutSize(model.layers[li]!) - 1)}]`;
      const v = c.getSigned(w, at);
      expect(await c.check(c.forge(w, { [at]: v === 127n ? 126n : v + 1n })), `layer ${li} (${model.layers[li]!.op})`).toBe(false);
    }
    await expect(c.witness({ x: [1, 2, 3, SPEC.vocabulary].map((v) => toField(v)), ctx: 5n, blinding: 11n })).rejects.toThrow();
  });
});
