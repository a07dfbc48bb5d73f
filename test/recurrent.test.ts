/**
 * Recurrent nets in the circuit: a small LSTM and a GRU (linear_before_reset, as PyTorch exports
 * it) unrolled at import; the circuit equals the reference interpreter at every layer on random
 * and extreme sequences, and a forged output of any layer (a gate, a state, a product) is rejected.
 */
import { afterAll, describe, expect, it } from "vitest";
import { generateCircom } from "../circuits/codegen.js";
import { importOnnx } from "../circuits/onnx/import.js";
import { encodeRecurrent } from "../circuits/onnx/write_recurrent.js";
import { quantizeGraph } from "../circuits/quantize.js";
import { releaseCurves } from "../core/curve.js";
import { toField } from "../core/field.js";
import { mulberry32 } from "../core/random.js";
import { layerOutSize } from "../core/ops/index.js";
import { quantizeInput, runReference } from "../core/qmodel.js";
import { TestCircuit } from "./helpers/circuit.js";

afterAll(releaseCurves);

const isFree = (op: string) => op === "select" || op === "concat";

for (const cell of ["LSTM", "GRU"] as const) {
  describe(`${cell} circuit`, () => {
    const spec = { name: cell.toLowerCase(), cell, seq: 3, features: 2, hidden: 3, classes: 2, seed: 5 };
    const rand = mulberry32(8);
    const samples = Array.from({ length: 16 }, () => Array.from({ length: spec.seq * spec.features }, () => rand() * 2 - 1));
    const model = quantizeGraph(importOnnx(encodeRecurrent(spec), spec.name), { samples });

    it("equals the reference at every layer and rejects a forged output of each", async () => {
      const c = await TestCircuit.compile(generateCircom(model).split("\n").slice(1).join("\n"), "O1");
      const n = spec.seq * spec.features;
      for (const q of [Array(n).fill(127), Array(n).fill(-128), ...samples.slice(0, 4).map((s) => quantizeInput(model, s))]) {
        const w = await c.witness({ x: q.map((v) => toField(v)), ctx: 5n, blinding: 11n });
        expect(await c.check(w)).toBe(true);
        runReference(model, q).layers.forEach((values, li) => {
          if (isFree(model.layers[li]!.op) || !c.has(`a${li}[0]`)) return;
          values.forEach((v, j) => expect(c.getSigned(w, `a${li}[${j}]`), `layer ${li} (${model.layers[li]!.op}) [${j}]`).toBe(BigInt(v)));
        });
      }
      const w = await c.witness({ x: quantizeInput(model, samples[0]!).map((v) => toField(v)), ctx: 5n, blinding: 11n });
      let forged = 0;
      for (const li of model.layers.keys()) {
        if (isFree(model.layers[li]!.op) || !c.has(`a${li}[0]`)) continue;
        const at = `a${li}[${Math.min(1, layerOutSize(model.layers[li]!) - 1)}]`;
        const v = c.getSigned(w, at);
        expect(await c.check(c.forge(w, { [at]: v === 127n ? 126n : v + 1n })), `layer ${li} (${model.layers[li]!.op})`).toBe(false);
        forged++;
      }
      expect(forged).toBeGreaterThan(10);
    });
  });
}
