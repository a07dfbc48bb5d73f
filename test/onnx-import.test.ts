import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { importOnnx, importOnnxFile } from "../circuits/onnx/import.js";
import { ZkmlError } from "../core/errors.js";
import { runFloat, type Graph } from "../core/graph.js";
import { mulberry32, qdqModel, rawModel, type RawGraph } from "./helpers/models.js";

const rand = mulberry32(7);
const randoms = (n: number) => Array.from({ length: n }, () => rand() * 2 - 1);

async function ortRun(bytes: Uint8Array, input: number[], shape: number[]): Promise<number[]> {
  const s = await ort.InferenceSession.create(bytes);
  const r = await s.run({ input: new ort.Tensor("float32", Float32Array.from(input), shape) });
  const out = Array.from(r[s.outputNames[0]!]!.data as Float32Array);
  await s.release();
  return out;
}

async function expectSameAsOrt(g: RawGraph, inShape: number[]) {
  const bytes = rawModel(g);
  const graph = importOnnx(bytes, "t");
  for (let t = 0; t < 3; t++) {
    const x = randoms(inShape.reduce((a, b) => a * b, 1));
    const ours = runFloat(graph, x).at(-1)!;
    const theirs = await ortRun(bytes, x, inShape);
    expect(ours.length).toBe(theirs.length);
    ours.forEach((v, i) => expect(v).toBeCloseTo(theirs[i]!, 4));
  }
  return graph;
}

function expectError(fn: () => unknown, code: string, ...fragments: string[]) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ZkmlError);
    expect((e as ZkmlError).code).toBe(code);
    for (const f of fragments) expect((e as ZkmlError).message).toContain(f);
    return;
  }
  throw new Error(`expected a ${code} error`);
}

describe("ONNX import", () => {
  it("imports the bundled MNIST model: Gemm(transB) → Relu → Gemm, symbolic batch", async () => {
    const g: Graph = await importOnnxFile("examples/mnist/mnist-mlp.onnx");
    expect(g.input).toEqual({ name: "input", shape: [1, 784] });
    expect(g.output.shape).toEqual([1, 10]);
    expect(g.nodes.map((n) => n.op)).toEqual(["dense", "activation", "dense"]);
  });

  it("folds MatMul + Add into one dense layer and matches onnxruntime", async () => {
    const graph = await expectSameAsOrt(
      {
        inputShape: ["N", 4],
        outputShape: ["N", 3],
        nodes: [
          { op: "MatMul", inputs: ["input", "W"], outputs: ["mm"] },
          { op: "Add", inputs: ["mm", "b"], outputs: ["y"] },
        ],
        initializers: [
          { name: "W", dims: [4, 3], values: randoms(12) },
          { name: "b", dims: [3], values: randoms(3) },
        ],
      },
      [1, 4],
    );
    expect(graph.nodes.map((n) => n.op)).toEqual(["dense"]);
  });

  it("honours Gemm alpha, beta and transB = 0, with initializers listed as inputs", async () => {
    await expectSameAsOrt(
      {
        inputShape: [1, 5],
        outputShape: [1, 2],
        initializersAsInputs: true,
        nodes: [{ op: "Gemm", inputs: ["input", "W", "c"], outputs: ["y"], attrs: { alpha: 0.5, beta: 2.5 } }],
        initializers: [
          { name: "W", dims: [5, 2], values: randoms(10) },
          { name: "c", dims: [1, 2], values: randoms(2) },
        ],
      },
      [1, 5],
    );
  });

  it("takes Gemm transA=1 on a column input (one sample, same values)", async () => {
    await expectSameAsOrt(
      {
        inputShape: [4, 1],
        outputShape: [1, 3],
        nodes: [{ op: "Gemm", inputs: ["input", "W", "c"], outputs: ["y"], attrs: { transA: 1, transB: 1 } }],
        initializers: [
          { name: "W", dims: [3, 4], values: randoms(12) },
          { name: "c", dims: [3], values: randoms(3) },
        ],
      },
      [4, 1],
    );
  });

  it("folds Flatten, Reshape with a Constant shape, Identity and Dropout", async () => {
    const graph = await expectSameAsOrt(
      {
        inputShape: [1, 2, 3],
        outputShape: [1, 2],
        nodes: [
          { op: "Flatten", inputs: ["input"], outputs: ["f"], attrs: { axis: 1 } },
          { op: "Identity", inputs: ["f"], outputs: ["i"] },
          { op: "Reshape", inputs: ["i", "shape"], outputs: ["r"] },
          { op: "Dropout", inputs: ["r"], outputs: ["d"] },
          { op: "Gemm", inputs: ["d", "W", "b"], outputs: ["g"], attrs: { transB: 1 } },
          { op: "Relu", inputs: ["g"], outputs: ["y"] },
        ],
        initializers: [
          { name: "shape", dims: [2], values: [1, -1], dataType: 7 },
          { name: "W", dims: [2, 6], values: randoms(12) },
          { name: "b", dims: [2], values: randoms(2) },
        ],
      },
      [1, 2, 3],
    );
    expect(graph.nodes.map((n) => n.op)).toEqual(["dense", "activation"]);
  });

  it("keeps pre-quantized weights (DequantizeLinear of int8, power-of-two scale) exactly", () => {
    const g = importOnnx(qdqModel(), "qdq");
    expect(g.nodes.map((n) => n.op)).toEqual(["fixscale", "dense"]);
    const dense = g.nodes[1]!;
    expect(dense.op === "dense" && dense.weightQuant).toEqual({ data: Int32Array.from([1, 3, -2, 127]), frac: 5 });
    expect(g.nodes[0]!.op === "fixscale" && g.nodes[0]!.frac).toBe(6);
  });

  it("refuses what it cannot prove, naming the node and op", () => {
    const base = { inputShape: [1, 3], outputShape: [1, 3], initializers: [] };
    expectError(
      () => importOnnx(rawModel({ ...base, nodes: [{ op: "Hardmax", inputs: ["input"], outputs: ["y"], name: "act1" }] }), "m"),
      "UNSUPPORTED_OP",
      "act1",
      "Hardmax",
      "model m",
    );
    expectError(() => importOnnx(Uint8Array.from([1, 2, 3, 4, 5, 0xff, 0xff]), "junk"), "BAD_ONNX", "not an ONNX model");
    expectError(() => importOnnx(new TextEncoder().encode("hello, I am a text file\n"), "text"), "BAD_ONNX");
    expectError(
      () => importOnnx(rawModel({ ...base, nodes: [{ op: "Gemm", inputs: ["input", "W_missing"], outputs: ["y"] }] }), "m"),
      "BAD_MODEL",
      "W_missing",
      "not defined",
    );
    expectError(
      () =>
        importOnnx(
          rawModel({
            ...base,
            initializers: [{ name: "s", dims: [], values: [0.3] }],
            nodes: [{ op: "QuantizeLinear", inputs: ["input", "s"], outputs: ["y"] }],
          }),
          "m",
        ),
      "UNSUPPORTED_OP",
      "not a power of two",
    );
    expectError(
      () => importOnnx(rawModel({ ...base, inputShape: [1, "features"], nodes: [{ op: "Relu", inputs: ["input"], outputs: ["y"] }] }), "m"),
      "BAD_MODEL",
      "symbolic",
    );
    expectError(
      () => importOnnx(rawModel({ ...base, inputElemType: 8, nodes: [{ op: "Relu", inputs: ["input"], outputs: ["y"] }] }), "m"),
      "BAD_MODEL",
      "element type",
    );
  });

  it("refuses graphs out of topological order (a cycle or a forward reference)", () => {
    expectError(
      () =>
        importOnnx(
          rawModel({
            inputShape: [1, 2],
            outputShape: [1, 2],
            initializers: [],
            nodes: [
              { op: "Relu", inputs: ["b"], outputs: ["a"] },
              { op: "Relu", inputs: ["a"], outputs: ["b"] },
            ],
          }),
          "cyclic",
        ),
      "BAD_MODEL",
      "not defined before use",
    );
  });

  it("reports a missing file as FILE_NOT_FOUND", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "zkml-"));
    await expect(importOnnxFile(path.join(dir, "nope.onnx"))).rejects.toMatchObject({ code: "FILE_NOT_FOUND" });
    await writeFile(path.join(dir, "empty.onnx"), "");
    await expect(importOnnxFile(path.join(dir, "empty.onnx"))).rejects.toMatchObject({ code: "BAD_ONNX" });
  });
});
