/**
 * Shape arithmetic of the import: broadcasting, window geometry, and the index maps that turn
 * Pad, Transpose and Gather of an activation into a free rearrangement.
 */
import { LIMITS } from "../../core/limits.js";
import type onnxProto from "onnx-proto";
import { ZkmlError } from "../../core/errors.js";
import { sizeOf, type Window2d } from "../../core/ir.js";
import { toNum, type DecodedTensor } from "./tensor.js";

type NodeProto = onnxProto.onnx.INodeProto;

/** The node's attribute `name`, or undefined. */
export function attr(node: NodeProto, name: string) {
  return (node.attribute ?? []).find((a) => a.name === name);
}
/** An integer attribute, or `dflt` when absent. */
export function intAttr(node: NodeProto, name: string, dflt: number): number {
  const a = attr(node, name);
  return a ? toNum(a.i) : dflt;
}
/** A float attribute, or `dflt` when absent. */
export function floatAttr(node: NodeProto, name: string, dflt: number): number {
  const a = attr(node, name);
  return a ? (a.f ?? dflt) : dflt;
}
/** An integer-list attribute, or undefined when absent. */
export function intsAttr(node: NodeProto, name: string): number[] | undefined {
  const a = attr(node, name);
  return a ? (a.ints ?? []).map(toNum) : undefined;
}
/** A string attribute, or `dflt` when absent. */
export function stringAttr(node: NodeProto, name: string, dflt: string): string {
  const a = attr(node, name);
  return a?.s?.length ? new TextDecoder().decode(a.s) : dflt;
}

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) st[d] = st[d + 1]! * shape[d + 1]!;
  return st;
}

/** Numpy broadcast of `t` to `shape` (t's dims aligned right), or null when it does not broadcast. */
export function broadcastTo(t: DecodedTensor, shape: readonly number[]): Float64Array | null {
  if (t.dims.length > shape.length) return null;
  const dims = [...Array<number>(shape.length - t.dims.length).fill(1), ...t.dims];
  if (dims.some((d, i) => d !== 1 && d !== shape[i])) return null;
  const src = stridesOf(dims);
  const dst = stridesOf(shape);
  const out = new Float64Array(sizeOf(shape));
  for (let k = 0; k < out.length; k++) {
    let from = 0;
    for (let d = 0; d < shape.length; d++) {
      if (dims[d] !== 1) from += (Math.floor(k / dst[d]!) % shape[d]!) * src[d]!;
    }
    out[k] = t.data[from]!;
  }
  return out;
}

/** Shape of numpy broadcasting two shapes, or null. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(Math.max(x, y));
  }
  return out;
}

/** Spatial geometry of a 2-D window op on [C, H, W], honouring auto_pad (ONNX's formulas). */
export function windowGeometry(n: NodeProto, inShape: [number, number, number], kernel: [number, number], where: string, outChannels = inShape[0]): Window2d {
  const [, H, W] = inShape;
  // A 1-D window's attributes (one stride, two pads) are a 2-D window's of height 1.
  const lift = (v: number[] | undefined, one: number) => (v && v.length === 1 ? [one, v[0]!] : v);
  const strides = (lift(intsAttr(n, "strides"), 1) ?? [1, 1]) as [number, number];
  const dil = lift(intsAttr(n, "dilations"), 1) ?? [1, 1];
  if (dil.some((d) => d !== 1)) throw new ZkmlError("UNSUPPORTED_OP", `${where}: dilations [${dil}] are not supported (only 1)`);
  if (intAttr(n, "ceil_mode", 0) !== 0) throw new ZkmlError("UNSUPPORTED_OP", `${where}: ceil_mode=1 is not supported`, "export with ceil_mode=False");
  const autoPad = stringAttr(n, "auto_pad", "NOTSET");
  const rawPads = intsAttr(n, "pads");
  let pads = rawPads && rawPads.length === 2 ? [0, rawPads[0]!, 0, rawPads[1]!] : (rawPads ?? [0, 0, 0, 0]);
  if (pads.length !== 4 || strides.length !== 2) {
    throw new ZkmlError("UNSUPPORTED_OP", `${where}: only 2-D windows are supported (pads [${pads}], strides [${strides}])`);
  }
  if (autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER") {
    const total = [H, W].map((x, d) => Math.max((Math.ceil(x / strides[d]!) - 1) * strides[d]! + kernel[d]! - x, 0));
    const begin = total.map((t) => (autoPad === "SAME_UPPER" ? Math.floor(t / 2) : Math.ceil(t / 2)));
    pads = [begin[0]!, begin[1]!, total[0]! - begin[0]!, total[1]! - begin[1]!];
  } else if (autoPad === "VALID") {
    pads = [0, 0, 0, 0];
  } else if (autoPad !== "NOTSET") {
    throw new ZkmlError("BAD_MODEL", `${where}: unknown auto_pad "${autoPad}"`);
  }
  const side = LIMITS.windowSide;
  for (const [what, v] of [
    ["kernel", kernel],
    ["strides", strides],
    ["pads", pads],
  ] as const) {
    if (v.some((x) => !Number.isSafeInteger(x) || x < (what === "pads" ? 0 : 1) || x > side)) {
      throw new ZkmlError("BAD_MODEL", `${where}: ${what} [${v}] must be whole numbers from ${what === "pads" ? 0 : 1} to ${side} (zkml's limit)`);
    }
  }
  const OH = Math.floor((H + pads[0]! + pads[2]! - kernel[0]) / strides[0]) + 1;
  const OW = Math.floor((W + pads[1]! + pads[3]! - kernel[1]) / strides[1]) + 1;
  if (!(OH >= 1 && OW >= 1)) throw new ZkmlError("BAD_MODEL", `${where}: a ${kernel.join("x")} window does not fit the ${H}x${W} input`);
  return { inShape, outShape: [outChannels, OH, OW], kernel, strides, pads: pads as [number, number, number, number] };
}

export interface IndexMap {
  index: Int32Array;
  shape: number[];
}

/** Select map of a constant-zero Pad (negative pads crop): in coordinate = out coordinate - begin. */
export function padIndex(shape: readonly number[], pads: readonly number[]): IndexMap {
  const r = shape.length;
  const out = shape.map((d, i) => d + pads[i]! + pads[i + r]!);
  const inSt = stridesOf(shape);
  const outSt = stridesOf(out);
  const index = new Int32Array(sizeOf(out));
  for (let k = 0; k < index.length; k++) {
    let from = 0;
    for (let d = 0; d < r; d++) {
      const c = (Math.floor(k / outSt[d]!) % out[d]!) - pads[d]!;
      if (c < 0 || c >= shape[d]!) {
        from = -1;
        break;
      }
      from += c * inSt[d]!;
    }
    index[k] = from;
  }
  return { index, shape: out };
}

/** Select map of a Transpose. */
export function transposeIndex(shape: readonly number[], perm: readonly number[]): IndexMap {
  const out = perm.map((p) => shape[p]!);
  const inSt = stridesOf(shape);
  const outSt = stridesOf(out);
  const index = new Int32Array(sizeOf(out));
  for (let k = 0; k < index.length; k++) {
    let from = 0;
    for (let d = 0; d < out.length; d++) from += (Math.floor(k / outSt[d]!) % out[d]!) * inSt[perm[d]!]!;
    index[k] = from;
  }
  return { index, shape: out };
}

/** Select map of a Gather along `axis` with constant indices, or null for an index out of range. */
export function gatherIndex(shape: readonly number[], axis: number, indices: DecodedTensor): IndexMap | null {
  const outer = sizeOf(shape.slice(0, axis));
  const inner = sizeOf(shape.slice(axis + 1));
  const dim = shape[axis]!;
  const idx = Array.from(indices.data, (i) => (i < 0 ? i + dim : i));
  if (idx.some((i) => !Number.isInteger(i) || i < 0 || i >= dim)) return null;
  const index = new Int32Array(outer * idx.length * inner);
  let k = 0;
  for (let o = 0; o < outer; o++) for (const i of idx) for (let j = 0; j < inner; j++) index[k++] = (o * dim + i) * inner + j;
  return { index, shape: [...shape.slice(0, axis), ...indices.dims, ...shape.slice(axis + 1)] };
}

/** Select map of a Slice (starts, ends, axes, steps as ONNX gives them, negatives and clamping included). */
export function sliceIndex(shape: readonly number[], starts: number[], ends: number[], axes?: number[], steps?: number[]): IndexMap | null {
  const r = shape.length;
  const begin = shape.map(() => 0);
  const stride = shape.map(() => 1);
  const count = [...shape];
  const ax = (axes ?? starts.map((_, i) => i)).map((a) => (a < 0 ? a + r : a));
  for (let k = 0; k < ax.length; k++) {
    const d = ax[k]!;
    const dim = shape[d]!;
    const step = steps?.[k] ?? 1;
    if (step === 0 || d < 0 || d >= r) return null;
    const norm = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + dim : v, lo), hi);
    const s0 = step > 0 ? norm(starts[k]!, 0, dim) : norm(starts[k]!, -1, dim - 1);
    const e0 = step > 0 ? norm(ends[k]!, 0, dim) : norm(ends[k]!, -1, dim - 1);
    begin[d] = s0;
    stride[d] = step;
    count[d] = Math.max(0, Math.ceil((e0 - s0) / step));
  }
  const inSt = stridesOf(shape);
  const outSt = stridesOf(count);
  const index = new Int32Array(sizeOf(count));
  for (let k = 0; k < index.length; k++) {
    let from = 0;
    for (let d = 0; d < r; d++) from += (begin[d]! + (Math.floor(k / outSt[d]!) % count[d]!) * stride[d]!) * inSt[d]!;
    index[k] = from;
  }
  return { index, shape: count };
}

/** Select map of a Tile (repeats per axis). */
export function tileIndex(shape: readonly number[], repeats: readonly number[]): IndexMap {
  const out = shape.map((d, i) => d * repeats[i]!);
  const inSt = stridesOf(shape);
  const outSt = stridesOf(out);
  const index = new Int32Array(sizeOf(out));
  for (let k = 0; k < index.length; k++) {
    let from = 0;
    for (let d = 0; d < out.length; d++) from += ((Math.floor(k / outSt[d]!) % out[d]!) % shape[d]!) * inSt[d]!;
    index[k] = from;
  }
  return { index, shape: out };
}

/**
 * MatMul of two activations, A [..., M, K] × B [..., K, N] (batch dims broadcast): for output
 * element o and k < K, the flat indices of its k-th pair of factors, aIndex[o·K + k] and
 * bIndex[o·K + k]. Null when the shapes do not multiply.
 */
export function matmulIndex(a: readonly number[], b: readonly number[]): { shape: number[]; k: number; aIndex: Int32Array; bIndex: Int32Array } | null {
  if (a.length < 2 || b.length < 2) return null;
  const [M, K] = a.slice(-2) as [number, number];
  const [K2, N] = b.slice(-2) as [number, number];
  if (K !== K2) return null;
  const batch = broadcastShape(a.slice(0, -2), b.slice(0, -2));
  if (!batch) return null;
  // Which batch of A and of B each output batch reads.
  const aBatch = broadcastIndex(a.slice(0, -2), batch)!;
  const bBatch = broadcastIndex(b.slice(0, -2), batch)!;
  const outSize = sizeOf(batch) * M * N;
  const aIndex = new Int32Array(outSize * K);
  const bIndex = new Int32Array(outSize * K);
  for (let o = 0; o < outSize; o++) {
    const t = Math.floor(o / (M * N));
    const i = Math.floor(o / N) % M;
    const j = o % N;
    for (let k = 0; k < K; k++) {
      aIndex[o * K + k] = aBatch[t]! * M * K + i * K + k;
      bIndex[o * K + k] = bBatch[t]! * K * N + k * N + j;
    }
  }
  return { shape: [...batch, M, N], k: K, aIndex, bIndex };
}

/** For each element of `shape` broadcast to `target`, the index it is read from; null if it does not broadcast. */
export function broadcastIndex(shape: readonly number[], target: readonly number[]): Int32Array | null {
  const iota = Float64Array.from({ length: sizeOf(shape) }, (_, i) => i);
  const read = broadcastTo({ dims: [...shape], dataType: 1, data: iota }, target);
  return read && Int32Array.from(read);
}

/**
 * Concat on an axis: the output shape, and for each part where its elements land in the
 * output (dest[k][j]); null when the shapes do not fit together on that axis.
 */
export function concatIndex(shapes: readonly (readonly number[])[], axisIn: number): { shape: number[]; dest: Int32Array[] } | null {
  const rank = shapes[0]!.length;
  const axis = axisIn < 0 ? axisIn + rank : axisIn;
  const fits = axis >= 0 && axis < rank && shapes.every((s) => s.length === rank && s.every((d, i) => i === axis || d === shapes[0]![i]));
  if (!fits) return null;
  const outer = sizeOf(shapes[0]!.slice(0, axis));
  const chunks = shapes.map((s) => sizeOf(s.slice(axis)));
  const row = chunks.reduce((a, b) => a + b, 0);
  let start = 0;
  const dest = chunks.map((chunk) => {
    const at = start;
    start += chunk;
    return Int32Array.from({ length: outer * chunk }, (_, j) => Math.floor(j / chunk) * row + at + (j % chunk));
  });
  const shape = [...shapes[0]!];
  shape[axis] = shapes.reduce((s, x) => s + x[axis]!, 0);
  return { shape, dest };
}
