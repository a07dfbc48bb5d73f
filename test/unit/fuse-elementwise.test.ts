/**
 * Elementwise functions written out as several nodes (GELU as Div, Erf, Add, Mul, Mul; SiLU as
 * Sigmoid and Mul; Mish as Softplus, Tanh and Mul) fuse into one exact table (circuits/fuse.ts):
 * the float function is unchanged (onnxruntime), the integer model is at least as close to it as
 * the unfused one, and a chain whose inner value is read elsewhere is left alone.
 */
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { fuseElementwise, fusePolynomials } from "../../circuits/fuse.js";
import { importOnnx } from "../../circuits/onnx/import.js";
import { quantizeGraph } from "../../circuits/quantize.js";
import { runFloat } from "../../core/graph.js";
import { mulberry32 } from "../../core/random.js";
import { dequantize, quantizeInput, runReference } from "../../core/qmodel.js";
import { rawModel, type RawNode } from "../helpers/models.js";

const F = 6;
const rand = mulberry32(31);
const u = (n: number, s: number) => Array.from({ length: n }, () => (rand() * 2 - 1) * s);
const gemm = (name: string, input: string, output: string): RawNode => ({
  op: "Gemm",
  inputs: [input, `${name}.w`, `${name}.b`],
  outputs: [output],
  attrs: { transB: 1 },
});

const FUNCTIONS: Record<string, { nodes: RawNode[]; constants: { name: string; dims: number[]; values: number[] }[] }> = {
  "GELU (erf)": {
    nodes: [
      { op: "Div", inputs: ["h", "sqrt2"], outputs: ["d"] },
      { op: "Erf", inputs: ["d"], outputs: ["e"] },
      { op: "Add", inputs: ["e", "one"], outputs: ["e1"] },
      { op: "Mul", inputs: ["h", "e1"], outputs: ["m"] },
      { op: "Mul", inputs: ["m", "half"], outputs: ["g"] },
    ],
    constants: [
      { name: "sqrt2", dims: [], values: [Math.SQRT2] },
      { name: "one", dims: [], values: [1] },
      { name: "half", dims: [], values: [0.5] },
    ],
  },
  SiLU: {
    nodes: [
      { op: "Sigmoid", inputs: ["h"], outputs: ["s"] },
      { op: "Mul", inputs: ["h", "s"], outputs: ["g"] },
    ],
    constants: [],
  },
  Mish: {
    nodes: [
      { op: "Softplus", inputs: ["h"], outputs: ["sp"] },
      { op: "Tanh", inputs: ["sp"], outputs: ["t"] },
      { op: "Mul", inputs: ["h", "t"], outputs: ["g"] },
    ],
    constants: [],
  },
};

function model(fn: (typeof FUNCTIONS)[string], extraReader = false): Uint8Array {
  const nodes = [gemm("g1", "input", "h"), ...fn.nodes, gemm("g2", "g", extraReader ? "y0" : "y")];
  // An inner value read outside the chain too: it must not be fused away.
  if (extraReader) nodes.push({ op: "Add", inputs: ["y0", fn.nodes[0]!.outputs[0]!], outputs: ["y"] });
  return rawModel({
    inputShape: [1, F],
    outputShape: [1, F],
    nodes,
    initializers: [
      { name: "g1.w", dims: [F, F], values: u(F * F, 1) },
      { name: "g1.b", dims: [F], values: u(F, 0.2) },
      { name: "g2.w", dims: [F, F], values: u(F * F, 0.5) },
      { name: "g2.b", dims: [F], values: u(F, 0.1) },
      ...fn.constants,
    ],
  });
}

describe("fusing elementwise functions written out", () => {
  for (const [name, fn] of Object.entries(FUNCTIONS)) {
    it(`${name} becomes one table with the same float function, no less precise`, async () => {
      const bytes = model(fn);
      const graph = importOnnx(bytes, name);
      const fused = fuseElementwise(fusePolynomials(graph));
      expect(fused.nodes.map((n) => n.op)).toEqual(["dense", "activation", "dense"]);
      const samples = Array.from({ length: 32 }, () => u(F, 1));
      const session = await ort.InferenceSession.create(bytes);
      const [withFusion, without] = [quantizeGraph(graph, { samples }), quantizeGraph(graph, { samples, fuse: false })];
      expect(withFusion.layers.map((l) => l.op)).toEqual(["dense", "table", "dense"]);
      let [errFused, errUnfused] = [0, 0];
      for (const x of samples) {
        const expected = (await session.run({ input: new ort.Tensor("float32", Float32Array.from(x), [1, F]) })).y!.data as Float32Array;
        runFloat(fused, x)
          .at(-1)!
          .forEach((v, i) => expect(Math.abs(v - expected[i]!)).toBeLessThan(1e-5));
        const err = (m: typeof without) =>
          dequantize(runReference(m, quantizeInput(m, x)).output, m.output.frac).reduce((s, v, i) => s + Math.abs(v - expected[i]!), 0);
        errFused += err(withFusion);
        errUnfused += err(without);
      }
      expect(errFused).toBeLessThanOrEqual(errUnfused);
    });
  }

  it("leaves a chain alone when one of its inner values is read outside it", () => {
    const graph = importOnnx(model(FUNCTIONS.SiLU!, true), "silu-shared");
    expect(fuseElementwise(graph).nodes.map((n) => n.op)).toEqual(graph.nodes.map((n) => n.op));
  });
});
