/**
 * The float graph IR: what the ONNX importer produces and the quantizer consumes. It is
 * deliberately small: ONNX's shape plumbing is folded away at import, and what is left are
 * the operations zkml knows how to prove, in topological order: a node reads the graph input or
 * any earlier node's output (residual connections, x·x activations). Activations are flat
 * row-major arrays; spatial ops carry their [C, H, W] shapes.
 */
import { checkedSize } from "./limits.js";

export interface FloatTensor {
  dims: number[];
  data: Float64Array;
}

/** Integer values with an exact power-of-two scale: value = data[i] * 2^-frac. */
export interface ExactQuant {
  data: Int32Array;
  frac: number;
}

interface NodeBase {
  /** ONNX node name (or a generated one) for error messages. */
  name: string;
  onnxOp: string;
  input: string;
  output: string;
}

export interface DenseNode extends NodeBase {
  op: "dense";
  /** Row-major [outFeatures][inFeatures]. */
  weight: FloatTensor;
  bias: Float64Array;
  /** Set when the ONNX file carried the weights already quantized (DequantizeLinear). */
  weightQuant?: ExactQuant;
  /** Rows of an [M, K] input, each multiplied by the same weights (a MatMul over a sequence); absent: 1. */
  rows?: number;
}

/** 2-D geometry shared by convolutions and pools. pads: [top, left, bottom, right]. */
export interface Window2d {
  inShape: [number, number, number];
  outShape: [number, number, number];
  kernel: [number, number];
  strides: [number, number];
  pads: [number, number, number, number];
}

export interface ConvNode extends NodeBase, Window2d {
  op: "conv";
  /** [outChannels][inChannels / group][kh][kw]. */
  weight: FloatTensor;
  bias: Float64Array;
  group: number;
  weightQuant?: ExactQuant;
}

export interface PoolNode extends NodeBase, Window2d {
  op: "maxpool" | "avgpool";
  /** AveragePool: whether padded cells count in the divisor. */
  countIncludePad: boolean;
}

/**
 * Free rearrangement: out[i] = in[index[i]], or 0 where index[i] = -1. Pad, Gather, Slice and
 * Transpose of an activation all become this, and cost no constraint.
 */
export interface SelectNode extends NodeBase {
  op: "select";
  index: Int32Array;
}

export type ActivationFn =
  | { kind: "relu" }
  | { kind: "leakyrelu"; alpha: number }
  | { kind: "sigmoid" }
  | { kind: "tanh" }
  | { kind: "clip"; min: number; max: number }
  | { kind: "hardsigmoid"; alpha: number; beta: number }
  /** slope[i] per element (broadcast from ONNX's slope tensor). */
  | { kind: "prelu"; slope: Float64Array }
  /** x·scale[i] + shift[i] per element: Add/Sub/Mul/Div by a constant with no layer to fold into. */
  | { kind: "affine"; scale: Float64Array; shift: Float64Array };

export interface ActivationNode extends NodeBase {
  op: "activation";
  fn: ActivationFn;
}

/** Elementwise op on two activations of the same shape: a residual Add, an x·y activation. */
export interface BinaryNode extends NodeBase {
  op: "binary";
  fn: "add" | "sub" | "mul";
  input2: string;
}

/**
 * MatMul of two activations (attention's Q·Kᵀ): output o is Σ_k input[aIndex[o·k + j]] ·
 * input2[bIndex[o·k + j]] over j < k.
 */
export interface MatMulNode extends NodeBase {
  op: "matmul";
  input2: string;
  k: number;
  aIndex: Int32Array;
  bIndex: Int32Array;
}

/**
 * Concat of activations (branches joined): part k's element j lands at output position
 * dest[k][j]. `input` is the first part; `inputs` all of them, in order. Constant parts, if
 * any, are one `fill`: values[j] at position dest[j].
 */
export interface ConcatNode extends NodeBase {
  op: "concat";
  inputs: string[];
  dest: Int32Array[];
  size: number;
  fill?: { dest: Int32Array; values: Float64Array };
  /**
   * The graph's outputs side by side (a graph with several): the circuit's output vector. Each
   * part keeps its own scale (nothing reads this concat, so nothing needs one scale).
   */
  joinsOutputs?: true;
}

/** A Quantize→Dequantize pair on an activation: the model fixes that tensor's scale. */
export interface FixScaleNode extends NodeBase {
  op: "fixscale";
  frac: number;
}

export type GraphNode = DenseNode | ConvNode | PoolNode | SelectNode | ActivationNode | BinaryNode | MatMulNode | ConcatNode | FixScaleNode;

/** MatMul of two tensors by its index pairs: out[o] = Σ_j a[aIndex[o·k + j]]·b[bIndex[o·k + j]]. */
export function sumOfProducts(a: ArrayLike<number>, b: ArrayLike<number>, m: { k: number; aIndex: ArrayLike<number>; bIndex: ArrayLike<number> }): number[] {
  const { k, aIndex, bIndex } = m;
  return Array.from({ length: aIndex.length / k }, (_, o) => {
    let s = 0;
    for (let j = o * k; j < (o + 1) * k; j++) s += a[aIndex[j]!]! * b[bIndex[j]!]!;
    return s;
  });
}

/** The tensors a node reads. */
export function nodeInputs(n: GraphNode): string[] {
  return n.op === "binary" || n.op === "matmul" ? [n.input, n.input2] : n.op === "concat" ? n.inputs : [n.input];
}

export interface ValueInfo {
  name: string;
  /** Concrete shape; a symbolic batch dimension is taken as 1. */
  shape: number[];
}

/** The node (and tensor) that joins a graph's several outputs: a name no ONNX tensor is given by zkml. */
export const OUTPUTS_NODE = "zkml:outputs";

/** A graph output of a graph with several: its ONNX name and shape, and the op removed from its end. */
export interface GraphOutput extends ValueInfo {
  transform?: "softmax" | "argmax";
}

export interface Graph {
  name: string;
  /** The circuit's one input: with several graph inputs, their concatenation (see `inputs`). */
  input: ValueInfo;
  /** The graph inputs, in order, when there are several. */
  inputs?: ValueInfo[];
  output: ValueInfo;
  /**
   * With several graph outputs: each, in graph order (with the Softmax/ArgMax removed from its
   * end, if any); `output` is then their concatenation, made by the last node (joinsOutputs).
   */
  outputs?: GraphOutput[];
  /** In execution order; the last node's output is the graph output. */
  nodes: GraphNode[];
  /**
   * An op removed from the end: Softmax (monotone, so the circuit proves the logits, whose argmax
   * is the same; consumers apply it off-chain for probabilities) or ArgMax (the circuit proves the
   * values and their argmax is the proof's public class).
   */
  outputTransform?: "softmax" | "argmax";
}

/** How many nodes read each tensor (the graph output counts as a reader). */
export function readers(graph: Graph): Map<string, number> {
  const count = new Map<string, number>();
  const add = (name: string) => count.set(name, (count.get(name) ?? 0) + 1);
  for (const n of graph.nodes) for (const t of nodeInputs(n)) add(t);
  add(graph.nodes.at(-1)?.output ?? graph.input.name);
  return count;
}

/** Values of a tensor of this shape; refuses a shape that is no size or over LIMITS.tensorElements. */
export function sizeOf(shape: readonly number[]): number {
  return checkedSize(shape, () => "a tensor");
}

export function activationValue(fn: ActivationFn, x: number, i: number): number {
  switch (fn.kind) {
    case "relu": return x > 0 ? x : 0;
    case "leakyrelu": return x >= 0 ? x : fn.alpha * x;
    case "sigmoid": return 1 / (1 + Math.exp(-x));
    case "tanh": return Math.tanh(x);
    case "clip": return Math.min(fn.max, Math.max(fn.min, x));
    case "hardsigmoid": return Math.max(0, Math.min(1, fn.alpha * x + fn.beta));
    case "prelu": return x >= 0 ? x : fn.slope[i]! * x;
    case "affine": return x * fn.scale[i]! + fn.shift[i]!;
  }
}

/** Convolution of flat [C][H][W] data with [OC][C/group][KH][KW] weights and a bias per output channel. */
export function convolve(
  node: Pick<ConvNode, keyof Window2d | "group">,
  weights: ArrayLike<number>,
  bias: ArrayLike<number>,
  x: ArrayLike<number>,
): number[] {
  const [C, H, W] = node.inShape;
  const [OC, OH, OW] = node.outShape;
  const [KH, KW] = node.kernel;
  const cpg = C / node.group;
  const opg = OC / node.group;
  const out = new Array<number>(OC * OH * OW);
  for (let oc = 0; oc < OC; oc++) {
    const g = Math.floor(oc / opg);
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        let s = bias[oc]!;
        for (let ic = 0; ic < cpg; ic++) {
          const c = g * cpg + ic;
          for (let ky = 0; ky < KH; ky++) {
            const iy = oy * node.strides[0] - node.pads[0] + ky;
            if (iy < 0 || iy >= H) continue;
            for (let kx = 0; kx < KW; kx++) {
              const ix = ox * node.strides[1] - node.pads[1] + kx;
              if (ix < 0 || ix >= W) continue;
              s += weights[((oc * cpg + ic) * KH + ky) * KW + kx]! * x[(c * H + iy) * W + ix]!;
            }
          }
        }
        out[(oc * OH + oy) * OW + ox] = s;
      }
    }
  }
  return out;
}

/**
 * Window cells of each pool output: input indices inside the image, and the full window size.
 * The reference interpreter and the codegen both use this, so the geometry is defined once;
 * it is cached per layer object because the interpreter runs once per inference.
 */
const windowCache = new WeakMap<Window2d, { cells: number[][]; windowSize: number }>();
export function poolWindows(w: Window2d): { cells: number[][]; windowSize: number } {
  const cached = windowCache.get(w);
  if (cached) return cached;
  const [C, H, W] = w.inShape;
  const [, OH, OW] = w.outShape;
  const cells: number[][] = [];
  for (let c = 0; c < C; c++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const cell: number[] = [];
        for (let ky = 0; ky < w.kernel[0]; ky++) {
          const iy = oy * w.strides[0] - w.pads[0] + ky;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < w.kernel[1]; kx++) {
            const ix = ox * w.strides[1] - w.pads[1] + kx;
            if (ix >= 0 && ix < W) cell.push((c * H + iy) * W + ix);
          }
        }
        cells.push(cell);
      }
    }
  }
  const result = { cells, windowSize: w.kernel[0] * w.kernel[1] };
  windowCache.set(w, result);
  return result;
}

/** Float forward pass of the IR (used for calibration; onnxruntime is the outside referee). */
export function runFloat(graph: Graph, input: ArrayLike<number>): Float64Array[] {
  const activations: Float64Array[] = [];
  const tensors = new Map<string, Float64Array>([[graph.input.name, Float64Array.from(input)]]);
  const read = (name: string) => {
    const t = tensors.get(name);
    if (!t) throw new Error(`graph ${graph.name}: tensor "${name}" is read before it is computed`);
    return t;
  };
  for (const node of graph.nodes) {
    let x = read(node.input);
    switch (node.op) {
      case "dense": {
        const [outF, inF] = node.weight.dims as [number, number];
        const rows = node.rows ?? 1;
        const y = new Float64Array(rows * outF);
        for (let r = 0; r < rows; r++) {
          for (let o = 0; o < outF; o++) {
            let s = node.bias[o]!;
            const row = o * inF;
            for (let i = 0; i < inF; i++) s += node.weight.data[row + i]! * x[r * inF + i]!;
            y[r * outF + o] = s;
          }
        }
        x = y;
        break;
      }
      case "conv":
        x = Float64Array.from(convolve(node, node.weight.data, node.bias, x));
        break;
      case "maxpool":
      case "avgpool": {
        const { cells, windowSize } = poolWindows(node);
        const src = x;
        x = Float64Array.from(cells, (cs) => {
          if (node.op === "maxpool") return Math.max(...cs.map((i) => src[i]!));
          const sum = cs.reduce((s, i) => s + src[i]!, 0);
          return sum / (node.countIncludePad ? windowSize : cs.length);
        });
        break;
      }
      case "select": {
        const src = x;
        x = Float64Array.from(node.index, (i) => (i < 0 ? 0 : src[i]!));
        break;
      }
      case "activation": {
        const fn = node.fn;
        x = x.map((v, i) => activationValue(fn, v, i));
        break;
      }
      case "matmul":
        x = Float64Array.from(sumOfProducts(x, read(node.input2), node));
        break;
      case "concat": {
        const out = new Float64Array(node.size);
        node.fill?.dest.forEach((d, j) => (out[d] = node.fill!.values[j]!));
        node.inputs.forEach((name, k) => read(name).forEach((v, j) => (out[node.dest[k]![j]!] = v)));
        x = out;
        break;
      }
      case "binary": {
        const y = read(node.input2);
        const f = node.fn;
        x = x.map((v, i) => (f === "add" ? v + y[i]! : f === "sub" ? v - y[i]! : v * y[i]!));
        break;
      }
      case "fixscale": {
        const s = 2 ** node.frac;
        x = x.map((v) => Math.min(127, Math.max(-128, roundHalfEven(v * s))) / s);
        break;
      }
    }
    tensors.set(node.output, x);
    activations.push(x);
  }
  return activations;
}

/** Round half to even, as ONNX QuantizeLinear does. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v) + 0; // + 0: no -0 among the integers
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
