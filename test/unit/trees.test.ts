/**
 * Tree ensembles (core/ops/trees.ts, circuits/onnx/handlers/trees.ts) at the level of the importer
 * and the reference interpreter: onnxruntime's float semantics for every branch mode; the integer
 * model takes the float model's path on every int8 input (thresholds on, between and outside the
 * grid), so its outputs equal onnxruntime's on the dequantized input up to float32 rounding; and
 * a malformed ensemble is refused with the node named, never walked.
 */
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { importOnnx } from "../../circuits/onnx/import.js";
import { onnx } from "../../circuits/onnx/tensor.js";
import { encodeTreeEnsemble, type TreeEnsembleSpec } from "../../circuits/onnx/write_trees.js";
import { quantizeGraph } from "../../circuits/quantize.js";
import { ZkmlError } from "../../core/errors.js";
import { runFloat } from "../../core/graph.js";
import type { FloatTreeNode, QTrees } from "../../core/ops/trees.js";
import { dequantize, quantizeInput, runReference } from "../../core/qmodel.js";
import { appraisalData, trainGbt } from "../../examples/appraisal-gbt/gbt.js";
import { mulberry32 } from "../../core/random.js";
import { rawModel } from "../helpers/models.js";

async function onnxruntime(bytes: Uint8Array, rows: number[][]): Promise<number[][]> {
  const s = await ort.InferenceSession.create(bytes);
  const f = rows[0]!.length;
  const r = await s.run({ input: new ort.Tensor("float32", Float32Array.from(rows.flat()), [rows.length, f]) });
  const data = Array.from(r.variable!.data as Float32Array);
  const t = data.length / rows.length;
  return rows.map((_, i) => data.slice(i * t, (i + 1) * t));
}

const branch = (feature: number, threshold: number, mode: "leq" | "lt" | "gte" | "gt", ifTrue: number, ifFalse: number): FloatTreeNode => ({
  feature,
  threshold,
  mode,
  ifTrue,
  ifFalse,
});
const leaf = (...w: number[]): FloatTreeNode => ({ leaf: w.map((v, t) => [t, v] as [number, number]) });

/** One stump per mode and threshold kind: on the grid (0.25 = 32·2^-7), between it, beyond it on both sides. */
function modeSpec(): TreeEnsembleSpec {
  const trees: FloatTreeNode[][] = [];
  let k = 1;
  for (const mode of ["leq", "lt", "gte", "gt"] as const) {
    for (const t of [0.25, 0.2501, -0.7, 5, -5, 127 / 128, -1]) {
      trees.push([branch(trees.length % 2, t, mode, 1, 2), leaf(k / 64), leaf(-k / 128)]);
      k++;
    }
  }
  // A deeper tree over both features, and a tree that is one leaf.
  trees.push([branch(0, 0, "leq", 1, 2), branch(1, 0.5, "gt", 3, 4), branch(1, -0.5, "lt", 5, 6), leaf(1), leaf(2), leaf(3), leaf(4)], [leaf(0.5)]);
  return { name: "modes", features: 2, trees, base: [0.125] };
}

describe("tree ensembles: import and integer semantics", () => {
  it("imports a trained gradient-boosted ensemble with onnxruntime's float semantics", async () => {
    const train = appraisalData(300, 1);
    const { trees, base } = trainGbt(train.x, train.y, { trees: 12, depth: 3, rate: 0.2 });
    const bytes = encodeTreeEnsemble({ name: "gbt", features: 6, trees, base: [base] });
    const graph = importOnnx(bytes, "gbt");
    expect(graph.nodes.map((n) => n.op)).toEqual(["trees"]);
    const test = appraisalData(50, 2).x;
    const expected = await onnxruntime(bytes, test);
    test.forEach((x, i) => expect(Math.abs(runFloat(graph, x).at(-1)![0]! - expected[i]![0]!)).toBeLessThan(1e-5));
  });

  it("takes the float path on every int8 input, for every branch mode and threshold", async () => {
    const spec = modeSpec();
    const bytes = encodeTreeEnsemble(spec);
    const graph = importOnnx(bytes, "modes");
    const model = quantizeGraph(graph, { samples: [[1, -1]] });
    expect(model.input.frac).toBe(7);
    const layer = model.layers[0] as QTrees;
    // Thresholds ±5, 127/128 (leq, gt) and -1 (lt, gte) are constant over int8: pruned, never compared.
    expect(layer.cmpFeature.length).toBeLessThan(4 * 7);
    const grid = Array.from({ length: 256 }, (_, q) => [q - 128, 127 - q]);
    const deq = grid.map((q) => q.map((v) => v / 128));
    const expected = await onnxruntime(bytes, deq);
    grid.forEach((q, i) => {
      const out = dequantize(runReference(model, q).output, model.output.frac);
      expect(out[0], `input ${q}`).toBeCloseTo(expected[i]![0]!, 5);
      expect(out[0]).toBe(runFloat(graph, deq[i]!).at(-1)![0]!);
    });
  });

  it("agrees with onnxruntime on held-out data within float32 rounding (leaves at 24 bits)", async () => {
    const train = appraisalData(400, 3);
    const { trees, base } = trainGbt(train.x, train.y, { trees: 30, depth: 4, rate: 0.1 });
    const bytes = encodeTreeEnsemble({ name: "gbt", features: 6, trees, base: [base] });
    const model = quantizeGraph(importOnnx(bytes, "gbt"), { samples: train.x.slice(0, 32) });
    const rows = appraisalData(100, 4).x.map((x) => quantizeInput(model, x));
    const expected = await onnxruntime(
      bytes,
      rows.map((q) => q.map((v) => v / 2 ** model.input.frac)),
    );
    rows.forEach((q, i) => expect(Math.abs(dequantize(runReference(model, q).output, model.output.frac)[0]! - expected[i]![0]!)).toBeLessThan(2e-6));
  });

  it("sums several targets and averages when asked", async () => {
    const spec: TreeEnsembleSpec = {
      name: "two",
      features: 2,
      targets: 2,
      aggregate: "AVERAGE",
      trees: [
        [branch(0, 0.1, "leq", 1, 2), leaf(1, -1), leaf(0.5, 2)],
        [branch(1, -0.3, "gt", 1, 2), leaf(-0.25, 0.75), leaf(3, 0)],
      ],
      base: [0.5, -0.5],
    };
    const bytes = encodeTreeEnsemble(spec);
    const graph = importOnnx(bytes, "two");
    const model = quantizeGraph(graph, { samples: [[1, -1]] });
    const rows = [
      [0.5, 0.5],
      [-0.5, -0.5],
      [0.1, -0.3],
      [0.109375, -0.296875],
    ];
    // 0.1 and -0.3 lie on float32 thresholds (ties take the comparison's side) but off the int8
    // grid: the integer model is held to onnxruntime on the dequantized input it actually reads.
    const expected = await onnxruntime(bytes, rows);
    const grid = rows.map((x) => quantizeInput(model, x));
    const onGrid = await onnxruntime(
      bytes,
      grid.map((q) => q.map((v) => v / 2 ** model.input.frac)),
    );
    rows.forEach((x, i) => {
      expect(Array.from(runFloat(graph, x).at(-1)!), `row ${i}`).toEqual(expected[i]);
      expect(dequantize(runReference(model, grid[i]!).output, model.output.frac), `row ${i} on the grid`).toEqual(onGrid[i]);
    });
    expect(expected[2]).not.toEqual(onGrid[2]);
  });
});

/** The ensemble's ONNX bytes with one attribute list replaced. */
function withAttribute(spec: TreeEnsembleSpec, name: string, change: (a: InstanceType<typeof onnx.AttributeProto>) => void): Uint8Array {
  const model = onnx.ModelProto.decode(encodeTreeEnsemble(spec));
  const a = model.graph!.node![0]!.attribute!.find((x) => x.name === name)!;
  change(a as InstanceType<typeof onnx.AttributeProto>);
  return onnx.ModelProto.encode(model).finish();
}

function refused(bytes: Uint8Array, code: string, ...parts: string[]): void {
  try {
    importOnnx(bytes, "hostile");
  } catch (e) {
    expect(e).toBeInstanceOf(ZkmlError);
    expect((e as ZkmlError).code).toBe(code);
    for (const p of parts) expect((e as Error).message).toContain(p);
    expect((e as Error).message).toContain('node "ensemble" (TreeEnsembleRegressor)');
    return;
  }
  throw new Error(`expected ${code}`);
}

describe("tree ensembles: malformed files", () => {
  const stump = (t: FloatTreeNode[]): TreeEnsembleSpec => ({ name: "h", features: 2, trees: [t] });
  it("refuses a missing child, a cycle, a shared child, a feature out of range", () => {
    refused(encodeTreeEnsemble(stump([branch(0, 0, "leq", 1, 9), leaf(1)])), "BAD_MODEL", "child 9");
    refused(encodeTreeEnsemble(stump([branch(0, 0, "leq", 1, 0), leaf(1)])), "BAD_MODEL", "twice");
    refused(encodeTreeEnsemble(stump([branch(0, 0, "leq", 1, 2), branch(1, 0, "leq", 3, 3), leaf(1), leaf(2)])), "BAD_MODEL", "twice");
    refused(encodeTreeEnsemble(stump([branch(5, 0, "leq", 1, 2), leaf(1), leaf(2)])), "BAD_MODEL", "feature 5");
  });
  it("refuses a tree deeper than 64 levels", () => {
    const chain: FloatTreeNode[] = [];
    for (let d = 0; d < 70; d++) chain.push(branch(0, d / 100, "leq", 2 * d + 1, 2 * d + 2), leaf(d));
    chain.push(leaf(1));
    // Re-index: node 2d is the branch at depth d, its true child a leaf, its false child the next branch.
    const nodes = chain.map((n, i) => ("leaf" in n ? n : branch(0, n.threshold, "leq", i + 1, i + 2)));
    refused(encodeTreeEnsemble(stump(nodes)), "BAD_MODEL", "deeper than 64");
  });
  it("refuses lists of different lengths, leaf entries naming missing nodes, unsupported modes and aggregates", () => {
    const ok = stump([branch(0, 0, "leq", 1, 2), leaf(1), leaf(2)]);
    refused(
      withAttribute(ok, "nodes_values", (a) => (a.floats = [0, 0])),
      "BAD_MODEL",
      "nodes_value has 2 entries",
    );
    refused(
      withAttribute(ok, "target_nodeids", (a) => (a.ints = [1, 7])),
      "BAD_MODEL",
      "node 7 of tree 0",
    );
    refused(
      withAttribute(ok, "target_ids", (a) => (a.ints = [0, 3])),
      "BAD_MODEL",
      "output 3",
    );
    refused(
      withAttribute(ok, "nodes_modes", (a) => (a.strings![0] = new TextEncoder().encode("BRANCH_EQ"))),
      "UNSUPPORTED_OP",
      "BRANCH_EQ",
    );
    refused(
      withAttribute(ok, "aggregate_function", (a) => (a.s = new TextEncoder().encode("MAX"))),
      "UNSUPPORTED_OP",
      "MAX",
    );
  });
});

describe("tree ensembles: TreeEnsembleClassifier", () => {
  const rand = mulberry32(21);
  const C = 3;
  /** A random forest of depth-2 trees over 4 features whose leaves score every class. */
  const forest: FloatTreeNode[][] = Array.from({ length: 6 }, () => {
    const f = () => Math.floor(rand() * 4);
    const t = () => Math.round((rand() * 2 - 1) * 64) / 64;
    const scores = () => leaf(...Array.from({ length: C }, () => rand() * 2 - 1));
    return [branch(f(), t(), "leq", 1, 2), branch(f(), t(), "lt", 3, 4), branch(f(), t(), "gt", 5, 6), scores(), scores(), scores(), scores()];
  });
  for (const postTransform of ["NONE", "SOFTMAX", "LOGISTIC"] as const) {
    it(`post_transform ${postTransform}: the label is the proof's class, the probabilities an output`, async () => {
      const bytes = encodeTreeEnsemble({ name: "forest", features: 4, targets: C, trees: forest, base: [0.1, -0.1, 0], classifier: { postTransform } });
      const graph = importOnnx(bytes, "forest");
      expect(graph.outputs!.map((o) => [o.name, o.transform])).toEqual([
        ["label", "argmax"],
        ["probabilities", undefined],
      ]);
      const samples = Array.from({ length: 48 }, () => Array.from({ length: 4 }, () => Math.round((rand() * 2 - 1) * 128) / 128));
      const model = quantizeGraph(graph, { samples });
      expect(model.output.classPart).toBe(0);
      const session = await ort.InferenceSession.create(bytes);
      let agree = 0;
      for (const x of samples) {
        const r = await session.run({ input: new ort.Tensor("float32", Float32Array.from(x), [1, 4]) });
        const [label, probabilities] = [Number((r.label!.data as BigInt64Array)[0]), Array.from(r.probabilities!.data as Float32Array)];
        const joined = runFloat(graph, x).at(-1)!;
        expect(Array.from(joined.slice(0, C)).indexOf(Math.max(...joined.slice(0, C)))).toBe(label);
        joined.slice(C).forEach((v, i) => expect(Math.abs(v - probabilities[i]!)).toBeLessThan(1e-5));
        const out = runReference(model, quantizeInput(model, x)).output;
        const [scores, probs] = model.output.parts!;
        const q = out.slice(scores!.offset, scores!.offset + C);
        if (q.indexOf(Math.max(...q)) === label) agree++;
        dequantize(out.slice(probs!.offset, probs!.offset + C), probs!.frac).forEach((v, i) => expect(Math.abs(v - probabilities[i]!)).toBeLessThan(0.05));
      }
      expect(agree).toBeGreaterThanOrEqual(44);
    });
  }
});

describe("tree ensembles: hummingbird's GEMM form", () => {
  it("a tree as MatMul, Less, MatMul, Equal, MatMul agrees with onnxruntime exactly on int8-grid inputs", async () => {
    // Depth 2 over 3 features: x0 < 0.25 → (x1 < −0.5 → leaf 0 | leaf 1) | (x2 < 0.125 → leaf 2 | leaf 3).
    const bytes = rawModel({
      inputShape: [1, 3],
      outputShape: [1, 1],
      nodes: [
        { op: "MatMul", inputs: ["input", "A"], outputs: ["t"] },
        { op: "Less", inputs: ["t", "B"], outputs: ["lt"] },
        { op: "Cast", inputs: ["lt"], outputs: ["ltf"], attrs: { to: 1 } },
        { op: "MatMul", inputs: ["ltf", "C"], outputs: ["p"] },
        { op: "Equal", inputs: ["p", "D"], outputs: ["eq"] },
        { op: "Cast", inputs: ["eq"], outputs: ["eqf"], attrs: { to: 1 } },
        { op: "MatMul", inputs: ["eqf", "E"], outputs: ["y"] },
      ],
      initializers: [
        // A: each node's feature; C: +1 / −1 when a leaf lies under the node's true / false side; D: a leaf's count of true sides.
        { name: "A", dims: [3, 3], values: [1, 0, 0, 0, 1, 0, 0, 0, 1] },
        { name: "B", dims: [3], values: [0.25, -0.5, 0.125] },
        { name: "C", dims: [3, 4], values: [1, 1, -1, -1, 1, -1, 0, 0, 0, 0, 1, -1] },
        { name: "D", dims: [4], values: [2, 1, 1, 0] },
        { name: "E", dims: [4, 1], values: [0.5, -0.25, 1.5, -1] },
      ],
    });
    const graph = importOnnx(bytes, "hummingbird");
    const rand = mulberry32(5);
    const samples = Array.from({ length: 96 }, () => [0, 1, 2].map(() => Math.round((rand() * 2 - 1) * 128) / 128));
    const model = quantizeGraph(graph, { samples });
    expect(model.layers.map((l) => l.op)).toEqual(["dense", "table", "dense", "table", "dense"]);
    const session = await ort.InferenceSession.create(bytes);
    for (const x of samples) {
      const expected = ((await session.run({ input: new ort.Tensor("float32", Float32Array.from(x), [1, 3]) })).y!.data as Float32Array)[0]!;
      expect(dequantize(runReference(model, quantizeInput(model, x)).output, model.output.frac)[0], `input ${x}`).toBe(expected);
    }
  });
});

describe("tree ensembles: the binary classifier of gradient-boosting exports", () => {
  it("leaves scoring class 0, LOGISTIC: labels and probabilities as onnxruntime gives them", async () => {
    const train = appraisalData(300, 8);
    // A boosted score for "price above 3.2", leaves scoring class 0 only, as skl2onnx writes a binary GradientBoostingClassifier.
    const { trees, base } = trainGbt(
      train.x,
      train.y.map((y) => (y > 3.2 ? 2 : -2)),
      { trees: 10, depth: 3, rate: 0.3 },
    );
    const bytes = encodeTreeEnsemble({ name: "binary", features: 6, targets: 2, trees, base: [base], classifier: { postTransform: "LOGISTIC" } });
    const graph = importOnnx(bytes, "binary");
    const samples = appraisalData(64, 9).x;
    const model = quantizeGraph(graph, { samples });
    const session = await ort.InferenceSession.create(bytes);
    let [agree, ones] = [0, 0];
    for (const x of samples) {
      const r = await session.run({ input: new ort.Tensor("float32", Float32Array.from(x), [1, 6]) });
      const [label, probabilities] = [Number((r.label!.data as BigInt64Array)[0]), Array.from(r.probabilities!.data as Float32Array)];
      ones += label;
      const joined = runFloat(graph, x).at(-1)!;
      expect(joined[1]! > joined[0]! ? 1 : 0).toBe(label);
      joined.slice(2).forEach((v, i) => expect(Math.abs(v - probabilities[i]!)).toBeLessThan(1e-5));
      const out = runReference(model, quantizeInput(model, x)).output;
      const [scores, probs] = model.output.parts!;
      if ((out[scores!.offset + 1]! > out[scores!.offset]! ? 1 : 0) === label) agree++;
      dequantize(out.slice(probs!.offset, probs!.offset + 2), probs!.frac).forEach((v, i) => expect(Math.abs(v - probabilities[i]!)).toBeLessThan(0.05));
    }
    expect(ones).toBeGreaterThan(5);
    expect(ones).toBeLessThan(59);
    expect(agree).toBeGreaterThanOrEqual(60);
  });
});
