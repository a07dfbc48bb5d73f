/**
 * Add, Sub and Mul of two activations of different shapes broadcast as numpy does: the smaller
 * operand becomes a free select that repeats it, then the usual binary layer. The float graph
 * equals onnxruntime, and the integer model stays within int8 quantization of it.
 */
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { importOnnx } from "../../circuits/onnx/import.js";
import { quantizeGraph } from "../../circuits/quantize.js";
import { runFloat } from "../../core/graph.js";
import { mulberry32 } from "../../core/random.js";
import { dequantize, quantizeInput, runReference } from "../../core/qmodel.js";
import { rawModel } from "../helpers/models.js";

describe("broadcasting between two activations", () => {
  for (const op of ["Add", "Sub", "Mul"] as const) {
    it(`${op} of [2,3] and its row means [2,1], and of [2,3] and a row [1,3]`, async () => {
      const bytes = rawModel({
        inputShape: [2, 3],
        outputShape: [2, 3],
        nodes: [
          { op: "ReduceMean", inputs: ["input"], outputs: ["m"], attrs: { axes: [1], keepdims: 1 } },
          { op, inputs: ["input", "m"], outputs: ["c"] },
          { op: "ReduceMax", inputs: ["input"], outputs: ["r"], attrs: { axes: [0], keepdims: 1 } },
          { op, inputs: ["r", "c"], outputs: ["y"] },
        ],
        initializers: [],
      });
      const graph = importOnnx(bytes, `bcast-${op}`);
      expect(graph.nodes.map((n) => n.op)).toEqual(["reduce", "select", "binary", "reduce", "select", "binary"]);
      const rand = mulberry32(5);
      const samples = Array.from({ length: 16 }, () => Array.from({ length: 6 }, () => rand() * 2 - 1));
      const session = await ort.InferenceSession.create(bytes);
      const model = quantizeGraph(graph, { samples });
      for (const x of samples) {
        const expected = (await session.run({ input: new ort.Tensor("float32", Float32Array.from(x), [2, 3]) })).y!.data as Float32Array;
        const float = runFloat(graph, x).at(-1)!;
        float.forEach((v, i) => expect(Math.abs(v - expected[i]!)).toBeLessThan(1e-5));
        const quant = dequantize(runReference(model, quantizeInput(model, x)).output, model.output.frac);
        quant.forEach((v, i) => expect(Math.abs(v - expected[i]!)).toBeLessThan(0.1));
      }
    });
  }
});
