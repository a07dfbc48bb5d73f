/** Ops that only rename a tensor or compute on constants (the shape plumbing exporters emit). */
import { sizeOf } from "../../../core/ir.js";
import { ZkmlError } from "../../../core/errors.js";
import { LIMITS } from "../../../core/limits.js";
import type { OnnxOp } from "../handler.js";
import type { GraphBuilder, NodeProto } from "../graph_builder.js";
import { attr, intAttr, intsAttr } from "../shapes.js";
import { decodeTensor, DT, type DecodedTensor } from "../tensor.js";
import { integerValued } from "../../../core/ops/math.js";

const INT_TYPES = new Set<number>([DT.INT8, DT.UINT8, DT.INT16, DT.UINT16, DT.INT32, DT.UINT32, DT.INT64, DT.UINT64]);

/** Whether the activation is the 0/1 or integer output of a table (a comparison, Sign, Round): casting it changes nothing. */
function integerValuedActivation(b: GraphBuilder, name: string): boolean {
  const node = b.nodes.find((nd) => nd.output === b.canon(name));
  return node?.op === "activation" && node.fn.kind === "math" && integerValued(node.fn.name);
}

/** A decoded constant tensor (float unless `dataType` says otherwise). */
export function constTensor(dims: number[], data: ArrayLike<number>, dataType: number = DT.FLOAT): DecodedTensor {
  return { dims, dataType, data: Float64Array.from(data) };
}

/** The shape of a value, whether an activation or a constant. */
export function shapeOf(b: GraphBuilder, n: NodeProto, name: string): number[] {
  const v = b.valueNamed(n, name);
  return v.kind === "act" ? v.shape : v.tensor.dims;
}

/** A reshape of input 0: new dims on a constant, a rename of an activation. */
function reshapeTo(b: GraphBuilder, n: NodeProto, dims: number[]): void {
  const v = b.valueNamed(n, n.input![0]!);
  if (v.kind === "const") b.setConst(n, { ...v.tensor, dims });
  else b.alias(n, dims);
}

const identity: OnnxOp = {
  readsInt8: true,
  import(b, n) {
    const v = b.valueNamed(n, n.input![0]!);
    if (v.kind === "const") b.values.set(b.out0(n), v);
    else b.alias(n, b.actOf(n, n.input![0]!).shape);
  },
};

function unsqueezedShape(b: GraphBuilder, n: NodeProto, shape: number[], axesIn: number[] | undefined): number[] {
  if (n.opType === "Unsqueeze") {
    if (!axesIn) b.unsupported(n, "Unsqueeze needs axes");
    const rank = shape.length + axesIn!.length;
    const axes = axesIn!.map((x) => (x < 0 ? x + rank : x));
    const out: number[] = [];
    let src = 0;
    for (let d = 0; d < rank; d++) out.push(axes.includes(d) ? 1 : shape[src++]!);
    return out;
  }
  const axes = (axesIn ?? shape.flatMap((d, i) => (d === 1 ? [i] : []))).map((x) => (x < 0 ? x + shape.length : x));
  if (axes.some((x) => shape[x] !== 1)) throw new ZkmlError("BAD_MODEL", `${b.where(n)}: cannot squeeze axes [${axes}] of [${shape}]`);
  return shape.filter((_, i) => !axes.includes(i));
}

const squeezeOrUnsqueeze: OnnxOp = {
  readsInt8: true,
  import(b, n) {
    const ins = n.input ?? [];
    const axesIn = intsAttr(n, "axes") ?? (ins[1] ? Array.from(b.constOf(n, ins[1], "axes").tensor.data) : undefined);
    reshapeTo(b, n, unsqueezedShape(b, n, shapeOf(b, n, ins[0]!), axesIn));
  },
};

export const SHAPE_OPS: Record<string, OnnxOp> = {
  Constant: {
    import(b, n) {
      const a = attr(n, "value");
      const t = a?.t ? decodeTensor(a.t) : null;
      if (!t) b.unsupported(n, "only tensor-valued Constant nodes are supported");
      b.setConst(n, t!);
    },
  },
  Identity: identity,
  Dropout: identity,
  Cast: {
    import(b, n) {
      const to = intAttr(n, "to", DT.FLOAT);
      const v = b.valueNamed(n, n.input![0]!);
      if (v.kind === "const") {
        const isInt = to !== DT.FLOAT && to !== DT.DOUBLE && to !== DT.FLOAT16;
        b.setConst(n, { ...v.tensor, dataType: to, data: isInt ? v.tensor.data.map(Math.trunc) : v.tensor.data });
      } else if (to === DT.FLOAT || to === DT.DOUBLE || integerValuedActivation(b, n.input![0]!)) {
        b.alias(n, b.actOf(n, n.input![0]!).shape);
      } else if (to === DT.BOOL || INT_TYPES.has(to)) {
        // A float activation to bool (x ≠ 0) or to an integer type (toward zero): an exact table.
        b.activation(n, { kind: "math", name: to === DT.BOOL ? "nonzero" : "trunc", params: {} });
      } else {
        b.unsupported(n, `a Cast of an activation to data type ${to} is not supported (only to float, bool or an integer type)`);
      }
    },
  },
  Shape: {
    readsInt8: true,
    import(b, n) {
      const shape = shapeOf(b, n, n.input![0]!);
      b.setConst(n, constTensor([shape.length], shape, DT.INT64));
    },
  },
  Size: {
    readsInt8: true,
    import(b, n) {
      b.setConst(n, constTensor([], [sizeOf(shapeOf(b, n, n.input![0]!))], DT.INT64));
    },
  },
  // start, start + delta, ... below limit, all constants (the axes a written-out function reduces over).
  Range: {
    import(b, n) {
      const [start, limit, delta] = [0, 1, 2].map((i) => b.constOf(n, n.input![i]!, ["start", "limit", "delta"][i]!).tensor);
      const [s0, l0, d0] = [start!.data[0]!, limit!.data[0]!, delta!.data[0]!];
      const count = Math.max(Math.ceil((l0 - s0) / d0), 0);
      if (!Number.isFinite(count) || count > LIMITS.tensorElements) b.unsupported(n, `Range(${s0}, ${l0}, ${d0}) is not a size zkml can hold`);
      b.setConst(
        n,
        constTensor(
          [count],
          Array.from({ length: count }, (_, k) => s0 + k * d0),
          start!.dataType,
        ),
      );
    },
  },
  ConstantOfShape: {
    import(b, n) {
      const shape = Array.from(b.constOf(n, n.input![0]!, "shape").tensor.data);
      const a = attr(n, "value");
      const fill = a?.t ? (decodeTensor(a.t)?.data[0] ?? 0) : 0;
      b.setConst(n, constTensor(shape, new Float64Array(sizeOf(shape)).fill(fill)));
    },
  },
  Unsqueeze: squeezeOrUnsqueeze,
  Squeeze: squeezeOrUnsqueeze,
  Flatten: {
    readsInt8: true,
    import(b, n) {
      const shape = shapeOf(b, n, n.input![0]!);
      let axis = intAttr(n, "axis", 1);
      if (axis < 0) axis += shape.length;
      reshapeTo(b, n, [sizeOf(shape.slice(0, axis)), sizeOf(shape.slice(axis))]);
    },
  },
  Reshape: {
    readsInt8: true,
    import(b, n) {
      const shape = shapeOf(b, n, n.input![0]!);
      const target = Array.from(b.constOf(n, n.input![1]!, "shape").tensor.data);
      const total = sizeOf(shape);
      const withZeros = target.map((d, i) => (d === 0 ? shape[i]! : d));
      const known = withZeros.filter((d) => d !== -1).reduce((x, y) => x * y, 1);
      const resolved = withZeros.map((d) => (d === -1 ? total / known : d));
      if (sizeOf(resolved) !== total || resolved.some((d) => !Number.isInteger(d) || d <= 0)) {
        throw new ZkmlError("BAD_MODEL", `${b.where(n)}: cannot reshape [${shape}] to [${target}]`);
      }
      reshapeTo(b, n, resolved);
    },
  },
};
