/**
 * ConvTranspose (2-D, and 1-D on [1, C, L]) as what it is: the input spread out by the stride
 * (zeros between its values) and padded by kernel − 1 − pads (negative: cropped), a free select,
 * then an ordinary convolution, stride 1, with the kernel flipped and its channel axes swapped per
 * group. The multiply-adds cost nothing (constant weights); the requantization is the conv's.
 */
import { ZkmlError } from "../../../core/errors.js";
import type { OnnxOp } from "../handler.js";
import type { GraphBuilder, NodeProto } from "../graph_builder.js";
import { intAttr, intsAttr, stringAttr } from "../shapes.js";

/** A 1-D attribute (one value per side) as the 2-D one of height 1. */
function spatialAttr(n: NodeProto, name: string, oneD: boolean, dflt: number[]): number[] {
  const v = intsAttr(n, name);
  if (!v) return dflt;
  if (!oneD) return v;
  return name === "pads" ? [0, v[0]!, 0, v[1]!] : [name === "dilations" || name === "strides" ? 1 : 0, v[0]!];
}

/** The flipped, channel-swapped kernel [OC, C/group, KH, KW] of a ConvTranspose kernel [C, OC/group, KH, KW]. */
function flippedKernel(w: Float64Array, C: number, ocpg: number, group: number, KH: number, KW: number): Float64Array {
  const cpg = C / group;
  const out = new Float64Array(w.length);
  for (let c = 0; c < C; c++) {
    const g = Math.floor(c / cpg);
    for (let o = 0; o < ocpg; o++)
      for (let kh = 0; kh < KH; kh++)
        for (let kw = 0; kw < KW; kw++) {
          const from = ((c * ocpg + o) * KH + kh) * KW + kw;
          const to = (((g * ocpg + o) * cpg + (c % cpg)) * KH + (KH - 1 - kh)) * KW + (KW - 1 - kw);
          out[to] = w[from]!;
        }
  }
  return out;
}

/**
 * The pads: given, or from output_shape (auto_pad SAME: the input times the stride) by ONNX's
 * rule: the total padding s·(in − 1) + output_padding + k − out, split evenly, the odd one at the
 * end for SAME_UPPER and at the start otherwise.
 */
function transposePads(
  b: GraphBuilder,
  n: NodeProto,
  g: { oneD: boolean; H: number; W: number; KH: number; KW: number; sh: number; sw: number; oph: number; opw: number },
): number[] {
  const autoPad = stringAttr(n, "auto_pad", "NOTSET");
  const declared = intsAttr(n, "output_shape");
  if (!declared && (autoPad === "NOTSET" || autoPad === "VALID")) return spatialAttr(n, "pads", g.oneD, [0, 0, 0, 0]);
  const shape = declared ? declared.slice(-(g.oneD ? 1 : 2)) : g.oneD ? [g.W * g.sw] : [g.H * g.sh, g.W * g.sw];
  const [oh, ow] = g.oneD ? [1, shape[0]!] : [shape[0]!, shape[1]!];
  const total = [g.sh * (g.H - 1) + g.oph + g.KH - oh, g.sw * (g.W - 1) + g.opw + g.KW - ow];
  // A negative total is extra cells at the end (as output_padding adds them).
  if (total.some((t) => !Number.isSafeInteger(t))) b.unsupported(n, `output_shape [${shape}] is not a size`);
  const upper = autoPad === "SAME_UPPER";
  const begin = total.map((t) => (upper ? Math.floor(t / 2) : t - Math.floor(t / 2)));
  return [begin[0]!, begin[1]!, total[0]! - begin[0]!, total[1]! - begin[1]!];
}

const convTranspose: OnnxOp = {
  import(b: GraphBuilder, n: NodeProto) {
    const a = b.actOf(n, n.input![0]!);
    const [C, H, W] = b.spatial(n, a);
    const oneD = a.shape.length === 3;
    const w = b.constOf(n, n.input![1]!, "weight").tensor;
    const group = intAttr(n, "group", 1);
    const dims = oneD ? [w.dims[0]!, w.dims[1]!, 1, w.dims[2]!] : w.dims;
    if (dims.length !== 4 || dims[0] !== C || C % group !== 0)
      throw new ZkmlError("BAD_MODEL", `${b.where(n)}: weight [${w.dims}] does not fit ${C} input channels in ${group} groups`);
    const [, ocpg, KH, KW] = dims as [number, number, number, number];
    if (spatialAttr(n, "dilations", oneD, [1, 1]).some((d) => d !== 1)) b.unsupported(n, "dilations other than 1 are not supported");
    const [sh, sw] = spatialAttr(n, "strides", oneD, [1, 1]) as [number, number];
    const [oph, opw] = spatialAttr(n, "output_padding", oneD, [0, 0]) as [number, number];
    const pads = transposePads(b, n, { oneD, H, W, KH, KW, sh, sw, oph, opw });
    if ([sh, sw, KH, KW].some((v) => !(Number.isSafeInteger(v) && v >= 1 && v <= 4096)))
      throw new ZkmlError("BAD_MODEL", `${b.where(n)}: strides or kernel out of range`);
    // The spread-out input: (H − 1)·s + 1 rows, padded by KH − 1 − begin above and KH − 1 − end + output_padding below.
    const [top, left] = [KH - 1 - pads[0]!, KW - 1 - pads[1]!];
    const DH = (H - 1) * sh + 1 + top + (KH - 1 - pads[2]! + oph);
    const DW = (W - 1) * sw + 1 + left + (KW - 1 - pads[3]! + opw);
    const [OH, OW] = [DH - KH + 1, DW - KW + 1];
    if (!(OH >= 1 && OW >= 1) || C * DH * DW > 2 ** 24) throw new ZkmlError("BAD_MODEL", `${b.where(n)}: output ${OH}×${OW} is not a size zkml can hold`);
    const index = Int32Array.from({ length: C * DH * DW }, (_, p) => {
      const [c, y, x] = [Math.floor(p / (DH * DW)), (Math.floor(p / DW) % DH) - top, (p % DW) - left];
      const inside = y >= 0 && x >= 0 && y % sh === 0 && x % sw === 0 && y / sh < H && x / sw < W;
      return inside ? (c * H + y / sh) * W + x / sw : -1;
    });
    const spread = `${b.out0(n)}/spread`;
    b.emit({ op: "select", name: `${b.nameOf(n)}/spread`, onnxOp: "ConvTranspose", input: b.srcOf(n), output: spread, index }, [1, C, DH, DW]);
    const OC = ocpg * group;
    const bias = n.input?.[2] ? Float64Array.from(b.constOf(n, n.input[2], "bias").tensor.data) : new Float64Array(OC);
    if (bias.length !== OC) throw new ZkmlError("BAD_MODEL", `${b.where(n)}: bias has ${bias.length} values for ${OC} output channels`);
    b.emit(
      {
        op: "conv",
        name: b.nameOf(n),
        onnxOp: "ConvTranspose",
        input: spread,
        output: b.out0(n),
        inShape: [C, DH, DW],
        outShape: [OC, OH, OW],
        kernel: [KH, KW],
        strides: [1, 1],
        pads: [0, 0, 0, 0],
        group,
        weight: { dims: [OC, C / group, KH, KW], data: flippedKernel(w.data, C, ocpg, group, KH, KW) },
        bias,
      },
      oneD ? [1, OC, OW] : [1, OC, OH, OW],
    );
  },
};

export const CONV_TRANSPOSE_OPS: Record<string, OnnxOp> = { ConvTranspose: convTranspose };
