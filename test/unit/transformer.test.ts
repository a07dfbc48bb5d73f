/**
 * The tiny transformer of circuits/onnx/write_transformer.ts (token embedding by int64 ids, a
 * positional embedding, pre-LN self-attention with a Softmax inside the graph, a GELU MLP,
 * LayerNormalization, a mean over tokens): imported with onnxruntime's float semantics, quantized
 * to the intended layers (the positional Add folded into the embedding), within int8 error of
 * onnxruntime with the same argmax; ids outside the vocabulary are a user's error.
 */
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { importOnnx } from "../../circuits/onnx/import.js";
import { encodeTransformer, type TransformerSpec } from "../../circuits/onnx/write_transformer.js";
import { quantizeGraph } from "../../circuits/quantize.js";
import { ZkmlError } from "../../core/errors.js";
import { runFloat } from "../../core/graph.js";
import { mulberry32 } from "../../core/random.js";
import { argmax, dequantize, quantizeInput, runReference } from "../../core/qmodel.js";

const SPEC: TransformerSpec = { name: "tx", tokens: 6, width: 8, vocabulary: 12, hidden: 16, blocks: 2, classes: 3, seed: 11 };
const bytes = encodeTransformer(SPEC);
const rand = mulberry32(4);
const sequences = Array.from({ length: 40 }, () => Array.from({ length: SPEC.tokens }, () => Math.floor(rand() * SPEC.vocabulary)));

async function onnxruntime(ids: number[]): Promise<number[]> {
  const session = await ort.InferenceSession.create(bytes);
  const r = await session.run({ ids: new ort.Tensor("int64", BigInt64Array.from(ids, BigInt), [1, SPEC.tokens]) });
  return Array.from(r.logits!.data as Float32Array);
}

describe("tiny transformer: import and integer semantics", () => {
  const graph = importOnnx(bytes, "tx");
  const model = quantizeGraph(graph, { samples: sequences.slice(0, 32) });

  it("imports two blocks as the intended layers, the positional embedding folded into the token table", () => {
    const block = ["norm", "dense", "dense", "dense", "select", "matmul", "softmax", "matmul", "dense", "binary", "norm", "dense", "table", "dense", "binary"];
    expect(model.layers.map((l) => l.op)).toEqual(["embed", ...block, ...block, "reduce", "dense"]);
    expect(model.input.frac).toBe(0);
  });

  it("has onnxruntime's float semantics on int64 ids, and the integer model its argmax within int8 error", async () => {
    let agree = 0;
    let worst = 0;
    const all = await Promise.all(sequences.map(onnxruntime));
    // Errors against the output's range over all sequences (one sequence's logits may all be near 0).
    const scale = Math.max(...all.flat().map(Math.abs));
    sequences.forEach((ids, k) => {
      const expected = all[k]!;
      runFloat(graph, ids)
        .at(-1)!
        .forEach((v, i) => expect(Math.abs(v - expected[i]!)).toBeLessThan(1e-5));
      const out = dequantize(runReference(model, quantizeInput(model, ids)).output, model.output.frac);
      out.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - expected[i]!))));
      if (argmax(out) === argmax(expected)) agree++;
    });
    expect(worst / scale).toBeLessThan(0.1);
    expect(agree).toBeGreaterThanOrEqual(34);
  });

  it("refuses an id outside the vocabulary as the user's error", () => {
    const ids = [0, 1, 2, 3, 4, SPEC.vocabulary];
    expect(() => runReference(model, quantizeInput(model, ids))).toThrow(ZkmlError);
    expect(() => runReference(model, quantizeInput(model, ids))).toThrow(/outside .* table \(ids 0 to 11\)/);
  });
});
