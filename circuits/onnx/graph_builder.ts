/**
 * The state of one ONNX → graph IR import and the moves every op handler makes on it: look a
 * tensor up (constant or activation), emit a node, rename a tensor, fold an affine map into the
 * linear node before it. A factory of closures rather than a class, so handlers destructure what
 * they use and read like the single function they were split from; the emitters of linear nodes
 * and the Concat handler live beside their handlers (handlers/linear.ts, handlers/rearrange.ts).
 */
import { ZkmlError } from "../../core/errors.js";
import type { ActivationFn } from "../../core/ops/activation.js";
import type { ConvNode } from "../../core/ops/conv.js";
import type { DenseNode } from "../../core/ops/dense.js";
import type { ExactQuant } from "../../core/ir.js";
import type { GraphNode } from "../../core/ops/index.js";
import { sizeOf } from "../../core/ir.js";
import type onnxProto from "onnx-proto";
import type { DecodedTensor } from "./tensor.js";
import { scaleExactly } from "./quant_params.js";
import type { IndexMap } from "./shapes.js";

export type NodeProto = onnxProto.onnx.INodeProto;

export interface Activation {
  kind: "act";
  shape: number[];
  /**
   * Set on an int8 tensor of the ONNX graph (after a QuantizeLinear or a QLinear op). zkml
   * carries its real value, int · 2^-frac; `uint8` marks the zero-point-128 form of the same values.
   */
  int8?: { frac: number; uint8: boolean };
  /** An integer or bool graph input (or a rename of one), whose ONNX arithmetic is integer arithmetic (Div truncates). */
  integer?: true;
}
export interface Constant {
  kind: "const";
  tensor: DecodedTensor;
  quant?: ExactQuant;
}
export type Value = Activation | Constant;

/**
 * What an op handler has of the import: the state, the lookups (each refuses by name what is not
 * there or not of its kind) and the moves that change the graph. One line per member.
 */
export interface GraphBuilder {
  /** The model's name, for messages. */
  readonly modelName: string;
  /** "model M, node N (Op)": where an error happened. */
  where(n: NodeProto): string;
  /** Throws UNSUPPORTED_OP naming the node and why, with the supported list as the hint. */
  unsupported(n: NodeProto, why: string): never;
  /** Every tensor defined so far: an activation or a constant. */
  readonly values: Map<string, Value>;
  /** The graph IR's nodes, in order. */
  readonly nodes: GraphNode[];
  /** A renamed tensor (Flatten, Reshape, Identity…) → the tensor that holds its values. */
  readonly canonical: Map<string, string>;
  /** A tensor's canonical name (itself when never renamed). */
  canon(name: string): string;
  /** How many ONNX nodes (and graph outputs) read each tensor. */
  readonly onnxReaders: Map<string, number>;
  /** Whether every step of a rename chain had a single reader (folding into it is then sound). */
  readonly soleReader: Map<string, boolean>;
  /** The value of a node's input `name`; BAD_MODEL when it is not defined yet. */
  valueNamed(n: NodeProto, name: string): Value;
  /** The constant `name` (a weight, a bias…); UNSUPPORTED_OP when it is an activation. */
  constOf(n: NodeProto, name: string, role: string): Constant;
  /** The activation `name`; UNSUPPORTED_OP when it is a constant. */
  actOf(n: NodeProto, name: string): Activation;
  /** [C, H, W] of a [1, C, H, W] input, or [C, 1, L] of a [1, C, L] one. */
  spatial(n: NodeProto, a: Activation): [number, number, number];
  /** A window op's [C, OH, OW] output in the input's rank. */
  spatialShape(a: Activation, out: [number, number, number]): number[];
  /** The node's first output's name. */
  out0(n: NodeProto): string;
  /** The node's name, or its first output's. */
  nameOf(n: NodeProto): string;
  /** The canonical name of the node's input i (default 0). */
  srcOf(n: NodeProto, i?: number): string;
  /** The int8 form of tensor `name`, when it is an ONNX int8 tensor. */
  int8Of(name: string): Activation["int8"];
  /** The constant at input i, or undefined when the input is absent. */
  optionalConst(n: NodeProto, i: number): DecodedTensor | undefined;
  /** Adds a node and defines its output activation. */
  emit(node: GraphNode, shape: number[], int8?: Activation["int8"]): void;
  /** The node's output is input `from` (default its first) under another shape: a rename, no node. */
  alias(n: NodeProto, shape: number[], from?: string): void;
  /** Tensor `name` (a second or third output) holds `from`'s values under `shape`. */
  aliasName(name: string, from: string, shape: number[]): void;
  /** The node's output is this constant (folded at import). */
  setConst(n: NodeProto, tensor: DecodedTensor): void;
  /** Emits a select node that gathers the input by an index map. */
  select(n: NodeProto, map: IndexMap): void;
  /** Applies an index map: folded on a constant, a rename when it is the identity, else a select node. */
  rearrange(n: NodeProto, v: Value, map: IndexMap): void;
  /** Emits an element-wise activation node. */
  activation(n: NodeProto, fn: ActivationFn): void;
  /** The dense or conv node that produced `name` when this op is its only reader, else null. */
  foldTarget(name: string): DenseNode | ConvNode | null;
  /** Per-output-channel values of a per-element array over a linear node's output, or null. */
  perChannel(target: DenseNode | ConvNode, full: Float64Array): Float64Array | null;
  /** Folds y = x·scale + shift per output channel into the linear node's weights and bias. */
  foldAffine(target: DenseNode | ConvNode, scale: Float64Array | null, shift: Float64Array | null): void;
}

/** Per-output-channel values of a per-element array over the linear node's output, or null if they vary within a channel. */
export function perChannel(target: DenseNode | ConvNode, full: Float64Array): Float64Array | null {
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
}

/** y = x·scale + shift per output channel, folded into the linear node's weights and bias. */
export function foldAffine(target: DenseNode | ConvNode, scale: Float64Array | null, shift: Float64Array | null): void {
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
}

/** The import's state: the values so far, the nodes, the renames, and how many ONNX nodes read each tensor. */
function builderState(modelName: string, g: onnxProto.onnx.IGraphProto, supported: readonly string[]) {
  const where = (n: NodeProto) => `model ${modelName}, node "${n.name || n.output?.[0] || "?"}" (${n.opType})`;
  const unsupported = (n: NodeProto, why: string): never => {
    throw new ZkmlError("UNSUPPORTED_OP", `${where(n)}: ${why}`, `supported ops: ${supported.join(", ")}`);
  };
  /** Renames (Flatten, Reshape, Identity, ...) point at the tensor that holds the values. */
  const canonical = new Map<string, string>();
  // Folding an op into the layer before it is only sound when nothing else reads that layer's
  // output: count the readers of every ONNX tensor, and whether a rename chain had only one.
  const onnxReaders = new Map<string, number>();
  for (const nd of g.node ?? []) for (const i of nd.input ?? []) if (i) onnxReaders.set(i, (onnxReaders.get(i) ?? 0) + 1);
  for (const o of g.output ?? []) onnxReaders.set(o.name!, (onnxReaders.get(o.name!) ?? 0) + 1);
  return {
    modelName,
    where,
    unsupported,
    values: new Map<string, Value>(),
    nodes: [] as GraphNode[],
    canonical,
    canon: (name: string) => canonical.get(name) ?? name,
    onnxReaders,
    soleReader: new Map<string, boolean>(),
  };
}

/** Looking a node's tensors up: a value, a constant, an activation (each refused by name when it is not one). */
function lookups(st: ReturnType<typeof builderState>) {
  const { where, unsupported, values, canon } = st;
  const valueNamed = (n: NodeProto, name: string): Value => {
    const v = values.get(name);
    if (!v) {
      throw new ZkmlError(
        "BAD_MODEL",
        `${where(n)}: input "${name}" is not defined before use (missing initializer, or the graph is not in topological order / has a cycle)`,
      );
    }
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
  /** [C, H, W] of a [1, C, H, W] input; a [1, C, L] input (1-D windows) is [C, 1, L], the same values in the same order. */
  const spatial = (n: NodeProto, a: Activation): [number, number, number] => {
    if (a.shape.length === 3 && a.shape[0] === 1) return [a.shape[1]!, 1, a.shape[2]!];
    if (a.shape.length !== 4 || a.shape[0] !== 1) unsupported(n, `needs a [1, C, H, W] or [1, C, L] input, got [${a.shape}]`);
    return a.shape.slice(1) as [number, number, number];
  };
  /** The shape of a window op's [C, OH, OW] output in the input's rank (a 1-D op's is [1, C, OL]). */
  const spatialShape = (a: Activation, out: [number, number, number]): number[] => (a.shape.length === 3 ? [1, out[0], out[2]] : [1, ...out]);
  const out0 = (n: NodeProto) => n.output![0]!;
  const optionalConst = (n: NodeProto, i: number): DecodedTensor | undefined => {
    const name = n.input?.[i];
    return name ? constOf(n, name, `input ${i}`).tensor : undefined;
  };
  return {
    valueNamed,
    constOf,
    actOf,
    spatial,
    spatialShape,
    out0,
    nameOf: (n: NodeProto) => n.name || out0(n),
    srcOf: (n: NodeProto, i = 0) => canon(n.input![i]!),
    int8Of: (name: string) => (values.get(name) as Activation | undefined)?.int8,
    optionalConst,
  };
}

/** The moves that change the graph: emit a node, rename or rearrange a tensor, set a constant. */
function moves(st: ReturnType<typeof builderState>, look: ReturnType<typeof lookups>) {
  const { values, nodes, canonical, canon, onnxReaders, soleReader } = st;
  const { actOf, out0, nameOf, srcOf, int8Of } = look;
  const emit = (node: GraphNode, shape: number[], int8?: Activation["int8"]) => {
    nodes.push(node);
    values.set(node.output, { kind: "act", shape, ...(int8 && { int8 }) });
    canonical.set(node.output, node.output);
  };
  const alias = (n: NodeProto, shape: number[], from = n.input![0]!) => {
    const out = out0(n);
    const int8 = int8Of(from);
    const integer = (values.get(from) as Activation | undefined)?.integer;
    values.set(out, { kind: "act", shape, ...(int8 && { int8 }), ...(integer && { integer }) });
    canonical.set(out, canon(from));
    soleReader.set(out, (soleReader.get(from) ?? true) && onnxReaders.get(from) === 1);
  };
  /** Tensor `name` (a node's second or third output) holds `from`'s values under `shape`. */
  const aliasName = (name: string, from: string, shape: number[]) => {
    values.set(name, { kind: "act", shape });
    canonical.set(name, canon(from));
    soleReader.set(name, true);
  };
  const setConst = (n: NodeProto, tensor: DecodedTensor) => values.set(out0(n), { kind: "const", tensor });
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
  const activation = (n: NodeProto, fn: ActivationFn) => {
    const a = actOf(n, n.input![0]!);
    emit({ op: "activation", name: nameOf(n), onnxOp: n.opType!, input: srcOf(n), output: out0(n), fn }, a.shape, a.int8);
  };
  /** The linear node that produced `name`, when this op is its only reader: affine ops fold into it. */
  const foldTarget = (name: string): DenseNode | ConvNode | null => {
    if (onnxReaders.get(name) !== 1 || soleReader.get(name) === false) return null;
    const node = nodes.find((nd) => nd.output === canon(name));
    return node && (node.op === "dense" || node.op === "conv") ? node : null;
  };
  return { emit, alias, aliasName, setConst, select, rearrange, activation, foldTarget };
}

/** `supported`: the op types zkml imports, named in every UNSUPPORTED_OP error. */
export function graphBuilder(modelName: string, g: onnxProto.onnx.IGraphProto, supported: readonly string[]): GraphBuilder {
  const st = builderState(modelName, g, supported);
  const look = lookups(st);
  return { ...st, ...look, ...moves(st, look), perChannel, foldAffine };
}
