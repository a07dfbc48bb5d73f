/** Small ONNX models built in the tests, with zkml's writer or onnx-proto directly. */
import onnxProto from "onnx-proto";
import { encodeMlp, randomDenseLayers } from "../../circuits/onnx/write.js";

const { onnx } = onnxProto;

import { mulberry32 } from "../../core/random.js";

export { mulberry32 };

/** A random dense network; ReLU after every hidden layer unless `relu` says otherwise. */
export function randomMlp(widths: number[], seed = 1, relu?: boolean[]): Uint8Array {
  return encodeMlp({ name: "random-mlp", inputName: "x", outputName: "y", layers: randomDenseLayers(widths, mulberry32(seed), relu) });
}

export interface RawNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, number | number[] | string>;
  name?: string;
}

export interface RawGraph {
  inputShape: (number | string)[];
  outputShape: (number | string)[];
  nodes: RawNode[];
  initializers: { name: string; dims: number[]; values: number[]; dataType?: number }[];
  /** List initializers among the graph inputs too, as old PyTorch exports do. */
  initializersAsInputs?: boolean;
  inputElemType?: number;
  outputElemType?: number;
  /** More graph inputs after "input". */
  extraInputs?: { name: string; shape: number[] }[];
  /** Default 13. */
  opset?: number;
  /** Graph outputs (name, shape), in order, instead of the last node's first output. */
  outputs?: { name: string; shape: number[] }[];
}

/** Any graph, for import tests: ops zkml supports, ops it refuses, malformed wiring. */
export function rawModel(g: RawGraph): Uint8Array {
  const DT = onnx.TensorProto.DataType;
  const shape = (dims: (number | string)[]) => ({ dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) });
  const info = (name: string, dims: (number | string)[], elemType: number = DT.FLOAT) =>
    onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType, shape: shape(dims) } } });
  const inits = g.initializers.map((t) => {
    const dataType = t.dataType ?? DT.FLOAT;
    if (dataType === DT.FLOAT) return onnx.TensorProto.create({ name: t.name, dims: t.dims, dataType, floatData: t.values });
    if (dataType === DT.INT64) return onnx.TensorProto.create({ name: t.name, dims: t.dims, dataType, int64Data: t.values });
    if (dataType === DT.INT8)
      return onnx.TensorProto.create({ name: t.name, dims: t.dims, dataType, rawData: new Uint8Array(Int8Array.from(t.values).buffer) });
    if (dataType === DT.UINT8) return onnx.TensorProto.create({ name: t.name, dims: t.dims, dataType, rawData: Uint8Array.from(t.values) });
    return onnx.TensorProto.create({ name: t.name, dims: t.dims, dataType, int32Data: t.values });
  });
  const nodes = g.nodes.map((n, i) =>
    onnx.NodeProto.create({
      name: n.name ?? `${n.op}_${i}`,
      opType: n.op,
      input: n.inputs,
      output: n.outputs,
      attribute: Object.entries(n.attrs ?? {}).map(([name, v]) =>
        typeof v === "string"
          ? onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(v) })
          : Array.isArray(v)
            ? onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: v })
            : Number.isInteger(v)
              ? onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i: v })
              : onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.FLOAT, f: v }),
      ),
    }),
  );
  const inputs = [info("input", g.inputShape, g.inputElemType), ...(g.extraInputs ?? []).map((x) => info(x.name, x.shape))];
  if (g.initializersAsInputs) for (const t of g.initializers) inputs.push(info(t.name, t.dims));
  const lastOut = g.nodes.at(-1)!.outputs[0]!;
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: "", version: g.opset ?? 13 }],
    graph: {
      name: "raw",
      node: nodes,
      initializer: inits,
      input: inputs,
      output: g.outputs ? g.outputs.map((o) => info(o.name, o.shape)) : [info(lastOut, g.outputShape, g.outputElemType)],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/**
 * A pre-quantized (QDQ) model: input quantized at 2^-6, int8 weights [[1, -2], [3, 127]] at
 * 2^-5 behind a DequantizeLinear, then MatMul.
 */
export function qdqModel(): Uint8Array {
  return rawModel({
    inputShape: [1, 2],
    outputShape: [1, 2],
    nodes: [
      { op: "QuantizeLinear", inputs: ["input", "s_in", "zp"], outputs: ["xq"] },
      { op: "DequantizeLinear", inputs: ["xq", "s_in", "zp"], outputs: ["x"] },
      { op: "DequantizeLinear", inputs: ["Wq", "s_w"], outputs: ["W"] },
      { op: "MatMul", inputs: ["x", "W"], outputs: ["y"] },
    ],
    initializers: [
      { name: "s_in", dims: [], values: [1 / 64] },
      { name: "zp", dims: [], values: [0], dataType: 3 },
      { name: "s_w", dims: [], values: [1 / 32] },
      { name: "Wq", dims: [2, 2], values: [1, -2, 3, 127], dataType: 3 },
    ],
  });
}

const INT8 = 3,
  UINT8 = 2,
  INT32 = 6,
  INT64 = 7;

/** Random integers in [lo, hi]. */
function ints(rand: () => number, n: number, lo: number, hi: number): number[] {
  return Array.from({ length: n }, () => lo + Math.floor(rand() * (hi - lo + 1)));
}

/**
 * onnxruntime's QOperator form of a small CNN, all int8 with power-of-two scales: QuantizeLinear
 * (2^-4) → QLinearConv 3×3 pad 1, 2→4 channels, per-channel weight scales, int32 bias (→ 2^-4)
 * → Relu → MaxPool 2×2 → Reshape → QLinearMatMul 36→5, per-column scales (→ 2^-2) →
 * DequantizeLinear. Input [1, 2, 6, 6].
 */
export function qlinearCnnModel(seed = 3): Uint8Array {
  const rand = mulberry32(seed);
  return rawModel({
    inputShape: [1, 2, 6, 6],
    outputShape: [1, 5],
    opset: 14, // Relu on int8
    nodes: [
      { op: "QuantizeLinear", inputs: ["input", "s_x", "zp"], outputs: ["xq"] },
      {
        op: "QLinearConv",
        inputs: ["xq", "s_x", "zp", "Wc", "s_wc", "zp_wc", "s_y1", "zp", "Bc"],
        outputs: ["y1"],
        attrs: { pads: [1, 1, 1, 1], kernel_shape: [3, 3] },
      },
      { op: "Relu", inputs: ["y1"], outputs: ["r1"] },
      { op: "MaxPool", inputs: ["r1"], outputs: ["p1"], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
      { op: "Reshape", inputs: ["p1", "flat"], outputs: ["f1"] },
      { op: "QLinearMatMul", inputs: ["f1", "s_y1", "zp", "Wd", "s_wd", "zp_wd", "s_y2", "zp"], outputs: ["y2"] },
      { op: "DequantizeLinear", inputs: ["y2", "s_y2", "zp"], outputs: ["output"] },
    ],
    initializers: [
      { name: "s_x", dims: [], values: [2 ** -4] },
      { name: "zp", dims: [], values: [0], dataType: INT8 },
      { name: "Wc", dims: [4, 2, 3, 3], values: ints(rand, 72, -24, 24), dataType: INT8 },
      { name: "s_wc", dims: [4], values: [2 ** -5, 2 ** -6, 2 ** -4, 2 ** -7] },
      { name: "zp_wc", dims: [4], values: [0, 0, 0, 0], dataType: INT8 },
      { name: "s_y1", dims: [], values: [2 ** -4] },
      { name: "Bc", dims: [4], values: ints(rand, 4, -300, 300), dataType: INT32 },
      { name: "flat", dims: [2], values: [1, 36], dataType: INT64 },
      { name: "Wd", dims: [36, 5], values: ints(rand, 180, -40, 40), dataType: INT8 },
      { name: "s_wd", dims: [5], values: [2 ** -5, 2 ** -6, 2 ** -5, 2 ** -5, 2 ** -7] },
      { name: "zp_wd", dims: [5], values: [0, 0, 0, 0, 0], dataType: INT8 },
      { name: "s_y2", dims: [], values: [2 ** -2] },
    ],
  });
}

/**
 * onnxruntime's integer-op form: QuantizeLinear to uint8 (zero point 128, 2^-4) → MatMulInteger
 * with uint8 weights (zero point 128) → Cast → Mul by s_x·s_w = 2^-9 → Add a bias on the 2^-9
 * grid → QuantizeLinear (int8, 2^-3) → DequantizeLinear. Input [1, 8], output [1, 3].
 */
export function matMulIntegerModel(seed = 4): Uint8Array {
  const rand = mulberry32(seed);
  return rawModel({
    inputShape: [1, 8],
    outputShape: [1, 3],
    nodes: [
      { op: "QuantizeLinear", inputs: ["input", "s_x", "zp_x"], outputs: ["xq"] },
      { op: "MatMulInteger", inputs: ["xq", "W", "zp_x", "zp_w"], outputs: ["acc"] },
      { op: "Cast", inputs: ["acc"], outputs: ["accf"], attrs: { to: 1 } },
      { op: "Mul", inputs: ["accf", "s_xw"], outputs: ["scaled"] },
      { op: "Add", inputs: ["scaled", "b"], outputs: ["y"] },
      { op: "QuantizeLinear", inputs: ["y", "s_y", "zp_y"], outputs: ["yq"] },
      { op: "DequantizeLinear", inputs: ["yq", "s_y", "zp_y"], outputs: ["output"] },
    ],
    initializers: [
      { name: "s_x", dims: [], values: [2 ** -4] },
      { name: "zp_x", dims: [], values: [128], dataType: UINT8 },
      { name: "W", dims: [8, 3], values: ints(rand, 24, 128 - 60, 128 + 60), dataType: UINT8 },
      { name: "zp_w", dims: [], values: [128], dataType: UINT8 },
      { name: "s_xw", dims: [], values: [2 ** -9] },
      { name: "b", dims: [3], values: ints(rand, 3, -500, 500).map((v) => v * 2 ** -9) },
      { name: "s_y", dims: [], values: [2 ** -3] },
      { name: "zp_y", dims: [], values: [0], dataType: INT8 },
    ],
  });
}

/**
 * QDQ form with per-channel weights: Q/DQ of the input (2^-4), int8 weights [4, 6] behind a
 * DequantizeLinear with one scale per output row (axis 0), Gemm transB with an int32 bias
 * dequantized at s_x·s_w, Q/DQ of the output (2^-3). Input [1, 6], output [1, 4].
 */
export function qdqPerChannelModel(seed = 5): Uint8Array {
  const rand = mulberry32(seed);
  return rawModel({
    inputShape: [1, 6],
    outputShape: [1, 4],
    nodes: [
      { op: "QuantizeLinear", inputs: ["input", "s_x", "zp"], outputs: ["xq"] },
      { op: "DequantizeLinear", inputs: ["xq", "s_x", "zp"], outputs: ["x"] },
      { op: "DequantizeLinear", inputs: ["Wq", "s_w"], outputs: ["W"], attrs: { axis: 0 } },
      { op: "DequantizeLinear", inputs: ["bq", "s_b"], outputs: ["b"], attrs: { axis: 0 } },
      { op: "Gemm", inputs: ["x", "W", "b"], outputs: ["y"], attrs: { transB: 1 } },
      { op: "QuantizeLinear", inputs: ["y", "s_y", "zp"], outputs: ["yq"] },
      { op: "DequantizeLinear", inputs: ["yq", "s_y", "zp"], outputs: ["output"] },
    ],
    initializers: [
      { name: "s_x", dims: [], values: [2 ** -4] },
      { name: "zp", dims: [], values: [0], dataType: INT8 },
      { name: "Wq", dims: [4, 6], values: ints(rand, 24, -100, 100), dataType: INT8 },
      { name: "s_w", dims: [4], values: [2 ** -6, 2 ** -7, 2 ** -5, 2 ** -8] },
      // The bias as onnxruntime's quantizer stores it: int32 at s_x·s_w per channel.
      { name: "bq", dims: [4], values: ints(rand, 4, -200, 200), dataType: INT32 },
      { name: "s_b", dims: [4], values: [2 ** -10, 2 ** -11, 2 ** -9, 2 ** -12] },
      { name: "s_y", dims: [], values: [2 ** -3] },
    ],
  });
}

/** QDQ around an AveragePool 2×2 (input [1, 1, 4, 4] at 2^-4): onnxruntime rounds the average half to even. */
export function qdqAveragePoolModel(): Uint8Array {
  return rawModel({
    inputShape: [1, 1, 4, 4],
    outputShape: [1, 1, 2, 2],
    nodes: [
      { op: "QuantizeLinear", inputs: ["input", "s", "zp"], outputs: ["xq"] },
      { op: "DequantizeLinear", inputs: ["xq", "s", "zp"], outputs: ["x"] },
      { op: "AveragePool", inputs: ["x"], outputs: ["p"], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
      { op: "QuantizeLinear", inputs: ["p", "s", "zp"], outputs: ["pq"] },
      { op: "DequantizeLinear", inputs: ["pq", "s", "zp"], outputs: ["output"] },
    ],
    initializers: [
      { name: "s", dims: [], values: [2 ** -4] },
      { name: "zp", dims: [], values: [0], dataType: INT8 },
    ],
  });
}
