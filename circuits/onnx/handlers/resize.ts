/**
 * Resize (and the older Upsample) of the last one or two axes: `nearest` is a free rearrangement
 * (a select); `linear` is a constant interpolation matrix applied to every channel alike, a dense
 * layer with one row per channel whose multiply-adds cost nothing. The input coordinate of each
 * output follows ONNX's coordinate_transformation_mode and nearest_mode.
 */
import { ZkmlError } from "../../../core/errors.js";
import { sizeOf } from "../../../core/ir.js";
import type { OnnxOp } from "../handler.js";
import type { GraphBuilder, NodeProto } from "../graph_builder.js";
import { attr, intAttr, stringAttr } from "../shapes.js";

/** The input coordinate of output coordinate x along an axis of `inLen` → `outLen` at `scale`. */
function sourceCoordinate(mode: string, x: number, scale: number, inLen: number, outLen: number): number {
  switch (mode) {
    case "half_pixel":
      return (x + 0.5) / scale - 0.5;
    case "pytorch_half_pixel":
      return outLen > 1 ? (x + 0.5) / scale - 0.5 : 0;
    case "align_corners":
      return outLen === 1 ? 0 : (x * (inLen - 1)) / (outLen - 1);
    case "asymmetric":
      return x / scale;
    case "tf_half_pixel_for_nn":
      return (x + 0.5) / scale;
    default:
      throw new Error(`coordinate mode ${mode}`);
  }
}

const MODES = ["half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_half_pixel_for_nn"];

function nearestIndex(rule: string, x: number): number {
  if (rule === "floor") return Math.floor(x);
  if (rule === "ceil") return Math.ceil(x);
  const f = Math.floor(x);
  if (x - f === 0.5) return rule === "round_prefer_ceil" ? f + 1 : f;
  return Math.round(x);
}

/** Per axis: each output coordinate's source cells and their weights (one cell for nearest, two for linear). */
function axisWeights(b: GraphBuilder, n: NodeProto, inLen: number, outLen: number, scale: number, linear: boolean): [number, number][][] {
  // Upsample is Resize with asymmetric coordinates, and nearest takes the floor.
  const upsample = n.opType === "Upsample";
  const mode = upsample ? "asymmetric" : stringAttr(n, "coordinate_transformation_mode", "half_pixel");
  if (!MODES.includes(mode)) b.unsupported(n, `coordinate_transformation_mode ${mode} is not supported (${MODES.join(", ")})`);
  const rule = upsample ? "floor" : stringAttr(n, "nearest_mode", "round_prefer_floor");
  const clamp = (i: number) => Math.min(Math.max(i, 0), inLen - 1);
  return Array.from({ length: outLen }, (_, x) => {
    // ONNX's formulas take the resized length unrounded (in·scale), as the reference evaluator does.
    const src = sourceCoordinate(mode, x, scale, inLen, inLen * scale);
    if (!linear) return [[clamp(nearestIndex(rule, src)), 1]];
    const c = Math.min(Math.max(src, 0), inLen - 1);
    const lo = Math.floor(c);
    const w = c - lo;
    return w === 0
      ? [[lo, 1]]
      : [
          [lo, 1 - w],
          [clamp(lo + 1), w],
        ];
  });
}

/** The output lengths and scales of the resized axes; every other axis keeps its size. */
function targetShape(b: GraphBuilder, n: NodeProto, shape: number[], upsample: boolean): { out: number[]; scales: number[] } {
  const inputAt = (i: number) => (n.input?.[i] ? b.constOf(n, n.input[i]!, ["X", "roi", "scales", "sizes"][i]!).tensor.data : undefined);
  const sizes = upsample ? undefined : inputAt(3);
  // Upsample's scales: an input since opset 9, an attribute before.
  const upsampleScales = n.input?.[1] ? b.constOf(n, n.input[1], "scales").tensor.data : Float64Array.from(attr(n, "scales")?.floats ?? []);
  const scalesIn = upsample ? upsampleScales : inputAt(2);
  if (sizes && sizes.length === shape.length) return { out: Array.from(sizes), scales: Array.from(sizes, (s, d) => s / shape[d]!) };
  if (scalesIn && scalesIn.length === shape.length) return { out: shape.map((d, k) => Math.floor(d * scalesIn[k]!)), scales: Array.from(scalesIn) };
  return b.unsupported(n, "needs constant scales or sizes for every axis");
}

function resize(upsample: boolean): OnnxOp {
  return {
    import(b, n) {
      const a = b.actOf(n, n.input![0]!);
      const mode = stringAttr(n, "mode", "nearest");
      if (mode !== "nearest" && mode !== "linear") b.unsupported(n, `mode ${mode} is not supported (nearest, linear)`);
      if (intAttr(n, "antialias", 0) !== 0) b.unsupported(n, "antialias is not supported");
      if (
        n.input?.[1] &&
        !upsample &&
        b.constOf(n, n.input[1], "roi").tensor.data.length > 0 &&
        stringAttr(n, "coordinate_transformation_mode", "") === "tf_crop_and_resize"
      )
        b.unsupported(n, "tf_crop_and_resize is not supported");
      const { out, scales } = targetShape(b, n, a.shape, upsample);
      const rank = a.shape.length;
      const resized = out
        .map((d, k) => d !== a.shape[k] || scales[k] !== 1)
        .map((r, k) => (r ? k : -1))
        .filter((k) => k >= 0);
      if (resized.some((k) => k < rank - 2)) b.unsupported(n, `only the last two axes may be resized (scales [${scales}])`);
      if (out.some((d) => !(Number.isSafeInteger(d) && d >= 1))) throw new ZkmlError("BAD_MODEL", `${b.where(n)}: output shape [${out}] is not a size`);
      sizeOf(out);
      const [H, W] = rank >= 2 ? [a.shape[rank - 2]!, a.shape[rank - 1]!] : [1, a.shape[0]!];
      const [OH, OW] = rank >= 2 ? [out[rank - 2]!, out[rank - 1]!] : [1, out[0]!];
      const linear = mode === "linear";
      const rows = axisWeights(b, n, H, OH, rank >= 2 ? scales[rank - 2]! : 1, linear);
      const cols = axisWeights(b, n, W, OW, scales[rank - 1]!, linear);
      const channels = sizeOf(a.shape) / (H * W);
      if (!linear) {
        const index = Int32Array.from({ length: channels * OH * OW }, (_, p) => {
          const [c, y, x] = [Math.floor(p / (OH * OW)), Math.floor(p / OW) % OH, p % OW];
          return c * H * W + rows[y]![0]![0] * W + cols[x]![0]![0];
        });
        return b.select(n, { index, shape: out });
      }
      emitInterpolation(b, n, { H, W, OH, OW, channels, rows, cols, out });
    },
  };
}

/** Linear: one [OH·OW, H·W] matrix of products of the two axes' weights, on every channel (a dense layer with a row per channel). */
function emitInterpolation(
  b: GraphBuilder,
  n: NodeProto,
  g: { H: number; W: number; OH: number; OW: number; channels: number; rows: [number, number][][]; cols: [number, number][][]; out: number[] },
): void {
  const weight = new Float64Array(g.OH * g.OW * g.H * g.W);
  for (let y = 0; y < g.OH; y++)
    for (let x = 0; x < g.OW; x++)
      for (const [iy, wy] of g.rows[y]!) for (const [ix, wx] of g.cols[x]!) weight[(y * g.OW + x) * g.H * g.W + iy * g.W + ix]! += wy * wx;
  // Interpolation weights on a 2^-12 grid, exactly as written (1.0 included): an int8 grid would saturate 1.0.
  const frac = 12;
  const data = Int32Array.from(weight, (w) => Math.round(w * 2 ** frac));
  b.emit(
    {
      op: "dense",
      name: b.nameOf(n),
      onnxOp: n.opType!,
      input: b.srcOf(n),
      output: b.out0(n),
      weight: { dims: [g.OH * g.OW, g.H * g.W], data: weight },
      bias: new Float64Array(g.OH * g.OW),
      weightQuant: { data, frac },
      ...(g.channels > 1 && { rows: g.channels }),
    },
    g.out,
  );
}

export const RESIZE_OPS: Record<string, OnnxOp> = { Resize: resize(false), Upsample: resize(true) };
