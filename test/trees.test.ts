/**
 * Tree ensembles in the circuit: the generated circom equals the reference interpreter on every
 * branch mode and on a trained ensemble (random, extreme and calibration inputs); a forged
 * comparison, path product or output is rejected; and the cost is what core/ops/trees.ts states:
 * 9 per distinct comparison and one product per branch that is not a tree's root.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateCircom } from "../circuits/codegen.js";
import { importOnnx } from "../circuits/onnx/import.js";
import { encodeTreeEnsemble } from "../circuits/onnx/write_trees.js";
import { quantizeGraph } from "../circuits/quantize.js";
import { releaseCurves } from "../core/curve.js";
import { toField } from "../core/field.js";
import type { QTrees } from "../core/ops/trees.js";
import { mulberry32 } from "../core/random.js";
import { quantizeInput, runReference, type QModel } from "../core/qmodel.js";
import { appraisalData, trainGbt } from "../examples/appraisal-gbt/gbt.js";
import { TestCircuit } from "./helpers/circuit.js";

afterAll(releaseCurves);

const train = appraisalData(300, 11);
const { trees, base } = trainGbt(train.x, train.y, { trees: 8, depth: 3, rate: 0.3 });
// A stump per mode, so the circuit sees each one's threshold rule (and one with a constant branch).
for (const [k, mode] of (["lt", "gte", "gt", "leq"] as const).entries()) {
  trees.push([{ feature: k, threshold: k === 3 ? 9 : 0.25 - k / 10, mode, ifTrue: 1, ifFalse: 2 }, { leaf: [[0, k / 8]] }, { leaf: [[0, -k / 16]] }]);
}
const bytes = encodeTreeEnsemble({ name: "gbt-modes", features: 6, trees, base: [base] });
const model: QModel = quantizeGraph(importOnnx(bytes, "gbt-modes"), { samples: train.x.slice(0, 32) });
const layer = model.layers[0] as QTrees;

describe("tree ensemble circuit", () => {
  const source = (m: QModel) => generateCircom(m).split("\n").slice(1).join("\n");
  let c: TestCircuit;
  let production: number;
  let stump: number;
  beforeAll(async () => {
    c = await TestCircuit.compile(source(model), "O1");
    production = (await TestCircuit.compile(source(model), "O2")).constraints;
    // The same circuit around one stump (one comparison, its root branch free): what the rest costs.
    const one = { ...layer, cmpFeature: [0], cmpThreshold: [0], roots: [0], nodeCmp: [0, -1, -1], nodeTrue: [1, -1, -1], nodeFalse: [2, -1, -1] };
    stump = (await TestCircuit.compile(source({ ...model, layers: [{ ...one, leafNode: [1, 2], leafTarget: [0, 0], leafWeight: [1, -1] }] }), "O2"))
      .constraints;
  });

  it("costs 9 per comparison and one product per branch below a root (--O2)", () => {
    const branches = layer.nodeCmp.filter((k) => k >= 0).length;
    const rootBranches = layer.roots.filter((r) => layer.nodeCmp[r]! >= 0).length;
    expect(layer.cmpFeature.length).toBeGreaterThan(10);
    expect(production - stump).toBe(9 * (layer.cmpFeature.length - 1) + branches - rootBranches);
  });

  it("equals the reference interpreter on random, extreme and calibration inputs", async () => {
    const rand = mulberry32(3);
    const inputs = [Array(6).fill(127), Array(6).fill(-128), ...train.x.slice(0, 6).map((x) => quantizeInput(model, x))];
    for (let k = 0; k < 6; k++) inputs.push(Array.from({ length: 6 }, () => Math.floor(rand() * 256) - 128));
    for (const q of inputs) {
      const w = await c.witness({ x: q.map((v) => toField(v)), ctx: 5n, blinding: 11n });
      expect(await c.check(w)).toBe(true);
      expect(c.getSigned(w, "a0[0]")).toBe(BigInt(runReference(model, q).output[0]!));
    }
  });

  it("rejects a forged output, comparison or path product", async () => {
    const q = quantizeInput(model, train.x[0]!);
    const w = await c.witness({ x: q.map((v) => toField(v)), ctx: 5n, blinding: 11n });
    expect(await c.check(c.forge(w, { "a0[0]": c.getSigned(w, "a0[0]") + 1n }))).toBe(false);
    const taken = c.getSigned(w, "taken0[1]");
    expect(await c.check(c.forge(w, { "taken0[1]": 1n - taken }))).toBe(false);
    // The first tree's root comparison is its own `taken` (the root is reached with 1), and its bits are pinned by the sum.
    for (const name of ["taken0[0]", "leq0[0].bits.out[0]", "leq0[5].bits.out[3]"]) {
      expect(await c.check(c.forge(w, { [name]: 1n - c.getSigned(w, name) })), name).toBe(false);
    }
  });
});
