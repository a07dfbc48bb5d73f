/**
 * Softmax and ArgMax as the last op of a graph output: not proven as ops. The circuit proves the
 * values before them; their argmax is the proof's class (Softmax is monotone, so it keeps it). A
 * Softmax anywhere else (attention) is a softmax layer (core/ops/softmax.ts).
 */
import { sizeOf } from "../../../core/ir.js";
import type { OnnxOp } from "../handler.js";
import type { GraphBuilder, NodeProto } from "../graph_builder.js";
import { intAttr } from "../shapes.js";
import { logSumExp, reduceIndex } from "./reduce.js";

/** A (Log)Softmax's input shape and the axes it normalises: `axis` since opset 13, the dims from `axis` on before. */
function softmaxAxes(b: GraphBuilder, n: NodeProto, opset: number): { shape: number[]; axes: number[] } {
  const { shape } = b.actOf(n, n.input![0]!);
  const rank = shape.length;
  const raw = intAttr(n, "axis", opset >= 13 ? -1 : 1);
  const axis = raw < 0 ? raw + rank : raw;
  if (!(axis >= 0 && axis < rank)) b.unsupported(n, `axis ${raw} is outside a rank-${rank} tensor`);
  return { shape, axes: opset >= 13 ? [axis] : Array.from({ length: rank - axis }, (_, k) => axis + k) };
}

/** A Softmax inside the graph: over `axis` (opset ≥ 13), or over the dims from `axis` on (before). */
function softmaxLayer(b: GraphBuilder, n: NodeProto, opset: number): void {
  const { shape, axes } = softmaxAxes(b, n, opset);
  const { index, n: groupSize } = reduceIndex(shape, axes);
  b.emit({ op: "softmax", name: b.nameOf(n), onnxOp: "Softmax", input: b.srcOf(n), output: b.out0(n), n: groupSize, index }, shape);
}

const outputTransform: OnnxOp = {
  import(b, n, { graph, opset, transforms }) {
    const op = n.opType!;
    const a = b.actOf(n, n.input![0]!);
    const out = b.out0(n);
    // Last in its branch: a graph output that no other node reads.
    const isLast = (graph.output ?? []).some((o) => o.name === out) && !(graph.node ?? []).some((m) => (m.input ?? []).includes(out));
    if (!isLast) return op === "Softmax" ? softmaxLayer(b, n, opset) : argLayer(b, n);
    // Softmax before opset 13 normalises over the dims from `axis` on, since 13 over `axis`
    // alone; ArgMax reduces `axis`. Either way the proof's one class is right only if the op
    // covers every value.
    const rank = a.shape.length;
    const axisRaw = intAttr(n, "axis", op === "ArgMax" ? 0 : opset >= 13 ? -1 : 1);
    const axis = axisRaw < 0 ? axisRaw + rank : axisRaw;
    const others = op === "Softmax" && opset < 13 ? sizeOf(a.shape.slice(0, axis)) : sizeOf(a.shape) / a.shape[axis]!;
    // A softmax per row changes the argmax of the whole output: it is proven as a layer instead.
    if (others !== 1 && op === "Softmax") return softmaxLayer(b, n, opset);
    // The proof's class is the first maximum of the whole output; any other ArgMax is a layer.
    if (others !== 1 || (op === "ArgMax" && intAttr(n, "select_last_index", 0) !== 0)) return argLayer(b, n);
    transforms.set(out, op === "Softmax" ? "softmax" : "argmax");
    b.alias(n, a.shape);
  },
};

/** ArgMax or ArgMin over `axis` as a layer (inside a graph, per row, or the last index): indices at 2^0, keepdims or not. */
function argLayer(b: GraphBuilder, n: NodeProto): void {
  const a = b.actOf(n, n.input![0]!);
  const rank = a.shape.length;
  const raw = intAttr(n, "axis", 0);
  const axis = raw < 0 ? raw + rank : raw;
  if (!(axis >= 0 && axis < rank)) b.unsupported(n, `axis ${raw} is outside a rank-${rank} tensor`);
  const { index, n: groupSize } = reduceIndex(a.shape, [axis]);
  const shape = intAttr(n, "keepdims", 1) === 1 ? a.shape.map((d, k) => (k === axis ? 1 : d)) : a.shape.filter((_, k) => k !== axis);
  const fields = { min: n.opType === "ArgMin", last: intAttr(n, "select_last_index", 0) !== 0, n: groupSize, index };
  b.emit({ op: "argmax", name: b.nameOf(n), onnxOp: n.opType!, input: b.srcOf(n), output: b.out0(n), ...fields }, shape);
}

/** LogSoftmax over `axis` (opset ≥ 13) or the dims from `axis` on: x − max − log Σ exp(x − max), anywhere in a graph. */
const logSoftmax: OnnxOp = {
  import(b, n, { opset }) {
    const { shape, axes } = softmaxAxes(b, n, opset);
    logSumExp(
      b,
      n,
      shape,
      shape.map((d, k) => (axes.includes(k) ? 1 : d)),
      axes,
      true,
    );
  },
};

export const OUTPUT_OPS: Record<string, OnnxOp> = {
  Softmax: outputTransform,
  ArgMax: outputTransform,
  ArgMin: { import: (b, n) => argLayer(b, n), readsInt8: true },
  LogSoftmax: logSoftmax,
};
