/**
 * ArgMax and ArgMin inside a graph (at the end of an output an ArgMax is the proof's class, see
 * circuits/onnx/handlers/output.ts): the index of the first (or, with select_last_index, the
 * last) maximum or minimum of each group of n values, an integer at 2^0. ArgMax(n, B) proves it
 * (a one-hot pick that is ≥ every later value and > every earlier one: n(B + 3)); the minimum is
 * the maximum of −x, and the last index that of the reversed group.
 */
import { commentText } from "../inert.js";
import { ACT_BITS, type LayerBase, type NodeBase } from "../ir.js";
import { arrayFunction } from "./circom.js";
import { oneInput, previousLayer, type LayerKind, type NodeKind } from "./kind.js";

export interface ArgNode extends NodeBase {
  op: "argmax";
  min: boolean;
  last: boolean;
  n: number;
  /** Input index of every group member, group by group. */
  index: Int32Array;
}

export interface QArg extends LayerBase {
  op: "argmax";
  min: boolean;
  last: boolean;
  n: number;
  index: number[];
}

/** The index within each group of its first (or last) maximum (or minimum). */
function argIndex(values: ArrayLike<number>, index: ArrayLike<number>, n: number, min: boolean, last: boolean): number[] {
  return Array.from({ length: index.length / n }, (_, g) => {
    let best = 0;
    for (let k = 1; k < n; k++) {
      const [v, b] = [values[index[g * n + k]!]!, values[index[g * n + best]!]!];
      const better = min ? v < b : v > b;
      if (better || (last && v === b)) best = k;
    }
    return best;
  });
}

export const argNode: NodeKind<ArgNode> = {
  inputs: oneInput,
  float: (nd, [x]) => Float64Array.from(argIndex(x!, nd.index, nd.n, nd.min, nd.last)),
  work: (nd) => ({ work: nd.index.length, constraints: nd.index.length * 13 }),
  absorbed: () => undefined,
  quantize(nd, i, ctx) {
    const { layer, size } = ctx.tensor(nd.input);
    if (nd.index.length !== size) ctx.malformed(`an arg${nd.min ? "min" : "max"} over ${nd.index.length} of ${size} values`);
    if (nd.n > 2 ** (ACT_BITS - 1)) ctx.refuse(`an index among ${nd.n} values does not fit an int8 (at most 128)`);
    ctx.produce(i, { op: "argmax", node: nd.name, ...ctx.fromField(layer), min: nd.min, last: nd.last, n: nd.n, index: Array.from(nd.index) } satisfies QArg);
  },
};

export const argLayer: LayerKind<QArg> = {
  sources: previousLayer,
  outSize: (l) => l.index.length / l.n,
  outFrac: () => 0,
  outBits: () => ACT_BITS,
  run: (l, [x]) => argIndex(x!, l.index, l.n, l.min, l.last),
  describe: (l) => `arg${l.min ? "min" : "max"} (${l.last ? "last" : "first"} index) of groups of ${l.n}, ${l.index.length} values`,
  gadgets: ["argmax"],
  constants: (l, i) => [arrayFunction(`Index${i}`, l.index, `Layer ${i}: ${commentText(l.node)}, the input cells of each group, ${l.n} each.`)],
  emit(l, i, e) {
    const prev = e.signal(previousLayer(l, i)[0]!);
    const [n, groups] = [l.n, l.index.length / l.n];
    // The last index is the first of the reversed group; the minimum the maximum of −x (9 bits).
    const cell = l.last ? `index${i}[g * ${n} + ${n - 1} - k]` : `index${i}[g * ${n} + k]`;
    return [
      `    // ${commentText(l.node)}: arg${l.min ? "min" : "max"} over ${groups} groups of ${n}`,
      `    var index${i}[${l.index.length}] = Index${i}();`,
      `    signal a${i}[${groups}];`,
      `    component arg${i}[${groups}];`,
      `    for (var g = 0; g < ${groups}; g++) {`,
      `        arg${i}[g] = ArgMax(${n}, ${ACT_BITS + 1});`,
      `        for (var k = 0; k < ${n}; k++) arg${i}[g].in[k] <== ${l.min ? "-" : ""}${prev}[${cell}];`,
      `        a${i}[g] <== ${l.last ? `${n - 1} - ` : ""}arg${i}[g].idx;`,
      `    }`,
    ];
  },
};
