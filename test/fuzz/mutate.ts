/**
 * Seeded mutations of ONNX models and JSON documents, for the fuzz test: bit flips,
 * truncations, and field edits of dims, attributes, initializers, names, opsets and element
 * types (values chosen at the edges: 0, negative, 2^31, 2^53, 1e9).
 */
import onnxProto from "onnx-proto";

const { onnx } = onnxProto;

type Rand = () => number;
const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const EDGE_INTS = [0, -1, -7, 1, 2, 3, 1e9, 2 ** 31 - 1, 2 ** 31, 2 ** 53, -(2 ** 53), 65536, 255, 256];
const NAMES = ["", "x\ny", "a*/b", '"q"', "\u001b[31mred", "} template T() {", "n".repeat(300), "\u0000"];

function bitFlips(bytes: Uint8Array, rand: Rand): Uint8Array {
  const out = Uint8Array.from(bytes);
  const n = 1 + Math.floor(rand() * 8);
  for (let i = 0; i < n; i++) out[Math.floor(rand() * out.length)]! ^= 1 << Math.floor(rand() * 8);
  return out;
}

function truncate(bytes: Uint8Array, rand: Rand): Uint8Array {
  return bytes.slice(0, Math.floor(rand() * bytes.length));
}

type Model = InstanceType<typeof onnx.ModelProto>;

const FIELD_EDITS: ((m: Model, rand: Rand) => void)[] = [
  // Initializer dims (a claim of 2^60 values, zero or negative sizes).
  (m, rand) => {
    const t = pick(rand, m.graph!.initializer!);
    if (t?.dims?.length) (t.dims as number[])[Math.floor(rand() * t.dims.length)] = pick(rand, EDGE_INTS);
  },
  // Initializer data: truncated raw bytes, a changed data type, no data at all.
  (m, rand) => {
    const t = pick(rand, m.graph!.initializer!);
    if (!t) return;
    const k = Math.floor(rand() * 3);
    if (k === 0) {
      const vals = t.floatData?.length ? Float32Array.from(t.floatData as number[]) : new Float32Array(0);
      t.rawData = new Uint8Array(vals.buffer).slice(0, Math.floor(rand() * vals.byteLength));
      t.floatData = [];
    } else if (k === 1) t.dataType = Math.floor(rand() * 17);
    else {
      t.floatData = [];
      t.rawData = new Uint8Array(0);
    }
  },
  // Attributes at the edges (strides 0, kernel 1e9, pads 2^31, axis -7, ...).
  (m, rand) => {
    const n = pick(rand, m.graph!.node!);
    const a = n?.attribute?.length ? pick(rand, n.attribute) : undefined;
    if (a?.ints?.length) (a.ints as number[])[Math.floor(rand() * a.ints.length)] = pick(rand, EDGE_INTS);
    else if (a) a.i = pick(rand, EDGE_INTS);
    else if (n)
      n.attribute = [
        onnx.AttributeProto.create({
          name: pick(rand, ["strides", "pads", "kernel_shape", "axis", "group", "transB", "alpha"]),
          type: 7,
          ints: [pick(rand, EDGE_INTS), pick(rand, EDGE_INTS)],
        }),
      ];
  },
  // Graph input dims (2^53, 1e9, 0, negative) and element types.
  (m, rand) => {
    const i = m.graph!.input![0]!;
    const dims = i.type?.tensorType?.shape?.dim;
    if (rand() < 0.6 && dims?.length) dims[Math.floor(rand() * dims.length)]!.dimValue = pick(rand, EDGE_INTS);
    else if (i.type?.tensorType) i.type.tensorType.elemType = Math.floor(rand() * 17);
  },
  // Names: node names and tensor names with control characters and template code.
  (m, rand) => {
    const n = pick(rand, m.graph!.node!);
    if (!n) return;
    if (rand() < 0.5) n.name = pick(rand, NAMES);
    else if (n.input?.length) (n.input as string[])[Math.floor(rand() * n.input.length)] = pick(rand, NAMES);
  },
  // Opsets and op types.
  (m, rand) => {
    if (rand() < 0.4) m.opsetImport = [{ domain: "", version: pick(rand, [0, 1, 7, 11, 13, 21, 99, -1]) }];
    else {
      const n = pick(rand, m.graph!.node!);
      if (n)
        n.opType = pick(rand, [
          "Conv",
          "Gemm",
          "MaxPool",
          "AveragePool",
          "Relu",
          "Reshape",
          "Pad",
          "Concat",
          "Tile",
          "Expand",
          "Slice",
          "MatMul",
          "Sigmoid",
          "Nope",
        ]);
    }
  },
  // Wiring: a node removed, outputs renamed, a node duplicated (a cycle or a dangling read).
  (m, rand) => {
    const nodes = m.graph!.node as InstanceType<typeof onnx.NodeProto>[];
    const k = Math.floor(rand() * nodes.length);
    const r = rand();
    if (r < 0.33) nodes.splice(k, 1);
    else if (r < 0.66 && nodes[k]?.output?.length) (nodes[k]!.output as string[])[0] = pick(rand, NAMES);
    else if (nodes[k]) nodes.splice(Math.floor(rand() * nodes.length), 0, onnx.NodeProto.create(nodes[k]!.toJSON() as object));
  },
];

/** One mutated model: kind 0 bit flips, 1 truncation, 2+ field edits (1 to 3 of them). */
export function mutateModel(base: Uint8Array, rand: Rand): { bytes: Uint8Array; kind: string } {
  const r = rand();
  if (r < 0.3) return { bytes: bitFlips(base, rand), kind: "bitflip" };
  if (r < 0.4) return { bytes: truncate(base, rand), kind: "truncate" };
  const m = onnx.ModelProto.decode(base);
  const edits = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < edits; i++) pick(rand, FIELD_EDITS)(m, rand);
  return { bytes: onnx.ModelProto.encode(m).finish(), kind: "fields" };
}

/** A mutated JSON value: a changed type, a huge or deep array, a deleted or replaced field. */
export function mutateJson(doc: unknown, rand: Rand): unknown {
  const copy = structuredClone(doc) as Record<string, unknown>;
  const paths: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (v: unknown, depth: number) => {
    if (depth > 4 || v === null || typeof v !== "object") return;
    for (const [k, child] of Object.entries(v)) {
      if (Array.isArray(v) && Number(k) > 3) break;
      paths.push({ parent: v as Record<string, unknown>, key: Array.isArray(v) ? Number(k) : k });
      walk(child, depth + 1);
    }
  };
  walk(copy, 0);
  const edits = 1 + Math.floor(rand() * 3);
  for (let e = 0; e < edits && paths.length; e++) {
    const { parent, key } = pick(rand, paths);
    const replacements: unknown[] = [
      null,
      "",
      "x\ny\u001b[2J",
      -1,
      1e308,
      -0,
      2 ** 53 + 1,
      0.5,
      true,
      {},
      [],
      [[[[1]]]],
      Array(3).fill(-128),
      "0x" + "f".repeat(80),
      "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
    ];
    const r = rand();
    if (r < 0.15) {
      // Deep nesting: an array 10,000 levels down (JSON.parse takes it; readers must not recurse).
      let deep: unknown = [1];
      for (let i = 0; i < 10_000; i++) deep = [deep];
      (parent as Record<string | number, unknown>)[key] = deep;
    } else if (r < 0.25 && !Array.isArray(parent)) delete (parent as Record<string, unknown>)[key as string];
    else (parent as Record<string | number, unknown>)[key] = pick(rand, replacements);
  }
  return copy;
}
