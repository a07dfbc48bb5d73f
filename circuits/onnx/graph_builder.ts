/**
 * The state of one ONNX → graph IR import and the moves every op handler makes on it: look a
 * tensor up (constant or activation), emit a node, rename a tensor, fold an affine map into the
 * linear node before it. A factory of closures rather than a class, so handlers destructure what
 * they use and read like the single function they were split from.
 */
import { ZkmlError } from "../../core/errors.js";
import type { ActivationFn, ConvNode, DenseNode, ExactQuant, GraphNode } from "../../core/graph.js";
import { sizeOf } from "../../core/graph.js";
import type onnxProto from "onnx-proto";
import type { DecodedTensor } from "./tensor.js";
import { scaleExactly } from "./quant_params.js";
import { concatIndex, intAttr, windowGeometry, type IndexMap } from "./shapes.js";

export type NodeProto = onnxProto.onnx.INodeProto;

export interface Activation {
  kind: "act";
  shape: number[];
  /**
   * Set on an int8 tensor of the ONNX graph (after a QuantizeLinear or a QLinear op). zkml
   * carries its real value, int · 2^-frac; `uint8` marks the zero-point-128 form of the same values.
   */
  int8?: { frac: number; uint8: boolean };
}
export interface Constant {
  kind: "const";
  tensor: DecodedTensor;
  quant?: ExactQuant;
}
export type Value = Activation | Constant;

export type GraphBuilder = ReturnType<typeof graphBuilder>;

/** `supported`: the op types zkml imports, named in every UNSUPPORTED_OP error. */
export function graphBuilder(modelName: string, g: onnxProto.onnx.IGraphProto, supported: readonly string[]) {
  const where = (n: NodeProto) => `model ${modelName}, node "${n.name || n.output?.[0] || "?"}" (${n.opType})`;
  const unsupported = (n: NodeProto, why: string): never => {
    throw new ZkmlError("UNSUPPORTED_OP", `${where(n)}: ${why}`, `supported ops: ${supported.join(", ")}`);
  };
  const values = new Map<string, Value>();
  const nodes: GraphNode[] = [];
  /** Renames (Flatten, Reshape, Identity, ...) point at the tensor that holds the values. */
  const canonical = new Map<string, string>();
  const canon = (name: string) => canonical.get(name) ?? name;
  // Folding an op into the layer before it is only sound when nothing else reads that layer's
  // output: count the readers of every ONNX tensor, and whether a rename chain had only one.
  const onnxReaders = new Map<string, number>();
  for (const nd of g.node ?? []) for (const i of nd.input ?? []) if (i) onnxReaders.set(i, (onnxReaders.get(i) ?? 0) + 1);
  for (const o of g.output ?? []) onnxReaders.set(o.name!, (onnxReaders.get(o.name!) ?? 0) + 1);
  const soleReader = new Map<string, boolean>();

  const valueNamed = (n: NodeProto, name: string): Value => {
    const v = values.get(name);
    if (!v)
      throw new ZkmlError(
        "BAD_MODEL",
        `${where(n)}: input "${name}" is not defined before use (missing initializer, or the graph is not in topological order / has a cycle)`,
      );
    return v;
  };
  const constOf = (n: NodeProto, name: string, role: string): Constant => {
    const v = valueNamed(n, name);
    if (v.kind !== "const") unsupported(n, `${role} "${name}" must be a constant; zkml proves models with fixed weights`);
    return v as Constant;
  };
  const actOf = (n: NodeProto, name: string): Activation => {
    const v = valueNamed(n, name);
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
    if (map.index.length === inputSize && map.index.every((x, i) => x === i))
      alias(n, map.shape); // e.g. batch 0 of a batch of one
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
    // Conv outputs are channel-major [C, H, W]; a dense node over rows is row-major [M, N].
    const at = target.op === "dense" && target.rows ? (ch: number, k: number) => k * channels + ch : (ch: number, k: number) => ch * per + k;
    const values = new Float64Array(channels);
    for (let ch = 0; ch < channels; ch++) {
      values[ch] = full[at(ch, 0)]!;
      for (let k = 1; k < per; k++) if (full[at(ch, k)] !== values[ch]) return null;
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
    n: NodeProto,
    xName: string,
    w: Constant,
    o: { transA: boolean; transB: boolean; alpha: number; beta: number; bias?: DecodedTensor },
    out: string,
    name: string,
  ) => {
    const a = actOf(n, xName);
    if (w.tensor.dims.length !== 2) unsupported(n, `weight must be 2-D, got [${w.tensor.dims}]`);
    const [r, c] = w.tensor.dims as [number, number];
    const [inF, outF] = o.transB ? [c, r] : [r, c];
    // A is a row [1, K], or with transA a column [K, 1] holding the same values; or M rows
    // [..., M, K] (a sequence), each through the same weights.
    const features = o.transA ? a.shape[0]! : a.shape.at(-1)!;
    if (o.transA && a.shape.length !== 2) unsupported(n, `transA=1 needs a 2-D input, got [${a.shape}]`);
    const rows = o.transA ? 1 : sizeOf(a.shape) / features;
    if (features !== inF || (o.transA && sizeOf(a.shape) !== features)) {
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
    emit(
      {
        op: "dense",
        name,
        onnxOp: n.opType!,
        input: canon(xName),
        output: out,
        weight: { dims: [outF, inF], data: weight },
        bias,
        weightQuant: wq && o.alpha === 1 ? { data: wq, frac: w.quant!.frac } : undefined,
        ...(rows > 1 && { rows }),
      },
      rows > 1 ? [...a.shape.slice(0, -1), outF] : [1, outF],
    );
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
    emit(
      {
        op: "conv",
        name,
        onnxOp: n.opType!,
        input: canon(xName),
        output: out,
        ...geometry,
        group,
        weight: { dims: w.tensor.dims, data: Float64Array.from(w.tensor.data) },
        bias,
        weightQuant: w.quant ? { data: Int32Array.from(w.quant.data), frac: w.quant.frac } : undefined,
      },
      [1, ...geometry.outShape],
    );
  };
  /**
   * Concat: of constants (shape arithmetic), folded; with activations (branches joined), a
   * concat node whose constant parts (a learned token, a fixed feature) are one fill.
   */
  const concat = (n: NodeProto) => {
    const ins = (n.input ?? []).filter((x) => x);
    const parts = ins.map((x) => valueNamed(n, x));
    const shapes = parts.map((v) => (v.kind === "act" ? v.shape : v.tensor.dims));
    const axis = intAttr(n, "axis", 0);
    const layout = concatIndex(shapes, axis);
    if (!layout) throw new ZkmlError("BAD_MODEL", `${where(n)}: cannot concatenate [${shapes.map((s) => `[${s}]`).join(", ")}] on axis ${axis}`);
    const { shape, dest } = layout;
    if (parts.every((v) => v.kind === "const")) {
      const data = new Float64Array(sizeOf(shape));
      parts.forEach((v, k) => (v as Constant).tensor.data.forEach((x, j) => (data[dest[k]![j]!] = x)));
      setConst(n, { dims: shape, dataType: (parts[0] as Constant).tensor.dataType, data });
      return;
    }
    const acts = parts.flatMap((v, k) => (v.kind === "act" ? [k] : []));
    const consts = parts.flatMap((v, k) => (v.kind === "const" ? [k] : []));
    const fill = consts.length
      ? {
          dest: Int32Array.from(consts.flatMap((k) => Array.from(dest[k]!))),
          values: Float64Array.from(consts.flatMap((k) => Array.from((parts[k] as Constant).tensor.data))),
        }
      : undefined;
    emit(
      {
        op: "concat",
        name: nameOf(n),
        onnxOp: "Concat",
        input: canon(ins[acts[0]!]!),
        inputs: acts.map((k) => canon(ins[k]!)),
        output: out0(n),
        dest: acts.map((k) => dest[k]!),
        size: sizeOf(shape),
        ...(fill && { fill }),
      },
      shape,
    );
  };

  return {
    modelName,
    where,
    unsupported,
    values,
    nodes,
    canonical,
    canon,
    onnxReaders,
    soleReader,
    valueNamed,
    constOf,
    actOf,
    spatial,
    out0,
    nameOf,
    srcOf,
    emit,
    int8Of,
    alias,
    select,
    rearrange,
    setConst,
    foldTarget,
    perChannel,
    foldAffine,
    activation,
    optionalConst,
    emitDense,
    emitConv,
    concat,
  };
}
