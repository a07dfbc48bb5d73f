/**
 * ReduceSum, ReduceMean, ReduceMax, ReduceMin over any axes (and, composed at import with a table
 * or a product before and after, ReduceL1, ReduceL2, ReduceSumSquare, ReduceLogSumExp). The
 * reduced axes split the input into groups of n cells, one group per output: `index` lists them,
 * output o reading index[o·n .. o·n + n). Max and min compare int8 values (MaxInt8, and
 * min(a, b) = a + b − max(a, b)); the mean divides with rounding half up (DivRoundInt8(n)); the
 * sum is exact, then requantized (or kept exact as the model's output).
 */
import { commentText } from "../inert.js";
import { ACT_BITS, bitsForBound, requantize, requantText, roundingConstant, type LayerBase, type NodeBase, type Requant } from "../ir.js";
import { arrayFunction, requantLines } from "./circom.js";
import { oneInput, previousLayer, type LayerKind, type NodeKind } from "./kind.js";
import { roundedAverage } from "./pool.js";

export type ReduceFn = "sum" | "mean" | "max" | "min";

export interface ReduceNode extends NodeBase {
  op: "reduce";
  fn: ReduceFn;
  /** Cells per output. */
  n: number;
  /** Input index of every cell, output by output (length: outputs × n). */
  index: Int32Array;
}

/** The reduction on int8 values: max/min/mean keep the input's scale; the sum is exact, then requantized (null: the exact output). */
export interface QReduce extends LayerBase {
  op: "reduce";
  fn: ReduceFn;
  inSize: number;
  n: number;
  index: number[];
  frac: number;
  /** The sum's width and requantization (sum only). */
  accBits?: number;
  requant?: Requant | null;
}

function reduceValues(fn: ReduceFn, values: number[]): number {
  switch (fn) {
    case "sum":
      return values.reduce((s, v) => s + v, 0);
    case "mean":
      return values.reduce((s, v) => s + v, 0) / values.length;
    case "max":
      return Math.max(...values);
    case "min":
      return Math.min(...values);
    default:
      return fn satisfies never;
  }
}

/** The cells of each output, as values of x. */
function groups(index: ArrayLike<number>, n: number, x: ArrayLike<number>): number[][] {
  return Array.from({ length: index.length / n }, (_, o) => Array.from({ length: n }, (_, k) => x[index[o * n + k]!]!));
}

export const reduceNode: NodeKind<ReduceNode> = {
  inputs: oneInput,
  float: (nd, [x]) => Float64Array.from(groups(nd.index, nd.n, x!), (g) => reduceValues(nd.fn, g)),
  work: (nd) => ({ work: nd.index.length, constraints: nd.index.length * (nd.fn === "sum" ? 1 : 12) }),
  absorbed: () => undefined,
  quantize(nd, index, ctx) {
    const { layer, frac, size } = ctx.tensor(nd.input);
    const base = { op: "reduce" as const, node: nd.name, ...ctx.fromField(layer), fn: nd.fn, inSize: size, n: nd.n, index: Array.from(nd.index), frac };
    if (nd.fn !== "sum") return ctx.produce(index, base satisfies QReduce);
    const { last, relu, fixed } = ctx.absorb(true);
    const requant = ctx.requantFor(last, relu, fixed, frac);
    ctx.produce(last, { ...base, accBits: bitsForBound(2 ** (ACT_BITS - 1) * nd.n + roundingConstant(requant)), requant } satisfies QReduce);
  },
};

/** Max over a group by a chain of MaxInt8; min as a + b − max(a, b) at each step. */
function extremeLines(l: QReduce, i: number, prev: string): string[] {
  const outs = l.index.length / l.n;
  return [
    `    component max${i}[${Math.max(1, outs * (l.n - 1))}];`,
    `    for (var o = 0; o < ${outs}; o++) {`,
    `        var m = ${prev}[index${i}[o * ${l.n}]];`,
    `        for (var k = 1; k < ${l.n}; k++) {`,
    `            var t = o * ${l.n - 1} + k - 1;`,
    `            max${i}[t] = MaxInt8();`,
    `            max${i}[t].a <== m;`,
    `            max${i}[t].b <== ${prev}[index${i}[o * ${l.n} + k]];`,
    l.fn === "max" ? `            m = max${i}[t].out;` : `            m = m + ${prev}[index${i}[o * ${l.n} + k]] - max${i}[t].out;`,
    `        }`,
    `        a${i}[o] <== m;`,
    `    }`,
  ];
}

/** The mean (DivRoundInt8) or the sum (exact, then requantized) of each group. */
function sumLines(l: QReduce, i: number, prev: string): string[] {
  const outs = l.index.length / l.n;
  const mean = l.fn === "mean";
  return [
    ...(mean ? [`    component avg${i}[${outs}];`] : l.requant ? [`    component rq${i}[${outs}];`] : []),
    `    for (var o = 0; o < ${outs}; o++) {`,
    `        var acc = 0;`,
    `        for (var k = 0; k < ${l.n}; k++) acc += ${prev}[index${i}[o * ${l.n} + k]];`,
    ...(mean
      ? [`        avg${i}[o] = DivRoundInt8(${l.n}, 0);`, `        avg${i}[o].in <== acc;`, `        a${i}[o] <== avg${i}[o].out;`]
      : requantLines({ accBits: l.accBits!, requant: l.requant ?? null }, i, `a${i}[o]`, "        ")),
    `    }`,
  ];
}

/** The output's scale and width: the input's, or the sum's accumulator when it is not requantized. */
function reduceOut(l: QReduce): { frac: number; bits: number } {
  if (l.fn !== "sum") return { frac: l.frac, bits: ACT_BITS };
  return l.requant ? { frac: l.requant.outFrac, bits: ACT_BITS } : { frac: l.frac, bits: l.accBits! };
}

export const reduceLayer: LayerKind<QReduce> = {
  sources: previousLayer,
  outSize: (l) => l.index.length / l.n,
  outFrac: (l) => reduceOut(l).frac,
  outBits: (l) => reduceOut(l).bits,
  run(l, [x]) {
    return groups(l.index, l.n, x!).map((g) => {
      const sum = g.reduce((s, v) => s + v, 0);
      if (l.fn === "mean") return roundedAverage(sum, l.n);
      if (l.fn === "sum") return l.requant ? requantize(sum, l.requant) : sum;
      return reduceValues(l.fn, g);
    });
  },
  describe: (l) =>
    `reduce ${l.fn} of ${l.n} values each, ${l.inSize} → ${l.index.length / l.n}` +
    (l.fn === "sum" ? `, acc ${l.accBits} bits${requantText(l.requant ?? null)}` : ""),
  gadgets: ["max2", "div_round", "requant"],
  constants: (l, i) => [arrayFunction(`Index${i}`, l.index, `Layer ${i}: ${commentText(l.node)}, the input cells of each output, ${l.n} each.`)],
  emit(l, i, e) {
    const prev = e.signal(previousLayer(l, i)[0]!);
    return [
      `    // ${commentText(l.node)}: reduce ${l.fn} over groups of ${l.n}${l.fn === "sum" ? requantText(l.requant ?? null) : ""}`,
      `    var index${i}[${l.index.length}] = Index${i}();`,
      `    signal a${i}[${l.index.length / l.n}];`,
      ...(l.fn === "max" || l.fn === "min" ? extremeLines(l, i, prev) : sumLines(l, i, prev)),
    ];
  },
};
