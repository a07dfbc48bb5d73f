/**
 * RNN, GRU and LSTM, unrolled over the sequence into the kinds zkml proves already: per step, x_t
 * is a free slice of the input and h_{t−1} joins it (a concat; at t = 0 a free zero vector), one
 * dense layer applies [W | R] and both biases, the gates are free slices through sigmoid and tanh
 * tables, and the state updates are products and sums of activations. Forward, reverse and
 * bidirectional; ONNX's default activations; no clip, peepholes, initial state or sequence lengths.
 */
import { ZkmlError } from "../../../core/errors.js";
import type { ActivationFn } from "../../../core/ops/activation.js";
import type { ImportContext, OnnxOp } from "../handler.js";
import type { GraphBuilder, NodeProto } from "../graph_builder.js";
import { attr, floatAttr, intAttr, stringAttr } from "../shapes.js";

type Cell = "rnn" | "gru" | "lstm";
const GATES: Record<Cell, number> = { rnn: 1, gru: 3, lstm: 4 };

/** The unrolled graph's moves: each names its output under the node's name and returns it. */
function emitter(b: GraphBuilder, n: NodeProto, prefix: string) {
  const onnxOp = n.opType!;
  let k = 0;
  const name = (what: string) => `${prefix}/${what}${k++}`;
  const emit = (node: Record<string, unknown>, size: number) => {
    const output = name(String(node.op));
    b.emit({ ...node, name: output, onnxOp, output } as Parameters<GraphBuilder["emit"]>[0], [size]);
    return output;
  };
  return {
    select: (input: string, index: Int32Array) => emit({ op: "select", input, index }, index.length),
    /** The same weights on each of `rows` rows (the batch's sequences). */
    dense: (input: string, weight: Float64Array, out: number, bias: Float64Array, rows: number) =>
      emit({ op: "dense", input, weight: { dims: [out, weight.length / out], data: weight }, bias, ...(rows > 1 && { rows }) }, rows * out),
    /** Row by row, a's aSize values then c's cSize. */
    concat: (a: string, aSize: number, c: string, cSize: number, rows: number) => {
      const width = aSize + cSize;
      const dest = (offset: number, size: number) => Int32Array.from({ length: rows * size }, (_, k) => Math.floor(k / size) * width + offset + (k % size));
      return emit({ op: "concat", input: a, inputs: [a, c], dest: [dest(0, aSize), dest(aSize, cSize)], size: rows * width }, rows * width);
    },
    act: (input: string, fn: ActivationFn, size: number) => emit({ op: "activation", input, fn }, size),
    bin: (fn: "add" | "sub" | "mul", input: string, input2: string, size: number) => emit({ op: "binary", fn, input, input2 }, size),
  };
}

/** The node's constants for one direction: W [G·H, I], R [G·H, H], Wb and Rb [G·H] (zeros when B is absent). */
function weights(b: GraphBuilder, n: NodeProto, gates: number, hidden: number, dirs: number) {
  const w = b.constOf(n, n.input![1]!, "W").tensor;
  const r = b.constOf(n, n.input![2]!, "R").tensor;
  const bias = b.optionalConst(n, 3);
  const rows = gates * hidden;
  if (w.dims.length !== 3 || w.dims[0] !== dirs || w.dims[1] !== rows)
    throw new ZkmlError("BAD_MODEL", `${b.where(n)}: W has shape [${w.dims}], expected [${dirs}, ${rows}, input]`);
  if (r.data.length !== dirs * rows * hidden)
    throw new ZkmlError("BAD_MODEL", `${b.where(n)}: R has shape [${r.dims}], expected [${dirs}, ${rows}, ${hidden}]`);
  if (bias && bias.data.length !== dirs * 2 * rows)
    throw new ZkmlError("BAD_MODEL", `${b.where(n)}: B has shape [${bias.dims}], expected [${dirs}, ${2 * rows}]`);
  const inputSize = w.dims[2]!;
  return (d: number) => ({
    inputSize,
    w: (row: number, i: number) => w.data[(d * rows + row) * inputSize + i]!,
    r: (row: number, j: number) => r.data[(d * rows + row) * hidden + j]!,
    wb: (row: number) => (bias ? bias.data[d * 2 * rows + row]! : 0),
    rb: (row: number) => (bias ? bias.data[d * 2 * rows + rows + row]! : 0),
  });
}
type Weights = ReturnType<ReturnType<typeof weights>>;

/** Rows [from, from + count) of [W | R] (or W alone, or R alone) as one dense weight matrix, with the chosen biases. */
function gateMatrix(p: Weights, hidden: number, from: number, count: number, parts: { x: boolean; h: boolean; wb: boolean; rb: boolean }) {
  const cols = (parts.x ? p.inputSize : 0) + (parts.h ? hidden : 0);
  const weight = new Float64Array(count * cols);
  const bias = new Float64Array(count);
  for (let g = 0; g < count; g++) {
    const row = from + g;
    let c = 0;
    if (parts.x) for (let i = 0; i < p.inputSize; i++) weight[g * cols + c++] = p.w(row, i);
    if (parts.h) for (let j = 0; j < hidden; j++) weight[g * cols + c++] = p.r(row, j);
    bias[g] = (parts.wb ? p.wb(row) : 0) + (parts.rb ? p.rb(row) : 0);
  }
  return { weight, bias };
}

const SIGMOID: ActivationFn = { kind: "sigmoid" };
const TANH: ActivationFn = { kind: "tanh" };
/** Columns [from, from + count) of every row of a [rows, width] tensor. */
const columns = (rows: number, width: number, from: number, count: number) =>
  Int32Array.from({ length: rows * count }, (_, k) => Math.floor(k / count) * width + from + (k % count));

interface StepState {
  h: string;
  c?: string;
}

/** One step of one direction over `rows` sequences: the new hidden states (and an LSTM's cell states), [rows, H] each. */
function step(
  e: ReturnType<typeof emitter>,
  cell: Cell,
  p: Weights,
  H: number,
  rows: number,
  xt: string,
  prev: StepState,
  opts: { gruLinearBeforeReset: boolean; needH: boolean },
): StepState {
  const gruLinearBeforeReset = opts.gruLinearBeforeReset;
  const both = { x: true, h: true, wb: true, rb: true };
  const n = rows * H;
  const joined = e.concat(xt, p.inputSize, prev.h, H, rows);
  if (cell === "rnn") {
    const m = gateMatrix(p, H, 0, H, both);
    return { h: e.act(e.dense(joined, m.weight, H, m.bias, rows), TANH, n) };
  }
  if (cell === "lstm") {
    const m = gateMatrix(p, H, 0, 4 * H, both);
    const gates = e.dense(joined, m.weight, 4 * H, m.bias, rows);
    // ONNX's gate order: input, output, forget, cell.
    const gate = (g: number, fn: ActivationFn) => e.act(e.select(gates, columns(rows, 4 * H, g * H, H)), fn, n);
    const [i, f, c] = [gate(0, SIGMOID), gate(2, SIGMOID), gate(3, TANH)];
    const o = opts.needH ? gate(1, SIGMOID) : "";
    const state = e.bin("add", e.bin("mul", f, prev.c!, n), e.bin("mul", i, c, n), n);
    // The last step's h is not computed when only Y_c is read (a node nothing reads is refused).
    return { h: opts.needH ? e.bin("mul", o, e.act(state, TANH, n), n) : "", c: state };
  }
  // GRU, gate order update (z), reset (r), hidden.
  const zr = gateMatrix(p, H, 0, 2 * H, both);
  const gates = e.act(e.dense(joined, zr.weight, 2 * H, zr.bias, rows), SIGMOID, 2 * n);
  const [z, r] = [e.select(gates, columns(rows, 2 * H, 0, H)), e.select(gates, columns(rows, 2 * H, H, H))];
  let candidate: string;
  if (gruLinearBeforeReset) {
    const xh = gateMatrix(p, H, 2 * H, H, { x: true, h: false, wb: true, rb: false });
    const rh = gateMatrix(p, H, 2 * H, H, { x: false, h: true, wb: false, rb: true });
    const reset = e.bin("mul", r, e.dense(prev.h, rh.weight, H, rh.bias, rows), n);
    candidate = e.act(e.bin("add", e.dense(xt, xh.weight, H, xh.bias, rows), reset, n), TANH, n);
  } else {
    const m = gateMatrix(p, H, 2 * H, H, both);
    candidate = e.act(e.dense(e.concat(xt, p.inputSize, e.bin("mul", r, prev.h, n), H, rows), m.weight, H, m.bias, rows), TANH, n);
  }
  // h = (1 − z)·h̃ + z·h_{t−1} = h̃ + z·(h_{t−1} − h̃)
  return { h: e.bin("add", candidate, e.bin("mul", z, e.bin("sub", prev.h, candidate, n), n), n) };
}

/** What the node asks that zkml does not prove, refused by name. */
function checkSupported(b: GraphBuilder, n: NodeProto, cell: Cell): void {
  const unsupported = (why: string) => b.unsupported(n, why);
  if (attr(n, "activations")) unsupported("custom activations are not supported (ONNX's defaults only)");
  if (floatAttr(n, "clip", 0) !== 0) unsupported("clip is not supported");
  if (cell === "lstm" && intAttr(n, "input_forget", 0) !== 0) unsupported("input_forget is not supported");
  const optional = (i: number, what: string) => {
    const name = n.input?.[i];
    if (!name) return;
    const t = b.constOf(n, name, what).tensor;
    if (what === "sequence_lens") return;
    if (t.data.some((v) => v !== 0)) unsupported(`a non-zero ${what} is not supported`);
  };
  optional(5, "initial_h");
  if (cell === "lstm") optional(6, "initial_c");
  if (cell === "lstm") optional(7, "P (peepholes)");
}

function recurrent(cell: Cell): OnnxOp {
  return {
    import(b, n, ctx) {
      checkSupported(b, n, cell);
      const x = b.actOf(n, n.input![0]!);
      const layout = intAttr(n, "layout", 0);
      if (x.shape.length !== 3) b.unsupported(n, `needs a [seq, batch, input] input (or with layout=1 [batch, seq, input]), got [${x.shape}]`);
      const [seq, batch] = layout === 0 ? [x.shape[0]!, x.shape[1]!] : [x.shape[1]!, x.shape[0]!];
      const direction = stringAttr(n, "direction", "forward");
      if (!["forward", "reverse", "bidirectional"].includes(direction)) b.unsupported(n, `direction ${direction}`);
      const dirs = direction === "bidirectional" ? 2 : 1;
      const lens = n.input?.[4] ? b.constOf(n, n.input[4], "sequence_lens").tensor.data : undefined;
      if (lens?.some((v) => v !== seq)) b.unsupported(n, "sequence_lens shorter than the sequence are not supported");
      const hidden = intAttr(n, "hidden_size", 0) || (b.constOf(n, n.input![2]!, "R").tensor.dims[2] ?? 0);
      const perDirection = weights(b, n, GATES[cell], hidden, dirs);
      const e = emitter(b, n, b.nameOf(n));
      const input = b.srcOf(n);
      const ys: string[][] = [];
      const last: StepState[] = [];
      for (let d = 0; d < dirs; d++) {
        const p = perDirection(d);
        const reverse = direction === "reverse" || d === 1;
        const zero = e.select(input, new Int32Array(batch * hidden).fill(-1));
        let state: StepState = { h: zero, ...(cell === "lstm" && { c: zero }) };
        const hs: string[] = new Array(seq);
        const I = p.inputSize;
        const read = new Set([...(ctx.graph.node ?? []).flatMap((m) => m.input ?? []), ...(ctx.graph.output ?? []).map((o) => o.name)]);
        const hRead = [n.output?.[0], n.output?.[1]].some((o) => o && read.has(o));
        for (let s = 0; s < seq; s++) {
          const t = reverse ? seq - 1 - s : s;
          const opts = { gruLinearBeforeReset: intAttr(n, "linear_before_reset", 0) !== 0, needH: s < seq - 1 || hRead };
          // x_t of every sequence: [t, b, :] (layout 0) or [b, t, :] (layout 1).
          const xt = Int32Array.from({ length: batch * I }, (_, k) => (layout === 0 ? t * batch * I + k : Math.floor(k / I) * seq * I + t * I + (k % I)));
          state = step(e, cell, p, hidden, batch, e.select(input, xt), state, opts);
          hs[t] = state.h;
        }
        ys.push(hs);
        last.push(state);
      }
      outputs(b, n, ctx, { seq, dirs, width: batch * hidden, ys, last, batch, hidden, layout });
    },
  };
}

interface Unrolled {
  seq: number;
  dirs: number;
  batch: number;
  hidden: number;
  /** Values of one state: batch × hidden. */
  width: number;
  layout: number;
  ys: string[][];
  last: StepState[];
}

/**
 * Y [seq, dirs, batch, H] (layout 1: [batch, seq, dirs, H]), Y_h and an LSTM's Y_c [dirs, batch, H]
 * (layout 1: [batch, dirs, H]): each made only when something reads it.
 */
function outputs(b: GraphBuilder, n: NodeProto, ctx: ImportContext, r: Unrolled): void {
  const read = new Set([...(ctx.graph.node ?? []).flatMap((m) => m.input ?? []), ...(ctx.graph.output ?? []).map((o) => o.name)]);
  const { batch, hidden: H } = r;
  /** parts[k] holds [batch, H]; `at(k, bi)` is where its row bi starts in the output. */
  const join = (name: string, parts: string[], shape: number[], at: (k: number, bi: number) => number) => {
    if (parts.length === 1 && (batch === 1 || r.layout === 0)) return b.aliasName(name, parts[0]!, shape);
    const dest = parts.map((_, k) => Int32Array.from({ length: batch * H }, (_, j) => at(k, Math.floor(j / H)) + (j % H)));
    b.emit({ op: "concat", name, onnxOp: n.opType!, input: parts[0]!, inputs: parts, dest, size: parts.length * batch * H, output: name }, shape);
  };
  const [y, yh, yc] = [n.output?.[0], n.output?.[1], n.output?.[2]];
  const lastShape = r.layout === 0 ? [r.dirs, batch, H] : [batch, r.dirs, H];
  const lastAt = (k: number, bi: number) => (r.layout === 0 ? (k * batch + bi) * H : (bi * r.dirs + k) * H);
  // Y's part k is step t = ⌊k / dirs⌋ of direction k mod dirs.
  if (y && read.has(y)) {
    const parts = Array.from({ length: r.seq * r.dirs }, (_, k) => r.ys[k % r.dirs]![Math.floor(k / r.dirs)]!);
    const at = (k: number, bi: number) => {
      const [t, d] = [Math.floor(k / r.dirs), k % r.dirs];
      return r.layout === 0 ? ((t * r.dirs + d) * batch + bi) * H : ((bi * r.seq + t) * r.dirs + d) * H;
    };
    join(y, parts, r.layout === 0 ? [r.seq, r.dirs, batch, H] : [batch, r.seq, r.dirs, H], at);
  }
  if (yh && read.has(yh))
    join(
      yh,
      r.last.map((s) => s.h),
      lastShape,
      lastAt,
    );
  if (yc && read.has(yc))
    join(
      yc,
      r.last.map((s) => s.c!),
      lastShape,
      lastAt,
    );
}

export const RECURRENT_OPS: Record<string, OnnxOp> = { RNN: recurrent("rnn"), GRU: recurrent("gru"), LSTM: recurrent("lstm") };
