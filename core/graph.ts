/**
 * The float graph IR: what the ONNX importer produces and the quantizer consumes. It is
 * deliberately small: ONNX's shape plumbing is folded away at import, and what is left are
 * the operations zkml knows how to prove, in topological order: a node reads the graph input or
 * any earlier node's output (residual connections, x·x activations). Activations are flat
 * row-major arrays; spatial ops carry their [C, H, W] shapes.
 */
import { nodeInputs, nodeKind, type GraphNode } from "./ops/index.js";

export interface ValueInfo {
  name: string;
  /** Concrete shape; a symbolic batch dimension is taken as 1. */
  shape: number[];
  /** A graph input of an integer or bool type: its values are integers, kept exact (their scale never saturates them). */
  integer?: true;
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
    const x = nodeKind(node).float(node, nodeInputs(node).map(read));
    tensors.set(node.output, x);
    activations.push(x);
  }
  return activations;
}
