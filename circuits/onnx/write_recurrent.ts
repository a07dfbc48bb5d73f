/**
 * An ONNX writer for a recurrent sequence classifier, as PyTorch exports one (opset 14): a
 * sequence [seq, 1, features] through an LSTM, GRU or RNN, its last hidden state (Y_h) through a
 * linear head. Weights are seeded random (for cost and fidelity, not accuracy).
 */
import { writeFileAtomic } from "../../core/manifest.js";
import { mulberry32 } from "../../core/random.js";
import { DT, floatTensorProto, onnx } from "./tensor.js";

export interface RecurrentSpec {
  name: string;
  cell: "LSTM" | "GRU" | "RNN";
  seq: number;
  features: number;
  hidden: number;
  classes: number;
  seed: number;
}

const GATES = { LSTM: 4, GRU: 3, RNN: 1 } as const;
const A = onnx.AttributeProto.AttributeType;

/** The classifier as ONNX bytes: input `sequence` [seq, 1, features], output `logits` [1, classes]. */
export function encodeRecurrent(s: RecurrentSpec): Uint8Array {
  const rand = mulberry32(s.seed);
  const u = (n: number, scale: number) => Array.from({ length: n }, () => (rand() * 2 - 1) * scale);
  const G = GATES[s.cell] * s.hidden;
  const initializer = [
    floatTensorProto("W", [1, G, s.features], u(G * s.features, 1 / Math.sqrt(s.features))),
    floatTensorProto("R", [1, G, s.hidden], u(G * s.hidden, 1 / Math.sqrt(s.hidden))),
    floatTensorProto("B", [1, 2 * G], u(2 * G, 0.1)),
    floatTensorProto("head.weight", [s.classes, s.hidden], u(s.classes * s.hidden, 1 / Math.sqrt(s.hidden))),
    floatTensorProto("head.bias", [s.classes], u(s.classes, 0.05)),
    onnx.TensorProto.create({ name: "flat", dims: [2], dataType: DT.INT64, int64Data: [1, s.hidden] }),
  ];
  const outputs = s.cell === "LSTM" ? ["Y", "Y_h", "Y_c"] : ["Y", "Y_h"];
  const node = (opType: string, input: string[], output: string[], attribute: object[] = []) =>
    onnx.NodeProto.create({ name: `/${opType.toLowerCase()}`, opType, input, output, attribute: attribute.map((a) => onnx.AttributeProto.create(a)) });
  const nodes = [
    node(s.cell, ["sequence", "W", "R", "B"], outputs, [
      { name: "hidden_size", type: A.INT, i: s.hidden },
      ...(s.cell === "GRU" ? [{ name: "linear_before_reset", type: A.INT, i: 1 }] : []),
    ]),
    node("Reshape", ["Y_h", "flat"], ["last"]),
    node("Gemm", ["last", "head.weight", "head.bias"], ["logits"], [{ name: "transB", type: A.INT, i: 1 }]),
  ];
  const info = (name: string, dims: number[]) =>
    onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: DT.FLOAT, shape: { dim: dims.map((dimValue) => ({ dimValue })) } } } });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: "zkml",
    producerVersion: "0.1.0",
    docString: `zkml's ${s.cell} classifier: ${s.seq} steps of ${s.features} features, hidden ${s.hidden}, ${s.classes} classes (seeded random weights)`,
    opsetImport: [{ domain: "", version: 14 }],
    graph: { name: s.name, node: nodes, initializer, input: [info("sequence", [s.seq, 1, s.features])], output: [info("logits", [1, s.classes])] },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Writes the classifier as an ONNX file. */
export async function writeRecurrent(file: string, spec: RecurrentSpec): Promise<void> {
  await writeFileAtomic(file, encodeRecurrent(spec));
}
