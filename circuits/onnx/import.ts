/**
 * ONNX → float graph IR. Constants and shape-only ops are folded here (Shape, Gather,
 * Unsqueeze, Concat, ... on constants); affine ops on a linear layer's output (Add, Sub, Mul,
 * Div by constants, BatchNormalization) fold into its weights when nothing else reads it; Pad,
 * Transpose and Gather of an activation become free index maps; Add/Sub/Mul of two activations
 * and Pow become binary nodes, MatMul of two a matmul node, Concat of activations a concat
 * node; pre-quantized ops (QLinear*, *Integer, Q/DQ) keep their integers. What remains is a DAG of provable nodes in topological order. Anything else
 * is refused with the node, its op and the supported list, before anything is written.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { ZkmlError } from "../../core/errors.js";
import type { ActivationFn, ConvNode, DenseNode, ExactQuant, Graph, GraphNode } from "../../core/graph.js";
import { roundHalfEven, sizeOf } from "../../core/graph.js";
import type onnxProto from "onnx-proto";
import { decodeTensor, DT, onnx, toNum, type DecodedTensor } from "./tensor.js";
import { activationZeroPointProblem, exactConstant, scaleExactly, scaleFracs } from "./quant_params.js";
import {
  attr, broadcastShape, broadcastTo, floatAttr, gatherIndex, intAttr, intsAttr, matmulIndex, padIndex, sliceIndex, stringAttr, tileIndex, transposeIndex, windowGeometry,
  type IndexMap,
} from "./shapes.js";

export const SUPPORTED_OPS = [
  "Gemm", "MatMul", "Conv", "Add", "Sub", "Mul", "Div", "Pow (2, 3)", "BatchNormalization",
  "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Pad",
  "Relu", "LeakyRelu", "PRelu", "Sigmoid", "Tanh", "Clip", "HardSigmoid", "Softmax / ArgMax (as the last op)",
  "Flatten", "Reshape", "Transpose", "Gather", "Slice", "Squeeze", "Unsqueeze", "Shape", "Concat", "ConstantOfShape", "Expand", "Tile",
  "Cast", "Identity", "Dropout", "Constant", "QuantizeLinear", "DequantizeLinear",
  "QLinearConv", "QLinearMatMul", "ConvInteger", "MatMulInteger", "Relu / MaxPool on int8",
] as const;

/** Ops that may read an int8 (quantized) tensor: they move, compare or dequantize its values. */
const INT8_READERS = new Set([
  "Identity", "Dropout", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Transpose", "Gather", "Slice", "Tile", "Expand", "Pad", "Shape",
  "MaxPool", "GlobalMaxPool", "Relu", "DequantizeLinear", "QLinearConv", "QLinearMatMul", "ConvInteger", "MatMulInteger",
]);

type NodeProto = onnxProto.onnx.INodeProto;

interface Activation {
  kind: "act";
  shape: number[];
  /**
   * Set on an int8 tensor of the ONNX graph (after a QuantizeLinear or a QLinear op). zkml
   * carries its real value, int · 2^-frac; `uint8` marks the zero-point-128 form of the same values.
   */
  int8?: { frac: number; uint8: boolean };
}
interface Constant {
  kind: "const";
  tensor: DecodedTensor;
  quant?: ExactQuant;
}
type Value = Activation | Constant;

export async function importOnnxFile(file: string): Promise<Graph> {
  if (!existsSync(file)) throw new ZkmlError("FILE_NOT_FOUND", `model file not found: ${file}`);
  const bytes = await readFile(file);
  const name = path.basename(file).replace(/\.onnx$/i, "");
  return importOnnx(bytes, name);
}

const ELEMENTWISE: Record<string, (a: number, b: number) => number> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b) => a / b,
};

export function importOnnx(bytes: Uint8Array, modelName: string): Graph {
  let model: InstanceType<typeof onnx.ModelProto>;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new ZkmlError("BAD_ONNX", `${modelName}: not an ONNX model (${(e as Error).message})`, "pass a .onnx file exported by PyTorch, skl2onnx or onnx");
  }
  const g = model.graph;
  if (!g || !g.node || g.node.length === 0) {
    throw new ZkmlError("BAD_ONNX", `${modelName}: not an ONNX model (no graph or no nodes)`, "pass a .onnx file exported by PyTorch, skl2onnx or onnx");
  }
  const opset = toNum((model.opsetImport ?? []).find((o) => !o.domain || o.domain === "ai.onnx")?.version ?? 13);
  const where = (n: NodeProto) => `model ${modelName}, node "${n.name || n.output?.[0] || "?"}" (${n.opType})`;
  const unsupported = (n: NodeProto, why: string): never => {
    throw new ZkmlError("UNSUPPORTED_OP", `${where(n)}: ${why}`, `supported ops: ${SUPPORTED_OPS.join(", ")}`);
  };

  const values = new Map<string, Value>();
  for (const init of g.initializer ?? []) {
    const t = decodeTensor(init);
    if (!t) throw new ZkmlError("BAD_MODEL", `model ${modelName}: initializer "${init.name}" has data type ${init.dataType} that zkml cannot read`);
    values.set(init.name!, { kind: "const", tensor: t });
  }

  const dataInputs = (g.input ?? []).filter((i) => !values.has(i.name!));
  if (dataInputs.length === 0) throw new ZkmlError("BAD_MODEL", `model ${modelName}: has no data input`);
  const parts = dataInputs.map((info) => {
    const elemType = info.type?.tensorType?.elemType;
    if (elemType !== undefined && elemType !== DT.FLOAT && elemType !== DT.DOUBLE) {
      throw new ZkmlError("BAD_MODEL", `model ${modelName}: input "${info.name}" has element type ${elemType}; zkml takes float inputs`);
    }
    const shape = (info.type?.tensorType?.shape?.dim ?? []).map((d, i) => {
      if (d.dimValue !== undefined && d.dimValue !== null && toNum(d.dimValue) > 0) return toNum(d.dimValue);
      if (i === 0) return 1; // symbolic batch dimension
      throw new ZkmlError("BAD_MODEL", `model ${modelName}: input "${info.name}" dimension ${i} is symbolic ("${d.dimParam ?? ""}"); only the batch dimension may be`);
    });
    return { name: info.name!, shape };
  });
  // Several graph inputs are one circuit input: their concatenation, in graph order. Each is a
  // free slice of it, so every later op sees the tensor it expects.
  const inputName = parts.length === 1 ? parts[0]!.name : parts.map((p) => p.name).join("+");
  const inputShape = parts.length === 1 ? parts[0]!.shape : [parts.reduce((n, p) => n + sizeOf(p.shape), 0)];
  values.set(inputName, { kind: "act", shape: inputShape });

  const nodes: GraphNode[] = [];
  /** Renames (Flatten, Reshape, Identity, ...) point at the tensor that holds the values. */
  const canonical = new Map<string, string>([[inputName, inputName]]);
  if (parts.length > 1) {
    let offset = 0;
    for (const p of parts) {
      const size = sizeOf(p.shape);
      nodes.push({ op: "select", name: `input ${p.name}`, onnxOp: "(graph input)", input: inputName, output: p.name, index: Int32Array.from({ length: size }, (_, i) => offset + i) });
      values.set(p.name, { kind: "act", shape: p.shape });
      canonical.set(p.name, p.name);
      offset += size;
    }
  }
  const canon = (name: string) => canonical.get(name) ?? name;
  // Folding an op into the layer before it is only sound when nothing else reads that layer's
  // output: count the readers of every ONNX tensor, and whether a rename chain had only one.
  const onnxReaders = new Map<string, number>();
  for (const nd of g.node) for (const i of nd.input ?? []) if (i) onnxReaders.set(i, (onnxReaders.get(i) ?? 0) + 1);
  for (const o of g.output ?? []) onnxReaders.set(o.name!, (onnxReaders.get(o.name!) ?? 0) + 1);
  const soleReader = new Map<string, boolean>();
  let outputTransform: Graph["outputTransform"];

  const valueOf = (n: NodeProto, name: string): Value => {
    const v = values.get(name);
    if (!v) throw new ZkmlError("BAD_MODEL", `${where(n)}: input "${name}" is not defined before use (missing initializer, or the graph is not in topological order / has a cycle)`);
    return v;
  };
  const constOf = (n: NodeProto, name: string, role: string): Constant => {
    const v = valueOf(n, name);
    if (v.kind !== "const") unsupported(n, `${role} "${name}" must be a constant; zkml proves models with fixed weights`);
    return v as Constant;
  };
  const actOf = (n: NodeProto, name: string): Activation => {
    const v = valueOf(n, name);
    if (v.kind !== "act") unsupported(n, `expected an activation for "${name}", got a constant`);
    return v as Activation;
  };
  const spatial = (n: NodeProto, a: Activation): [number, number, number] => {
    if (a.shape.length !== 4 || a.shape[0] !== 1) unsupported(n, `needs a [1, C, H, W] input, got [${a.shape}]`);
    return a.shape.slice(1) as [number, number, number];
  };
  const out0 = (n: NodeProto) => n.output![0]!;
  const nameOf = (n: NodeProto) => n.name || out0(n);
  const srcOf = (n: NodeProto, i = 0) => canon(n.input![i]!);
  const emit = (node: GraphNode, shape: number[], int8?: Activation["int8"]) => {
    nodes.push(node);
    values.set(node.output, { kind: "act", shape, ...(int8 && { int8 }) });
    canonical.set(node.output, node.output);
  };
  const int8Of = (name: string) => (values.get(name) as Activation | undefined)?.int8;
  const alias = (n: NodeProto, shape: number[], from = n.input![0]!) => {
    const out = out0(n);
    const int8 = int8Of(from);
    values.set(out, { kind: "act", shape, ...(int8 && { int8 }) });
    canonical.set(out, canon(from));
    soleReader.set(out, (soleReader.get(from) ?? true) && onnxReaders.get(from) === 1);
  };
  const select = (n: NodeProto, map: IndexMap) =>
    emit({ op: "select", name: nameOf(n), onnxOp: n.opType!, input: srcOf(n), output: out0(n), index: map.index }, map.shape, int8Of(n.input![0]!));
  /** Applies an index map: folded on a constant, a rename when it is the identity, else a select node. */
  const rearrange = (n: NodeProto, v: Value, map: IndexMap) => {
    if (v.kind === "const") {
      setConst(n, { dims: map.shape, dataType: v.tensor.dataType, data: Float64Array.from(map.index, (i) => v.tensor.data[i]!) });
      return;
    }
    actOf(n, n.input![0]!);
    const inputSize = sizeOf((values.get(n.input![0]!) as Activation).shape);
    if (map.index.length === inputSize && map.index.every((x, i) => x === i)) alias(n, map.shape); // e.g. batch 0 of a batch of one
    else select(n, map);
  };
  const setConst = (n: NodeProto, tensor: DecodedTensor) => values.set(out0(n), { kind: "const", tensor });
  /** The linear node that produced `name`, when this op is its only reader: affine ops fold into it. */
  const foldTarget = (name: string): DenseNode | ConvNode | null => {
    if (onnxReaders.get(name) !== 1 || soleReader.get(name) === false) return null;
    const node = nodes.find((nd) => nd.output === canon(name));
    return node && (node.op === "dense" || node.op === "conv") ? node : null;
  };
  /** Per-output-channel values of a per-element array over the linear node's output, or null if they vary within a channel. */
  const perChannel = (target: DenseNode | ConvNode, full: Float64Array): Float64Array | null => {
    const channels = target.bias.length;
    const per = full.length / channels;
    if (!Number.isInteger(per)) return null;
    const values = new Float64Array(channels);
    for (let ch = 0; ch < channels; ch++) {
      values[ch] = full[ch * per]!;
      for (let k = 1; k < per; k++) if (full[ch * per + k] !== values[ch]) return null;
    }
    return values;
  };
  /** y = x·scale + shift per output channel, folded into the linear node's weights and bias. */
  const foldAffine = (target: DenseNode | ConvNode, scale: Float64Array | null, shift: Float64Array | null) => {
    const channels = target.bias.length;
    const row = target.weight.data.length / channels;
    // Pre-quantized weights stay exact under ± power-of-two factors (MatMulInteger → Cast → Mul).
    if (scale && target.weightQuant) target.weightQuant = scaleExactly(target.weightQuant, scale, channels) ?? undefined;
    for (let ch = 0; ch < channels; ch++) {
      const s = scale ? scale[ch]! : 1;
      if (s !== 1) {
        for (let k = 0; k < row; k++) target.weight.data[ch * row + k]! *= s;
        target.bias[ch]! *= s;
      }
      if (shift) target.bias[ch]! += shift[ch]!;
    }
  };
  const activation = (n: NodeProto, fn: ActivationFn) => {
    const a = actOf(n, n.input![0]!);
    emit({ op: "activation", name: nameOf(n), onnxOp: n.opType!, input: srcOf(n), output: out0(n), fn }, a.shape, a.int8);
  };
  const optionalConst = (n: NodeProto, i: number): DecodedTensor | undefined => {
    const name = n.input?.[i];
    return name ? constOf(n, name, `input ${i}`).tensor : undefined;
  };

  /** Gemm / MatMul with constant weights: a dense node. */
  const emitDense = (
    n: NodeProto, xName: string, w: Constant,
    o: { transA: boolean; transB: boolean; alpha: number; beta: number; bias?: DecodedTensor },
    out: string, name: string,
  ) => {
    const a = actOf(n, xName);
    if (w.tensor.dims.length !== 2) unsupported(n, `weight must be 2-D, got [${w.tensor.dims}]`);
    const [r, c] = w.tensor.dims as [number, number];
    const [inF, outF] = o.transB ? [c, r] : [r, c];
    // One sample: A is a row [1, K], or with transA a column [K, 1] holding the same values.
    const features = o.transA ? a.shape[0]! : a.shape.at(-1)!;
    if (o.transA && a.shape.length !== 2) unsupported(n, `transA=1 needs a 2-D input, got [${a.shape}]`);
    if (sizeOf(a.shape) !== features || features !== inF) {
      throw new ZkmlError("BAD_MODEL", `${where(n)}: input shape [${a.shape}] does not match weight [${w.tensor.dims}]${o.transB ? " (transB)" : ""}`);
    }
    const weight = new Float64Array(outF * inF);
    const wq = w.quant ? new Int32Array(outF * inF) : undefined;
    for (let oF = 0; oF < outF; oF++) {
      for (let i = 0; i < inF; i++) {
        const src = o.transB ? oF * inF + i : i * outF + oF;
        weight[oF * inF + i] = o.alpha * w.tensor.data[src]!;
        if (wq) wq[oF * inF + i] = w.quant!.data[src]!;
      }
    }
    const bias = new Float64Array(outF);
    if (o.bias) {
      if (o.bias.data.length !== outF && o.bias.data.length !== 1) unsupported(n, `bias of shape [${o.bias.dims}] does not broadcast to [${outF}]`);
      for (let oF = 0; oF < outF; oF++) bias[oF] = o.beta * o.bias.data[o.bias.data.length === 1 ? 0 : oF]!;
    }
    emit({
      op: "dense", name, onnxOp: n.opType!, input: canon(xName), output: out,
      weight: { dims: [outF, inF], data: weight }, bias,
      weightQuant: wq && o.alpha === 1 ? { data: wq, frac: w.quant!.frac } : undefined,
    }, [1, outF]);
  };
  /** Conv with constant weights: a conv node. */
  const emitConv = (n: NodeProto, xName: string, w: Constant, biasData: ArrayLike<number> | undefined, out: string, name: string) => {
    const a = actOf(n, xName);
    const inShape = spatial(n, a);
    if (w.tensor.dims.length !== 4) unsupported(n, `only 2-D convolutions are supported (weight [${w.tensor.dims}])`);
    const [OC, cpg, KH, KW] = w.tensor.dims as [number, number, number, number];
    const group = intAttr(n, "group", 1);
    if (group < 1 || inShape[0] % group !== 0 || OC % group !== 0 || inShape[0] / group !== cpg) {
      throw new ZkmlError("BAD_MODEL", `${where(n)}: group ${group} does not fit input channels ${inShape[0]}, weight [${w.tensor.dims}]`);
    }
    const geometry = windowGeometry(n, inShape, [KH, KW], where(n), OC);
    const bias = new Float64Array(OC);
    if (biasData) {
      if (biasData.length !== OC) throw new ZkmlError("BAD_MODEL", `${where(n)}: bias has ${biasData.length} values for ${OC} output channels`);
      bias.set(biasData);
    }
    emit({
      op: "conv", name, onnxOp: n.opType!, input: canon(xName), output: out, ...geometry, group,
      weight: { dims: w.tensor.dims, data: Float64Array.from(w.tensor.data) }, bias,
      weightQuant: w.quant ? { data: Int32Array.from(w.quant.data), frac: w.quant.frac } : undefined,
    }, [1, ...geometry.outShape]);
  };
  /** Concat of activations (branches joined): where each part's values land in the output. */
  const concatActivations = (n: NodeProto) => {
    const ins = (n.input ?? []).filter((x) => x);
    const shapes = ins.map((x) => {
      const v = valueOf(n, x);
      if (v.kind !== "act") unsupported(n, `Concat of an activation with the constant "${x}" is not supported`);
      return (v as Activation).shape;
    });
    const rank = shapes[0]!.length;
    let axis = intAttr(n, "axis", 0);
    if (axis < 0) axis += rank;
    const fits = axis >= 0 && axis < rank && shapes.every((s) => s.length === rank && s.every((d, i) => i === axis || d === shapes[0]![i]));
    if (!fits) throw new ZkmlError("BAD_MODEL", `${where(n)}: cannot concatenate [${shapes.map((s) => `[${s}]`).join(", ")}] on axis ${axis}`);
    const outer = sizeOf(shapes[0]!.slice(0, axis));
    const chunks = shapes.map((s) => sizeOf(s.slice(axis)));
    const row = chunks.reduce((a, b) => a + b, 0);
    const dest = chunks.map((chunk, k) => {
      const start = chunks.slice(0, k).reduce((a, b) => a + b, 0);
      return Int32Array.from({ length: outer * chunk }, (_, j) => Math.floor(j / chunk) * row + start + (j % chunk));
    });
    const shape = [...shapes[0]!];
    shape[axis] = shapes.reduce((s, x) => s + x[axis]!, 0);
    emit({ op: "concat", name: nameOf(n), onnxOp: "Concat", input: canon(ins[0]!), inputs: ins.map(canon), output: out0(n), dest, size: outer * row }, shape);
  };
  /** The power-of-two fracs of a scale input, or the error that says why zkml cannot keep it exact. */
  const fracsOf = (n: NodeProto, scaleName: string): number[] => {
    const r = scaleFracs(constOf(n, scaleName, "scale").tensor);
    if ("notPowerOfTwo" in r) {
      throw new ZkmlError("UNSUPPORTED_OP", `${where(n)}: scale ${Number(r.notPowerOfTwo.toPrecision(7))} is not a power of two`,
        "zkml keeps a model's own quantization exact, which needs power-of-two scales: re-quantize with power-of-two scales, or give zkml the float model and let it quantize");
    }
    return r.fracs;
  };
  /** An activation's (per-tensor, symmetric) quantization from inputs scaleAt / zpAt: its int8 form. */
  const activationQuant = (n: NodeProto, scaleAt: number, zpAt: number): { frac: number; uint8: boolean } => {
    const fracs = fracsOf(n, n.input![scaleAt]!);
    if (fracs.length !== 1) unsupported(n, "per-channel scales on an activation are not supported (only on weights)");
    const zp = n.input?.[zpAt] ? optionalConst(n, zpAt) : undefined;
    const problem = activationZeroPointProblem(zp);
    if (problem) unsupported(n, `the quantization ${problem}`);
    return { frac: fracs[0]!, uint8: zp!.dataType === DT.UINT8 };
  };
  /** A QLinear op's int8 input at position at, whose scale and zero point must be the ones it was quantized with. */
  const int8Input = (n: NodeProto, at: number, scaleAt: number, zpAt: number): number => {
    const x = actOf(n, n.input![at]!);
    const q = activationQuant(n, scaleAt, zpAt);
    if (!x.int8) unsupported(n, `input "${n.input![at]}" is not an int8 tensor from a QuantizeLinear or QLinear op`);
    if (x.int8!.frac !== q.frac || x.int8!.uint8 !== q.uint8) {
      throw new ZkmlError("BAD_MODEL", `${where(n)}: input "${n.input![at]}" was quantized at scale 2^-${x.int8!.frac}${x.int8!.uint8 ? " (uint8)" : ""} but is read at 2^-${q.frac}${q.uint8 ? " (uint8)" : ""}`);
    }
    return q.frac;
  };
  /** Quantized weights (int8/uint8 data, scale per tensor or per channel along axis, any zero point) as exact integers. */
  const quantizedConstant = (n: NodeProto, data: DecodedTensor, scaleName: string, zpName: string | undefined, axis: number, role: string): Constant => {
    const fracs = fracsOf(n, scaleName);
    const zp = zpName ? constOf(n, zpName, "zero point").tensor : undefined;
    const exact = exactConstant(data, fracs, zp, axis);
    if (typeof exact === "string") unsupported(n, `${role} ${exact}`);
    const q = exact as ExactQuant;
    return { kind: "const", tensor: { dims: data.dims, dataType: DT.FLOAT, data: Float64Array.from(q.data, (v) => v * 2 ** -q.frac) }, quant: q };
  };

  for (const [index, n] of g.node.entries()) {
    const op = n.opType ?? "";
    const ins = n.input ?? [];
    const allConst = ins.filter((x) => x).every((x) => values.get(x)?.kind === "const");
    const int8In = ins.find((x) => x && int8Of(x));
    if (int8In && !INT8_READERS.has(op)) {
      unsupported(n, `reads the int8 tensor "${int8In}"; zkml takes an int8 tensor into QLinearConv, QLinearMatMul, ConvInteger, MatMulInteger, MaxPool, Relu, shape ops and DequantizeLinear only: dequantize it first`);
    }
    switch (op) {
      case "Constant": {
        const a = attr(n, "value");
        const t = a?.t ? decodeTensor(a.t) : null;
        if (!t) unsupported(n, "only tensor-valued Constant nodes are supported");
        setConst(n, t!);
        break;
      }
      case "Identity":
      case "Dropout": {
        const v = valueOf(n, ins[0]!);
        if (v.kind === "const") values.set(out0(n), v);
        else alias(n, actOf(n, ins[0]!).shape);
        break;
      }
      case "Cast": {
        const to = intAttr(n, "to", DT.FLOAT);
        const v = valueOf(n, ins[0]!);
        if (v.kind === "const") {
          const isInt = to !== DT.FLOAT && to !== DT.DOUBLE && to !== DT.FLOAT16;
          setConst(n, { ...v.tensor, dataType: to, data: isInt ? v.tensor.data.map(Math.trunc) : v.tensor.data });
        } else if (to === DT.FLOAT || to === DT.DOUBLE) {
          alias(n, actOf(n, ins[0]!).shape);
        } else {
          unsupported(n, `a Cast of an activation to data type ${to} is not supported (only to float)`);
        }
        break;
      }
      case "Shape": {
        const v = valueOf(n, ins[0]!);
        const shape = v.kind === "act" ? v.shape : v.tensor.dims;
        setConst(n, constTensor([shape.length], shape, DT.INT64));
        break;
      }
      case "ConstantOfShape": {
        const shape = Array.from(constOf(n, ins[0]!, "shape").tensor.data);
        const a = attr(n, "value");
        const fill = a?.t ? (decodeTensor(a.t)?.data[0] ?? 0) : 0;
        setConst(n, constTensor(shape, new Float64Array(sizeOf(shape)).fill(fill)));
        break;
      }
      case "Unsqueeze":
      case "Squeeze": {
        const v = valueOf(n, ins[0]!);
        const shape = v.kind === "act" ? v.shape : v.tensor.dims;
        const axesIn = intsAttr(n, "axes") ?? (ins[1] ? Array.from(constOf(n, ins[1], "axes").tensor.data) : undefined);
        let newShape: number[];
        if (op === "Unsqueeze") {
          if (!axesIn) unsupported(n, "Unsqueeze needs axes");
          const rank = shape.length + axesIn!.length;
          const axes = axesIn!.map((x) => (x < 0 ? x + rank : x));
          newShape = [];
          let src = 0;
          for (let d = 0; d < rank; d++) newShape.push(axes.includes(d) ? 1 : shape[src++]!);
        } else {
          const axes = (axesIn ?? shape.flatMap((d, i) => (d === 1 ? [i] : []))).map((x) => (x < 0 ? x + shape.length : x));
          if (axes.some((x) => shape[x] !== 1)) throw new ZkmlError("BAD_MODEL", `${where(n)}: cannot squeeze axes [${axes}] of [${shape}]`);
          newShape = shape.filter((_, i) => !axes.includes(i));
        }
        if (v.kind === "const") setConst(n, { ...v.tensor, dims: newShape });
        else alias(n, (actOf(n, ins[0]!), newShape));
        break;
      }
      case "Concat": {
        if (!allConst) {
          concatActivations(n);
          break;
        }
        const parts = ins.map((x) => constOf(n, x, "input").tensor);
        const rank = parts[0]!.dims.length;
        let axis = intAttr(n, "axis", 0);
        if (axis < 0) axis += rank;
        const outer = sizeOf(parts[0]!.dims.slice(0, axis));
        const data: number[] = [];
        for (let o = 0; o < outer; o++) {
          for (const p of parts) {
            const chunk = sizeOf(p.dims.slice(axis));
            data.push(...p.data.subarray(o * chunk, (o + 1) * chunk));
          }
        }
        const dimsOut = [...parts[0]!.dims];
        dimsOut[axis] = parts.reduce((s, p) => s + p.dims[axis]!, 0);
        setConst(n, { dims: dimsOut, dataType: parts[0]!.dataType, data: Float64Array.from(data) });
        break;
      }
      case "Gather": {
        const v = valueOf(n, ins[0]!);
        const indices = constOf(n, ins[1]!, "indices").tensor;
        const shape = v.kind === "act" ? v.shape : v.tensor.dims;
        let axis = intAttr(n, "axis", 0);
        if (axis < 0) axis += shape.length;
        const map = gatherIndex(shape, axis, indices);
        if (!map) throw new ZkmlError("BAD_MODEL", `${where(n)}: an index in [${Array.from(indices.data)}] is out of range for axis ${axis} of [${shape}]`);
        rearrange(n, v, map);
        break;
      }
      case "Slice": {
        const v = valueOf(n, ins[0]!);
        const shape = v.kind === "act" ? v.shape : v.tensor.dims;
        // Since opset 10 the bounds are inputs; before, attributes.
        const list = (i: number, name: string) => intsAttr(n, name) ?? (ins[i] ? Array.from(constOf(n, ins[i], name).tensor.data) : undefined);
        const starts = list(1, "starts");
        const ends = list(2, "ends");
        if (!starts || !ends) throw new ZkmlError("BAD_MODEL", `${where(n)}: Slice needs starts and ends`);
        const map = sliceIndex(shape, starts, ends, list(3, "axes"), list(4, "steps"));
        if (!map) throw new ZkmlError("BAD_MODEL", `${where(n)}: cannot slice [${shape}] with starts [${starts}], ends [${ends}]`);
        rearrange(n, v, map);
        break;
      }
      case "Tile":
      case "Expand": {
        const v = valueOf(n, ins[0]!);
        const shape = v.kind === "act" ? v.shape : v.tensor.dims;
        const arg = Array.from(constOf(n, ins[1]!, op === "Tile" ? "repeats" : "shape").tensor.data);
        let map: IndexMap | null;
        if (op === "Tile") {
          map = arg.length === shape.length ? tileIndex(shape, arg) : null;
        } else {
          const target = broadcastShape(shape, arg);
          const probe = target && broadcastTo({ dims: shape, dataType: DT.FLOAT, data: Float64Array.from({ length: sizeOf(shape) }, (_, i) => i) }, target);
          map = target && probe ? { index: Int32Array.from(probe), shape: target } : null;
        }
        if (!map) throw new ZkmlError("BAD_MODEL", `${where(n)}: cannot ${op.toLowerCase()} [${shape}] by [${arg}]`);
        rearrange(n, v, map);
        break;
      }
      case "Transpose": {
        const v = valueOf(n, ins[0]!);
        const shape = v.kind === "act" ? v.shape : v.tensor.dims;
        const perm = intsAttr(n, "perm") ?? shape.map((_, i) => shape.length - 1 - i);
        rearrange(n, v, transposeIndex(shape, perm));
        break;
      }
      case "Flatten": {
        const v = valueOf(n, ins[0]!);
        const shape = v.kind === "act" ? v.shape : v.tensor.dims;
        let axis = intAttr(n, "axis", 1);
        if (axis < 0) axis += shape.length;
        const flat = [sizeOf(shape.slice(0, axis)), sizeOf(shape.slice(axis))];
        if (v.kind === "const") setConst(n, { ...v.tensor, dims: flat });
        else alias(n, (actOf(n, ins[0]!), flat));
        break;
      }
      case "Reshape": {
        const v = valueOf(n, ins[0]!);
        const shape = v.kind === "act" ? v.shape : v.tensor.dims;
        const target = Array.from(constOf(n, ins[1]!, "shape").tensor.data);
        const total = sizeOf(shape);
        const withZeros = target.map((d, i) => (d === 0 ? shape[i]! : d));
        const known = withZeros.filter((d) => d !== -1).reduce((x, y) => x * y, 1);
        const resolved = withZeros.map((d) => (d === -1 ? total / known : d));
        if (sizeOf(resolved) !== total || resolved.some((d) => !Number.isInteger(d) || d <= 0)) {
          throw new ZkmlError("BAD_MODEL", `${where(n)}: cannot reshape [${shape}] to [${target}]`);
        }
        if (v.kind === "const") setConst(n, { ...v.tensor, dims: resolved });
        else alias(n, (actOf(n, ins[0]!), resolved));
        break;
      }
      case "Gemm":
      case "MatMul": {
        if (op === "MatMul" && valueOf(n, ins[0]!).kind === "act" && valueOf(n, ins[1]!).kind === "act") {
          // Two activations (attention's Q·Kᵀ): every product is a constraint.
          const [a, b] = [actOf(n, ins[0]!), actOf(n, ins[1]!)];
          const m = matmulIndex(a.shape, b.shape);
          if (!m) throw new ZkmlError("BAD_MODEL", `${where(n)}: [${a.shape}] × [${b.shape}] do not multiply (MatMul of activations needs rank ≥ 2, A [..., M, K] × B [..., K, N])`);
          emit({ op: "matmul", name: nameOf(n), onnxOp: op, input: srcOf(n, 0), input2: srcOf(n, 1), output: out0(n), k: m!.k, aIndex: m!.aIndex, bIndex: m!.bIndex }, m!.shape);
          break;
        }
        const w = constOf(n, ins[1]!, "weight");
        const bias = op === "Gemm" && ins[2] ? constOf(n, ins[2], "bias").tensor : undefined;
        emitDense(n, ins[0]!, w, {
          transA: op === "Gemm" && intAttr(n, "transA", 0) !== 0,
          transB: op === "Gemm" && intAttr(n, "transB", 0) !== 0,
          alpha: op === "Gemm" ? floatAttr(n, "alpha", 1) : 1,
          beta: op === "Gemm" ? floatAttr(n, "beta", 1) : 1,
          bias,
        }, out0(n), nameOf(n));
        break;
      }
      case "Conv":
        emitConv(n, ins[0]!, constOf(n, ins[1]!, "weight"), ins[2] ? constOf(n, ins[2], "bias").tensor.data : undefined, out0(n), nameOf(n));
        break;
      case "QLinearConv":
      case "QLinearMatMul": {
        // x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp[, bias]: an int8 linear layer whose
        // output onnxruntime requantizes to y's scale (half to even), here a layer + fixscale.
        const xFrac = int8Input(n, 0, 1, 2);
        const wConst = constOf(n, ins[3]!, "weight");
        const axis = op === "QLinearConv" ? 0 : 1;
        const w = quantizedConstant(n, wConst.tensor, ins[4]!, ins[5], axis, "weight");
        const yFrac = activationQuant(n, 6, 7);
        const acc = `${out0(n)}/accumulator`;
        if (op === "QLinearConv") {
          // The bias is int32 at the accumulator scale s_x·s_w (per output channel).
          const b = optionalConst(n, 8);
          const wScales = constOf(n, ins[4]!, "scale").tensor.data;
          const bias = b && Float64Array.from(b.data, (v, c) => v * 2 ** -xFrac * wScales[wScales.length === 1 ? 0 : c]!);
          emitConv(n, ins[0]!, w, bias, acc, `${nameOf(n)}/conv`);
        } else {
          emitDense(n, ins[0]!, w, { transA: false, transB: false, alpha: 1, beta: 1 }, acc, `${nameOf(n)}/matmul`);
        }
        emit({ op: "fixscale", name: nameOf(n), onnxOp: op, input: acc, output: out0(n), frac: yFrac.frac }, (values.get(acc) as Activation).shape, yFrac);
        break;
      }
      case "MatMulInteger":
      case "ConvInteger": {
        // x, w[, x_zp, w_zp] → int32 Σ x_q·w_q. zkml carries x's real value x_q·2^-f, so the
        // layer's weights are w_q·2^f: exact, with frac -f. A Cast and Mul by the scales after
        // it fold back into the weights, still exact.
        const x = actOf(n, ins[0]!);
        if (!x.int8) unsupported(n, `input "${ins[0]}" is not an int8 tensor from a QuantizeLinear`);
        const zpProblem = activationZeroPointProblem(ins[2] ? optionalConst(n, 2) : { dims: [], dataType: x.int8!.uint8 ? DT.UINT8 : DT.INT8, data: Float64Array.of(x.int8!.uint8 ? 128 : 0) });
        if (zpProblem) unsupported(n, `input zero point ${zpProblem}`);
        const wConst = constOf(n, ins[1]!, "weight");
        const wZp = ins[3] ? optionalConst(n, 3) : undefined;
        const exact = exactConstant(wConst.tensor, [0], wZp && wZp.data.length === 1 ? wZp : undefined, 0);
        if (typeof exact === "string" || (wZp && wZp.data.length !== 1)) unsupported(n, `weight ${typeof exact === "string" ? exact : "zero point must be one value"}`);
        const q = exact as ExactQuant;
        const f = x.int8!.frac;
        const w: Constant = {
          kind: "const",
          tensor: { dims: wConst.tensor.dims, dataType: DT.FLOAT, data: Float64Array.from(q.data, (v) => v * 2 ** f) },
          quant: { data: q.data, frac: -f },
        };
        if (op === "ConvInteger") emitConv(n, ins[0]!, w, undefined, out0(n), nameOf(n));
        else emitDense(n, ins[0]!, w, { transA: false, transB: false, alpha: 1, beta: 1 }, out0(n), nameOf(n));
        break;
      }
      case "MaxPool":
      case "AveragePool":
      case "GlobalAveragePool":
      case "GlobalMaxPool": {
        const a = actOf(n, ins[0]!);
        const inShape = spatial(n, a);
        if ((n.output ?? []).filter((x) => x).length > 1) unsupported(n, "MaxPool's Indices output is not supported");
        if (intAttr(n, "storage_order", 0) !== 0) unsupported(n, "storage_order=1 is not supported");
        const global = op.startsWith("Global");
        const kernel = (global ? [inShape[1], inShape[2]] : intsAttr(n, "kernel_shape")) as [number, number] | undefined;
        if (!kernel || kernel.length !== 2) unsupported(n, "only 2-D pooling with a kernel_shape is supported");
        const geometry = global
          ? { inShape, outShape: [inShape[0], 1, 1] as [number, number, number], kernel: kernel!, strides: [1, 1] as [number, number], pads: [0, 0, 0, 0] as [number, number, number, number] }
          : windowGeometry(n, inShape, kernel!, where(n));
        const kind = op.includes("Max") ? "maxpool" : "avgpool";
        if (kind === "maxpool" && geometry.pads.some((p, i) => p >= kernel![i % 2]!)) {
          throw new ZkmlError("BAD_MODEL", `${where(n)}: pads [${geometry.pads}] as large as the kernel leave windows with no cell`);
        }
        emit({
          op: kind, name: nameOf(n), onnxOp: op, input: srcOf(n), output: out0(n), ...geometry,
          countIncludePad: intAttr(n, "count_include_pad", 0) !== 0,
        }, [1, ...geometry.outShape], a.int8);
        break;
      }
      case "Pad": {
        const a = actOf(n, ins[0]!);
        const mode = stringAttr(n, "mode", "constant");
        if (mode !== "constant") unsupported(n, `Pad mode "${mode}" is not supported (only constant)`);
        const pads = intsAttr(n, "pads") ?? (ins[1] ? Array.from(constOf(n, ins[1], "pads").tensor.data) : undefined);
        const value = ins[2] ? (optionalConst(n, 2)?.data[0] ?? 0) : floatAttr(n, "value", 0);
        if (ins[3]) unsupported(n, "Pad with axes is not supported");
        if (!pads || pads.length !== 2 * a.shape.length) throw new ZkmlError("BAD_MODEL", `${where(n)}: pads [${pads ?? ""}] do not match the rank of [${a.shape}]`);
        // A uint8 tensor (zero point 128) holds real 0 as 128.
        const zero = a.int8?.uint8 ? 128 : 0;
        if (value !== zero) unsupported(n, `Pad with value ${value} is not supported (only ${zero}, a real 0)`);
        select(n, padIndex(a.shape, pads));
        break;
      }
      case "Add":
      case "Sub":
      case "Mul":
      case "Div": {
        const [x, y] = [valueOf(n, ins[0]!), valueOf(n, ins[1]!)];
        const f = ELEMENTWISE[op]!;
        if (x.kind === "const" && y.kind === "const") {
          const shape = broadcastShape(x.tensor.dims, y.tensor.dims);
          const xa = shape && broadcastTo(x.tensor, shape);
          const ya = shape && broadcastTo(y.tensor, shape);
          if (!shape || !xa || !ya) throw new ZkmlError("BAD_MODEL", `${where(n)}: shapes [${x.tensor.dims}] and [${y.tensor.dims}] do not broadcast`);
          const isInt = x.tensor.dataType === DT.INT64 || x.tensor.dataType === DT.INT32;
          setConst(n, { dims: shape, dataType: x.tensor.dataType, data: xa.map((v, i) => (isInt && op === "Div" ? Math.trunc(f(v, ya[i]!)) : f(v, ya[i]!))) });
          break;
        }
        if (x.kind === "act" && y.kind === "act") {
          if (op === "Div") unsupported(n, "Div of two activations is not supported");
          if (sizeOf(x.shape) !== sizeOf(y.shape) || x.shape.filter((d) => d !== 1).join() !== y.shape.filter((d) => d !== 1).join()) {
            unsupported(n, `${op} of activations of shapes [${x.shape}] and [${y.shape}]: only equal shapes (no broadcasting)`);
          }
          emit({ op: "binary", fn: op === "Add" ? "add" : op === "Sub" ? "sub" : "mul", name: nameOf(n), onnxOp: op, input: srcOf(n, 0), input2: srcOf(n, 1), output: out0(n) }, x.shape);
          break;
        }
        const constFirst = x.kind === "const";
        const actName = constFirst ? ins[1]! : ins[0]!;
        const c = (constFirst ? x : y) as Constant;
        const a = actOf(n, actName);
        if (constFirst && op === "Div") unsupported(n, "a constant divided by an activation is not supported");
        const k = broadcastTo(c.tensor, a.shape);
        if (!k) throw new ZkmlError("BAD_MODEL", `${where(n)}: constant [${c.tensor.dims}] does not broadcast to [${a.shape}]`);
        // Every form is x·scale + shift per element.
        const fill = (v: number) => k.map(() => v);
        const [scale, shift] = op === "Add" ? [fill(1), k]
          : op === "Sub" ? (constFirst ? [fill(-1), k] : [fill(1), k.map((v) => -v)])
          : op === "Mul" ? [k, fill(0)]
          : [k.map((v) => 1 / v), fill(0)];
        const target = foldTarget(actName);
        const perScale = target && perChannel(target, scale);
        const perShift = target && perChannel(target, shift);
        if (target && perScale && perShift) {
          foldAffine(target, perScale, perShift);
          alias(n, a.shape, actName);
        } else {
          // Nothing to fold into: an elementwise function of one int8 value, so an exact table.
          emit({ op: "activation", name: nameOf(n), onnxOp: op, input: canon(actName), output: out0(n), fn: { kind: "affine", scale, shift } }, a.shape);
        }
        break;
      }
      case "BatchNormalization": {
        const a = actOf(n, ins[0]!);
        const [scale, b, mean, variance] = [1, 2, 3, 4].map((i) => constOf(n, ins[i]!, "parameter").tensor.data);
        const eps = floatAttr(n, "epsilon", 1e-5);
        const C = a.shape[1]!;
        if (a.shape[0] !== 1 || scale!.length !== C) throw new ZkmlError("BAD_MODEL", `${where(n)}: ${scale!.length} parameters for input [${a.shape}]`);
        const factor = Float64Array.from(scale!, (s, c) => s / Math.sqrt(variance![c]! + eps));
        const shift = Float64Array.from(b!, (v, c) => v - mean![c]! * factor[c]!);
        const target = foldTarget(ins[0]!);
        if (target && target.bias.length === C) {
          foldAffine(target, factor, shift);
          alias(n, a.shape);
        } else if (a.shape.length === 4) {
          // No layer to fold into: a per-channel affine map is a depthwise 1x1 convolution.
          const inShape = a.shape.slice(1) as [number, number, number];
          emit({
            op: "conv", name: nameOf(n), onnxOp: op, input: srcOf(n), output: out0(n),
            inShape, outShape: inShape, kernel: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0], group: C,
            weight: { dims: [C, 1, 1, 1], data: factor }, bias: shift,
          }, a.shape);
        } else if (a.shape.length === 2) {
          const weight = new Float64Array(C * C);
          for (let c = 0; c < C; c++) weight[c * C + c] = factor[c]!;
          emit({ op: "dense", name: nameOf(n), onnxOp: op, input: srcOf(n), output: out0(n), weight: { dims: [C, C], data: weight }, bias: shift }, a.shape);
        } else {
          unsupported(n, `BatchNormalization of a [${a.shape}] tensor is not supported`);
        }
        break;
      }
      case "Pow": {
        const a = actOf(n, ins[0]!);
        const e = constOf(n, ins[1]!, "exponent").tensor.data;
        if (e.length !== 1 || ![1, 2, 3].includes(e[0]!)) unsupported(n, `Pow with exponent [${Array.from(e)}]: only a constant 1, 2 or 3`);
        if (e[0] === 1) {
          alias(n, a.shape);
          break;
        }
        // x² is x·x; x³ is (x·x)·x, with the square requantized in between.
        const square = e[0] === 2 ? out0(n) : `${out0(n)}/square`;
        emit({ op: "binary", fn: "mul", name: e[0] === 2 ? nameOf(n) : `${nameOf(n)}/square`, onnxOp: op, input: srcOf(n), input2: srcOf(n), output: square }, a.shape);
        if (e[0] === 3) emit({ op: "binary", fn: "mul", name: nameOf(n), onnxOp: op, input: square, input2: srcOf(n), output: out0(n) }, a.shape);
        break;
      }
      case "Relu":
        activation(n, { kind: "relu" });
        break;
      case "LeakyRelu":
        activation(n, { kind: "leakyrelu", alpha: floatAttr(n, "alpha", 0.01) });
        break;
      case "Sigmoid":
        activation(n, { kind: "sigmoid" });
        break;
      case "Tanh":
        activation(n, { kind: "tanh" });
        break;
      case "HardSigmoid":
        activation(n, { kind: "hardsigmoid", alpha: floatAttr(n, "alpha", 0.2), beta: floatAttr(n, "beta", 0.5) });
        break;
      case "Clip": {
        const min = attr(n, "min") ? floatAttr(n, "min", -Infinity) : (optionalConst(n, 1)?.data[0] ?? -Infinity);
        const max = attr(n, "max") ? floatAttr(n, "max", Infinity) : (optionalConst(n, 2)?.data[0] ?? Infinity);
        activation(n, { kind: "clip", min, max });
        break;
      }
      case "PRelu": {
        const a = actOf(n, ins[0]!);
        const slopeT = constOf(n, ins[1]!, "slope").tensor;
        const slope = broadcastTo(slopeT, a.shape);
        if (!slope) throw new ZkmlError("BAD_MODEL", `${where(n)}: slope [${slopeT.dims}] does not broadcast to [${a.shape}]`);
        activation(n, { kind: "prelu", slope });
        break;
      }
      case "Softmax":
      case "ArgMax": {
        const a = actOf(n, ins[0]!);
        const isLast = (g.output ?? []).some((o) => o.name === out0(n)) && index === g.node.length - 1;
        if (!isLast) unsupported(n, `${op} is supported only as the last op (zkml proves the values before it; their argmax is the proof's class)`);
        // Softmax before opset 13 normalises over the dims from `axis` on, since 13 over `axis`
        // alone; ArgMax reduces `axis`. Either way the proof's one class is right only if the op
        // covers every value.
        const rank = a.shape.length;
        const axisRaw = intAttr(n, "axis", op === "ArgMax" ? 0 : opset >= 13 ? -1 : 1);
        const axis = axisRaw < 0 ? axisRaw + rank : axisRaw;
        const others = op === "Softmax" && opset < 13 ? sizeOf(a.shape.slice(0, axis)) : sizeOf(a.shape) / a.shape[axis]!;
        if (others !== 1) unsupported(n, `${op} over axis ${axisRaw} of [${a.shape}] treats groups of values separately; only one over the whole output is supported`);
        if (op === "ArgMax" && intAttr(n, "select_last_index", 0) !== 0) unsupported(n, "select_last_index=1 is not supported (the circuit proves the first maximum)");
        outputTransform = op === "Softmax" ? "softmax" : "argmax";
        alias(n, a.shape);
        break;
      }
      case "QuantizeLinear":
      case "DequantizeLinear": {
        const src = valueOf(n, ins[0]!);
        if (src.kind === "const" && op === "DequantizeLinear") {
          // Pre-quantized weights: the integers are kept exactly (per-channel scales put on one).
          values.set(out0(n), quantizedConstant(n, src.tensor, ins[1]!, ins[2], intAttr(n, "axis", 1), "input"));
        } else if (src.kind === "const") {
          const fracs = fracsOf(n, ins[1]!);
          if (fracs.length !== 1) unsupported(n, "a QuantizeLinear of a constant with per-channel scales is not supported");
          const zp = optionalConst(n, 2);
          const z = zp?.data[0] ?? 0;
          const [lo, hi] = zp?.dataType === DT.INT8 ? [-128, 127] : [0, 255];
          const data = src.tensor.data.map((v) => Math.max(lo, Math.min(hi, roundHalfEven(v * 2 ** fracs[0]!) + z)));
          setConst(n, { ...src.tensor, dataType: zp?.dataType ?? DT.UINT8, data });
        } else if (op === "QuantizeLinear") {
          const a = actOf(n, ins[0]!);
          const q = activationQuant(n, 1, 2);
          emit({ op: "fixscale", name: nameOf(n), onnxOp: op, input: srcOf(n), output: out0(n), frac: q.frac }, a.shape, q);
        } else {
          // zkml carries the real value of an int8 tensor already: dequantizing it is a rename,
          // once the scale is checked to be the one it was quantized with.
          const a = actOf(n, ins[0]!);
          int8Input(n, 0, 1, 2);
          alias(n, a.shape);
          delete (values.get(out0(n)) as Activation).int8;
        }
        break;
      }
      case "DynamicQuantizeLinear":
        unsupported(n, "dynamic quantization computes its scale from the data at run time, which a circuit fixed at compile time cannot follow; quantize with onnxruntime's quantize_static (QDQ or QOperator) and power-of-two scales, or give zkml the float model");
        break;
      default:
        unsupported(n, `op ${op || "(empty)"} is not supported`);
    }
  }

  const outs = g.output ?? [];
  if (outs.length !== 1) throw new ZkmlError("BAD_MODEL", `model ${modelName}: has ${outs.length} outputs; zkml takes exactly one for now`);
  const outName = outs[0]!.name!;
  const outVal = values.get(outName);
  const last = nodes.at(-1)?.output ?? inputName;
  if (!outVal || outVal.kind !== "act" || canon(outName) !== last) {
    throw new ZkmlError("BAD_MODEL", `model ${modelName}: output "${outName}" is not computed by the graph's last op (a constant output, or ops after it that nothing reads)`);
  }
  return {
    name: modelName,
    input: { name: inputName, shape: inputShape },
    ...(parts.length > 1 && { inputs: parts }),
    output: { name: outName, shape: outVal.shape },
    nodes,
    ...(outputTransform && { outputTransform }),
  };
}

function constTensor(dims: number[], data: ArrayLike<number>, dataType: number = DT.FLOAT): DecodedTensor {
  return { dims, dataType, data: Float64Array.from(data) };
}
