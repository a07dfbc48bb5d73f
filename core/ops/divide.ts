/**
 * Div of two activations of one shape (a normalisation written out, a ratio of two features):
 * q = round(a·2^s / (b·2^u)) at the output's scale, rounded half up and saturated to int8; b = 0
 * gives ±127/−128 by a's sign and 0 for 0/0, as the tables saturate ±∞ and take NaN as 0.
 * DivInt8 proves the division by its remainder (about 60 constraints a value).
 */
import { commentText } from "../inert.js";
import { ACT_BITS, ACT_MAX, ACT_MIN, clampInt, type NodeBase } from "../ir.js";
import type { LayerKind, NodeKind } from "./kind.js";

export interface DivideNode extends NodeBase {
  op: "divide";
  input2: string;
}

export interface QDivide {
  op: "divide";
  node: string;
  a: number;
  b: number;
  size: number;
  /** Numerator and denominator shifts: a·2^s / (b·2^u) is the quotient at 2^-outFrac. */
  s: number;
  u: number;
  outFrac: number;
}

/** The quotient exactly as DivInt8 computes it. */
export function divideInt8(a: number, b: number, s: number, u: number): number {
  const sigma = b >= 0 ? 1 : -1;
  const zero = b === 0 ? 1 : 0;
  const d = sigma * b * 2 ** u + zero;
  const num = sigma * a * 2 ** s + zero * a * 256;
  return clampInt(Math.floor((2 * num + d) / (2 * d)), ACT_MIN, ACT_MAX);
}

export const divideNode: NodeKind<DivideNode> = {
  inputs: (n) => [n.input, n.input2],
  float: (_n, [x, y]) => x!.map((v, i) => v / y![i]!),
  work: () => ({ work: 1, constraints: 64 }),
  absorbed: () => undefined,
  quantize(n, index, ctx) {
    const [a, b] = [ctx.tensor(n.input), ctx.tensor(n.input2)];
    if (a.size !== b.size) ctx.malformed(`divides ${a.size} values by ${b.size}`);
    const outFrac = ctx.outputFrac(index);
    const shift = outFrac + b.frac - a.frac;
    if (Math.abs(shift) > 40) ctx.refuse(`the scales of the quotient (2^-${outFrac}) and its operands are ${Math.abs(shift)} bits apart`);
    ctx.produce(index, {
      op: "divide",
      node: n.name,
      a: a.layer,
      b: b.layer,
      size: a.size,
      s: Math.max(shift, 0),
      u: Math.max(-shift, 0),
      outFrac,
    } satisfies QDivide);
  },
};

export const divideLayer: LayerKind<QDivide> = {
  sources: (l) => [l.a, l.b],
  outSize: (l) => l.size,
  outFrac: (l) => l.outFrac,
  outBits: () => ACT_BITS,
  run: (l, [x, y]) => x!.map((v, i) => divideInt8(v, y![i]!, l.s, l.u)),
  describe: (l) => `divide layers ${l.a < 0 ? "input" : l.a} by ${l.b < 0 ? "input" : l.b} (${l.size} values) → int8 at 2^-${l.outFrac}`,
  gadgets: ["divide"],
  constants: () => [],
  emit(l, i, e) {
    const [a, b] = [e.signal(l.a), e.signal(l.b)];
    return [
      `    // ${commentText(l.node)}: ${a} / ${b}, ${l.size} values → int8 at 2^-${l.outFrac}`,
      `    signal a${i}[${l.size}];`,
      `    component div${i}[${l.size}];`,
      `    for (var o = 0; o < ${l.size}; o++) {`,
      `        div${i}[o] = DivInt8(${l.s}, ${l.u});`,
      `        div${i}[o].a <== ${a}[o];`,
      `        div${i}[o].b <== ${b}[o];`,
      `        a${i}[o] <== div${i}[o].out;`,
      `    }`,
    ];
  },
};
