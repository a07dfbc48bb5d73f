/**
 * Ops that move values: on an activation an index map (a free `select` node, or a rename when it
 * is the identity), on constants evaluated at import.
 */
import { ZkmlError } from "../../../core/errors.js";
import type { OnnxOp } from "../handler.js";
import { sizeOf } from "../../../core/ir.js";
import type { Constant, GraphBuilder, NodeProto } from "../graph_builder.js";
import {
  broadcastIndex,
  concatIndex,
  broadcastShape,
  floatAttr,
  gatherIndex,
  intAttr,
  intsAttr,
  padIndex,
  sliceIndex,
  stringAttr,
  tileIndex,
  transposeIndex,
  type IndexMap,
} from "../shapes.js";
import { shapeOf } from "./shape.js";

/** An index map over input 0, or the BAD_MODEL error `why` gives. */
function rearrangeBy(b: GraphBuilder, n: NodeProto, map: IndexMap | null, why: () => string): void {
  if (!map) throw new ZkmlError("BAD_MODEL", `${b.where(n)}: ${why()}`);
  b.rearrange(n, b.valueNamed(n, n.input![0]!), map);
}

/** Slice bounds: inputs since opset 10, attributes before. */
function sliceList(b: GraphBuilder, n: NodeProto, i: number, name: string): number[] | undefined {
  const ins = n.input ?? [];
  return intsAttr(n, name) ?? (ins[i] ? Array.from(b.constOf(n, ins[i], name).tensor.data) : undefined);
}

const tileOrExpand: OnnxOp = {
  readsInt8: true,
  import(b, n) {
    const op = n.opType;
    const shape = shapeOf(b, n, n.input![0]!);
    const arg = Array.from(b.constOf(n, n.input![1]!, op === "Tile" ? "repeats" : "shape").tensor.data);
    let map: IndexMap | null;
    if (op === "Tile") {
      map = arg.length === shape.length ? tileIndex(shape, arg) : null;
    } else {
      const target = broadcastShape(shape, arg);
      const index = target && broadcastIndex(shape, target);
      map = target && index ? { index, shape: target } : null;
    }
    rearrangeBy(b, n, map, () => `cannot ${op!.toLowerCase()} [${shape}] by [${arg}]`);
  },
};

/**
 * Concat: of constants (shape arithmetic), folded; with activations (branches joined), a
 * concat node whose constant parts (a learned token, a fixed feature) are one fill.
 */
function concat(b: GraphBuilder, n: NodeProto): void {
  const ins = (n.input ?? []).filter((x) => x);
  const parts = ins.map((x) => b.valueNamed(n, x));
  const shapes = parts.map((v) => (v.kind === "act" ? v.shape : v.tensor.dims));
  const axis = intAttr(n, "axis", 0);
  const layout = concatIndex(shapes, axis);
  if (!layout) throw new ZkmlError("BAD_MODEL", `${b.where(n)}: cannot concatenate [${shapes.map((s) => `[${s}]`).join(", ")}] on axis ${axis}`);
  const { shape, dest } = layout;
  if (parts.every((v) => v.kind === "const")) {
    const data = new Float64Array(sizeOf(shape));
    parts.forEach((v, k) => (v as Constant).tensor.data.forEach((x, j) => (data[dest[k]![j]!] = x)));
    b.setConst(n, { dims: shape, dataType: (parts[0] as Constant).tensor.dataType, data });
    return;
  }
  const acts = parts.flatMap((v, k) => (v.kind === "act" ? [k] : []));
  const consts = parts.flatMap((v, k) => (v.kind === "const" ? [k] : []));
  const fill = consts.length
    ? {
        dest: Int32Array.from(consts.flatMap((k) => Array.from(dest[k]!))),
        values: Float64Array.from(consts.flatMap((k) => Array.from((parts[k] as Constant).tensor.data))),
      }
    : undefined;
  b.emit(
    {
      op: "concat",
      name: b.nameOf(n),
      onnxOp: "Concat",
      input: b.canon(ins[acts[0]!]!),
      inputs: acts.map((k) => b.canon(ins[k]!)),
      output: b.out0(n),
      dest: acts.map((k) => dest[k]!),
      size: sizeOf(shape),
      ...(fill && { fill }),
    },
    shape,
  );
}

/** Gather of a constant table by computed ids (a token embedding): an `embed` node (core/ops/embed.ts). */
function embedding(b: GraphBuilder, n: NodeProto): void {
  const table = b.constOf(n, n.input![0]!, "embedding table").tensor;
  const ids = b.actOf(n, n.input![1]!);
  if (intAttr(n, "axis", 0) !== 0 || table.dims.length !== 2)
    b.unsupported(n, "a Gather by computed indices needs a 2-D constant table and axis 0 (an embedding)");
  const [rows, width] = table.dims as [number, number];
  b.emit(
    { op: "embed", name: b.nameOf(n), onnxOp: "Gather", input: b.srcOf(n, 1), output: b.out0(n), rows, width, count: sizeOf(ids.shape), table: table.data },
    [...ids.shape, width],
  );
}

/** Trilu: the upper (j − i ≥ k) or lower (j − i ≤ k) triangle of the last two axes kept, the rest 0 (a causal mask). */
const trilu: OnnxOp = {
  readsInt8: true,
  import(b, n) {
    const shape = shapeOf(b, n, n.input![0]!);
    if (shape.length < 2) b.unsupported(n, `needs a rank ≥ 2 tensor, got [${shape}]`);
    const k = n.input?.[1] ? (b.constOf(n, n.input[1], "k").tensor.data[0] ?? 0) : 0;
    const upper = intAttr(n, "upper", 1) === 1;
    const [rows, cols] = shape.slice(-2) as [number, number];
    const index = Int32Array.from({ length: sizeOf(shape) }, (_, p) => {
      const [i, j] = [Math.floor(p / cols) % rows, p % cols];
      return (upper ? j - i >= k : j - i <= k) ? p : -1;
    });
    rearrangeBy(b, n, { index, shape }, () => "");
  },
};

export const REARRANGE_OPS: Record<string, OnnxOp> = {
  Trilu: trilu,
  Concat: { import: concat },
  Gather: {
    readsInt8: true,
    import(b, n) {
      if (b.valueNamed(n, n.input![1]!).kind === "act") return embedding(b, n);
      const shape = shapeOf(b, n, n.input![0]!);
      const indices = b.constOf(n, n.input![1]!, "indices").tensor;
      let axis = intAttr(n, "axis", 0);
      if (axis < 0) axis += shape.length;
      rearrangeBy(b, n, gatherIndex(shape, axis, indices), () => `an index in [${Array.from(indices.data)}] is out of range for axis ${axis} of [${shape}]`);
    },
  },
  Slice: {
    readsInt8: true,
    import(b, n) {
      const shape = shapeOf(b, n, n.input![0]!);
      const starts = sliceList(b, n, 1, "starts");
      const ends = sliceList(b, n, 2, "ends");
      if (!starts || !ends) throw new ZkmlError("BAD_MODEL", `${b.where(n)}: Slice needs starts and ends`);
      const map = sliceIndex(shape, starts, ends, sliceList(b, n, 3, "axes"), sliceList(b, n, 4, "steps"));
      rearrangeBy(b, n, map, () => `cannot slice [${shape}] with starts [${starts}], ends [${ends}]`);
    },
  },
  Tile: tileOrExpand,
  Expand: tileOrExpand,
  Transpose: {
    readsInt8: true,
    import(b, n) {
      const shape = shapeOf(b, n, n.input![0]!);
      const perm = intsAttr(n, "perm") ?? shape.map((_, i) => shape.length - 1 - i);
      b.rearrange(n, b.valueNamed(n, n.input![0]!), transposeIndex(shape, perm));
    },
  },
  Pad: {
    readsInt8: true,
    import(b, n) {
      const ins = n.input ?? [];
      const a = b.actOf(n, ins[0]!);
      const mode = stringAttr(n, "mode", "constant");
      if (mode !== "constant") b.unsupported(n, `Pad mode "${mode}" is not supported (only constant)`);
      const pads = intsAttr(n, "pads") ?? (ins[1] ? Array.from(b.constOf(n, ins[1], "pads").tensor.data) : undefined);
      const value = ins[2] ? (b.optionalConst(n, 2)?.data[0] ?? 0) : floatAttr(n, "value", 0);
      if (ins[3]) b.unsupported(n, "Pad with axes is not supported");
      if (!pads || pads.length !== 2 * a.shape.length)
        throw new ZkmlError("BAD_MODEL", `${b.where(n)}: pads [${pads ?? ""}] do not match the rank of [${a.shape}]`);
      // A uint8 tensor (zero point 128) holds real 0 as 128.
      const zero = a.int8?.uint8 ? 128 : 0;
      if (value !== zero) b.unsupported(n, `Pad with value ${value} is not supported (only ${zero}, a real 0)`);
      b.select(n, padIndex(a.shape, pads));
    },
  },
};
