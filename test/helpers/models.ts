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
  attrs?: Record<string, number | number[]>;
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
    if (dataType === DT.INT8) return onnx.TensorProto.create({ name: t.name, dims: t.dims, dataType, rawData: new Uint8Array(Int8Array.from(t.values).buffer) });
    return onnx.TensorProto.create({ name: t.name, dims: t.dims, dataType, int32Data: t.values });
  });
  const nodes = g.nodes.map((n, i) =>
    onnx.NodeProto.create({
      name: n.name ?? `${n.op}_${i}`,
      opType: n.op,
      input: n.inputs,
      output: n.outputs,
      attribute: Object.entries(n.attrs ?? {}).map(([name, v]) =>
        Array.isArray(v)
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
    opsetImport: [{ domain: "", version: 13 }],
    graph: { name: "raw", node: nodes, initializer: inits, input: inputs, output: [info(lastOut, g.outputShape, g.outputElemType)] },
  });
  return onnx.ModelProto.encode(model).finish();
}

/**
 * A pre-quantized (QDQ) model: input quantized at 2^-6, int8 weights [[1, -2], [3, 127]] at
 * 2^-5 behind a DequantizeLinear, then MatMul.
 */
export function qdqModel(): Uint8Array {
  return rawModel({
    inputShape: [1, 2], outputShape: [1, 2],
    nodes: [
      { op: "QuantizeLinear", inputs: ["input", "s_in"], outputs: ["xq"] },
      { op: "DequantizeLinear", inputs: ["xq", "s_in"], outputs: ["x"] },
      { op: "DequantizeLinear", inputs: ["Wq", "s_w"], outputs: ["W"] },
      { op: "MatMul", inputs: ["x", "W"], outputs: ["y"] },
    ],
    initializers: [
      { name: "s_in", dims: [], values: [1 / 64] },
      { name: "s_w", dims: [], values: [1 / 32] },
      { name: "Wq", dims: [2, 2], values: [1, -2, 3, 127], dataType: 3 },
    ],
  });
}
