/**
 * Concat of activations (branches joined, a learned constant token, or the graph's several
 * outputs side by side). The parts join on the coarsest of their scales: a finer part is first
 * moved there by a `rescale` layer (rounded, never saturating); the concat itself is free.
 */
import { commentText } from "../inert.js";
import { ACT_BITS, fracForRange, maxAbs, quantizeValue, requantize, rescaleBits, type LayerBase, type NodeBase } from "../ir.js";
import { arrayFunction, elementwiseLines } from "./circom.js";
import { previousLayer, type LayerKind, type NodeKind, type QuantizeContext, type TensorRef } from "./kind.js";

/**
 * Part k's element j lands at output position dest[k][j]. `input` is the first part; `inputs`
 * all of them, in order. Constant parts, if any, are one `fill`: values[j] at position dest[j].
 */
export interface ConcatNode extends NodeBase {
  op: "concat";
  inputs: string[];
  dest: Int32Array[];
  size: number;
  fill?: { dest: Int32Array; values: Float64Array };
  /**
   * The graph's outputs side by side (a graph with several): the circuit's output vector. Each
   * part keeps its own scale (nothing reads this concat, so nothing needs one scale).
   */
  joinsOutputs?: true;
}

/**
 * Concat: part k (a layer's output, -1 the input) fills output positions dest, and constant
 * int8 values (`fill`) the rest; all at one scale. Free.
 */
export interface QConcat {
  op: "concat";
  node: string;
  parts: { from: number; dest: number[] }[];
  fill?: { dest: number[]; values: number[] };
  size: number;
  frac: number;
}

/**
 * int8 values moved to a coarser scale, 2^-inFrac → 2^-outFrac: requantize by
 * shift = inFrac − outFrac (round half up). Aligns the parts of a Concat.
 */
export interface QRescale extends LayerBase {
  op: "rescale";
  size: number;
  shift: number;
  inFrac: number;
  outFrac: number;
}

/** Each part's layer, on the coarsest scale of the parts and the constants (finer parts rescaled). */
function alignParts(n: ConcatNode, parts: TensorRef[], ctx: QuantizeContext): { sources: number[]; frac: number } {
  // Constant parts must fit too: they are int8 at the same scale.
  const frac = Math.min(...parts.map((p) => p.frac), ...(n.fill ? [fracForRange(maxAbs(n.fill.values))] : []));
  const sources = parts.map((p, k) => {
    if (p.frac === frac) return p.layer;
    return ctx.push({
      op: "rescale",
      node: `${n.name}/rescale ${k}`,
      ...ctx.fromField(p.layer),
      size: p.size,
      shift: p.frac - frac,
      inFrac: p.frac,
      outFrac: frac,
    } satisfies QRescale);
  });
  return { sources, frac };
}

export const concatNode: NodeKind<ConcatNode> = {
  inputs: (n) => n.inputs,
  float(n, parts) {
    const out = new Float64Array(n.size);
    n.fill?.dest.forEach((d, j) => (out[d] = n.fill!.values[j]!));
    parts.forEach((part, k) => part.forEach((v, j) => (out[n.dest[k]![j]!] = v)));
    return out;
  },
  work: () => ({ work: 1, constraints: 0 }),
  absorbed: () => undefined,
  quantize(n, index, ctx) {
    const parts = n.inputs.map((name) => ctx.tensor(name));
    const dest = (k: number) => Array.from(n.dest[k]!);
    if (n.joinsOutputs) {
      // The circuit's output vector: the outputs side by side, each at its own scale (free).
      ctx.produce(index, {
        op: "concat",
        node: n.name,
        parts: parts.map((p, k) => ({ from: p.layer, dest: dest(k) })),
        size: n.size,
        frac: parts[0]!.frac,
      } satisfies QConcat);
      return;
    }
    const { sources, frac } = alignParts(n, parts, ctx);
    const fill = n.fill && { dest: Array.from(n.fill.dest), values: Array.from(n.fill.values, (v) => quantizeValue(v, frac)) };
    ctx.produce(index, {
      op: "concat",
      node: n.name,
      parts: sources.map((from, k) => ({ from, dest: dest(k) })),
      ...(fill && { fill }),
      size: n.size,
      frac,
    } satisfies QConcat);
  },
};

export const concatLayer: LayerKind<QConcat> = {
  sources: (l) => l.parts.map((p) => p.from),
  outSize: (l) => l.size,
  outFrac: (l) => l.frac,
  outBits: () => ACT_BITS,
  run(l, parts) {
    const out = new Array<number>(l.size).fill(0);
    l.fill?.dest.forEach((d, j) => (out[d] = l.fill!.values[j]!));
    parts.forEach((part, k) => l.parts[k]!.dest.forEach((d, j) => (out[d] = part[j]!)));
    return out;
  },
  describe: (l) => `concat of ${l.parts.map((p) => (p.from < 0 ? "input" : `layer ${p.from}`)).join(", ")} → ${l.size} values (free)`,
  gadgets: [],
  constants: (l, i) => [
    ...l.parts.map((p, k) => arrayFunction(`Dest${i}_${k}`, p.dest, `Layer ${i}: ${commentText(l.node)}, output position of every value of part ${k}.`)),
    ...(l.fill
      ? [
          arrayFunction(`FillDest${i}`, l.fill.dest, `Layer ${i}: ${commentText(l.node)}, output positions of the constant parts.`),
          arrayFunction(`FillValue${i}`, l.fill.values, `Layer ${i}: ${commentText(l.node)}, the constant parts, int8 at 2^-${l.frac}.`),
        ]
      : []),
  ],
  emit(l, i, e) {
    // A var array: no constraints, the parts' signals land at their positions.
    const parts = l.parts.map((p) => e.signal(p.from));
    const out = [
      `    // ${commentText(l.node)}: concat of ${parts.join(", ")}${l.fill ? " and constants" : ""} into ${l.size} values (no constraints)`,
      `    var a${i}[${l.size}];`,
    ];
    if (l.fill) {
      const n = l.fill.dest.length;
      out.push(`    var fillDest${i}[${n}] = FillDest${i}();`, `    var fillValue${i}[${n}] = FillValue${i}();`);
      out.push(`    for (var j = 0; j < ${n}; j++) a${i}[fillDest${i}[j]] = fillValue${i}[j];`);
    }
    l.parts.forEach((p, k) => {
      out.push(`    var dest${i}_${k}[${p.dest.length}] = Dest${i}_${k}();`);
      out.push(`    for (var j = 0; j < ${p.dest.length}; j++) a${i}[dest${i}_${k}[j]] = ${parts[k]}[j];`);
    });
    return out;
  },
};

export const rescaleLayer: LayerKind<QRescale> = {
  sources: previousLayer,
  outSize: (l) => l.size,
  outFrac: (l) => l.outFrac,
  outBits: () => ACT_BITS,
  run: (l, [x]) => x!.map((v) => requantize(v, { shift: l.shift, outFrac: l.outFrac, relu: false })),
  describe: (l) => `rescale ${l.size} values 2^-${l.inFrac} → 2^-${l.outFrac} (requant >>${l.shift})`,
  gadgets: ["requant"],
  constants: () => [],
  emit: (l, i, e) => [
    `    // ${commentText(l.node)}: ${l.size} int8 values 2^-${l.inFrac} -> 2^-${l.outFrac} (requant >> ${l.shift})`,
    ...elementwiseLines(l.size, i, e.signal(previousLayer(l, i)[0]!), "rq", `RequantInt8(${rescaleBits(l.shift)}, ${l.shift}, 0, 0)`),
  ],
};
