/**
 * ONNX's own golden op tests (Debian package libonnx-testdata): model.onnx plus
 * test_data_set_0/{input,output}_N.pb. zkml proves models with fixed weights, so a test's
 * inputs after the first become initializers (they are the weights), and input_0 is the data.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { decodeTensor, onnx, type DecodedTensor } from "../../circuits/onnx/tensor.js";

export const ONNX_NODE_TESTS = "/usr/share/libonnx-testdata/data/node";

export interface NodeTestCase {
  name: string;
  /** The model with every input but the first turned into an initializer. */
  bytes: Uint8Array;
  input: DecodedTensor;
  expected: DecodedTensor;
}

function readTensor(file: string): DecodedTensor {
  const t = decodeTensor(onnx.TensorProto.decode(readFileSync(file)));
  if (!t) throw new Error(`${file}: unreadable tensor`);
  return t;
}

export function nodeTestNames(): string[] {
  return existsSync(ONNX_NODE_TESTS)
    ? readdirSync(ONNX_NODE_TESTS)
        .filter((d) => d.startsWith("test_"))
        .sort()
    : [];
}

export function loadNodeTest(name: string): NodeTestCase {
  const dir = path.join(ONNX_NODE_TESTS, name);
  const model = onnx.ModelProto.decode(readFileSync(path.join(dir, "model.onnx")));
  const data = path.join(dir, "test_data_set_0");
  const graph = model.graph!;
  const inputs = (graph.input ?? []).filter((i) => !(graph.initializer ?? []).some((t) => t.name === i.name));
  inputs.slice(1).forEach((info, k) => {
    const proto = onnx.TensorProto.decode(readFileSync(path.join(data, `input_${k + 1}.pb`)));
    proto.name = info.name!;
    graph.initializer = [...(graph.initializer ?? []), proto];
  });
  graph.input = inputs.slice(0, 1);
  // Only output_0 is compared: a second declared output (LayerNormalization's mean) is not asked for.
  graph.output = (graph.output ?? []).slice(0, 1);
  return {
    name,
    bytes: onnx.ModelProto.encode(model).finish(),
    input: readTensor(path.join(data, "input_0.pb")),
    expected: readTensor(path.join(data, "output_0.pb")),
  };
}
