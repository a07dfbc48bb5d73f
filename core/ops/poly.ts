/**
 * A polynomial activation a·x² + b·x + c of one activation x (the "square activation" x·x + x
 * of the ZKML literature), fused from the chain of Mul/Add/Sub/affine nodes that computes it
 * (circuits/fuse.ts). Unfused, each Mul and each Add of the chain is requantized and rescaled on
 * its own (about 23 constraints each); fused, the value costs one product and one
 * requantization, or just the product when the only reader sums before it requantizes (an
 * average pool whose windows divide by one power of two).
 */
import { commentText } from "../inert.js";
import { bitsForBound, fracForRange, requantize, requantText, roundHalfEven, roundingConstant, type LayerBase, type NodeBase, type Requant } from "../ir.js";
import { requantLines } from "./circom.js";
import { oneInput, previousLayer, type LayerKind, type NodeKind, type QuantizeContext } from "./kind.js";
import { accumulatorOut } from "./linear.js";

/** y = a·x² + b·x + c per element, a ≠ 0 (the fusion pass makes it; ONNX has no such op). */
export interface PolyNode extends NodeBase {
  op: "poly";
  a: number;
  b: number;
  c: number;
}

/**
 * acc = A·x² + B·x·2^xShift + C at 2^-accFrac (x an integer at 2^-inFrac, so xShift = accFrac −
 * inFrac), exact; then requantized to int8 (ReLU fused), or kept exact for a reader that sums.
 */
export interface QPoly extends LayerBase {
  op: "poly";
  size: number;
  inFrac: number;
  /** Signed width of the input values (8 unless it reads an exact accumulator). */
  inBits: number;
  coefficients: [number, number, number];
  xShift: number;
  accFrac: number;
  accBits: number;
  requant: Requant | null;
}

/** Bits of coefficient precision beyond which a coefficient is rounded (as a weight is, to int8). */
const MAX_EXACT_FRAC = 12;

/**
 * The frac at which both a and b are integers, if one of at most MAX_EXACT_FRAC bits with
 * integers under 2^15 exists (x·x + x: 0); else int8 precision for the larger of them.
 */
export function coefficientFrac(a: number, b: number): number {
  for (let k = 0; k <= MAX_EXACT_FRAC; k++) {
    const [A, B] = [a * 2 ** k, b * 2 ** k];
    if (Number.isInteger(A) && Number.isInteger(B) && Math.abs(A) < 2 ** 15 && Math.abs(B) < 2 ** 15) return k;
  }
  return Math.max(0, fracForRange(Math.max(Math.abs(a), Math.abs(b))));
}

function polyBound(l: Pick<QPoly, "coefficients" | "inBits" | "xShift" | "requant">): number {
  const [A, B, C] = l.coefficients;
  const xMag = 2 ** (l.inBits - 1);
  return Math.abs(A) * xMag * xMag + Math.abs(B) * 2 ** l.xShift * xMag + Math.abs(C) + roundingConstant(l.requant);
}

/** Accumulators stay below this, so the interpreter's integers (JS numbers) are exact. */
const MAX_BOUND = 2 ** 50;

/** The integer coefficients and scales of a·x² + b·x + c on an input at 2^-inFrac. */
function polyScales(n: PolyNode, inFrac: number): Pick<QPoly, "coefficients" | "xShift" | "accFrac"> {
  // A negative input frac (values above 128) would make the x term's multiplier a fraction:
  // the coefficients take the missing bits instead.
  const k = coefficientFrac(n.a, n.b) + Math.max(0, -inFrac);
  const accFrac = 2 * inFrac + k;
  return { coefficients: [roundHalfEven(n.a * 2 ** k), roundHalfEven(n.b * 2 ** k), roundHalfEven(n.c * 2 ** accFrac)], xShift: inFrac + k, accFrac };
}

function quantizePoly(n: PolyNode, ctx: QuantizeContext): { last: number; layer: QPoly } {
  const src = ctx.tensor(n.input);
  const { last, relu, fixed } = ctx.absorb(true);
  const scales = polyScales(n, src.frac);
  // A reader that sums windows (an average by a power of two) requantizes once, after the sum.
  const exactBits = bitsForBound(Math.min(polyBound({ ...scales, inBits: src.bits, requant: null }), Number.MAX_SAFE_INTEGER));
  const keepExact = !relu && fixed === undefined && ctx.readerTakesExact(last, { bits: exactBits, frac: scales.accFrac });
  const requant = keepExact ? null : ctx.requantFor(last, relu, fixed, scales.accFrac);
  const params = { size: src.size, inFrac: src.frac, inBits: src.bits, ...scales, requant, ...ctx.fromField(src.layer) };
  const bound = polyBound(params);
  if (!(bound < MAX_BOUND)) ctx.refuse(`a·x² + b·x + c with a=${n.a}, b=${n.b}, c=${n.c} needs an accumulator over 50 bits`);
  return { last, layer: { op: "poly", node: n.name, ...params, accBits: bitsForBound(bound) } };
}

export const polyNode: NodeKind<PolyNode> = {
  inputs: oneInput,
  float: (n, [x]) => x!.map((v) => n.a * v * v + n.b * v + n.c),
  work: () => ({ work: 3, constraints: 30 }),
  absorbed: () => undefined,
  // An exact accumulator (a conv's, before any requantization) is squared exactly when the result
  // stays within the interpreter's exact integers; the requantization after it pays for its bits.
  takesExact: (n, input) => {
    const scales = polyScales(n, input.frac);
    // A quarter of the limit leaves room for the rounding constant of the requantization after it.
    return polyBound({ ...scales, inBits: input.bits, requant: null }) < MAX_BOUND / 4;
  },
  quantize(n, _index, ctx) {
    const { last, layer } = quantizePoly(n, ctx);
    ctx.produce(last, layer);
  },
};

function polyText(l: QPoly): string {
  const [A, B, C] = l.coefficients;
  return `${A}·x² + ${B}·2^${l.xShift}·x + ${C}`;
}

export const polyLayer: LayerKind<QPoly> = {
  sources: previousLayer,
  outSize: (l) => l.size,
  outFrac: (l) => accumulatorOut(l).frac,
  outBits: (l) => accumulatorOut(l).bits,
  run(l, [x]) {
    const [A, B, C] = l.coefficients;
    const m = 2 ** l.xShift;
    const r = l.requant;
    return x!.map((v) => {
      const acc = A * v * v + B * m * v + C;
      return r ? requantize(acc, r) : acc;
    });
  },
  describe: (l) => `polynomial ${polyText(l)} on ${l.size} values at 2^-${l.inFrac}, acc 2^-${l.accFrac} (${l.accBits} bits)${requantText(l.requant)}`,
  gadgets: ["requant"],
  constants: () => [],
  emit(l, i, e) {
    const prev = e.signal(previousLayer(l, i)[0]!);
    const [A, B, C] = l.coefficients;
    // circom evaluates constants in the field: write them as integers, never as JS floats.
    const xTerm = `${BigInt(B) * 2n ** BigInt(l.xShift)}`;
    const out = [
      `    // ${commentText(l.node)}: ${polyText(l)} on ${l.size} values${requantText(l.requant)}`,
      `    signal sq${i}[${l.size}];`,
      `    signal a${i}[${l.size}];`,
    ];
    if (l.requant) out.push(`    component rq${i}[${l.size}];`);
    out.push(
      `    for (var o = 0; o < ${l.size}; o++) {`,
      `        sq${i}[o] <== ${prev}[o] * ${prev}[o];`,
      `        var acc = ${A} * sq${i}[o] + ${xTerm} * ${prev}[o] + ${C};`,
      ...requantLines(l, i, `a${i}[o]`, "        "),
      `    }`,
    );
    return out;
  },
};
