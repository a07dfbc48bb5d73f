/**
 * Every CNN op and elementwise table, end to end on small random models written with zkml's
 * sequential writer: (1) the import's float semantics equal onnxruntime's, (2) the generated
 * circuit equals the integer reference interpreter bit for bit, layer by layer, on random and
 * extreme inputs, (3) a forged layer output is rejected.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateCircom } from "../circuits/codegen.js";
import { floatOutputs } from "../circuits/fidelity.js";
import { importOnnx } from "../circuits/onnx/import.js";
import { encodeSequential, sequentialShapes, type SequentialLayer, type SequentialSpec } from "../circuits/onnx/write_sequential.js";
import { quantizeGraph } from "../circuits/quantize.js";
import { runFloat } from "../core/graph.js";
import { sizeOf } from "../core/ir.js";
import { toField } from "../core/field.js";
import { releaseCurves } from "../core/curve.js";
import { quantizeInput, runReference, type QModel } from "../core/qmodel.js";
import { TestCircuit } from "./helpers/circuit.js";
import { mulberry32 } from "./helpers/models.js";

afterAll(releaseCurves);

type LayerSketch =
  | { kind: "conv"; outChannels: number; kernel: number; stride?: number; pad?: number; group?: number }
  | { kind: "dense"; outFeatures: number }
  | Exclude<SequentialLayer, { kind: "conv" | "dense" | "prelu" | "batchnorm" }>
  | { kind: "prelu" }
  | { kind: "batchnorm" };

/** Random weights for a sketch: what a trained model's scale would roughly look like. */
function randomSpec(name: string, inputShape: number[], sketch: LayerSketch[], seed: number): SequentialSpec {
  const rand = mulberry32(seed);
  const u = (n: number, s: number) => Array.from({ length: n }, () => (rand() * 2 - 1) * s);
  const layers: SequentialLayer[] = [];
  let shape = inputShape;
  for (const l of sketch) {
    if (l.kind === "conv") {
      const fanIn = (shape[0]! / (l.group ?? 1)) * l.kernel * l.kernel;
      layers.push({ ...l, weight: u(l.outChannels * fanIn, 1 / Math.sqrt(fanIn)), bias: u(l.outChannels, 0.1) });
    } else if (l.kind === "dense") {
      const inF = sizeOf(shape);
      layers.push({ ...l, weight: u(l.outFeatures * inF, 1 / Math.sqrt(inF)), bias: u(l.outFeatures, 0.1) });
    } else if (l.kind === "prelu") {
      layers.push({ kind: "prelu", slope: u(shape[0]!, 0.5) });
    } else if (l.kind === "batchnorm") {
      const C = shape[0]!;
      layers.push({ kind: "batchnorm", scale: u(C, 1).map((v) => v + 1.5), bias: u(C, 0.2), mean: u(C, 0.2), variance: u(C, 0.5).map((v) => v + 0.6) });
    } else {
      layers.push(l);
    }
    shape = sequentialShapes({ name, inputShape, layers }).at(-1)!;
  }
  return { name, inputShape, layers };
}

const CASES: { name: string; input: number[]; sketch: LayerSketch[]; ops?: string[] }[] = [
  {
    name: "conv3x3-pad-relu-maxpool-dense",
    input: [2, 6, 6],
    sketch: [
      { kind: "conv", outChannels: 3, kernel: 3, pad: 1 },
      { kind: "activation", op: "Relu" },
      { kind: "maxpool", kernel: 2 },
      { kind: "flatten" },
      { kind: "dense", outFeatures: 4 },
    ],
  },
  {
    name: "depthwise-stride2-avgpool3-excludepad-sigmoid",
    input: [2, 7, 7],
    sketch: [
      { kind: "conv", outChannels: 2, kernel: 3, stride: 2, group: 2 },
      { kind: "avgpool", kernel: 3, stride: 1, pad: 1, countIncludePad: false },
      { kind: "activation", op: "Sigmoid" },
    ],
  },
  {
    name: "batchnorm-tanh-globalavgpool",
    input: [3, 4, 4],
    sketch: [{ kind: "batchnorm" }, { kind: "activation", op: "Tanh" }, { kind: "globalavgpool" }],
  },
  {
    name: "conv-batchnorm-leakyrelu-avgpool-includepad-prelu-dense",
    input: [1, 5, 5],
    sketch: [
      { kind: "conv", outChannels: 2, kernel: 2 },
      { kind: "batchnorm" },
      { kind: "activation", op: "LeakyRelu", alpha: 0.1 },
      { kind: "avgpool", kernel: 2, stride: 2, pad: 1, countIncludePad: true },
      { kind: "prelu" },
      { kind: "flatten" },
      { kind: "dense", outFeatures: 3 },
    ],
  },
  {
    name: "maxpool-padded-clip-hardsigmoid",
    input: [2, 3, 3],
    sketch: [
      { kind: "maxpool", kernel: 3, stride: 2, pad: 1 },
      { kind: "clip", min: -0.25, max: 0.5 },
      { kind: "activation", op: "HardSigmoid", alpha: 0.5 },
    ],
  },
  {
    // Abs is a layer kind of its own (core/ops/abs.ts, AbsInt8): -128 saturates to 127.
    name: "conv-abs-dense",
    input: [1, 4, 4],
    sketch: [{ kind: "conv", outChannels: 2, kernel: 2 }, { kind: "activation", op: "Abs" }, { kind: "flatten" }, { kind: "dense", outFeatures: 3 }],
  },
  {
    // x·x + x fused (core/ops/poly.ts) and kept exact for the 2x2 average, which sums it and
    // requantizes once (core/ops/sumpool.ts).
    name: "conv-square-avgpool-dense",
    input: [1, 6, 6],
    sketch: [
      { kind: "conv", outChannels: 2, kernel: 3 },
      { kind: "polynomial", a: 1, b: 1, c: 0 },
      { kind: "avgpool", kernel: 2 },
      { kind: "flatten" },
      { kind: "dense", outFeatures: 3 },
    ],
    ops: ["conv", "poly", "sumpool", "dense"],
  },
  {
    // A conv with no ReLU keeps its exact accumulator for a 2x2 average (padded, count_include_pad:
    // every divisor 4), which sums it and requantizes once: no requantization before the pool.
    name: "conv-exact-avgpool2-includepad-dense",
    input: [1, 5, 5],
    sketch: [
      { kind: "conv", outChannels: 2, kernel: 2 },
      { kind: "avgpool", kernel: 2, stride: 2, pad: 1, countIncludePad: true },
      { kind: "flatten" },
      { kind: "dense", outFeatures: 3 },
    ],
    ops: ["conv", "sumpool", "dense"],
  },
  {
    // The elementwise math of core/ops/math.ts as exact tables, and a comparison with a constant
    // (0/1 at an exact scale) feeding a dense layer.
    name: "conv-erf-softplus-elu-sign-greater-dense",
    input: [1, 5, 5],
    sketch: [
      { kind: "conv", outChannels: 2, kernel: 2 },
      { kind: "activation", op: "Erf" },
      { kind: "activation", op: "Softplus" },
      { kind: "activation", op: "Elu", alpha: 0.5 },
      { kind: "activation", op: "Sin" },
      { kind: "compare", op: "Greater", threshold: 0.45 },
      { kind: "flatten" },
      { kind: "dense", outFeatures: 3 },
      { kind: "activation", op: "Sign" },
    ],
    ops: ["conv", "table", "table", "table", "table", "table", "dense", "table"],
  },
  {
    // a·x² + b·x + c through Mul/Add by constants; an average of 3x3 windows (divisor 9) needs int8.
    name: "dense-polynomial-coefficients-avgpool3",
    input: [1, 6, 6],
    sketch: [
      { kind: "conv", outChannels: 1, kernel: 1 },
      { kind: "polynomial", a: 0.5, b: -0.75, c: 0.125 },
      { kind: "avgpool", kernel: 3 },
      { kind: "flatten" },
      { kind: "dense", outFeatures: 2 },
    ],
    ops: ["conv", "poly", "avgpool", "dense"],
  },
];

for (const [ci, cs] of CASES.entries()) {
  describe(`CNN ops: ${cs.name}`, () => {
    const spec = randomSpec(cs.name, cs.input, cs.sketch, 100 + ci);
    const bytes = encodeSequential(spec);
    const graph = importOnnx(bytes, cs.name);
    const rand = mulberry32(7 + ci);
    const size = sizeOf(cs.input);
    const samples = Array.from({ length: 24 }, () => Array.from({ length: size }, () => rand() * 2 - 1));
    const model: QModel = quantizeGraph(graph, { samples });
    let c: TestCircuit;
    beforeAll(async () => {
      c = await TestCircuit.compile(generateCircom(model).split("\n").slice(1).join("\n"), "O1");
    });

    if (cs.ops) it("quantizes to the intended layers", () => expect(model.layers.map((l) => l.op)).toEqual(cs.ops));

    it("imports with onnxruntime's float semantics", async () => {
      const ort = await floatOutputs(bytes, model, samples.slice(0, 8));
      samples.slice(0, 8).forEach((s, i) => {
        const ours = runFloat(graph, s).at(-1)!;
        expect(ours.length).toBe(ort[i]!.length);
        ours.forEach((v, j) => expect(Math.abs(v - ort[i]![j]!)).toBeLessThan(1e-4));
      });
    });

    it("circuit == reference interpreter, every layer, random and extreme inputs", async () => {
      const inputs = [Array(size).fill(127), Array(size).fill(-128), ...samples.slice(0, 6).map((s) => quantizeInput(model, s))];
      for (let k = 0; k < 4; k++) inputs.push(Array.from({ length: size }, () => Math.floor(rand() * 256) - 128));
      for (const q of inputs) {
        const w = await c.witness({ x: q.map((v) => toField(v)), ctx: 5n, blinding: 11n });
        expect(await c.check(w)).toBe(true);
        const ref = runReference(model, q);
        let compared = 0;
        ref.layers.forEach((values, li) => {
          if (!c.has(`a${li}[0]`)) return; // a free rearrangement: a var, not a signal
          values.forEach((v, j) => expect(c.getSigned(w, `a${li}[${j}]`), `layer ${li} (${model.layers[li]!.op}) [${j}]`).toBe(BigInt(v)));
          compared++;
        });
        expect(compared).toBeGreaterThan(0);
        expect(c.get(w, "classContext") % 256n).toBe(BigInt(ref.argmax));
      }
    });

    it("rejects a forged output of every layer", async () => {
      const q = quantizeInput(model, samples[0]!);
      const w = await c.witness({ x: q.map((v) => toField(v)), ctx: 5n, blinding: 11n });
      for (const li of model.layers.keys()) {
        if (!c.has(`a${li}[0]`)) continue;
        const v = c.getSigned(w, `a${li}[0]`);
        expect(await c.check(c.forge(w, { [`a${li}[0]`]: v === 127n ? 126n : v + 1n })), `layer ${li} (${model.layers[li]!.op})`).toBe(false);
      }
    });
  });
}
