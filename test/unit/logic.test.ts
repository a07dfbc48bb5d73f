/**
 * And, Or, Xor of 0/1 activations (masks from comparisons), and with a constant mask: exact, as
 * onnxruntime computes them, on every int8-grid input.
 */
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { importOnnx } from "../../circuits/onnx/import.js";
import { quantizeGraph } from "../../circuits/quantize.js";
import { DT } from "../../circuits/onnx/tensor.js";
import { mulberry32 } from "../../core/random.js";
import { dequantize, quantizeInput, runReference } from "../../core/qmodel.js";
import { rawModel } from "../helpers/models.js";

describe("boolean logic", () => {
  it("And, Or, Xor of two comparisons and of a comparison and a constant mask equal onnxruntime exactly", async () => {
    const ops = ["And", "Or", "Xor"] as const;
    const bytes = rawModel({
      inputShape: [1, 4],
      outputShape: [1, 24],
      nodes: [
        { op: "Greater", inputs: ["input", "zero"], outputs: ["a"] },
        { op: "Less", inputs: ["input", "half"], outputs: ["b"] },
        ...ops.flatMap((op) => [
          { op, inputs: ["a", "b"], outputs: [`${op}ab`] },
          { op, inputs: ["mask", "b"], outputs: [`${op}mb`] },
        ]),
        { op: "Concat", inputs: ops.flatMap((op) => [`${op}ab`, `${op}mb`]), outputs: ["all"], attrs: { axis: 1 } },
        { op: "Cast", inputs: ["all"], outputs: ["y"], attrs: { to: 1 } },
      ],
      initializers: [
        { name: "zero", dims: [], values: [0] },
        { name: "half", dims: [], values: [0.5] },
        { name: "mask", dims: [1, 4], values: [1, 0, 1, 0], dataType: DT.BOOL },
      ],
    });
    const graph = importOnnx(bytes, "logic");
    const rand = mulberry32(6);
    const samples = Array.from({ length: 64 }, () => Array.from({ length: 4 }, () => Math.round((rand() * 2 - 1) * 128) / 128));
    const model = quantizeGraph(graph, { samples });
    const session = await ort.InferenceSession.create(bytes);
    for (const x of samples) {
      const expected = Array.from((await session.run({ input: new ort.Tensor("float32", Float32Array.from(x), [1, 4]) })).y!.data as Float32Array);
      expect(dequantize(runReference(model, quantizeInput(model, x)).output, model.output.frac), `input ${x}`).toEqual(expected);
    }
  });
});

describe("comparisons and Where between activations", () => {
  const bytes = rawModel({
    inputShape: [1, 4],
    outputShape: [1, 36],
    extraInputs: [{ name: "b", shape: [1, 4] }],
    nodes: [
      ...(["Less", "LessOrEqual", "Greater", "GreaterOrEqual", "Equal"] as const).flatMap((op) => [
        { op, inputs: ["input", "b"], outputs: [`${op}`] },
        { op: "Cast", inputs: [op], outputs: [`${op}f`], attrs: { to: 1 } },
      ]),
      // min(x, b) by a comparison's Where; a constant mask over two activations; one activation branch and a constant.
      { op: "Where", inputs: ["Less", "input", "b"], outputs: ["min"] },
      { op: "Where", inputs: ["mask", "input", "b"], outputs: ["masked"] },
      { op: "Where", inputs: ["Less", "input", "half"], outputs: ["capped"] },
      { op: "Where", inputs: ["Greater", "quarter", "b"], outputs: ["floored"] },
    ],
    // Separate outputs, each at its own scale (one Concat would put the reals at the 0/1 values' 2^0).
    outputs: ["Lessf", "LessOrEqualf", "Greaterf", "GreaterOrEqualf", "Equalf", "min", "masked", "capped", "floored"].map((name) => ({ name, shape: [1, 4] })),
    initializers: [
      { name: "mask", dims: [1, 4], values: [1, 0, 0, 1], dataType: DT.BOOL },
      { name: "half", dims: [], values: [0.5] },
      { name: "quarter", dims: [], values: [0.25] },
    ],
  });
  const graph = importOnnx(bytes, "compare");
  const rand = mulberry32(8);
  const grid = () => Array.from({ length: 4 }, () => Math.round((rand() * 2 - 1) * 16) / 32);
  // Some pairs equal, so Equal and the ≤ / ≥ edges are exercised.
  const samples = Array.from({ length: 48 }, (_, k) => {
    const a = grid();
    return [...a, ...(k % 3 === 0 ? a : grid())];
  });

  it("compares exactly and picks like onnxruntime (Where within one int8 step of the branches)", async () => {
    const model = quantizeGraph(graph, { samples });
    const session = await ort.InferenceSession.create(bytes);
    let equalSeen = 0;
    for (const s of samples) {
      const feeds = {
        input: new ort.Tensor("float32", Float32Array.from(s.slice(0, 4)), [1, 4]),
        b: new ort.Tensor("float32", Float32Array.from(s.slice(4)), [1, 4]),
      };
      const result = await session.run(feeds);
      const expected = session.outputNames.flatMap((name) => Array.from(result[name]!.data as Float32Array));
      const raw = runReference(model, quantizeInput(model, s)).output;
      const out = model.output.parts!.flatMap((p) => dequantize(raw.slice(p.offset, p.offset + p.size), p.frac));
      expect(out.slice(0, 20), `comparisons of ${s}`).toEqual(expected.slice(0, 20));
      out.slice(20).forEach((v, i) => expect(Math.abs(v - expected[20 + i]!), `Where [${i}] of ${s}`).toBeLessThan(0.02));
      equalSeen += expected.slice(16, 20).filter((v) => v === 1).length;
    }
    expect(equalSeen).toBeGreaterThan(20);
  });
});
