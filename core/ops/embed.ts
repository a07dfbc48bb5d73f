/**
 * An embedding lookup: Gather of a constant table [V, D] (a token embedding) by integer ids, with
 * a positional embedding that a following Add folds in. Each id is one-hot over the V rows
 * (V booleans, their sum 1, Σ v·b_v = id: V + 2 constraints, which also prove 0 ≤ id < V), and
 * every output value is linear in the one-hot over the int8 table, so it costs nothing more and
 * is an int8 by construction. The table is per position when a positional term was folded in.
 */
import { ZkmlError } from "../errors.js";
import { commentText } from "../inert.js";
import { ACT_BITS, fracForRange, maxAbs, quantizeValue, type LayerBase, type NodeBase } from "../ir.js";
import { arrayFunction } from "./circom.js";
import { oneInput, previousLayer, type LayerKind, type NodeKind } from "./kind.js";

export interface EmbedNode extends NodeBase {
  op: "embed";
  /** Rows (the vocabulary) and row width. */
  rows: number;
  width: number;
  /** Ids looked up (the input's values). */
  count: number;
  /** Row-major [rows][width]. */
  table: Float64Array;
  /** Added to output [position][width] (a positional embedding folded in), if any. */
  shift?: Float64Array;
}

export interface QEmbed extends LayerBase {
  op: "embed";
  rows: number;
  width: number;
  count: number;
  /** The ids' scale: the input holds id·2^inFrac (integer inputs are at 2^0). */
  inFrac: number;
  outFrac: number;
  /** int8 entries [position][row][width] (one block when no positional term: `perPosition` false). */
  table: number[];
  perPosition: boolean;
}

function embedValue(nd: EmbedNode, position: number, row: number, k: number): number {
  return nd.table[row * nd.width + k]! + (nd.shift ? nd.shift[position * nd.width + k]! : 0);
}

function embedFloat(nd: EmbedNode, ids: Float64Array): Float64Array {
  const out = new Float64Array(nd.count * nd.width);
  for (let p = 0; p < nd.count; p++) {
    const row = ids[p]!;
    // An id outside the table has no embedding (onnxruntime refuses it); NaN marks it.
    for (let k = 0; k < nd.width; k++) out[p * nd.width + k] = Number.isInteger(row) && row >= 0 && row < nd.rows ? embedValue(nd, p, row, k) : Number.NaN;
  }
  return out;
}

export const embedNode: NodeKind<EmbedNode> = {
  inputs: oneInput,
  float: (nd, [ids]) => embedFloat(nd, ids!),
  work: (nd) => ({ work: nd.count * nd.width, constraints: nd.count * (nd.rows + 2) }),
  absorbed: () => undefined,
  quantize(nd, index, ctx) {
    const { layer, frac, size } = ctx.tensor(nd.input);
    if (size !== nd.count) ctx.malformed(`looks up ${nd.count} ids, its input has ${size} values`);
    if (frac < 0 || (nd.rows - 1) * 2 ** frac > 2 ** (ACT_BITS - 1) - 1)
      ctx.refuse(`ids up to ${nd.rows - 1} at 2^-${frac} do not fit an int8 input (at most 128 rows)`);
    const perPosition = nd.shift !== undefined;
    const positions = perPosition ? nd.count : 1;
    const values: number[] = [];
    for (let p = 0; p < positions; p++) for (let r = 0; r < nd.rows; r++) for (let k = 0; k < nd.width; k++) values.push(embedValue(nd, p, r, k));
    const outFrac = fracForRange(maxAbs(values));
    ctx.produce(index, {
      op: "embed",
      node: nd.name,
      ...ctx.fromField(layer),
      rows: nd.rows,
      width: nd.width,
      count: nd.count,
      inFrac: frac,
      outFrac,
      table: values.map((v) => quantizeValue(v, outFrac)),
      perPosition,
    } satisfies QEmbed);
  },
};

function embedRun(l: QEmbed, ids: readonly number[]): number[] {
  const out: number[] = [];
  for (let p = 0; p < l.count; p++) {
    const row = ids[p]! / 2 ** l.inFrac;
    const base = ((l.perPosition ? p : 0) * l.rows + row) * l.width;
    // The circuit has no valid witness for an id outside the table: the interpreter refuses it too.
    if (!Number.isInteger(row) || row < 0 || row >= l.rows) {
      throw new ZkmlError(
        "BAD_INPUT",
        `the input's id ${row} at position ${p} is outside ${l.node}'s table (ids 0 to ${l.rows - 1})`,
        "pass token ids the model's vocabulary has",
      );
    }
    for (let k = 0; k < l.width; k++) out.push(l.table[base + k]!);
  }
  return out;
}

export const embedLayer: LayerKind<QEmbed> = {
  sources: previousLayer,
  outSize: (l) => l.count * l.width,
  outFrac: (l) => l.outFrac,
  outBits: () => ACT_BITS,
  run: (l, [ids]) => embedRun(l, ids!),
  describe: (l) => `embedding: ${l.count} ids into a ${l.rows}×${l.width} table${l.perPosition ? " (with positions)" : ""}, output 2^-${l.outFrac}`,
  gadgets: [],
  constants: (l, i) => [arrayFunction(`Embed${i}`, l.table, `Layer ${i}: ${commentText(l.node)}, the int8 table at 2^-${l.outFrac}.`)],
  emit(l, i, e) {
    const prev = e.signal(previousLayer(l, i)[0]!);
    const [V, D, T] = [l.rows, l.width, l.count];
    return [
      `    // ${commentText(l.node)}: embedding of ${T} ids, one-hot over ${V} rows`,
      `    var table${i}[${l.table.length}] = Embed${i}();`,
      `    signal onehot${i}[${T}][${V}];`,
      `    signal a${i}[${T * D}];`,
      `    for (var p = 0; p < ${T}; p++) {`,
      `        var total = 0;`,
      `        var id = 0;`,
      `        for (var v = 0; v < ${V}; v++) {`,
      `            onehot${i}[p][v] <-- ${prev}[p] == ${2 ** l.inFrac} * v ? 1 : 0;`,
      `            onehot${i}[p][v] * (onehot${i}[p][v] - 1) === 0;`,
      `            total += onehot${i}[p][v];`,
      `            id += v * onehot${i}[p][v];`,
      `        }`,
      `        total === 1;`,
      `        ${2 ** l.inFrac} * id === ${prev}[p];`,
      `        for (var k = 0; k < ${D}; k++) {`,
      `            var value = 0;`,
      `            for (var v = 0; v < ${V}; v++) value += onehot${i}[p][v] * table${i}[(${l.perPosition ? "p" : "0"} * ${V} + v) * ${D} + k];`,
      `            a${i}[p * ${D} + k] <== value;`,
      `        }`,
      `    }`,
    ];
  },
};
