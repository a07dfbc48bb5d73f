/**
 * 1-D convolutions and pools on [1, C, L] inputs are 2-D ones of height 1 (the same values in the
 * same order): onnxruntime's float semantics with strides, pads, groups and auto_pad, rank-3
 * shapes kept for what reads them, and the integer model within int8 error.
 */
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { importOnnx } from "../../circuits/onnx/import.js";
import { quantizeGraph } from "../../circuits/quantize.js";
import { runFloat } from "../../core/graph.js";
import { mulberry32 } from "../../core/random.js";
import { dequantize, quantizeInput, runReference } from "../../core/qmodel.js";
import { rawModel, type RawNode } from "../helpers/models.js";

const rand = mulberry32(12);
const u = (n: number, s: number) => Array.from({ length: n }, () => (rand() * 2 - 1) * s);
const [C, L, OC] = [2, 12, 4];

describe("1-D convolution and pooling", () => {
  // `length`: the pool's output length, which sizes the head.
  const cases: { name: string; conv: RawNode["attrs"]; group: number; pool: RawNode; length: number }[] = [
    {
      name: "stride 2, pads 1, max pool 2",
      conv: { strides: [2], pads: [1, 1] },
      group: 1,
      pool: { op: "MaxPool", inputs: ["r"], outputs: ["p"], attrs: { kernel_shape: [2], strides: [2] } },
      length: 3,
    },
    {
      name: "SAME_UPPER, depthwise, average pool 3 with pads",
      conv: { auto_pad: "SAME_UPPER" },
      group: 2,
      pool: { op: "AveragePool", inputs: ["r"], outputs: ["p"], attrs: { kernel_shape: [3], strides: [1], pads: [1, 1] } },
      length: 12,
    },
    { name: "global average", conv: {}, group: 1, pool: { op: "GlobalAveragePool", inputs: ["r"], outputs: ["p"] }, length: 1 },
  ];
  for (const cs of cases) {
    it(cs.name, async () => {
      const features = OC * cs.length;
      const bytes = rawModel({
        inputShape: [1, C, L],
        outputShape: [1, 3],
        nodes: [
          { op: "Conv", inputs: ["input", "w", "b"], outputs: ["c"], attrs: { kernel_shape: [3], group: cs.group, ...cs.conv } },
          { op: "Relu", inputs: ["c"], outputs: ["r"] },
          cs.pool,
          { op: "Flatten", inputs: ["p"], outputs: ["f"], attrs: { axis: 1 } },
          { op: "Gemm", inputs: ["f", "g", "gb"], outputs: ["y"], attrs: { transB: 1 } },
        ],
        initializers: [
          { name: "w", dims: [OC, C / cs.group, 3], values: u((OC * C * 3) / cs.group, 0.6) },
          { name: "b", dims: [OC], values: u(OC, 0.1) },
          { name: "g", dims: [3, features], values: u(3 * features, 1 / Math.sqrt(features)) },
          { name: "gb", dims: [3], values: u(3, 0.1) },
        ],
      });
      const graph = importOnnx(bytes, cs.name);
      expect(graph.nodes.map((n) => n.op)).toEqual(["conv", "activation", cs.pool.op === "MaxPool" ? "maxpool" : "avgpool", "dense"]);
      const session = await ort.InferenceSession.create(bytes);
      const samples = Array.from({ length: 16 }, () => u(C * L, 1));
      const model = quantizeGraph(graph, { samples });
      for (const x of samples.slice(0, 6)) {
        const expected = (await session.run({ input: new ort.Tensor("float32", Float32Array.from(x), [1, C, L]) })).y!.data as Float32Array;
        runFloat(graph, x)
          .at(-1)!
          .forEach((v, i) => expect(Math.abs(v - expected[i]!)).toBeLessThan(1e-5));
        dequantize(runReference(model, quantizeInput(model, x)).output, model.output.frac).forEach((v, i) =>
          expect(Math.abs(v - expected[i]!)).toBeLessThan(0.08),
        );
      }
    });
  }
});
