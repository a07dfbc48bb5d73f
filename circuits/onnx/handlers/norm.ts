/**
 * LayerNormalization (over the axes from `axis` on, γ and β over those axes) and
 * InstanceNormalization (over each channel's spatial values, γ and β per channel) as one `norm`
 * node (core/ops/norm.ts): exact integer mean and variance, one square root per group.
 */
import { ZkmlError } from "../../../core/errors.js";
import { sizeOf } from "../../../core/ir.js";
import type { ImportContext, OnnxOp } from "../handler.js";
import type { GraphBuilder, NodeProto } from "../graph_builder.js";
import { broadcastTo, floatAttr, intAttr } from "../shapes.js";
import { reduceIndex } from "./reduce.js";

/** A per-value array from a constant broadcast over `over` (the normalized dims), placed by each value's position in its group. */
function perValue(b: GraphBuilder, n: NodeProto, name: string | undefined, over: number[], index: Int32Array, fill: number): Float64Array {
  const groupSize = sizeOf(over);
  const inGroup = name ? broadcastTo(b.constOf(n, name, "scale/bias").tensor, over) : new Float64Array(groupSize).fill(fill);
  if (!inGroup) throw new ZkmlError("BAD_MODEL", `${b.where(n)}: "${name}" does not broadcast to the normalized shape [${over}]`);
  const out = new Float64Array(index.length);
  index.forEach((pos, k) => (out[pos] = inGroup[k % groupSize]!));
  return out;
}

/** Extra outputs (Mean, InvStdDev) are refused when a node or the graph's outputs read them. */
function onlyFirstOutput(b: GraphBuilder, n: NodeProto, graph: ImportContext["graph"]): void {
  const extra = new Set((n.output ?? []).slice(1).filter((o) => o));
  const read = [...(graph.node ?? []).flatMap((m) => m.input ?? []), ...(graph.output ?? []).map((o) => o.name)].filter((x) => x && extra.has(x));
  if (read.length > 0) b.unsupported(n, `its outputs ${[...new Set(read)].join(", ")} (mean, inverse standard deviation) are not supported`);
}

const layerNormalization: OnnxOp = {
  import(b, n, { graph }) {
    onlyFirstOutput(b, n, graph);
    const a = b.actOf(n, n.input![0]!);
    const rank = a.shape.length;
    const raw = intAttr(n, "axis", -1);
    const axis = raw < 0 ? raw + rank : raw;
    if (!(axis >= 0 && axis < rank)) b.unsupported(n, `axis ${raw} is outside a rank-${rank} tensor`);
    const axes = Array.from({ length: rank - axis }, (_, k) => axis + k);
    const { index, n: groupSize } = reduceIndex(a.shape, axes);
    const over = a.shape.slice(axis);
    const scale = perValue(b, n, n.input?.[1], over, index, 1);
    const bias = perValue(b, n, n.input?.[2], over, index, 0);
    const epsilon = floatAttr(n, "epsilon", 1e-5);
    b.emit(
      { op: "norm", name: b.nameOf(n), onnxOp: "LayerNormalization", input: b.srcOf(n), output: b.out0(n), n: groupSize, index, scale, bias, epsilon },
      a.shape,
    );
  },
};

const instanceNormalization: OnnxOp = {
  import(b, n) {
    const a = b.actOf(n, n.input![0]!);
    if (a.shape.length < 3 || a.shape[0] !== 1) b.unsupported(n, `needs a [1, C, ...] input, got [${a.shape}]`);
    const axes = Array.from({ length: a.shape.length - 2 }, (_, k) => k + 2);
    const { index, n: groupSize } = reduceIndex(a.shape, axes);
    const channels = a.shape[1]!;
    const perChannel = (i: number, role: string) => {
      const t = b.constOf(n, n.input![i]!, role).tensor;
      if (t.data.length !== channels) throw new ZkmlError("BAD_MODEL", `${b.where(n)}: ${role} has ${t.data.length} values for ${channels} channels`);
      // Group g is channel g (batch 1); every value of it takes the channel's γ or β.
      const out = new Float64Array(index.length);
      index.forEach((pos, k) => (out[pos] = t.data[Math.floor(k / groupSize)]!));
      return out;
    };
    const epsilon = floatAttr(n, "epsilon", 1e-5);
    const [scale, bias] = [perChannel(1, "scale"), perChannel(2, "B")];
    b.emit(
      { op: "norm", name: b.nameOf(n), onnxOp: "InstanceNormalization", input: b.srcOf(n), output: b.out0(n), n: groupSize, index, scale, bias, epsilon },
      a.shape,
    );
  },
};

export const NORM_OPS: Record<string, OnnxOp> = { LayerNormalization: layerNormalization, InstanceNormalization: instanceNormalization };
