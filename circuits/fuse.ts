/**
 * Fuses polynomial activations: a chain of Mul, Add and Sub of one activation x with itself and
 * with constants (x·x, x·x + x, a·x² + b·x + c in any of the forms PyTorch exports) becomes one
 * `poly` node of the float graph, which quantizes to one product and one requantization per
 * value instead of a requantization per node of the chain. The rewrite keeps the float
 * semantics (up to float rounding); the integer semantics of the fused form are the poly
 * layer's, which the reference interpreter defines and the circuit equals bit for bit.
 */
import type { ActivationFn } from "../core/ops/activation.js";
import type { Graph } from "../core/graph.js";
import type { GraphNode } from "../core/ops/index.js";
import { nodeInputs } from "../core/ops/index.js";
import type { CompositeStep } from "../core/ops/activation.js";
import type { PolyNode } from "../core/ops/poly.js";

/** A tensor as a·x² + b·x + c of the tensor `base`, computed by `nodes` (graph indices). */
interface Polynomial {
  base: string;
  a: number;
  b: number;
  c: number;
  nodes: number[];
}

const degree = (p: Polynomial) => (p.a !== 0 ? 2 : p.b !== 0 ? 1 : 0);

function combine(fn: "add" | "sub" | "mul", p: Polynomial, q: Polynomial): Omit<Polynomial, "base" | "nodes"> | undefined {
  if (fn === "add") return { a: p.a + q.a, b: p.b + q.b, c: p.c + q.c };
  if (fn === "sub") return { a: p.a - q.a, b: p.b - q.b, c: p.c - q.c };
  if (degree(p) + degree(q) > 2) return undefined;
  return { a: p.a * q.c + p.b * q.b + p.c * q.a, b: p.b * q.c + p.c * q.b, c: p.c * q.c };
}

/** One value repeated, or undefined (a per-element affine is no scalar polynomial). */
function uniform(values: Float64Array): number | undefined {
  const v = values[0];
  return v !== undefined && values.every((w) => w === v) ? v : undefined;
}

const fresh = (t: string): Polynomial => ({ base: t, a: 0, b: 1, c: 0, nodes: [] });

/**
 * Node i's output as a polynomial of its inputs' base, if it is a step of a polynomial chain.
 * An input that is itself a polynomial may also start a chain of its own (y = x·x + x, then
 * y·y + y: degree 4 in x, degree 2 in y).
 */
function polynomialOf(n: GraphNode, i: number, of: (t: string) => Polynomial): Polynomial | undefined {
  if (n.op === "binary") {
    const pairs: [Polynomial, Polynomial][] = [
      [of(n.input), of(n.input2)],
      [of(n.input), fresh(n.input2)],
      [fresh(n.input), of(n.input2)],
      [fresh(n.input), fresh(n.input2)],
    ];
    for (const [p, q] of pairs) {
      const r = p.base === q.base ? combine(n.fn, p, q) : undefined;
      if (r) return { base: p.base, ...r, nodes: [...new Set([...p.nodes, ...q.nodes, i])] };
    }
    return undefined;
  }
  if (n.op === "activation" && n.fn.kind === "affine") {
    const [s, t] = [uniform(n.fn.scale), uniform(n.fn.shift)];
    const p = of(n.input);
    return s === undefined || t === undefined ? undefined : { base: p.base, a: s * p.a, b: s * p.b, c: s * p.c + t, nodes: [...p.nodes, i] };
  }
  return undefined;
}

/** Every node's readers (graph indices); the graph output reads the last node. */
function readerIndices(graph: Graph): Map<string, number[]> {
  const readers = new Map<string, number[]>();
  const add = (t: string, i: number) => (readers.get(t) ?? readers.set(t, []).get(t)!).push(i);
  graph.nodes.forEach((n, i) => {
    for (const t of nodeInputs(n)) add(t, i);
  });
  const out = graph.nodes.at(-1)?.output;
  if (out !== undefined) add(out, graph.nodes.length);
  return readers;
}

/** The graph with every closed polynomial chain (no inner value read outside it) as one poly node. */
export function fusePolynomials(graph: Graph): Graph {
  const polys = new Map<string, Polynomial>();
  const of = (t: string): Polynomial => polys.get(t) ?? fresh(t);
  graph.nodes.forEach((n, i) => {
    const p = polynomialOf(n, i, of);
    if (p) polys.set(n.output, p);
  });
  const readers = readerIndices(graph);
  const replaced = new Map<number, PolyNode>();
  const removed = new Set<number>();
  // From the end, so the longest chain wins over the chains inside it.
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const n = graph.nodes[i]!;
    const p = polys.get(n.output);
    if (!p || p.a === 0 || p.nodes.some((k) => removed.has(k) || replaced.has(k))) continue;
    const inside = new Set(p.nodes);
    const closed = p.nodes.every((k) => k === i || (readers.get(graph.nodes[k]!.output) ?? []).every((r) => inside.has(r)));
    if (!closed) continue;
    const ops = p.nodes.map((k) => graph.nodes[k]!.onnxOp);
    replaced.set(i, { op: "poly", name: n.name, onnxOp: [...new Set(ops)].join("+"), input: p.base, output: n.output, a: p.a, b: p.b, c: p.c });
    for (const k of p.nodes) if (k !== i) removed.add(k);
  }
  if (replaced.size === 0) return graph;
  const nodes = graph.nodes.flatMap((n, i) => (removed.has(i) ? [] : [replaced.get(i) ?? n]));
  return { ...graph, nodes };
}

/** The node's function when it is the same for every element (a per-element PRelu slope or affine map is not). */
function scalarFn(fn: ActivationFn): ActivationFn | undefined {
  switch (fn.kind) {
    case "prelu":
      return uniform(fn.slope) === undefined ? undefined : { kind: "prelu", slope: fn.slope.subarray(0, 1) };
    case "affine":
      return uniform(fn.scale) === undefined || uniform(fn.shift) === undefined
        ? undefined
        : { kind: "affine", scale: fn.scale.subarray(0, 1), shift: fn.shift.subarray(0, 1) };
    case "math":
      return fn.k && uniform(fn.k) === undefined ? undefined : { kind: "math", name: fn.name, params: fn.k ? { ...fn.params, k: fn.k[0]! } : fn.params };
    default:
      return fn;
  }
}

/** A node of an elementwise function of one tensor: its inputs, and whether it joins two paths (Mul/Add/Sub/Div of two values). */
function elementwiseStep(n: GraphNode): { inputs: string[]; joins: boolean } | undefined {
  if (n.op === "activation") return scalarFn(n.fn) ? { inputs: [n.input], joins: false } : undefined;
  if (n.op === "binary" || n.op === "divide") return { inputs: [n.input, n.input2], joins: true };
  return undefined;
}

interface ElementwiseChain {
  base: string;
  nodes: number[];
  joins: boolean;
}

/** The fused node of a closed chain: one activation whose function runs the chain's nodes in order on x. */
function compositeNode(graph: Graph, chain: ElementwiseChain, last: number): GraphNode {
  const slot = new Map<string, number>([[chain.base, 0]]);
  const steps: CompositeStep[] = chain.nodes.map((k, j) => {
    const n = graph.nodes[k]!;
    slot.set(n.output, j + 1);
    if (n.op === "activation") return { fn: scalarFn(n.fn)!, input: slot.get(n.input)! };
    const [a, b] = [slot.get(n.input)!, slot.get((n as { input2: string }).input2)!];
    return { op: n.op === "divide" ? "div" : (n as { fn: "add" | "sub" | "mul" }).fn, a, b };
  });
  const n = graph.nodes[last]!;
  const label = [...new Set(chain.nodes.map((k) => graph.nodes[k]!.onnxOp))].join("+");
  return { op: "activation", name: n.name, onnxOp: label, input: chain.base, output: n.output, fn: { kind: "composite", label, steps } };
}

/**
 * The graph with every closed elementwise function of one tensor that joins two paths (x·σ(x),
 * x·0.5·(1 + erf(x/√2)), x·tanh(softplus(x))) as one activation node: a function of one int8
 * value is one exact table, where the nodes were a table, a product and a requantization each.
 */
export function fuseElementwise(graph: Graph): Graph {
  const chains = new Map<string, ElementwiseChain>();
  graph.nodes.forEach((n, i) => {
    const step = elementwiseStep(n);
    if (!step) return;
    const parts = step.inputs.map((t) => chains.get(t) ?? { base: t, nodes: [], joins: false });
    if (parts.some((p) => p.base !== parts[0]!.base)) return;
    const joins = parts.some((p) => p.joins) || (step.joins && parts.length === 2);
    chains.set(n.output, { base: parts[0]!.base, nodes: [...new Set([...parts.flatMap((p) => p.nodes), i])].sort((a, b) => a - b), joins });
  });
  const readers = readerIndices(graph);
  const replaced = new Map<number, GraphNode>();
  const removed = new Set<number>();
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const chain = chains.get(graph.nodes[i]!.output);
    if (!chain?.joins || chain.nodes.length < 2 || chain.nodes.some((k) => removed.has(k) || replaced.has(k))) continue;
    const inside = new Set(chain.nodes);
    if (!chain.nodes.every((k) => k === i || (readers.get(graph.nodes[k]!.output) ?? []).every((r) => inside.has(r)))) continue;
    replaced.set(i, compositeNode(graph, chain, i));
    for (const k of chain.nodes) if (k !== i) removed.add(k);
  }
  if (replaced.size === 0) return graph;
  return { ...graph, nodes: graph.nodes.flatMap((n, i) => (removed.has(i) ? [] : [replaced.get(i) ?? n])) };
}
