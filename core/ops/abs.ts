/**
 * Abs of an activation: |x| at the same scale, saturated to 127 (|-128| has no int8). AbsInt8
 * costs 11 constraints a value, where the exact-table route (LookupInt8) would cost up to 48.
 */
import { commentText } from "../inert.js";
import { ACT_BITS, ACT_MAX, type LayerBase, type NodeBase } from "../ir.js";
import { elementwiseLines } from "./circom.js";
import { oneInput, previousLayer, type LayerKind, type NodeKind } from "./kind.js";

export interface AbsNode extends NodeBase {
  op: "abs";
}

/** min(|x|, 127) on int8 values; the scale is unchanged. */
export interface QAbs extends LayerBase {
  op: "abs";
  size: number;
  frac: number;
}

export const absNode: NodeKind<AbsNode> = {
  onnx: ["Abs"],
  inputs: oneInput,
  float: (_n, [x]) => x!.map(Math.abs),
  work: () => ({ work: 1, constraints: 11 }),
  absorbed: () => undefined,
  quantize(n, index, ctx) {
    const { layer, frac, size } = ctx.tensor(n.input);
    ctx.produce(index, { op: "abs", node: n.name, ...ctx.fromField(layer), size, frac } satisfies QAbs);
  },
};

export const absLayer: LayerKind<QAbs> = {
  sources: previousLayer,
  outSize: (l) => l.size,
  outFrac: (l) => l.frac,
  outBits: () => ACT_BITS,
  run: (_l, [x]) => x!.map((v) => (v < 0 ? (-v > ACT_MAX ? ACT_MAX : -v) : v)),
  describe: (l) => `abs on ${l.size} values (saturating at 127)`,
  gadgets: ["abs"],
  constants: () => [],
  emit: (l, i, e) => [
    `    // ${commentText(l.node)}: abs on ${l.size} int8 values`,
    ...elementwiseLines(l.size, i, e.signal(previousLayer(l, i)[0]!), "abs", "AbsInt8()"),
  ],
};
