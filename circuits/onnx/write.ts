/**
 * A minimal ONNX writer for the dense networks zkml trains itself (the bundled examples):
 * Gemm(transB=1) layers with Relu between them, a symbolic batch dimension on input/output.
 */
import type onnxProto from "onnx-proto";
import { writeFileAtomic } from "../../core/manifest.js";
import { encodeModel, floatTensorProto, onnx, DT } from "./tensor.js";

export interface DenseLayerSpec {
  /** Row-major [out][in]. */
  weight: ArrayLike<number>;
  bias: ArrayLike<number>;
  inFeatures: number;
  outFeatures: number;
  relu: boolean;
}

/**
 * Dense layers with random weights (uniform, scaled by 1/sqrt(fan-in)) and small biases, ReLU
 * after every hidden layer unless `relu` says otherwise: benchmark and test models.
 */
export function randomDenseLayers(widths: number[], rand: () => number, relu?: boolean[]): DenseLayerSpec[] {
  return widths.slice(1).map((outF, i) => {
    const inF = widths[i]!;
    return {
      inFeatures: inF,
      outFeatures: outF,
      weight: Array.from({ length: inF * outF }, () => (rand() * 2 - 1) / Math.sqrt(inF)),
      bias: Array.from({ length: outF }, () => (rand() * 2 - 1) * 0.1),
      relu: relu?.[i] ?? i + 2 < widths.length,
    };
  });
}

export interface MlpSpec {
  name: string;
  inputName: string;
  outputName: string;
  layers: DenseLayerSpec[];
  docString?: string;
}

function valueInfo(name: string, features: number) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: DT.FLOAT,
        shape: { dim: [{ dimParam: "batch" }, { dimValue: features }] },
      },
    },
  });
}

/** An MLP (Gemm layers with optional ReLU) as ONNX bytes, as PyTorch exports one. */
export function encodeMlp(spec: MlpSpec): Uint8Array {
  const nodes: onnxProto.onnx.INodeProto[] = [];
  const initializers: onnxProto.onnx.ITensorProto[] = [];
  let current = spec.inputName;
  spec.layers.forEach((layer, i) => {
    const w = `fc${i}.weight`;
    const b = `fc${i}.bias`;
    initializers.push(floatTensorProto(w, [layer.outFeatures, layer.inFeatures], layer.weight));
    initializers.push(floatTensorProto(b, [layer.outFeatures], layer.bias));
    const last = i === spec.layers.length - 1;
    const gemmOut = last && !layer.relu ? spec.outputName : `fc${i}`;
    nodes.push(
      onnx.NodeProto.create({
        name: `Gemm_fc${i}`,
        opType: "Gemm",
        input: [current, w, b],
        output: [gemmOut],
        attribute: [onnx.AttributeProto.create({ name: "transB", type: onnx.AttributeProto.AttributeType.INT, i: 1 })],
      }),
    );
    current = gemmOut;
    if (layer.relu) {
      const reluOut = last ? spec.outputName : `relu${i}`;
      nodes.push(onnx.NodeProto.create({ name: `Relu_${i}`, opType: "Relu", input: [current], output: [reluOut] }));
      current = reluOut;
    }
  });
  return encodeModel({
    name: spec.name,
    docString: spec.docString,
    node: nodes,
    initializer: initializers,
    input: [valueInfo(spec.inputName, spec.layers[0]!.inFeatures)],
    output: [valueInfo(spec.outputName, spec.layers.at(-1)!.outFeatures)],
  });
}

/** encodeMlp, written to a file atomically. */
export async function writeMlp(file: string, spec: MlpSpec): Promise<void> {
  await writeFileAtomic(file, encodeMlp(spec));
}
