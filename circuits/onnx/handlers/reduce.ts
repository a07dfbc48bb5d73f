/**
 * ReduceSum, ReduceMean, ReduceMax, ReduceMin over any axes, with keepdims (a `reduce` node,
 * core/ops/reduce.ts), and the reductions composed from them: ReduceL1 = Σ|x|, ReduceSumSquare =
 * Σx·x, ReduceL2 = √Σx·x, ReduceLogSum = log Σx, each function an exact table or layer of its
 * own before or after the sum, and ReduceLogSumExp in its stable form, max + log Σ exp(x − max).
 */
import { sizeOf } from "../../../core/ir.js";
import type { ReduceFn } from "../../../core/ops/reduce.js";
import type { OnnxOp } from "../handler.js";
import type { GraphBuilder, NodeProto } from "../graph_builder.js";
import { intAttr, intsAttr, stridesOf } from "../shapes.js";

/** The axes reduced (normalised, sorted, distinct), or null for none (noop_with_empty_axes). */
function reducedAxes(b: GraphBuilder, n: NodeProto, rank: number): number[] | null {
  const fromInput = n.input?.[1] ? Array.from(b.constOf(n, n.input[1], "axes").tensor.data) : undefined;
  const axes = fromInput ?? intsAttr(n, "axes") ?? [];
  if (axes.length === 0) return intAttr(n, "noop_with_empty_axes", 0) === 1 ? null : Array.from({ length: rank }, (_, d) => d);
  const norm = axes.map((a) => (a < 0 ? a + rank : a));
  if (norm.some((a) => !Number.isInteger(a) || a < 0 || a >= rank)) b.unsupported(n, `axes [${axes}] are outside a rank-${rank} tensor`);
  if (new Set(norm).size !== norm.length) b.unsupported(n, `axes [${axes}] repeat an axis`);
  return norm.sort((x, y) => x - y);
}

/** The offset of the i-th position (row-major) over `dims` of a tensor of `shape` with `strides`. */
function offsetOver(i: number, dims: number[], shape: number[], strides: number[]): number {
  let offset = 0;
  for (let k = dims.length - 1; k >= 0; k--) {
    const d = dims[k]!;
    offset += (i % shape[d]!) * strides[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return offset;
}

/** Every output's input cells, output by output in row-major order of the kept dims (a reduction's or a softmax's groups). */
export function reduceIndex(shape: number[], axes: number[]): { index: Int32Array; n: number } {
  const strides = stridesOf(shape);
  const kept = shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const n = axes.reduce((p, d) => p * shape[d]!, 1);
  const outs = sizeOf(shape) / n;
  const index = new Int32Array(outs * n);
  for (let o = 0; o < outs; o++) {
    const base = offsetOver(o, kept, shape, strides);
    for (let c = 0; c < n; c++) index[o * n + c] = base + offsetOver(c, axes, shape, strides);
  }
  return { index, n };
}

type Composite = { before?: "abs" | "square"; fn: ReduceFn; after?: "sqrt" | "log" };

/** Which output (group) each input value belongs to: the broadcast of a keepdims result back over its input. */
function groupOf(index: Int32Array, n: number): Int32Array {
  const group = new Int32Array(index.length);
  index.forEach((pos, k) => (group[pos] = Math.floor(k / n)));
  return group;
}

/**
 * log Σ exp(x) as max + log Σ exp(x − max): exp(x − max) lies in (0, 1] and the sum in [1, n],
 * so both tables keep their precision whatever the range of x (exp of x alone spans 10^8 on ±10).
 * LogSoftmax is the same steps, ending in (x − max) − log Σ exp(x − max) for every value.
 */
export function logSumExp(b: GraphBuilder, n: NodeProto, shape: number[], outShape: number[], axes: number[], logSoftmax = false): void {
  const [name, out, x] = [b.nameOf(n), b.out0(n), b.srcOf(n)];
  const { index, n: cells } = reduceIndex(shape, axes);
  const t = (s: string) => `${out}/${s}`;
  const onnxOp = n.opType!;
  const math = (fn: "exp" | "log") => ({ kind: "math" as const, name: fn, params: {} });
  b.emit({ op: "reduce", name: `${name}/max`, onnxOp, input: x, output: t("max"), fn: "max", n: cells, index }, outShape);
  b.emit({ op: "select", name: `${name}/broadcast`, onnxOp, input: t("max"), output: t("maxAll"), index: groupOf(index, cells) }, shape);
  b.emit({ op: "binary", fn: "sub", name: `${name}/shift`, onnxOp, input: x, input2: t("maxAll"), output: t("shifted") }, shape);
  b.emit({ op: "activation", name: `${name}/exp`, onnxOp, input: t("shifted"), output: t("exp"), fn: math("exp") }, shape);
  b.emit({ op: "reduce", name: `${name}/sum`, onnxOp, input: t("exp"), output: t("sum"), fn: "sum", n: cells, index }, outShape);
  b.emit({ op: "activation", name: `${name}/log`, onnxOp, input: t("sum"), output: t("log"), fn: math("log") }, outShape);
  if (!logSoftmax) {
    b.emit({ op: "binary", fn: "add", name, onnxOp, input: t("log"), input2: t("max"), output: out }, outShape);
    return;
  }
  b.emit({ op: "select", name: `${name}/broadcastLog`, onnxOp, input: t("log"), output: t("logAll"), index: groupOf(index, cells) }, shape);
  b.emit({ op: "binary", fn: "sub", name, onnxOp, input: t("shifted"), input2: t("logAll"), output: out }, shape);
}

function reduction(plan: Composite | "logsumexp"): OnnxOp {
  return {
    import(b, n) {
      const a = b.actOf(n, n.input![0]!);
      const axes = reducedAxes(b, n, a.shape.length);
      if (axes === null) return b.alias(n, a.shape);
      const keep = intAttr(n, "keepdims", 1) === 1;
      const outShape = keep ? a.shape.map((d, k) => (axes.includes(k) ? 1 : d)) : a.shape.filter((_, k) => !axes.includes(k));
      if (plan === "logsumexp") return logSumExp(b, n, a.shape, outShape, axes);
      const [name, out] = [b.nameOf(n), b.out0(n)];
      const step = (suffix: string) => `${out}/${suffix}`;
      const x = b.srcOf(n);
      const input = plan.before ? step(plan.before) : x;
      if (plan.before === "abs") b.emit({ op: "abs", name: `${name}/abs`, onnxOp: n.opType!, input: x, output: input }, a.shape);
      else if (plan.before === "square")
        b.emit({ op: "binary", fn: "mul", name: `${name}/square`, onnxOp: n.opType!, input: x, input2: x, output: input }, a.shape);
      const { index, n: cells } = reduceIndex(a.shape, axes);
      const sumOut = plan.after ? step("sum") : out;
      b.emit({ op: "reduce", name, onnxOp: n.opType!, input, output: sumOut, fn: plan.fn, n: cells, index }, outShape);
      if (plan.after)
        b.emit(
          {
            op: "activation",
            name: `${name}/${plan.after}`,
            onnxOp: n.opType!,
            input: sumOut,
            output: out,
            fn: { kind: "math", name: plan.after, params: {} },
          },
          outShape,
        );
    },
  };
}

export const REDUCE_OPS: Record<string, OnnxOp> = {
  ReduceSum: reduction({ fn: "sum" }),
  ReduceMean: reduction({ fn: "mean" }),
  ReduceMax: reduction({ fn: "max" }),
  ReduceMin: reduction({ fn: "min" }),
  ReduceL1: reduction({ before: "abs", fn: "sum" }),
  ReduceSumSquare: reduction({ before: "square", fn: "sum" }),
  ReduceL2: reduction({ before: "square", fn: "sum", after: "sqrt" }),
  ReduceLogSum: reduction({ fn: "sum", after: "log" }),
  ReduceLogSumExp: reduction("logsumexp"),
};
