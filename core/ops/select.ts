/**
 * A free rearrangement: out[i] = in[index[i]], or 0 where index[i] = -1. Pad, Gather, Slice,
 * Transpose, Tile and Expand of an activation all become this, and a graph input's slice of the
 * circuit input too. No constraint: the outputs are the input's signals.
 */
import { commentText } from "../inert.js";
import { ACT_BITS, type LayerBase, type NodeBase } from "../ir.js";
import { arrayFunction } from "./circom.js";
import { oneInput, previousLayer, type LayerKind, type NodeKind } from "./kind.js";

export interface SelectNode extends NodeBase {
  op: "select";
  index: Int32Array;
}

/** out[i] = in[index[i]], or 0 where index[i] = -1 (Pad, Gather, Slice, Transpose): free. */
export interface QSelect extends LayerBase {
  op: "select";
  inSize: number;
  index: number[];
  frac: number;
}

export const selectNode: NodeKind<SelectNode> = {
  inputs: oneInput,
  float: (n, [src]) => Float64Array.from(n.index, (i) => (i < 0 ? 0 : src![i]!)),
  // Free in the circuit, not in calibration's memory.
  work: (n) => ({ work: n.index.length, constraints: 0 }),
  absorbed: () => undefined,
  quantize(n, index, ctx) {
    const { layer, frac, size } = ctx.tensor(n.input);
    // A slice of the circuit input that is a graph input of its own has that input's scale.
    const partFrac = layer < 0 ? ctx.inputPartFrac(n.output) : undefined;
    ctx.produce(index, {
      op: "select",
      node: n.name,
      ...ctx.fromField(layer),
      inSize: size,
      index: Array.from(n.index),
      frac: partFrac ?? frac,
    } satisfies QSelect);
  },
};

export const selectLayer: LayerKind<QSelect> = {
  sources: previousLayer,
  outSize: (l) => l.index.length,
  outFrac: (l) => l.frac,
  outBits: () => ACT_BITS,
  run: (l, [x]) => l.index.map((i) => (i < 0 ? 0 : x![i]!)),
  describe: (l) => `rearrange ${l.inSize}→${l.index.length} values (free)`,
  gadgets: [],
  constants: (l, i) => [arrayFunction(`Index${i}`, l.index, `Layer ${i}: ${commentText(l.node)}, source index of every output (-1: zero).`)],
  emit(l, i, e) {
    const n = l.index.length;
    return [
      `    // ${commentText(l.node)}: rearrangement of ${l.inSize} values into ${n} (no constraints)`,
      `    var index${i}[${n}] = Index${i}();`,
      `    var a${i}[${n}];`,
      `    for (var o = 0; o < ${n}; o++) {`,
      `        if (index${i}[o] < 0) { a${i}[o] = 0; } else { a${i}[o] = ${e.signal(previousLayer(l, i)[0]!)}[index${i}[o]]; }`,
      `    }`,
    ];
  },
};
