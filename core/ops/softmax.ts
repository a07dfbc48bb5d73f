/**
 * Softmax over an axis anywhere in a graph (attention's weights; a Softmax that ends an output is
 * not proven at all, see circuits/onnx/handlers/output.ts). Per group of n values: m = max by
 * MaxInt8; d = x − m ∈ [−255, 0], so d + 127 is an int8 and one exact table gives e = exp(d·2^−f)
 * at 2^−12 (LookupInt8 also proves d ≤ 0, so m is no larger than the true maximum and no smaller
 * than any x); S = Σe exactly; p = ⌊(256e + S) / 2S⌋ at 2^−7, the ratio rounded half up, by
 * SoftmaxDiv (remainder and quotient range-checked), 1.0 saturating to 127/128.
 */
import { commentText } from "../inert.js";
import { ACT_BITS, bitsForBound, type LayerBase, type NodeBase } from "../ir.js";
import { arrayFunction } from "./circom.js";
import { oneInput, previousLayer, type LayerKind, type NodeKind } from "./kind.js";

/** Scale of the exact exponentials: e(0) = 2^12. */
export const SOFTMAX_EXP_FRAC = 12;
/** Scale of the probabilities. */
export const SOFTMAX_OUT_FRAC = 7;

export interface SoftmaxNode extends NodeBase {
  op: "softmax";
  /** Values per group (the axis's length). */
  n: number;
  /** Input index of every group member, group by group; the output keeps the input's layout. */
  index: Int32Array;
}

export interface QSoftmax extends LayerBase {
  op: "softmax";
  n: number;
  index: number[];
  inFrac: number;
  /** exp(d·2^−inFrac) at 2^−12 for d = k − 255, k = 0..255. */
  table: number[];
}

function softmaxFloat(nd: SoftmaxNode, x: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let g = 0; g < nd.index.length / nd.n; g++) {
    const cells = Array.from({ length: nd.n }, (_, k) => nd.index[g * nd.n + k]!);
    const m = Math.max(...cells.map((i) => x[i]!));
    const e = cells.map((i) => Math.exp(x[i]! - m));
    const s = e.reduce((a, b) => a + b, 0);
    cells.forEach((i, k) => (out[i] = e[k]! / s));
  }
  return out;
}

/** The exponentials' table for inputs at 2^−inFrac: entry k is exp((k − 255)·2^−inFrac) at 2^−12. */
export function softmaxTable(inFrac: number): number[] {
  return Array.from({ length: 256 }, (_, k) => Math.round(Math.exp((k - 255) / 2 ** inFrac) * 2 ** SOFTMAX_EXP_FRAC));
}

/** Remainder bits of the division: 2S ≤ 2n·2^12. */
function remainderBits(n: number): number {
  return bitsForBound(2 * n * 2 ** SOFTMAX_EXP_FRAC) - 1;
}

export const softmaxNode: NodeKind<SoftmaxNode> = {
  inputs: oneInput,
  float: (nd, [x]) => softmaxFloat(nd, x!),
  work: (nd) => ({ work: nd.index.length * 4, constraints: nd.index.length * (70 + 2 * remainderBits(nd.n)) }),
  absorbed: () => undefined,
  quantize(nd, index, ctx) {
    const { layer, frac, size } = ctx.tensor(nd.input);
    if (nd.index.length !== size) ctx.malformed(`softmax over ${nd.index.length} values of a tensor of ${size}`);
    ctx.produce(index, {
      op: "softmax",
      node: nd.name,
      ...ctx.fromField(layer),
      n: nd.n,
      index: Array.from(nd.index),
      inFrac: frac,
      table: softmaxTable(frac),
    } satisfies QSoftmax);
  },
};

function softmaxRun(l: QSoftmax, x: readonly number[]): number[] {
  const out = new Array<number>(x.length);
  for (let g = 0; g < l.index.length / l.n; g++) {
    const cells = l.index.slice(g * l.n, (g + 1) * l.n);
    const m = Math.max(...cells.map((i) => x[i]!));
    const e = cells.map((i) => l.table[x[i]! - m + 255]!);
    const s = e.reduce((a, b) => a + b, 0);
    cells.forEach((i, k) => {
      const p = Math.floor((256 * e[k]! + s) / (2 * s));
      out[i] = Math.min(p, 127);
    });
  }
  return out;
}

export const softmaxLayer: LayerKind<QSoftmax> = {
  sources: previousLayer,
  outSize: (l) => l.index.length,
  outFrac: () => SOFTMAX_OUT_FRAC,
  outBits: () => ACT_BITS,
  run: (l, [x]) => softmaxRun(l, x!),
  describe: (l) =>
    `softmax over groups of ${l.n} (${l.index.length} values), input 2^-${l.inFrac}, exp at 2^-${SOFTMAX_EXP_FRAC}, output 2^-${SOFTMAX_OUT_FRAC}`,
  gadgets: ["max2", "lookup", "softmax_div"],
  constants: (l, i) => [
    arrayFunction(`Index${i}`, l.index, `Layer ${i}: ${commentText(l.node)}, the input cells of each softmax group, ${l.n} each.`),
    arrayFunction(`ExpTable${i}`, l.table, `Layer ${i}: exp(d·2^-${l.inFrac}) at 2^-${SOFTMAX_EXP_FRAC} for d + 255 = 0..255.`),
  ],
  emit(l, i, e) {
    const prev = e.signal(previousLayer(l, i)[0]!);
    const [n, groups] = [l.n, l.index.length / l.n];
    return [
      `    // ${commentText(l.node)}: softmax over ${groups} groups of ${n}`,
      `    var index${i}[${l.index.length}] = Index${i}();`,
      `    signal a${i}[${l.index.length}];`,
      `    component max${i}[${Math.max(1, groups * (n - 1))}];`,
      `    component exp${i}[${l.index.length}];`,
      `    component div${i}[${l.index.length}];`,
      `    for (var g = 0; g < ${groups}; g++) {`,
      `        var m = ${prev}[index${i}[g * ${n}]];`,
      `        for (var k = 1; k < ${n}; k++) {`,
      `            max${i}[g * ${n - 1} + k - 1] = MaxInt8();`,
      `            max${i}[g * ${n - 1} + k - 1].a <== m;`,
      `            max${i}[g * ${n - 1} + k - 1].b <== ${prev}[index${i}[g * ${n} + k]];`,
      `            m = max${i}[g * ${n - 1} + k - 1].out;`,
      `        }`,
      `        var s = 0;`,
      `        for (var k = 0; k < ${n}; k++) {`,
      `            exp${i}[g * ${n} + k] = LookupInt8(ExpTable${i}());`,
      `            exp${i}[g * ${n} + k].in <== ${prev}[index${i}[g * ${n} + k]] - m + 127;`,
      `            s += exp${i}[g * ${n} + k].out;`,
      `        }`,
      `        for (var k = 0; k < ${n}; k++) {`,
      `            div${i}[g * ${n} + k] = SoftmaxDiv(${remainderBits(n)});`,
      `            div${i}[g * ${n} + k].e <== exp${i}[g * ${n} + k].out;`,
      `            div${i}[g * ${n} + k].sum <== s;`,
      `            a${i}[index${i}[g * ${n} + k]] <== div${i}[g * ${n} + k].out;`,
      `        }`,
      `    }`,
    ];
  },
};
