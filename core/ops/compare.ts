/**
 * A comparison of two activations (Less, LessOrEqual, Greater, GreaterOrEqual, Equal of x and y):
 * decided exactly on their int8 values aligned to the finer scale, d = a·2^sa − b·2^sb, as a
 * comparison with a constant is decided on the input's grid. The result is 0/1 at 2^0.
 * CompareInt: the sign of d from its bits, and IsZero where equality matters (B + 2).
 */
import { commentText } from "../inert.js";
import { ACT_BITS, bitsForBound, type NodeBase } from "../ir.js";
import type { LayerKind, NodeKind } from "./kind.js";

export type CompareTest = "lt" | "le" | "gt" | "ge" | "eq";
const TESTS: CompareTest[] = ["lt", "le", "gt", "ge", "eq"];

export interface CompareNode extends NodeBase {
  op: "compare";
  test: CompareTest;
  input2: string;
}

export interface QCompare {
  op: "compare";
  node: string;
  test: CompareTest;
  a: number;
  b: number;
  size: number;
  aShift: number;
  bShift: number;
  /** Signed width of the difference. */
  bits: number;
}

function holds(test: CompareTest, d: number): boolean {
  switch (test) {
    case "lt":
      return d < 0;
    case "le":
      return d <= 0;
    case "gt":
      return d > 0;
    case "ge":
      return d >= 0;
    case "eq":
      return d === 0;
    default:
      return test satisfies never;
  }
}

export const compareNode: NodeKind<CompareNode> = {
  inputs: (n) => [n.input, n.input2],
  float: (n, [x, y]) => x!.map((v, i) => (holds(n.test, v - y![i]!) ? 1 : 0)),
  work: () => ({ work: 1, constraints: 12 }),
  absorbed: () => undefined,
  quantize(n, index, ctx) {
    const [a, b] = [ctx.tensor(n.input), ctx.tensor(n.input2)];
    if (a.size !== b.size) ctx.malformed(`compares ${a.size} values with ${b.size}`);
    const frac = Math.max(a.frac, b.frac);
    const [aShift, bShift] = [frac - a.frac, frac - b.frac];
    const bits = bitsForBound(2 ** (ACT_BITS - 1) * (2 ** aShift + 2 ** bShift));
    ctx.produce(index, { op: "compare", node: n.name, test: n.test, a: a.layer, b: b.layer, size: a.size, aShift, bShift, bits } satisfies QCompare);
  },
};

export const compareLayer: LayerKind<QCompare> = {
  sources: (l) => [l.a, l.b],
  outSize: (l) => l.size,
  outFrac: () => 0,
  outBits: () => ACT_BITS,
  run: (l, [x, y]) => x!.map((v, i) => (holds(l.test, v * 2 ** l.aShift - y![i]! * 2 ** l.bShift) ? 1 : 0)),
  describe: (l) => `${l.test} of layers ${l.a < 0 ? "input" : l.a} and ${l.b < 0 ? "input" : l.b} (${l.size} values), exact on the aligned int8 values`,
  gadgets: ["compare"],
  constants: () => [],
  emit(l, i, e) {
    const [a, b] = [e.signal(l.a), e.signal(l.b)];
    return [
      `    // ${commentText(l.node)}: ${l.test} of ${a} and ${b}, ${l.size} values → 0/1`,
      `    signal a${i}[${l.size}];`,
      `    component cmp${i}[${l.size}];`,
      `    for (var o = 0; o < ${l.size}; o++) {`,
      `        cmp${i}[o] = CompareInt(${l.bits}, ${TESTS.indexOf(l.test)});`,
      `        cmp${i}[o].d <== ${a}[o] * ${2 ** l.aShift} - ${b}[o] * ${2 ** l.bShift};`,
      `        a${i}[o] <== cmp${i}[o].out;`,
      `    }`,
    ];
  },
};
