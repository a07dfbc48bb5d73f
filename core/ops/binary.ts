/**
 * Add, Sub or Mul of two activations of one shape (a residual connection, an x·y or x·x
 * activation). Add/Sub align both operands to the finer scale by exact shifts and cost only the
 * requantization; Mul multiplies the scales and costs one constraint per value more.
 */
import { commentText } from "../inert.js";
import { ACT_BITS, bitsForBound, requantize, roundingConstant, requantText, type NodeBase, type Requant } from "../ir.js";
import { requantLines } from "./circom.js";
import type { LayerKind, NodeKind } from "./kind.js";
import { twoOperandAccumulator } from "./linear.js";

/** Elementwise op on two activations of the same shape: a residual Add, an x·y activation. */
export interface BinaryNode extends NodeBase {
  op: "binary";
  fn: "add" | "sub" | "mul";
  input2: string;
}

/**
 * Elementwise op on two int8 tensors of one size (layers `a` and `b`; -1 is the input):
 * add/sub: acc = a·2^aShift ± b·2^bShift, both at 2^-accFrac exactly; mul: acc = a·b (one
 * constraint each). Then requantized like a linear layer (ReLU fused), or exact if last.
 */
export interface QBinary {
  op: "binary";
  fn: "add" | "sub" | "mul";
  node: string;
  a: number;
  b: number;
  size: number;
  aShift: number;
  bShift: number;
  accFrac: number;
  accBits: number;
  requant: Requant | null;
}

function combine(fn: BinaryNode["fn"], x: number, y: number): number {
  return fn === "add" ? x + y : fn === "sub" ? x - y : x * y;
}

export const binaryNode: NodeKind<BinaryNode> = {
  inputs: (n) => [n.input, n.input2],
  float: (n, [x, y]) => x!.map((v, i) => combine(n.fn, v, y![i]!)),
  work: () => ({ work: 1, constraints: 64 }),
  absorbed: () => undefined,
  quantize(n, _index, ctx) {
    const a = ctx.tensor(n.input);
    const b = ctx.tensor(n.input2);
    const { last, relu, fixed } = ctx.absorb(true);
    // Add/Sub align both operands to the finer scale (exact shifts); Mul multiplies scales.
    const mul = n.fn === "mul";
    const accFrac = mul ? a.frac + b.frac : Math.max(a.frac, b.frac);
    const aShift = mul ? 0 : accFrac - a.frac;
    const bShift = mul ? 0 : accFrac - b.frac;
    const requant = ctx.requantFor(last, relu, fixed, accFrac);
    const inMag = 2 ** (ACT_BITS - 1);
    let bound = mul ? inMag * inMag : inMag * 2 ** aShift + inMag * 2 ** bShift;
    bound += roundingConstant(requant);
    ctx.produce(last, {
      op: "binary",
      fn: n.fn,
      node: n.name,
      a: a.layer,
      b: b.layer,
      size: a.size,
      aShift,
      bShift,
      accFrac,
      accBits: bitsForBound(bound),
      requant,
    } satisfies QBinary);
  },
};

export const binaryLayer: LayerKind<QBinary> = {
  ...twoOperandAccumulator<QBinary>(),
  run(l, [x, y]) {
    const [sa, sb] = [2 ** l.aShift, 2 ** l.bShift];
    const acc = x!.map((v, i) => (l.fn === "mul" ? v * y![i]! : combine(l.fn, v * sa, y![i]! * sb)));
    const r = l.requant;
    return r ? acc.map((v) => requantize(v, r)) : acc;
  },
  describe: (l) =>
    `${l.fn} of layers ${l.a < 0 ? "input" : l.a} and ${l.b < 0 ? "input" : l.b} (${l.size} values), acc 2^-${l.accFrac} (${l.accBits} bits)` +
    requantText(l.requant),
  gadgets: ["requant"],
  constants: () => [],
  emit(l, i, e) {
    const [a, b] = [e.signal(l.a), e.signal(l.b)];
    const out = [`    // ${commentText(l.node)}: ${l.fn} of ${a} and ${b}, ${l.size} values${requantText(l.requant)}`, `    signal a${i}[${l.size}];`];
    if (l.requant) out.push(`    component rq${i}[${l.size}];`);
    if (l.fn === "mul") out.push(`    signal prod${i}[${l.size}];`);
    out.push(`    for (var o = 0; o < ${l.size}; o++) {`);
    if (l.fn === "mul") out.push(`        prod${i}[o] <== ${a}[o] * ${b}[o];`, `        var acc = prod${i}[o];`);
    else out.push(`        var acc = ${a}[o] * ${2 ** l.aShift} ${l.fn === "add" ? "+" : "-"} ${b}[o] * ${2 ** l.bShift};`);
    out.push(...requantLines(l, i, `a${i}[o]`, "        "), `    }`);
    return out;
  },
};
