/**
 * Elementwise functions of one activation (Relu, LeakyRelu, PRelu, Sigmoid, Tanh, Clip,
 * HardSigmoid, an affine map by constants with no layer to fold into, and the functions of
 * core/ops/math.ts: Exp, Log, Erf, Gelu, comparisons with a constant, ...). A ReLU right after an
 * accumulating layer fuses into its requantization; elsewhere it is a `relu` layer (ReluInt8).
 * Every other function is an exact 256-entry table of the float function at the input and
 * output scales, looked up per element (LookupInt8).
 */
import { commentText } from "../inert.js";
import { ACT_BITS, quantizeValue, type LayerBase, type NodeBase } from "../ir.js";
import { arrayFunction, elementwiseLines } from "./circom.js";
import { oneInput, previousLayer, type LayerKind, type NodeKind } from "./kind.js";
import { mathValue, type MathName, type MathParams } from "./math.js";

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
  | { kind: "affine"; scale: Float64Array; shift: Float64Array }
  /** A function of core/ops/math.ts; `k` per element (a comparison with a broadcast constant) overrides params.k. */
  | { kind: "math"; name: MathName; params: MathParams; k?: Float64Array }
  /**
   * Several elementwise nodes of one tensor fused (circuits/fuse.ts: GELU, SiLU or Mish as
   * exporters write them out): each step reads x (0) or an earlier step (k + 1).
   */
  | { kind: "composite"; label: string; steps: CompositeStep[] };

/** A step of a fused function: a scalar function of one value, or an arithmetic op of two. */
export type CompositeStep = { fn: ActivationFn; input: number } | { op: "add" | "sub" | "mul" | "div"; a: number; b: number };

export interface ActivationNode extends NodeBase {
  op: "activation";
  fn: ActivationFn;
}

/** max(x, 0) on int8 values that are not the output of a dense/conv layer (there it is fused). */
export interface QRelu extends LayerBase {
  op: "relu";
  size: number;
  frac: number;
}

/**
 * Any elementwise function of one int8 value, as an exact 256-entry table computed at compile
 * time: table[q + 128] is the int8 output for input q. `select[i]` picks element i's table
 * (PRelu has one per distinct slope); absent, every element uses table 0.
 */
export interface QTable extends LayerBase {
  op: "table";
  fn: string;
  size: number;
  inFrac: number;
  outFrac: number;
  tables: number[][];
  select?: number[];
}

/** The float function at x (element i, for the per-element PRelu slope and affine maps). */
export function activationValue(fn: ActivationFn, x: number, i: number): number {
  switch (fn.kind) {
    case "relu":
      return x > 0 ? x : 0;
    case "leakyrelu":
      return x >= 0 ? x : fn.alpha * x;
    case "sigmoid":
      return 1 / (1 + Math.exp(-x));
    case "tanh":
      return Math.tanh(x);
    case "clip":
      return Math.min(fn.max, Math.max(fn.min, x));
    case "hardsigmoid":
      return Math.max(0, Math.min(1, fn.alpha * x + fn.beta));
    case "prelu":
      return x >= 0 ? x : fn.slope[i]! * x;
    case "affine":
      return x * fn.scale[i]! + fn.shift[i]!;
    case "math":
      return mathValue(fn.name, x, fn.k ? { ...fn.params, k: fn.k[i]! } : fn.params);
    case "composite":
      return compositeValue(fn.steps, x);
    default:
      return fn satisfies never;
  }
}

/**
 * The exact int8 table of an elementwise function for inputs at 2^-inFrac, outputs at 2^-outFrac.
 * ±Infinity saturates; NaN (outside the function's domain) is 0.
 */
export function activationTable(fn: ActivationFn, inFrac: number, outFrac: number, element = 0): number[] {
  return Array.from({ length: 256 }, (_, k) => {
    const v = activationValue(fn, (k - 128) / 2 ** inFrac, element);
    return quantizeValue(Number.isNaN(v) ? 0 : v, outFrac);
  });
}

/** A fused function's value: its steps in order, each on x or earlier steps (every step's function is the same for every element). */
function compositeValue(steps: readonly CompositeStep[], x: number): number {
  const v = [x];
  for (const s of steps) {
    if ("fn" in s) v.push(activationValue(s.fn, v[s.input]!, 0));
    else {
      const [a, b] = [v[s.a]!, v[s.b]!];
      v.push(s.op === "add" ? a + b : s.op === "sub" ? a - b : s.op === "mul" ? a * b : a / b);
    }
  }
  return v.at(-1)!;
}

/** The name a table layer records for its function. */
function fnLabel(fn: ActivationFn): string {
  return fn.kind === "math" ? fn.name : fn.kind === "composite" ? fn.label : fn.kind;
}

/** The parameters that make element i's function differ from another's (per-element ops only). */
function elementKey(fn: ActivationFn, i: number): string | null {
  if (fn.kind === "prelu") return String(fn.slope[i]);
  if (fn.kind === "affine") return `${fn.scale[i]},${fn.shift[i]}`;
  if (fn.kind === "math" && fn.k) return String(fn.k[i]);
  return null;
}

function tableLayer(node: ActivationNode, size: number, inFrac: number, outFrac: number): Omit<QTable, "from"> {
  const fn = node.fn;
  const base = { op: "table" as const, node: node.name, fn: fnLabel(fn), size, inFrac, outFrac };
  if (elementKey(fn, 0) === null) return { ...base, tables: [activationTable(fn, inFrac, outFrac)] };
  // One table per distinct parameter (PRelu's slope is per channel in practice).
  const byKey = new Map<string, number>();
  const tables: number[][] = [];
  const select = Array.from({ length: size }, (_, i) => {
    const key = elementKey(fn, i)!;
    let t = byKey.get(key);
    if (t === undefined) {
      t = tables.length;
      byKey.set(key, t);
      tables.push(activationTable(fn, inFrac, outFrac, i));
    }
    return t;
  });
  return { ...base, tables, ...(tables.length > 1 && { select }) };
}

export const activationNode: NodeKind<ActivationNode> = {
  inputs: oneInput,
  float: (n, [x]) => x!.map((v, i) => activationValue(n.fn, v, i)),
  work: () => ({ work: 1, constraints: 64 }),
  absorbed: (n) => (n.fn.kind === "relu" ? { relu: true } : undefined),
  quantize(n, index, ctx) {
    const { layer, frac, size } = ctx.tensor(n.input);
    if (n.fn.kind === "relu") {
      ctx.produce(index, { op: "relu", node: n.name, ...ctx.fromField(layer), size, frac } satisfies QRelu);
      return;
    }
    const { last, fixed } = ctx.absorb(false);
    // A comparison's, Sign's or Round's integers stay exact: the calibrated values are integers.
    const outFrac = fixed ?? ctx.outputFrac(last);
    ctx.produce(last, { ...tableLayer(n, size, frac, outFrac), ...ctx.fromField(layer) } satisfies QTable);
  },
};

export const reluLayer: LayerKind<QRelu> = {
  sources: previousLayer,
  outSize: (l) => l.size,
  outFrac: (l) => l.frac,
  outBits: () => ACT_BITS,
  run: (_l, [x]) => x!.map((v) => (v > 0 ? v : 0)),
  describe: (l) => `relu on ${l.size} values`,
  gadgets: ["relu"],
  constants: () => [],
  emit: (l, i, e) => [
    `    // ${commentText(l.node)}: relu on ${l.size} int8 values`,
    ...elementwiseLines(l.size, i, e.signal(previousLayer(l, i)[0]!), "relu", "ReluInt8()"),
  ],
};

export const tableLayerKind: LayerKind<QTable> = {
  sources: previousLayer,
  outSize: (l) => l.size,
  outFrac: (l) => l.outFrac,
  outBits: () => ACT_BITS,
  run: (l, [x]) => x!.map((v, i) => l.tables[l.select?.[i] ?? 0]![v + 128]!),
  describe: (l) => `${l.fn} on ${l.size} values: ${l.tables.length} exact table(s), 2^-${l.inFrac} → 2^-${l.outFrac}`,
  gadgets: ["lookup"],
  constants(l, i) {
    // One function per table: circom wants every return of a function to have one size.
    const fns = l.tables.map((t, k) =>
      arrayFunction(
        `Table${i}_${k}`,
        t,
        `Layer ${i}: ${commentText(l.node)}, ${l.fn} as an exact int8 table (input 2^-${l.inFrac}, output 2^-${l.outFrac})${l.tables.length > 1 ? `, table ${k}` : ""}.`,
      ),
    );
    if (l.select) fns.push(arrayFunction(`TableOf${i}`, l.select, `Layer ${i}: which table each element uses.`));
    return fns;
  },
  emit(l, i, e) {
    const prev = e.signal(previousLayer(l, i)[0]!);
    return [
      `    // ${commentText(l.node)}: ${l.fn} on ${l.size} int8 values by exact table lookup (51 constraints each)`,
      ...(l.select ? [`    var tableOf${i}[${l.size}] = TableOf${i}();`] : []),
      `    signal a${i}[${l.size}];`,
      `    component lookup${i}[${l.size}];`,
      `    for (var o = 0; o < ${l.size}; o++) {`,
      ...(l.select
        ? l.tables.map((_, k) => `        ${k ? "else " : ""}if (tableOf${i}[o] == ${k}) lookup${i}[o] = LookupInt8(Table${i}_${k}());`)
        : [`        lookup${i}[o] = LookupInt8(Table${i}_0());`]),
      `        lookup${i}[o].in <== ${prev}[o];`,
      `        a${i}[o] <== lookup${i}[o].out;`,
      `    }`,
    ];
  },
};
