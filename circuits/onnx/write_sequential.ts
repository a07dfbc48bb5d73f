/**
 * An ONNX writer for the sequential CNNs zkml builds itself (the bundled MNIST CNN, the
 * LeNet-5 scale test, op tests): Conv, pools, activations, Flatten and Gemm in a chain, with a
 * symbolic batch dimension, as PyTorch would export them.
 */
import type onnxProto from "onnx-proto";
import { writeFileAtomic } from "../../core/manifest.js";
import { encodeModel, floatTensorProto, onnx, DT } from "./tensor.js";

export type SequentialLayer =
  | { kind: "conv"; outChannels: number; kernel: number; stride?: number; pad?: number; group?: number; weight: ArrayLike<number>; bias: ArrayLike<number> }
  | { kind: "maxpool" | "avgpool"; kernel: number; stride?: number; pad?: number; countIncludePad?: boolean }
  | { kind: "globalavgpool" }
  | {
      kind: "activation";
      op: "Relu" | "Sigmoid" | "Tanh" | "LeakyRelu" | "HardSigmoid" | "Abs" | "Exp" | "Erf" | "Softplus" | "Softsign" | "Elu" | "Selu" | "Sin" | "Sign";
      alpha?: number;
    }
  /** x op threshold, elementwise, then a Cast to float (0 or 1), as a comparison feeding arithmetic exports. */
  | { kind: "compare"; op: "Less" | "LessOrEqual" | "Greater" | "GreaterOrEqual"; threshold: number }
  | { kind: "clip"; min: number; max: number }
  | { kind: "prelu"; slope: ArrayLike<number> }
  | { kind: "batchnorm"; scale: ArrayLike<number>; bias: ArrayLike<number>; mean: ArrayLike<number>; variance: ArrayLike<number> }
  | { kind: "flatten" }
  /** a·x² + b·x + c elementwise, as PyTorch exports it: Mul(x, x), then Mul/Add by constants and an Add of x (x·x + x: two nodes). */
  | { kind: "polynomial"; a: number; b: number; c: number }
  /** weight: row-major [out][in] (Gemm transB=1, as torch.nn.Linear exports). */
  | { kind: "dense"; outFeatures: number; weight: ArrayLike<number>; bias: ArrayLike<number> };

export interface SequentialSpec {
  name: string;
  /** Without the batch dimension, e.g. [1, 28, 28]. */
  inputShape: number[];
  layers: SequentialLayer[];
  docString?: string;
}

const INT = onnx.AttributeProto.AttributeType.INT;
const INTS = onnx.AttributeProto.AttributeType.INTS;
const FLOAT = onnx.AttributeProto.AttributeType.FLOAT;
const ints = (name: string, v: number[]) => onnx.AttributeProto.create({ name, type: INTS, ints: v });
const int = (name: string, v: number) => onnx.AttributeProto.create({ name, type: INT, i: v });
const float = (name: string, v: number) => onnx.AttributeProto.create({ name, type: FLOAT, f: v });

function valueInfo(name: string, dims: number[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: DT.FLOAT, shape: { dim: [{ dimParam: "batch" }, ...dims.map((d) => ({ dimValue: d }))] } } },
  });
}

/** Output shape (without batch) of each layer, so the writer can size weights and the graph output. */
export function sequentialShapes(spec: SequentialSpec): number[][] {
  let shape = [...spec.inputShape];
  return spec.layers.map((l) => {
    const [C, H, W] = shape as [number, number, number];
    const out = (k: number, s = 1, p = 0) => [Math.floor((H + 2 * p - k) / s) + 1, Math.floor((W + 2 * p - k) / s) + 1];
    switch (l.kind) {
      case "conv":
        shape = [l.outChannels, ...out(l.kernel, l.stride, l.pad)];
        break;
      case "maxpool":
      case "avgpool":
        shape = [C, ...out(l.kernel, l.stride ?? l.kernel, l.pad)];
        break;
      case "globalavgpool":
        shape = [C, 1, 1];
        break;
      case "flatten":
        shape = [shape.reduce((a, b) => a * b, 1)];
        break;
      case "dense":
        shape = [l.outFeatures];
        break;
      // Element-wise: the shape stays.
      case "activation":
      case "compare":
      case "clip":
      case "prelu":
      case "batchnorm":
      case "polynomial":
        break;
      default:
        l satisfies never;
    }
    return [...shape];
  });
}

type NodeMaker = (opType: string, inputs: string[], attribute?: onnxProto.onnx.IAttributeProto[]) => void;
/** A node with all its inputs given; returns its output's name (the layer's last node writes the layer's output). */
type RawNodeMaker = (opType: string, inputs: string[], attribute?: onnxProto.onnx.IAttributeProto[]) => string;
type ParamMaker = (suffix: string, dims: number[], values: ArrayLike<number>) => string;

/** a·x² + b·x + c over the layer's input `x`, each term a node of its own. */
function writePolynomial(l: { a: number; b: number; c: number }, x: string, raw: RawNodeMaker, param: ParamMaker): void {
  const terms: string[] = [];
  const square = raw("Mul", [x, x]);
  terms.push(l.a === 1 ? square : raw("Mul", [square, param("a", [], [l.a])]));
  if (l.b !== 0) terms.push(l.b === 1 ? x : raw("Mul", [x, param("b", [], [l.b])]));
  if (l.c !== 0) terms.push(param("c", [], [l.c]));
  terms.slice(1).reduce((sum, t) => raw("Add", [sum, t]), terms[0]!);
}

/** One layer as ONNX nodes and initializers, reading the tensor `x` of `shape` (without batch). */
function writeLayer(l: SequentialLayer, shape: number[], node: NodeMaker, param: ParamMaker, raw: RawNodeMaker, x: string): void {
  switch (l.kind) {
    case "conv": {
      const group = l.group ?? 1;
      const w = param("weight", [l.outChannels, shape[0]! / group, l.kernel, l.kernel], l.weight);
      const b = param("bias", [l.outChannels], l.bias);
      const pad = l.pad ?? 0;
      node(
        "Conv",
        [w, b],
        [ints("kernel_shape", [l.kernel, l.kernel]), ints("strides", [l.stride ?? 1, l.stride ?? 1]), ints("pads", [pad, pad, pad, pad]), int("group", group)],
      );
      break;
    }
    case "maxpool":
    case "avgpool": {
      const pad = l.pad ?? 0;
      const attrs = [
        ints("kernel_shape", [l.kernel, l.kernel]),
        ints("strides", [l.stride ?? l.kernel, l.stride ?? l.kernel]),
        ints("pads", [pad, pad, pad, pad]),
      ];
      if (l.kind === "avgpool") attrs.push(int("count_include_pad", l.countIncludePad ? 1 : 0));
      node(l.kind === "maxpool" ? "MaxPool" : "AveragePool", [], attrs);
      break;
    }
    case "globalavgpool":
      node("GlobalAveragePool", []);
      break;
    case "activation":
      node(l.op, [], l.alpha === undefined ? [] : [float("alpha", l.alpha)]);
      break;
    case "clip":
      node("Clip", [param("min", [], [l.min]), param("max", [], [l.max])]);
      break;
    case "compare": {
      raw("Cast", [raw(l.op, [x, param("threshold", [], [l.threshold])])], [int("to", DT.FLOAT)]);
      break;
    }
    case "prelu":
      node("PRelu", [param("slope", [shape[0]!, ...shape.slice(1).map(() => 1)], l.slope)]);
      break;
    case "batchnorm":
      node("BatchNormalization", [
        param("scale", [shape[0]!], l.scale),
        param("bias", [shape[0]!], l.bias),
        param("mean", [shape[0]!], l.mean),
        param("var", [shape[0]!], l.variance),
      ]);
      break;
    case "flatten":
      node("Flatten", [], [int("axis", 1)]);
      break;
    case "polynomial":
      writePolynomial(l, x, raw, param);
      break;
    case "dense": {
      const inF = shape.reduce((a, b) => a * b, 1);
      const w = param("weight", [l.outFeatures, inF], l.weight);
      const b = param("bias", [l.outFeatures], l.bias);
      node("Gemm", [w, b], [int("transB", 1)]);
      break;
    }
    default:
      l satisfies never;
  }
}

/** A sequential CNN as ONNX bytes, as PyTorch exports one (symbolic batch dimension). */
export function encodeSequential(spec: SequentialSpec): Uint8Array {
  const nodes: onnxProto.onnx.INodeProto[] = [];
  const initializers: onnxProto.onnx.ITensorProto[] = [];
  const shapes = sequentialShapes(spec);
  let current = "input";
  let shape = spec.inputShape;
  spec.layers.forEach((l, i) => {
    const out = i === spec.layers.length - 1 ? "output" : `t${i}`;
    const node = (opType: string, inputs: string[], attribute: onnxProto.onnx.IAttributeProto[] = []) =>
      nodes.push(onnx.NodeProto.create({ name: `/${opType.toLowerCase()}${i}`, opType, input: [current, ...inputs], output: [out], attribute }));
    const param = (suffix: string, dims: number[], values: ArrayLike<number>) => {
      const name = `l${i}.${suffix}`;
      initializers.push(floatTensorProto(name, dims, values));
      return name;
    };
    let k = 0;
    const raw = (opType: string, inputs: string[], attribute: onnxProto.onnx.IAttributeProto[] = []) => {
      const output = `${out}/${k++}`;
      nodes.push(onnx.NodeProto.create({ name: `/${opType.toLowerCase()}${i}_${k}`, opType, input: inputs, output: [output], attribute }));
      return output;
    };
    writeLayer(l, shape, node, param, raw, current);
    if (k > 0) nodes.at(-1)!.output = [out];
    current = out;
    shape = shapes[i]!;
  });
  return encodeModel({
    name: spec.name,
    docString: spec.docString,
    node: nodes,
    initializer: initializers,
    input: [valueInfo("input", spec.inputShape)],
    output: [valueInfo("output", shapes.at(-1) ?? spec.inputShape)],
  });
}

/** Writes a sequential network (conv, pool, dense, activations) given in TypeScript as an ONNX file. */
export async function writeSequential(file: string, spec: SequentialSpec): Promise<void> {
  await writeFileAtomic(file, encodeSequential(spec));
}
