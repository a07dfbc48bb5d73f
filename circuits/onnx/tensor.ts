/** ONNX TensorProto ↔ plain arrays. */
import onnxProto from "onnx-proto";
import { ZkmlError } from "../../core/errors.js";
import { checkedSize } from "../../core/limits.js";

export const { onnx } = onnxProto;
export const DT = onnx.TensorProto.DataType;

/** A protobuf integer (number or Long) as a number. */
export function toNum(x: unknown): number {
  if (typeof x === "number") return x;
  if (typeof x === "bigint") return Number(x);
  if (x && typeof (x as { toNumber?: unknown }).toNumber === "function") return (x as { toNumber(): number }).toNumber();
  return Number(x);
}

export interface DecodedTensor {
  dims: number[];
  dataType: number;
  /** Values as doubles (ints are exact below 2^53). */
  data: Float64Array;
}

const RAW_READERS: Record<number, { size: number; read: (v: DataView, o: number) => number }> = {
  [DT.FLOAT]: { size: 4, read: (v, o) => v.getFloat32(o, true) },
  [DT.DOUBLE]: { size: 8, read: (v, o) => v.getFloat64(o, true) },
  [DT.INT8]: { size: 1, read: (v, o) => v.getInt8(o) },
  [DT.UINT8]: { size: 1, read: (v, o) => v.getUint8(o) },
  [DT.INT16]: { size: 2, read: (v, o) => v.getInt16(o, true) },
  [DT.UINT16]: { size: 2, read: (v, o) => v.getUint16(o, true) },
  [DT.UINT32]: { size: 4, read: (v, o) => v.getUint32(o, true) },
  [DT.UINT64]: { size: 8, read: (v, o) => Number(v.getBigUint64(o, true)) },
  [DT.INT32]: { size: 4, read: (v, o) => v.getInt32(o, true) },
  [DT.INT64]: { size: 8, read: (v, o) => Number(v.getBigInt64(o, true)) },
  [DT.BOOL]: { size: 1, read: (v, o) => v.getUint8(o) },
};

/** Decode a TensorProto; null for a data type or storage (external data) zkml cannot read. */
export function decodeTensor(t: onnxProto.onnx.ITensorProto): DecodedTensor | null {
  const dims = (t.dims ?? []).map(toNum);
  // Checked before anything is allocated: a hostile file may claim 2^60 values.
  const count = checkedSize(dims, () => `tensor "${t.name ?? ""}"`);
  const dataType = t.dataType ?? 0;
  let data: Float64Array;
  if (t.rawData && t.rawData.length > 0) {
    const reader = RAW_READERS[dataType];
    if (!reader) return null;
    const raw = t.rawData;
    if (raw.length !== count * reader.size) {
      throw new ZkmlError(
        "BAD_MODEL",
        `tensor "${t.name ?? ""}": raw_data has ${raw.length} bytes, its shape [${dims.join(", ")}] needs ${count * reader.size}`,
      );
    }
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    data = new Float64Array(count);
    for (let i = 0; i < count; i++) data[i] = reader.read(view, i * reader.size);
  } else if (t.floatData?.length) {
    data = Float64Array.from(t.floatData);
  } else if (t.doubleData?.length) {
    data = Float64Array.from(t.doubleData);
  } else if (t.int64Data?.length) {
    data = Float64Array.from(t.int64Data.map(toNum));
  } else if (t.int32Data?.length) {
    data = Float64Array.from(t.int32Data);
  } else if (count === 0) {
    data = new Float64Array(0);
  } else {
    // No inline data: external data files, or a malformed tensor. Never guess zeros.
    return null;
  }
  if (data.length !== count) return null;
  return { dims, dataType, data };
}

/** A float32 TensorProto (for the ONNX writers). */
export function floatTensorProto(name: string, dims: number[], values: ArrayLike<number>): InstanceType<typeof onnx.TensorProto> {
  return onnx.TensorProto.create({ name, dims, dataType: DT.FLOAT, floatData: Array.from(values) });
}

/** A whole model as zkml's writers emit it: opset 13, one graph. */
export function encodeModel(graph: {
  name: string;
  docString?: string;
  node: onnxProto.onnx.INodeProto[];
  initializer: onnxProto.onnx.ITensorProto[];
  input: onnxProto.onnx.IValueInfoProto[];
  output: onnxProto.onnx.IValueInfoProto[];
}): Uint8Array {
  const { docString, ...rest } = graph;
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: "zkml",
    producerVersion: "0.1.0",
    docString: docString ?? "",
    opsetImport: [{ domain: "", version: 13 }],
    graph: rest,
  });
  return onnx.ModelProto.encode(model).finish();
}
