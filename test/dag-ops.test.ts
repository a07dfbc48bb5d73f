/**
 * Graphs with branches: a residual Add, a polynomial activation x·x + x, Pow, Sub of two
 * activations, a layer whose output is read twice (so its ReLU must not be fused), and Concat
 * of branches at different scales (the finer ones rescaled), MatMul of two activations. Same
 * three checks as the CNN ops: float import == onnxruntime, circuit == reference at every
 * layer, forged outputs (and a forged product) rejected.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateCircom } from "../circuits/codegen.js";
import { floatOutputs, layerFidelity } from "../circuits/fidelity.js";
import { importOnnx } from "../circuits/onnx/import.js";
import { quantizeGraph } from "../circuits/quantize.js";
import { releaseCurves } from "../core/curve.js";
import { toField } from "../core/field.js";
import { runFloat } from "../core/graph.js";
import { inputValues } from "../core/input.js";
import { layerOutSize } from "../core/ops/index.js";
import { NO_CLASS, quantizeInput, runReference, type QModel } from "../core/qmodel.js";
import { TestCircuit } from "./helpers/circuit.js";
import { mulberry32, rawModel, type RawNode } from "./helpers/models.js";

afterAll(releaseCurves);

const F = 6;
function gemm(name: string, input: string, output: string, _outF: number, _inF: number): RawNode {
  return { op: "Gemm", inputs: [input, `${name}.w`, `${name}.b`], outputs: [output], attrs: { transB: 1 }, name };
}

const CASES: {
  name: string;
  nodes: RawNode[];
  gemms: [string, number, number][];
  layers: string[];
  extra?: { name: string; dims: number[]; values: number[]; dataType?: number }[];
  extraInputs?: { name: string; shape: number[] }[];
  opset?: number;
}[] = [
  {
    name: "two graph inputs: y = W3 relu(W1 a + W2 b)",
    nodes: [
      gemm("g1", "input", "ta", F, F),
      gemm("g2", "b", "tb", F, F),
      { op: "Add", inputs: ["ta", "tb"], outputs: ["s"] },
      { op: "Relu", inputs: ["s"], outputs: ["r"] },
      gemm("g3", "r", "y", 3, F),
    ],
    gemms: [
      ["g1", F, F],
      ["g2", F, F],
      ["g3", 3, F],
    ],
    layers: ["select", "select", "dense", "dense", "binary", "dense"],
    extraInputs: [{ name: "b", shape: [1, F] }],
  },
  {
    name: "residual: h = relu(W1 x); y = W3 (W2 h + h)",
    nodes: [
      gemm("g1", "input", "t1", F, F),
      { op: "Relu", inputs: ["t1"], outputs: ["h"] },
      gemm("g2", "h", "t2", F, F),
      { op: "Add", inputs: ["t2", "h"], outputs: ["r"] },
      gemm("g3", "r", "y", 3, F),
    ],
    gemms: [
      ["g1", F, F],
      ["g2", F, F],
      ["g3", 3, F],
    ],
    layers: ["dense", "dense", "binary", "dense"],
  },
  {
    name: "polynomial activation: y = W2 (t·t + t), t = W1 x",
    nodes: [
      gemm("g1", "input", "t", F, F),
      { op: "Mul", inputs: ["t", "t"], outputs: ["sq"] },
      { op: "Add", inputs: ["sq", "t"], outputs: ["p"] },
      gemm("g2", "p", "y", 3, F),
    ],
    gemms: [
      ["g1", F, F],
      ["g2", 3, F],
    ],
    // Fused (circuits/fuse.ts): one product and one requantization per value.
    layers: ["dense", "poly", "dense"],
  },
  {
    name: "Pow 2 and 3, Sub of activations, a linear output read twice (ReLU not fused)",
    nodes: [
      gemm("g1", "input", "t", F, F),
      { op: "Relu", inputs: ["t"], outputs: ["rt"] },
      { op: "Sub", inputs: ["t", "rt"], outputs: ["neg"] },
      { op: "Pow", inputs: ["neg", "two"], outputs: ["sq"] },
      { op: "Pow", inputs: ["rt", "three"], outputs: ["cube"] },
      { op: "Add", inputs: ["sq", "cube"], outputs: ["y"] },
    ],
    gemms: [["g1", F, F]],
    // Each square is a poly; the cube is square·x, a binary Mul (degree 3 is no poly).
    layers: ["dense", "relu", "binary", "poly", "poly", "binary", "binary"],
    extra: [
      { name: "two", dims: [], values: [2] },
      { name: "three", dims: [], values: [3] },
    ],
  },
  {
    name: "Concat of branches at different scales, inner axis then outer: y = W2 [[relu(W1 x) | 4x] on axis 2 | x]",
    nodes: [
      gemm("g1", "input", "t", F, F),
      { op: "Relu", inputs: ["t"], outputs: ["a"] },
      { op: "Mul", inputs: ["input", "four"], outputs: ["s"] },
      { op: "Reshape", inputs: ["a", "shape3"], outputs: ["a3"] },
      { op: "Reshape", inputs: ["s", "shape3"], outputs: ["s3"] },
      { op: "Concat", inputs: ["a3", "s3"], outputs: ["c"], attrs: { axis: 2 } },
      { op: "Flatten", inputs: ["c"], outputs: ["f"] },
      { op: "Concat", inputs: ["f", "input"], outputs: ["c2"], attrs: { axis: 1 } },
      gemm("g2", "c2", "y", 3, 3 * F),
    ],
    gemms: [
      ["g1", F, F],
      ["g2", 3, 3 * F],
    ],
    layers: ["dense", "table", "rescale", "concat", "rescale", "concat", "dense"],
    // 4x (a table, ±4 at 2^-5) is coarser than relu(W1 x) and x: both get rescaled to it.
    extra: [
      { name: "shape3", dims: [3], values: [1, 2, 3], dataType: 7 },
      { name: "four", dims: [], values: [4] },
    ],
  },
  {
    name: "MatMul of two activations, batch broadcast: relu([2,1,3] × [1,3,2]) → W3",
    nodes: [
      gemm("g1", "input", "q", F, F),
      gemm("g2", "input", "k", F, F),
      { op: "Reshape", inputs: ["q", "shapeQ"], outputs: ["q3"] },
      { op: "Reshape", inputs: ["k", "shapeK"], outputs: ["k3"] },
      { op: "MatMul", inputs: ["q3", "k3"], outputs: ["att"] },
      { op: "Relu", inputs: ["att"], outputs: ["r"] },
      { op: "Reshape", inputs: ["r", "shapeFlat"], outputs: ["f"] },
      gemm("g3", "f", "y", 3, 4),
    ],
    gemms: [
      ["g1", F, F],
      ["g2", F, F],
      ["g3", 3, 4],
    ],
    layers: ["dense", "dense", "matmul", "dense"],
    extra: [
      { name: "shapeQ", dims: [3], values: [2, 1, 3], dataType: 7 },
      { name: "shapeK", dims: [3], values: [1, 3, 2], dataType: 7 },
      { name: "shapeFlat", dims: [2], values: [1, 4], dataType: 7 },
    ],
  },
  {
    name: "a sequence: relu([2,3] × W + b) with a constant token concatenated → W3",
    nodes: [
      { op: "Reshape", inputs: ["input", "shapeSeq"], outputs: ["seq"] },
      { op: "MatMul", inputs: ["seq", "W"], outputs: ["proj"] },
      { op: "Add", inputs: ["proj", "bias"], outputs: ["biased"] },
      { op: "Relu", inputs: ["biased"], outputs: ["h"] },
      { op: "Concat", inputs: ["token", "h"], outputs: ["tokens"], attrs: { axis: 0 } },
      { op: "Reshape", inputs: ["tokens", "shapeFlat"], outputs: ["f"] },
      gemm("g3", "f", "y", 3, 12),
    ],
    gemms: [["g3", 3, 12]],
    // The bias folds per column into the rows' dense layer, the ReLU into its requantization.
    layers: ["dense", "concat", "dense"],
    extra: [
      { name: "shapeSeq", dims: [2], values: [2, 3], dataType: 7 },
      { name: "shapeFlat", dims: [2], values: [1, 12], dataType: 7 },
      { name: "W", dims: [3, 4], values: [0.5, -0.3, 0.2, 0.8, -0.6, 0.4, 0.1, -0.2, 0.3, 0.7, -0.5, 0.25] },
      { name: "bias", dims: [4], values: [0.1, -0.2, 0.05, 0.3] },
      { name: "token", dims: [1, 4], values: [0.5, -0.25, 0.75, -1] },
    ],
  },
  {
    // Reductions over either axis of a [2, 3] view: max and min of the rows, the mean of the
    // columns, a sum kept for the next layer, and log Σ exp of the rows in its stable form.
    name: "reductions: [max, min of rows | mean of columns | Σ all | logsumexp of rows] of a [2,3] view → W3",
    nodes: [
      gemm("g1", "input", "t", F, F),
      { op: "Reshape", inputs: ["t", "shapeSeq"], outputs: ["v"] },
      { op: "ReduceMax", inputs: ["v"], outputs: ["mx"], attrs: { axes: [1], keepdims: 0 } },
      { op: "ReduceMin", inputs: ["v"], outputs: ["mn"], attrs: { axes: [-1], keepdims: 0 } },
      { op: "ReduceMean", inputs: ["v"], outputs: ["me"], attrs: { axes: [0], keepdims: 0 } },
      { op: "ReduceSum", inputs: ["v"], outputs: ["sm"], attrs: { keepdims: 0 } },
      { op: "Unsqueeze", inputs: ["sm", "zero"], outputs: ["sm1"] },
      { op: "ReduceLogSumExp", inputs: ["v"], outputs: ["lse"], attrs: { axes: [1], keepdims: 0 } },
      { op: "Concat", inputs: ["mx", "mn", "me", "sm1", "lse"], outputs: ["all"], attrs: { axis: 0 } },
      { op: "Reshape", inputs: ["all", "shapeFlat"], outputs: ["f"] },
      gemm("g3", "f", "y", 3, 10),
    ],
    gemms: [
      ["g1", F, F],
      ["g3", 3, 10],
    ],
    layers: [
      "dense",
      "reduce",
      "reduce",
      "reduce",
      "reduce",
      "reduce",
      "select",
      "binary",
      "table",
      "reduce",
      "table",
      "binary",
      "rescale",
      "rescale",
      "rescale",
      "concat",
      "dense",
    ],
    extra: [
      { name: "shapeSeq", dims: [2], values: [2, 3], dataType: 7 },
      { name: "shapeFlat", dims: [2], values: [1, 10], dataType: 7 },
      { name: "zero", dims: [1], values: [0], dataType: 7 },
    ],
  },
  {
    // Attention's normalisation inside a graph: a softmax over each row of a [2, 3] view, read by a dense layer.
    name: "softmax of each row of a [2,3] view, inside the graph → W3",
    nodes: [
      gemm("g1", "input", "t", F, F),
      { op: "Reshape", inputs: ["t", "shapeSeq"], outputs: ["v"] },
      { op: "Softmax", inputs: ["v"], outputs: ["p"], attrs: { axis: 1 } },
      { op: "Reshape", inputs: ["p", "shapeFlat"], outputs: ["f"] },
      gemm("g3", "f", "y", 3, 6),
    ],
    gemms: [
      ["g1", F, F],
      ["g3", 3, 6],
    ],
    layers: ["dense", "softmax", "dense"],
    extra: [
      { name: "shapeSeq", dims: [2], values: [2, 3], dataType: 7 },
      { name: "shapeFlat", dims: [2], values: [1, 6], dataType: 7 },
    ],
  },
  {
    // A transformer block's normalisation: LayerNormalization of each row of a [2, 3] view (γ, β per feature).
    name: "LayerNormalization of each row of a [2,3] view (γ, β) → W3",
    nodes: [
      gemm("g1", "input", "t", F, F),
      { op: "Reshape", inputs: ["t", "shapeSeq"], outputs: ["v"] },
      { op: "LayerNormalization", inputs: ["v", "gamma", "beta"], outputs: ["ln"], attrs: { axis: -1 } },
      { op: "Reshape", inputs: ["ln", "shapeFlat"], outputs: ["f"] },
      gemm("g3", "f", "y", 3, 6),
    ],
    gemms: [
      ["g1", F, F],
      ["g3", 3, 6],
    ],
    layers: ["dense", "norm", "dense"],
    extra: [
      { name: "shapeSeq", dims: [2], values: [2, 3], dataType: 7 },
      { name: "shapeFlat", dims: [2], values: [1, 6], dataType: 7 },
      { name: "gamma", dims: [3], values: [1.5, -0.5, 0.75] },
      { name: "beta", dims: [3], values: [0.1, 0, -0.25] },
    ],
    opset: 17,
  },
  {
    // A normalisation written out as opset-13 exporters do: (x − mean) / √(mean((x − mean)²) + ε), a Div of two activations.
    name: "a LayerNorm written out: (v − mean) / sqrt(var + eps) over rows of a [2,3] view → W3",
    nodes: [
      gemm("g1", "input", "t", F, F),
      { op: "Reshape", inputs: ["t", "shapeSeq"], outputs: ["v"] },
      { op: "ReduceMean", inputs: ["v"], outputs: ["m"], attrs: { axes: [-1], keepdims: 1 } },
      { op: "Sub", inputs: ["v", "m"], outputs: ["c"] },
      { op: "Mul", inputs: ["c", "c"], outputs: ["c2"] },
      { op: "ReduceMean", inputs: ["c2"], outputs: ["var"], attrs: { axes: [-1], keepdims: 1 } },
      { op: "Add", inputs: ["var", "eps"], outputs: ["ve"] },
      { op: "Sqrt", inputs: ["ve"], outputs: ["sd"] },
      { op: "Div", inputs: ["c", "sd"], outputs: ["n"] },
      { op: "Reshape", inputs: ["n", "shapeFlat"], outputs: ["f"] },
      gemm("g3", "f", "y", 3, 6),
    ],
    gemms: [
      ["g1", F, F],
      ["g3", 3, 6],
    ],
    layers: ["dense", "reduce", "select", "binary", "poly", "reduce", "table", "table", "select", "divide", "dense"],
    extra: [
      { name: "shapeSeq", dims: [2], values: [2, 3], dataType: 7 },
      { name: "shapeFlat", dims: [2], values: [1, 6], dataType: 7 },
      { name: "eps", dims: [], values: [1e-3] },
    ],
  },
  {
    // Upsampling: a bilinear Resize ×2 of a [1, 2, 1, 3] view (a dense layer per channel, free) and a nearest one (a select).
    name: "Resize ×2, linear (half_pixel) then nearest, of a [1,2,1,3] view → W3",
    nodes: [
      gemm("g1", "input", "t", F, F),
      { op: "Reshape", inputs: ["t", "shape4"], outputs: ["v"] },
      { op: "Resize", inputs: ["v", "", "scales"], outputs: ["up"], attrs: { mode: "linear" } },
      { op: "Resize", inputs: ["up", "", "scales"], outputs: ["up2"], attrs: { mode: "nearest" } },
      { op: "Flatten", inputs: ["up2"], outputs: ["f"], attrs: { axis: 1 } },
      gemm("g3", "f", "y", 3, 96),
    ],
    gemms: [
      ["g1", F, F],
      ["g3", 3, 96],
    ],
    layers: ["dense", "dense", "select", "dense"],
    extra: [
      { name: "shape4", dims: [4], values: [1, 2, 1, 3], dataType: 7 },
      { name: "scales", dims: [4], values: [1, 1, 2, 2] },
    ],
  },
  {
    // Upsampling by a learned kernel: ConvTranspose stride 2, kernel 2×2, 2 → 2 channels (a spread select, then a conv).
    name: "ConvTranspose stride 2 of a [1,2,1,3] view → W3",
    nodes: [
      gemm("g1", "input", "t", F, F),
      { op: "Reshape", inputs: ["t", "shape4"], outputs: ["v"] },
      { op: "ConvTranspose", inputs: ["v", "kt", "kb"], outputs: ["up"], attrs: { strides: [2, 2], kernel_shape: [2, 2] } },
      { op: "Flatten", inputs: ["up"], outputs: ["f"], attrs: { axis: 1 } },
      gemm("g3", "f", "y", 3, 24),
    ],
    gemms: [
      ["g1", F, F],
      ["g3", 3, 24],
    ],
    layers: ["dense", "select", "conv", "dense"],
    extra: [
      { name: "shape4", dims: [4], values: [1, 2, 1, 3], dataType: 7 },
      { name: "kt", dims: [2, 2, 2, 2], values: [0.5, -0.25, 0.75, 0.1, -0.6, 0.3, 0.2, -0.4, 0.35, 0.15, -0.7, 0.45, 0.05, -0.55, 0.65, -0.2] },
      { name: "kb", dims: [2], values: [0.1, -0.05] },
    ],
  },
  {
    // Indices inside a graph: the argmax of each row and the last argmin of each column of a [2, 3] view, read as numbers.
    name: "ArgMax of rows and ArgMin (last index) of columns of a [2,3] view, cast and read → W3",
    nodes: [
      gemm("g1", "input", "t", F, F),
      { op: "Reshape", inputs: ["t", "shapeSeq"], outputs: ["v"] },
      { op: "ArgMax", inputs: ["v"], outputs: ["am"], attrs: { axis: 1, keepdims: 0 } },
      { op: "ArgMin", inputs: ["v"], outputs: ["an"], attrs: { axis: 0, keepdims: 0, select_last_index: 1 } },
      { op: "Concat", inputs: ["am", "an"], outputs: ["idx"], attrs: { axis: 0 } },
      { op: "Cast", inputs: ["idx"], outputs: ["f0"], attrs: { to: 1 } },
      { op: "Reshape", inputs: ["f0", "shapeFlat"], outputs: ["f"] },
      gemm("g3", "f", "y", 3, 5),
    ],
    gemms: [
      ["g1", F, F],
      ["g3", 3, 5],
    ],
    layers: ["dense", "argmax", "argmax", "concat", "dense"],
    extra: [
      { name: "shapeSeq", dims: [2], values: [2, 3], dataType: 7 },
      { name: "shapeFlat", dims: [2], values: [1, 5], dataType: 7 },
    ],
  },
  {
    // Comparisons and Where between activations: min(t, u) as Where(t < u, t, u), a mask over both, equality cast to a number.
    name: "min(t, u) by Where(Less(t, u)), Equal(t, u) cast, a constant-mask Where of two activations → W3",
    nodes: [
      gemm("g1", "input", "t", 3, F),
      gemm("g2", "input", "u", 3, F),
      { op: "Less", inputs: ["t", "u"], outputs: ["lt"] },
      { op: "Where", inputs: ["lt", "t", "u"], outputs: ["m"] },
      { op: "Equal", inputs: ["t", "u"], outputs: ["eq"] },
      { op: "Cast", inputs: ["eq"], outputs: ["eqf"], attrs: { to: 1 } },
      { op: "Where", inputs: ["mask", "t", "u"], outputs: ["w"] },
      { op: "Concat", inputs: ["m", "w"], outputs: ["mw"], attrs: { axis: 1 } },
      { op: "Add", inputs: ["eqf", "u"], outputs: ["e2"] },
      { op: "Concat", inputs: ["mw", "e2"], outputs: ["f"], attrs: { axis: 1 } },
      gemm("g3", "f", "y", 3, 9),
    ],
    gemms: [
      ["g1", 3, F],
      ["g2", 3, F],
      ["g3", 3, 9],
    ],
    layers: ["dense", "dense", "compare", "binary", "binary", "binary", "compare", "concat", "select", "concat", "binary", "concat", "dense"],
    extra: [{ name: "mask", dims: [1, 3], values: [1, 0, 1], dataType: 9 }],
  },
];

/** Layers that are var arrays in the circuit (free rearrangements), with no signals of their own. */
const isFree = (op: string) => op === "select" || op === "concat";

for (const [ci, cs] of CASES.entries()) {
  describe(`graph with branches: ${cs.name}`, () => {
    const rand = mulberry32(300 + ci);
    const u = (n: number, s: number) => Array.from({ length: n }, () => (rand() * 2 - 1) * s);
    const initializers = [
      ...cs.gemms.flatMap(([name, outF, inF]) => [
        { name: `${name}.w`, dims: [outF, inF], values: u(outF * inF, 1 / Math.sqrt(inF)) },
        { name: `${name}.b`, dims: [outF], values: u(outF, 0.1) },
      ]),
      ...(cs.extra ?? []),
    ];
    const bytes = rawModel({
      inputShape: [1, F],
      outputShape: [1, cs.gemms.at(-1)![0] === "g1" ? F : 3],
      nodes: cs.nodes,
      initializers,
      extraInputs: cs.extraInputs,
      ...(cs.opset && { opset: cs.opset }),
    });
    const inSize = F * (1 + (cs.extraInputs?.length ?? 0));
    const graph = importOnnx(bytes, `dag${ci}`);
    const samples = Array.from({ length: 24 }, () => u(inSize, 1));
    const model: QModel = quantizeGraph(graph, { samples });
    let c: TestCircuit;
    beforeAll(async () => {
      c = await TestCircuit.compile(generateCircom(model).split("\n").slice(1).join("\n"), "O1");
    });

    it("imports as the intended layers, with onnxruntime's float semantics", async () => {
      expect(model.layers.map((l) => l.op)).toEqual(cs.layers);
      const ort = await floatOutputs(bytes, model, samples.slice(0, 8));
      samples.slice(0, 8).forEach((s, i) =>
        runFloat(graph, s)
          .at(-1)!
          .forEach((v, j) => expect(Math.abs(v - ort[i]![j]!)).toBeLessThan(1e-4)),
      );
    });

    if (cs.layers.includes("rescale")) {
      it("reports fidelity for every graph node, not for the rescales zkml added", () => {
        const report = layerFidelity(model, graph, samples.slice(0, 4));
        expect(report.map((l) => l.op)).toEqual(cs.layers.filter((op) => op !== "rescale"));
        for (const l of report) expect(l.maxAbsError).toBeLessThan(0.1);
      });
    }

    it("circuit == reference interpreter, every layer", async () => {
      const inputs = [Array(inSize).fill(127), Array(inSize).fill(-128), ...samples.slice(0, 8).map((s) => quantizeInput(model, s))];
      for (const q of inputs) {
        const w = await c.witness({ x: q.map((v) => toField(v)), ctx: 9n, blinding: 11n });
        expect(await c.check(w)).toBe(true);
        const ref = runReference(model, q);
        ref.layers.forEach((values, li) => {
          if (!isFree(model.layers[li]!.op)) values.forEach((v, j) => expect(c.getSigned(w, `a${li}[${j}]`), `layer ${li} [${j}]`).toBe(BigInt(v)));
        });
      }
    });

    it("rejects forged outputs and a forged product", async () => {
      const w = await c.witness({ x: quantizeInput(model, samples[0]!).map((v) => toField(v)), ctx: 9n, blinding: 11n });
      for (const li of model.layers.keys()) {
        if (isFree(model.layers[li]!.op)) continue; // a free rearrangement: no signal of its own
        const at = `a${li}[${Math.min(1, layerOutSize(model.layers[li]!) - 1)}]`;
        const v = c.getSigned(w, at);
        expect(await c.check(c.forge(w, { [at]: v === 127n ? 126n : v + 1n })), `layer ${li}`).toBe(false);
      }
      const mul = model.layers.findIndex((l) => (l.op === "binary" && l.fn === "mul") || l.op === "matmul");
      if (mul >= 0) expect(await c.check(c.forge(w, { [`prod${mul}[0]`]: c.getSigned(w, `prod${mul}[0]`) + 1n }))).toBe(false);
      const poly = model.layers.findIndex((l) => l.op === "poly");
      if (poly >= 0) expect(await c.check(c.forge(w, { [`sq${poly}[0]`]: c.getSigned(w, `sq${poly}[0]`) + 1n }))).toBe(false);
    });
  });
}

describe("several graph inputs with different ranges", () => {
  it("gives each its own scale, so a ±0.1 input is not crushed by a ±10 one", async () => {
    const rand = mulberry32(77);
    const u = (n: number, s: number) => Array.from({ length: n }, () => (rand() * 2 - 1) * s);
    const bytes = rawModel({
      inputShape: [1, F],
      outputShape: [1, 3],
      extraInputs: [{ name: "b", shape: [1, F] }],
      nodes: [gemm("g1", "input", "ta", 3, F), gemm("g2", "b", "tb", 3, F), { op: "Add", inputs: ["ta", "tb"], outputs: ["y"] }],
      initializers: [
        { name: "g1.w", dims: [3, F], values: u(3 * F, 0.05) },
        { name: "g1.b", dims: [3], values: u(3, 0.1) },
        { name: "g2.w", dims: [3, F], values: u(3 * F, 5) },
        { name: "g2.b", dims: [3], values: u(3, 0.1) },
      ],
    });
    const samples = Array.from({ length: 32 }, () => [...u(F, 10), ...u(F, 0.1)]);
    const model = quantizeGraph(importOnnx(bytes, "two-ranges"), { samples });
    expect(model.input.parts!.map((p) => p.frac)).toEqual([3, 10]);
    const q = quantizeInput(model, samples[0]!);
    expect(Math.max(...q.slice(F).map(Math.abs))).toBeGreaterThan(40); // b uses int8's range
    const ort = await floatOutputs(bytes, model, samples);
    samples.forEach((s, i) => {
      const out = runReference(model, quantizeInput(model, s)).output.map((v) => v * 2 ** -model.output.frac);
      // b's branch alone spans ±3: at one shared scale (2^-3) its inputs would round to 0.
      out.forEach((v, j) => expect(Math.abs(v - ort[i]![j]!), `sample ${i} [${j}]`).toBeLessThan(0.1));
    });
  });
});

describe("several graph inputs in an input file", () => {
  it('reads {"input_data": [[a…], [b…]]} as the concatenation, in graph order', () => {
    expect(
      inputValues(
        {
          input_data: [
            [1, 2],
            [[3], [4]],
          ],
        },
        "f.json",
      ),
    ).toEqual([1, 2, 3, 4]);
  });
});

describe("a large output (300 values)", () => {
  it("is committed, not classified: class byte NO_CLASS (255, never an argmax of a class output), the values revealed with the proof and checked against the commitment", async () => {
    const { compileModel, setupModel, InferenceProver, verifyProofFile } = await import("../src/index.js");
    const { mkdtemp, writeFile } = await import("node:fs/promises");
    const os = await import("node:os");
    const path = await import("node:path");
    const rand = mulberry32(11);
    const u = (n: number, s: number) => Array.from({ length: n }, () => (rand() * 2 - 1) * s);
    const dir = await mkdtemp(path.join(os.tmpdir(), "zkml-wide-"));
    const onnxFile = path.join(dir, "wide.onnx");
    await writeFile(
      onnxFile,
      rawModel({
        inputShape: [1, 4],
        outputShape: [1, 300],
        nodes: [gemm("g", "input", "y", 300, 4)],
        initializers: [
          { name: "g.w", dims: [300, 4], values: u(1200, 0.5) },
          { name: "g.b", dims: [300], values: u(300, 0.1) },
        ],
      }),
    );
    const out = path.join(dir, "build");
    const c = await compileModel(onnxFile, { outDir: out });
    expect(c.info.layout.outputSize).toBe(300);
    await setupModel(out);
    const prover = await InferenceProver.open(out);
    const { proof } = await prover.prove([0.5, -0.25, 0.75, -1], { value: 3n });
    expect(proof.output.values).toHaveLength(300);
    expect(proof.output.class).toBe(NO_CLASS);
    expect(NO_CLASS).toBe(255);
    expect(BigInt(proof.publicSignals[1]!)).toBe(3n * 256n + 255n);
    expect((await verifyProofFile(out, proof)).valid).toBe(true);
    const tampered = { ...proof, output: { ...proof.output, values: proof.output.values.map((v, i) => (i === 299 ? v + 1 : v)) } };
    expect((await verifyProofFile(out, tampered)).valid).toBe(false);
  }, 120_000);
});

describe("a graph that ends in ArgMax", () => {
  it("proves the values before it; their argmax (the proof's class) matches onnxruntime's ArgMax output", async () => {
    const rand = mulberry32(12);
    const u = (n: number, s: number) => Array.from({ length: n }, () => (rand() * 2 - 1) * s);
    const bytes = rawModel({
      inputShape: [1, F],
      outputShape: [1, 1],
      outputElemType: 7,
      nodes: [gemm("g", "input", "logits", 5, F), { op: "ArgMax", inputs: ["logits"], outputs: ["y"], attrs: { axis: 1, keepdims: 1 } }],
      initializers: [
        { name: "g.w", dims: [5, F], values: u(5 * F, 0.5) },
        { name: "g.b", dims: [5], values: u(5, 0.1) },
      ],
    });
    const graph = importOnnx(bytes, "argmax");
    expect(graph.outputTransform).toBe("argmax");
    const samples = Array.from({ length: 16 }, () => u(F, 1));
    const model = quantizeGraph(graph, { samples });
    expect(model.output.transform).toBe("argmax");
    const ort = await floatOutputs(bytes, model, samples);
    let agree = 0;
    samples.forEach((s, i) => {
      expect(ort[i]).toHaveLength(1);
      if (runReference(model, quantizeInput(model, s)).argmax === ort[i]![0]) agree++;
    });
    expect(agree).toBeGreaterThanOrEqual(14);
  });
});
