/**
 * The float graph IR: what the ONNX importer produces and the quantizer consumes. It is
 * deliberately small: ONNX's shape plumbing is folded away at import, and what is left are
 * the operations zkml knows how to prove.
 */
export interface FloatTensor {
  dims: number[];
  data: Float64Array;
}

/** Integer values with an exact power-of-two scale: value = data[i] * 2^-frac. */
export interface ExactQuant {
  data: Int32Array;
  frac: number;
}

export interface DenseNode {
  op: "dense";
  /** ONNX node name (or a generated one) for error messages. */
  name: string;
  onnxOp: string;
  input: string;
  output: string;
  /** Row-major [outFeatures][inFeatures]. */
  weight: FloatTensor;
  bias: Float64Array;
  /** Set when the ONNX file carried the weights already quantized (DequantizeLinear). */
  weightQuant?: ExactQuant;
}

export interface ReluNode {
  op: "relu";
  name: string;
  onnxOp: string;
  input: string;
  output: string;
}

/** A Quantize→Dequantize pair on an activation: the model fixes that tensor's scale. */
export interface FixScaleNode {
  op: "fixscale";
  name: string;
  onnxOp: string;
  input: string;
  output: string;
  frac: number;
}

export type GraphNode = DenseNode | ReluNode | FixScaleNode;

export interface ValueInfo {
  name: string;
  /** Concrete shape; a symbolic batch dimension is taken as 1. */
  shape: number[];
}

export interface Graph {
  name: string;
  input: ValueInfo;
  output: ValueInfo;
  /** In execution order; each node reads the previous one's output (a chain). */
  nodes: GraphNode[];
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Float forward pass of the IR (used for calibration; onnxruntime is the outside referee). */
export function runFloat(graph: Graph, input: ArrayLike<number>): Float64Array[] {
  const activations: Float64Array[] = [];
  let x = Float64Array.from(input);
  for (const node of graph.nodes) {
    if (node.op === "dense") {
      const [outF, inF] = node.weight.dims as [number, number];
      const y = new Float64Array(outF);
      for (let o = 0; o < outF; o++) {
        let s = node.bias[o]!;
        const row = o * inF;
        for (let i = 0; i < inF; i++) s += node.weight.data[row + i]! * x[i]!;
        y[o] = s;
      }
      x = y;
    } else if (node.op === "relu") {
      x = x.map((v) => (v > 0 ? v : 0));
    } else {
      const s = 2 ** node.frac;
      x = x.map((v) => Math.min(127, Math.max(-128, roundHalfEven(v * s))) / s);
    }
    activations.push(x);
  }
  return activations;
}

/** Round half to even, as ONNX QuantizeLinear does. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
