/** MaxPool, AveragePool and their Global forms: pool nodes over 2-D windows. */
import { ZkmlError } from "../../../core/errors.js";
import type { OnnxOp } from "../handler.js";
import { intAttr, intsAttr, windowGeometry } from "../shapes.js";

const pool: OnnxOp = {
  import(b, n) {
    const op = n.opType!;
    const a = b.actOf(n, n.input![0]!);
    const inShape = b.spatial(n, a);
    if ((n.output ?? []).filter((x) => x).length > 1) b.unsupported(n, "MaxPool's Indices output is not supported");
    if (intAttr(n, "storage_order", 0) !== 0) b.unsupported(n, "storage_order=1 is not supported");
    const global = op.startsWith("Global");
    const declared = intsAttr(n, "kernel_shape");
    // A 1-D pool on [1, C, L] is a 2-D one of height 1.
    const lifted = a.shape.length === 3 && declared?.length === 1 ? [1, declared[0]!] : declared;
    const kernel = (global ? [inShape[1], inShape[2]] : lifted) as [number, number] | undefined;
    if (kernel?.length !== 2) return b.unsupported(n, "only 1-D and 2-D pooling with a kernel_shape is supported");
    const geometry = global
      ? {
          inShape,
          outShape: [inShape[0], 1, 1] as [number, number, number],
          kernel,
          strides: [1, 1] as [number, number],
          pads: [0, 0, 0, 0] as [number, number, number, number],
        }
      : windowGeometry(n, inShape, kernel, b.where(n));
    const kind = op.includes("Max") ? "maxpool" : "avgpool";
    const countIncludePad = intAttr(n, "count_include_pad", 0) !== 0;
    // A window wholly in the padding has no cell: no max, and an average over 0 values.
    if ((kind === "maxpool" || !countIncludePad) && geometry.pads.some((p, i) => p >= kernel[i % 2]!)) {
      throw new ZkmlError("BAD_MODEL", `${b.where(n)}: pads [${geometry.pads}] as large as the kernel leave windows with no cell`);
    }
    b.emit(
      { op: kind, name: b.nameOf(n), onnxOp: op, input: b.srcOf(n), output: b.out0(n), ...geometry, countIncludePad },
      b.spatialShape(a, geometry.outShape),
      a.int8,
    );
  },
};

export const POOL_OPS: Record<string, OnnxOp> = {
  MaxPool: { ...pool, readsInt8: true },
  GlobalMaxPool: { ...pool, readsInt8: true },
  AveragePool: pool,
  GlobalAveragePool: pool,
};
