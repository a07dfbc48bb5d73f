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
