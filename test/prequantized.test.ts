/**
 * Models quantized before zkml sees them (onnxruntime's QOperator, integer-op and QDQ forms)
 * with power-of-two scales: zkml keeps their integers and rounding, so its reference
 * interpreter (and the circuit, which equals it) matches onnxruntime bit for bit, and the
 * ways such a file can fall outside what zkml proves exactly are refused by name.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateCircom } from "../circuits/codegen.js";
import { floatOutputs, layerFidelity } from "../circuits/fidelity.js";
import { importOnnx } from "../circuits/onnx/import.js";
import { quantizeGraph } from "../circuits/quantize.js";
import { ZkmlError } from "../core/errors.js";
import { toField } from "../core/field.js";
import { releaseCurves } from "../core/curve.js";
import { sizeOf } from "../core/ir.js";
import { quantizeInput, runReference, type QModel } from "../core/qmodel.js";
import type { QLayer } from "../core/ops/index.js";
import { TestCircuit } from "./helpers/circuit.js";
import { matMulIntegerModel, mulberry32, qdqAveragePoolModel, qdqPerChannelModel, qlinearCnnModel, rawModel, type RawGraph } from "./helpers/models.js";

afterAll(releaseCurves);

const CASES = [
  { name: "QLinearConv → Relu → MaxPool → QLinearMatMul (int8, per-channel)", bytes: qlinearCnnModel(), ops: ["conv", "maxpool", "dense"] },
  { name: "MatMulInteger (uint8, zero point 128) → Cast → Mul → Add → Q/DQ", bytes: matMulIntegerModel(), ops: ["dense"] },
  { name: "QDQ Gemm, per-channel weights and int32 bias", bytes: qdqPerChannelModel(), ops: ["dense"] },
  { name: "QDQ AveragePool 2×2", bytes: qdqAveragePoolModel(), ops: ["avgpool"] },
];

/** Inputs on a 2^-5 grid: half of them are ties for the 2^-4 input quantization. */
function gridSamples(size: number, count: number, seed: number): number[][] {
  const rand = mulberry32(seed);
  return Array.from({ length: count }, () => Array.from({ length: size }, () => Math.round((rand() * 5 - 2.5) * 32) / 32));
}

/** The same model rounding ties half up everywhere (zkml's rounding where it picks the scales). */
function halfUp(model: QModel): QModel {
  const layers = model.layers.map(
    (l): QLayer => ("requant" in l && l.requant ? { ...l, requant: { ...l.requant, halfEven: false } } : l.op === "avgpool" ? { ...l, halfEven: false } : l),
  );
  return { ...model, layers };
}

for (const cs of CASES) {
  describe(`pre-quantized: ${cs.name}`, () => {
    const graph = importOnnx(cs.bytes, "prequantized");
    const size = sizeOf(graph.input.shape);
    const samples = gridSamples(size, 300, 11);
    const model = quantizeGraph(graph, { samples: samples.slice(0, 16) });

    it("keeps the file's integers: one layer per linear op, its scales, half-to-even requantization", () => {
      expect(model.layers.map((l) => l.op)).toEqual(cs.ops);
      expect(model.input.frac).toBe(4);
      for (const l of model.layers) {
        if ("requant" in l && l.requant) expect(l.requant.halfEven).toBe(true);
        if (l.op === "avgpool") expect(l.halfEven).toBe(true);
      }
    });

    it("equals onnxruntime bit for bit on 300 inputs, rounding ties included", async () => {
      const ort = await floatOutputs(cs.bytes, model, samples);
      const up = halfUp(model);
      let tiesThatMatter = 0;
      samples.forEach((s, i) => {
        const q = quantizeInput(model, s);
        const ref = runReference(model, q).output;
        expect(
          ref.map((v) => v * 2 ** -model.output.frac),
          `sample ${i}`,
        ).toEqual(ort[i]);
        tiesThatMatter += runReference(up, q).output.filter((v, j) => v !== ref[j]).length;
      });
      // The test can tell the roundings apart: half up would have missed onnxruntime here.
      expect(tiesThatMatter).toBeGreaterThan(0);
    });

    it("reports zero error at every layer in the fidelity report (each compared after what it absorbed)", () => {
      const report = layerFidelity(model, graph, samples.slice(0, 50));
      expect(report.map((l) => l.op)).toEqual(cs.ops);
      for (const l of report) expect(l.maxAbsError, l.node).toBe(0);
    });
  });
}

describe("QDQ around a nonlinear op: its exact table equals onnxruntime on all 256 int8 inputs", () => {
  for (const op of ["Sigmoid", "Tanh", "LeakyRelu", "HardSigmoid"]) {
    for (const [fIn, fOut] of [
      [4, 7],
      [3, 4],
    ] as const) {
      it(`${op}, input 2^-${fIn}, output 2^-${fOut}`, async () => {
        const bytes = rawModel({
          inputShape: [1, 256],
          outputShape: [1, 256],
          nodes: [
            { op: "QuantizeLinear", inputs: ["input", "s", "zp"], outputs: ["xq"] },
            { op: "DequantizeLinear", inputs: ["xq", "s", "zp"], outputs: ["x"] },
            { op, inputs: ["x"], outputs: ["f"] },
            { op: "QuantizeLinear", inputs: ["f", "so", "zp"], outputs: ["fq"] },
            { op: "DequantizeLinear", inputs: ["fq", "so", "zp"], outputs: ["y"] },
          ],
          initializers: [
            { name: "s", dims: [], values: [2 ** -fIn] },
            { name: "so", dims: [], values: [2 ** -fOut] },
            { name: "zp", dims: [], values: [0], dataType: 3 },
          ],
        });
        const every = [Array.from({ length: 256 }, (_, k) => (k - 128) / 2 ** fIn)];
        const model = quantizeGraph(importOnnx(bytes, op), { samples: every });
        expect(model.layers.map((l) => l.op)).toEqual(["table"]);
        const [ort] = await floatOutputs(bytes, model, every);
        expect(runReference(model, quantizeInput(model, every[0]!)).output.map((v) => v * 2 ** -fOut)).toEqual(ort);
      });
    }
  }
});

describe("pre-quantized CNN circuit", () => {
  const bytes = qlinearCnnModel();
  const graph = importOnnx(bytes, "qlinear-cnn");
  const samples = gridSamples(72, 8, 12);
  const model = quantizeGraph(graph, { samples });
  let c: TestCircuit;
  beforeAll(async () => {
    c = await TestCircuit.compile(generateCircom(model).split("\n").slice(1).join("\n"), "O1");
  });

  it("circuit == reference interpreter on every layer", async () => {
    const rand = mulberry32(13);
    const inputs = [...samples.map((s) => quantizeInput(model, s)), Array(72).fill(127), Array.from({ length: 72 }, () => Math.floor(rand() * 256) - 128)];
    for (const q of inputs) {
      const w = await c.witness({ x: q.map((v) => toField(v)), ctx: 1n, blinding: 11n });
      expect(await c.check(w)).toBe(true);
      const ref = runReference(model, q);
      ref.layers.forEach((values, li) => values.forEach((v, j) => expect(c.getSigned(w, `a${li}[${j}]`), `layer ${li} [${j}]`).toBe(BigInt(v))));
    }
  });

  it("rejects an output rounded the other way on a tie", async () => {
    const up = halfUp(model);
    // Find an input whose conv layer has a tie that half up rounds differently.
    for (const s of gridSamples(72, 200, 14)) {
      const q = quantizeInput(model, s);
      const even = runReference(model, q).layers[0]!;
      const j = runReference(up, q).layers[0]!.findIndex((v, k) => v !== even[k]);
      if (j < 0) continue;
      const w = await c.witness({ x: q.map((v) => toField(v)), ctx: 1n, blinding: 11n });
      expect(c.getSigned(w, `a0[${j}]`)).toBe(BigInt(even[j]!));
      expect(await c.check(c.forge(w, { [`a0[${j}]`]: BigInt(even[j]! + 1) }))).toBe(false);
      return;
    }
    throw new Error("no tie found in 200 inputs");
  });
});

describe("pre-quantized graphs zkml cannot keep exact are refused by name", () => {
  const INT8 = 3,
    UINT8 = 2;
  const base = (quant: { scale: number; zp?: { v: number; t: number } }, extra: RawGraph["nodes"] = []): RawGraph => ({
    inputShape: [1, 4],
    outputShape: [1, 4],
    nodes: [
      { op: "QuantizeLinear", inputs: ["input", "s", ...(quant.zp ? ["zp"] : [])], outputs: ["xq"] },
      ...extra,
      { op: "DequantizeLinear", inputs: [extra.at(-1)?.outputs[0] ?? "xq", "s", ...(quant.zp ? ["zp"] : [])], outputs: ["y"] },
    ],
    initializers: [{ name: "s", dims: [], values: [quant.scale] }, ...(quant.zp ? [{ name: "zp", dims: [], values: [quant.zp.v], dataType: quant.zp.t }] : [])],
  });
  const refused = (g: RawGraph, pattern: RegExp) => {
    let err: unknown;
    try {
      importOnnx(rawModel(g), "bad-quant");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ZkmlError);
    expect((err as Error).message).toMatch(/model bad-quant, node "[^"]+" \(\w+\)/);
    expect((err as Error).message).toMatch(pattern);
  };

  it("accepts int8 zero point 0 and uint8 zero point 128 (the same values)", () => {
    expect(importOnnx(rawModel(base({ scale: 1 / 16, zp: { v: 0, t: INT8 } })), "ok").nodes.map((n) => n.op)).toEqual(["fixscale"]);
    expect(importOnnx(rawModel(base({ scale: 1 / 16, zp: { v: 128, t: UINT8 } })), "ok").nodes.map((n) => n.op)).toEqual(["fixscale"]);
  });
  it("a scale that is not a power of two", () => refused(base({ scale: 0.1, zp: { v: 0, t: INT8 } }), /scale 0\.1 is not a power of two/));
  it("no zero point (ONNX's uint8 [0, 255] default)", () => refused(base({ scale: 1 / 16 }), /no zero point.*uint8/));
  it("an asymmetric zero point", () => {
    refused(base({ scale: 1 / 16, zp: { v: 3, t: INT8 } }), /int8 zero point 3/);
    refused(base({ scale: 1 / 16, zp: { v: 0, t: UINT8 } }), /uint8 zero point 0/);
  });
  it("integer arithmetic on an int8 tensor (wraps in ONNX)", () => {
    refused(
      base({ scale: 1 / 16, zp: { v: 0, t: INT8 } }, [{ op: "Add", inputs: ["xq", "xq"], outputs: ["sum"] }]),
      /reads the int8 tensor "xq".*dequantize it first/,
    );
  });
  it("a tensor read back at another scale than it was quantized with", () => {
    const g = base({ scale: 1 / 16, zp: { v: 0, t: INT8 } });
    g.nodes[1]!.inputs[1] = "s2";
    g.initializers.push({ name: "s2", dims: [], values: [1 / 8] });
    refused(g, /quantized at scale 2\^-4 but is read at 2\^-3/);
  });
  it("a Pad of a uint8 tensor with anything but its real 0 (128)", () => {
    const padded = (value: number): RawGraph => {
      const g = base({ scale: 1 / 16, zp: { v: 128, t: UINT8 } }, [{ op: "Pad", inputs: ["xq", "pads", "pv"], outputs: ["xp"] }]);
      g.outputShape = [1, 6];
      g.initializers.push({ name: "pads", dims: [4], values: [0, 1, 0, 1], dataType: 7 }, { name: "pv", dims: [], values: [value], dataType: UINT8 });
      return g;
    };
    expect(importOnnx(rawModel(padded(128)), "ok").nodes.map((n) => n.op)).toEqual(["fixscale", "select"]);
    refused(padded(0), /Pad with value 0 is not supported \(only 128, a real 0\)/);
  });
  it("a MatMulInteger on uint8 values without their zero point (ONNX then takes 0, not 128)", () => {
    const g = base({ scale: 1 / 16, zp: { v: 128, t: UINT8 } }, [{ op: "MatMulInteger", inputs: ["xq", "W"], outputs: ["acc"] }]);
    g.nodes.pop(); // the int32 result is the output
    g.initializers.push({ name: "W", dims: [4, 4], values: Array.from({ length: 16 }, (_, i) => i - 8), dataType: INT8 });
    refused(g, /input zero point has uint8 zero point 0/);
  });
  it("dynamic quantization (scales computed at run time)", () => {
    refused(
      {
        inputShape: [1, 4],
        outputShape: [1, 4],
        nodes: [{ op: "DynamicQuantizeLinear", inputs: ["input"], outputs: ["xq", "xs", "xz"] }],
        initializers: [],
      },
      /DynamicQuantizeLinear.*run time.*quantize_static/,
    );
  });
});
