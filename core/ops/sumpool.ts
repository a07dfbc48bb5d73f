/**
 * An average pool over exact accumulators (a polynomial activation kept unrequantized for it):
 * when every window divides by the same 2^m, the average is the window's sum at 2^-(frac + m),
 * so the layer sums (no constraint) and requantizes once. One rounding instead of two, and one
 * requantization per pooled value instead of one per input value.
 */
import { bitsForBound, poolWindows, requantize, requantText, roundingConstant, sizeOf, type LayerBase, type Requant, type Window2d } from "../ir.js";
import { requantLines } from "./circom.js";
import { previousLayer, type LayerKind, type QuantizeContext } from "./kind.js";
import { accumulatorOut } from "./linear.js";
import type { PoolNode } from "./pool.js";
import { poolHead, windowFunctions } from "./windows.js";

/** acc = the sum over each window of exact values at 2^-inFrac, read at 2^-accFrac (accFrac = inFrac + log2 window); then requantized. */
export interface QSumPool extends Window2d, LayerBase {
  op: "sumpool";
  inFrac: number;
  inBits: number;
  accFrac: number;
  accBits: number;
  requant: Requant | null;
}

/** log2 of every window's divisor when it is one power of two for all windows, else undefined. */
export function commonDivisorLog2(n: Window2d & { countIncludePad: boolean }): number | undefined {
  const { cells, windowSize } = poolWindows(n);
  const full = n.countIncludePad || cells.every((c) => c.length === windowSize);
  const log2 = Math.log2(windowSize);
  return full && Number.isInteger(log2) ? log2 : undefined;
}

/** The largest |sum| of `bits`-wide values over a window: no window has more cells than the kernel. */
function sumBound(n: Window2d, bits: number): number {
  return n.kernel[0] * n.kernel[1] * 2 ** (bits - 1);
}

/** Whether an average pool can take exact `bits`-wide values: one divisor 2^m, and sums far inside JS's exact integers. */
export function sumPoolTakes(n: Window2d & { countIncludePad: boolean }, bits: number): boolean {
  return commonDivisorLog2(n) !== undefined && sumBound(n, bits) < 2 ** 51;
}

/** An AveragePool node reading exact accumulators (src.bits > 8): a sum pool. */
export function quantizeSumPool(n: PoolNode, ctx: QuantizeContext): void {
  const src = ctx.tensor(n.input);
  const log2 = commonDivisorLog2(n);
  // The producer keeps its values exact only where sumPoolTakes holds (windows of one 2^m).
  if (log2 === undefined) ctx.malformed(`an average over exact ${src.bits}-bit values with windows of different sizes`);
  const { last, relu, fixed } = ctx.absorb(true);
  const accFrac = src.frac + log2;
  const requant = ctx.requantFor(last, relu, fixed, accFrac);
  const bound = sumBound(n, src.bits) + roundingConstant(requant);
  if (!(bound < 2 ** 52)) ctx.refuse(`a sum of ${src.bits}-bit values over a window needs more than 52 bits`);
  const { inShape, outShape, kernel, strides, pads } = n;
  ctx.produce(last, {
    op: "sumpool",
    node: n.name,
    ...ctx.fromField(src.layer),
    inShape,
    outShape,
    kernel,
    strides,
    pads,
    inFrac: src.frac,
    inBits: src.bits,
    accFrac,
    accBits: bitsForBound(bound),
    requant,
  } satisfies QSumPool);
}

export const sumpoolLayer: LayerKind<QSumPool> = {
  sources: previousLayer,
  outSize: (l) => sizeOf(l.outShape),
  outFrac: (l) => accumulatorOut(l).frac,
  outBits: (l) => accumulatorOut(l).bits,
  run(l, [x]) {
    const r = l.requant;
    return poolWindows(l).cells.map((cs) => {
      const acc = cs.reduce((s, i) => s + x![i]!, 0);
      return r ? requantize(acc, r) : acc;
    });
  },
  describe: (l) =>
    `average as a sum [${l.inShape}]→[${l.outShape}] kernel ${l.kernel.join("x")} stride ${l.strides.join(",")} of exact ${l.inBits}-bit values, acc 2^-${l.accFrac} (${l.accBits} bits)` +
    requantText(l.requant),
  gadgets: ["requant"],
  constants: windowFunctions,
  emit(l, i, e) {
    const prev = e.signal(previousLayer(l, i)[0]!);
    const n = sizeOf(l.outShape);
    return [
      ...poolHead(l, i),
      ...(l.requant ? [`    component rq${i}[${n}];`] : []),
      `    for (var o = 0; o < ${n}; o++) {`,
      `        var acc = 0;`,
      `        for (var k = start${i}[o]; k < start${i}[o + 1]; k++) acc += ${prev}[cells${i}[k]];`,
      ...requantLines(l, i, `a${i}[o]`, "        "),
      `    }`,
    ];
  },
};
