/**
 * RNN, GRU and LSTM unrolled at import (circuits/onnx/handlers/recurrent.ts): onnxruntime's float
 * semantics in every form ONNX's golden tests leave out (GRU with linear_before_reset = 1 as
 * PyTorch exports it, reverse and bidirectional directions, the Y, Y_h and Y_c outputs),
 * the integer model within int8 error of it, and what is not proven refused by name.
 */
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { importOnnx } from "../../circuits/onnx/import.js";
import { quantizeGraph } from "../../circuits/quantize.js";
import { ZkmlError } from "../../core/errors.js";
import { runFloat } from "../../core/graph.js";
import { mulberry32 } from "../../core/random.js";
import { dequantize, quantizeInput, runReference } from "../../core/qmodel.js";
import { rawModel, type RawNode } from "../helpers/models.js";

const [SEQ, IN, H] = [4, 3, 5];
const GATES = { RNN: 1, GRU: 3, LSTM: 4 } as const;

function recurrentModel(op: keyof typeof GATES, attrs: RawNode["attrs"], output: number, layout = 0, seed = 1): { bytes: Uint8Array; outShape: number[] } {
  const rand = mulberry32(seed);
  const u = (n: number, s: number) => Array.from({ length: n }, () => (rand() * 2 - 1) * s);
  const dirs = attrs?.direction === "bidirectional" ? 2 : 1;
  const G = GATES[op] * H;
  const outputs = ["Y", "Y_h", "Y_c"].slice(0, op === "LSTM" ? 3 : 2);
  const outShape = output === 0 ? (layout === 0 ? [SEQ, dirs, 1, H] : [1, SEQ, dirs, H]) : layout === 0 ? [dirs, 1, H] : [1, dirs, H];
  const bytes = rawModel({
    inputShape: layout === 0 ? [SEQ, 1, IN] : [1, SEQ, IN],
    outputShape: outShape,
    opset: 14,
    nodes: [{ op, inputs: ["input", "W", "R", "B"], outputs, attrs: { hidden_size: H, ...(layout && { layout }), ...attrs } }],
    outputs: [{ name: outputs[output]!, shape: outShape }],
    initializers: [
      { name: "W", dims: [dirs, G, IN], values: u(dirs * G * IN, 0.8) },
      { name: "R", dims: [dirs, G, H], values: u(dirs * G * H, 0.6) },
      { name: "B", dims: [dirs, 2 * G], values: u(dirs * 2 * G, 0.2) },
    ],
  });
  return { bytes, outShape };
}

async function compare(bytes: Uint8Array, shape: number[], name: string): Promise<void> {
  const session = await ort.InferenceSession.create(bytes);
  const graph = importOnnx(bytes, name);
  const rand = mulberry32(2);
  const samples = Array.from({ length: 24 }, () => Array.from({ length: SEQ * IN }, () => rand() * 2 - 1));
  const model = quantizeGraph(graph, { samples });
  for (const x of samples.slice(0, 8)) {
    const r = await session.run({ input: new ort.Tensor("float32", Float32Array.from(x), shape) });
    const expected = Array.from(r[graph.output.name]!.data as Float32Array);
    const float = runFloat(graph, x).at(-1)!;
    expect(float.length).toBe(expected.length);
    float.forEach((v, i) => expect(Math.abs(v - expected[i]!), `${name} float [${i}]`).toBeLessThan(1e-5));
    const quant = dequantize(runReference(model, quantizeInput(model, x)).output, model.output.frac);
    quant.forEach((v, i) => expect(Math.abs(v - expected[i]!), `${name} quantized [${i}]`).toBeLessThan(0.08));
  }
}

describe("recurrent nets: onnxruntime's semantics, unrolled", () => {
  const cases: [keyof typeof GATES, RawNode["attrs"], number, number][] = [
    ["GRU", { linear_before_reset: 1 }, 1, 0],
    ["GRU", { direction: "reverse" }, 0, 0],
    ["LSTM", {}, 0, 0],
    ["LSTM", { direction: "bidirectional" }, 1, 0],
    ["LSTM", {}, 2, 0],
    // Layout 1 ([batch, seq, input]) is held to ONNX's own reference by the golden batchwise tests: onnxruntime does not run it.
    ["LSTM", { direction: "reverse" }, 0, 0],
    ["RNN", { direction: "bidirectional" }, 0, 0],
  ];
  for (const [op, attrs, output, layout] of cases) {
    const label = `${op} ${JSON.stringify(attrs)} output ${["Y", "Y_h", "Y_c"][output]}${layout ? " layout 1" : ""}`;
    it(label, async () => {
      const { bytes } = recurrentModel(op, attrs, output, layout);
      await compare(bytes, layout === 0 ? [SEQ, 1, IN] : [1, SEQ, IN], label);
    });
  }

  it("refuses custom activations, clip and a non-zero initial state by name", () => {
    for (const attrs of [{ clip: 0.5 }, { input_forget: 1 }] as RawNode["attrs"][]) {
      const { bytes } = recurrentModel("LSTM", attrs, 1);
      expect(() => importOnnx(bytes, "lstm")).toThrow(ZkmlError);
    }
    const withState = rawModel({
      inputShape: [SEQ, 1, IN],
      outputShape: [1, 1, H],
      nodes: [{ op: "RNN", inputs: ["input", "W", "R", "", "", "h0"], outputs: ["", "Y_h"], attrs: { hidden_size: H } }],
      initializers: [
        { name: "W", dims: [1, H, IN], values: new Array(H * IN).fill(0.1) },
        { name: "R", dims: [1, H, H], values: new Array(H * H).fill(0.1) },
        { name: "h0", dims: [1, 1, H], values: new Array(H).fill(0.5) },
      ],
    });
    expect(() => importOnnx(withState, "rnn")).toThrow(/non-zero initial_h/);
  });
});
