/**
 * ONNX → float graph IR. Constants and shape-only ops are folded here (Shape, Gather,
 * Unsqueeze, Concat, ... on constants); affine ops on a linear layer's output (Add, Sub, Mul,
 * Div by constants, BatchNormalization) fold into its weights when nothing else reads it; Pad,
 * Transpose and Gather of an activation become free index maps; Add/Sub/Mul of two activations
 * and Pow become binary nodes, MatMul of two a matmul node, Concat of activations a concat
 * node; pre-quantized ops (QLinear*, *Integer, Q/DQ: quantized_ops.ts) keep their integers.
 * One handler per op type (ops.ts, handlers/); the moves every handler makes (look up, emit,
 * rename, fold) live in graph_builder.ts. What remains is a DAG of provable nodes in topological
 * order. Anything else is refused with the node, its op and the supported list, before anything
 * is written.
 */
import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import type onnxProto from "onnx-proto";
import { ZkmlError } from "../../core/errors.js";
import { checkedSize, LIMITS } from "../../core/limits.js";
import type { Graph, ValueInfo } from "../../core/graph.js";
import type { GraphNode } from "../../core/ops/index.js";
import { nodeInputs } from "../../core/ops/index.js";
import { OUTPUTS_NODE } from "../../core/graph.js";
import { sizeOf } from "../../core/ir.js";
import { decodeTensor, DT, onnx, toNum } from "./tensor.js";
import { graphBuilder, type GraphBuilder } from "./graph_builder.js";
import type { ImportContext } from "./handler.js";
import { onnxOp, SUPPORTED_OPS } from "./ops.js";

/** An ONNX file as zkml's float graph IR; an unsupported op or a malformed file is a ZkmlError naming the node. */
export async function importOnnxFile(file: string): Promise<Graph> {
  if (!existsSync(file)) throw new ZkmlError("FILE_NOT_FOUND", `model file not found: ${file}`);
  const { size } = await stat(file);
  if (size > LIMITS.onnxBytes) throw new ZkmlError("BAD_ONNX", `${file}: ${size} bytes, over zkml's limit of ${LIMITS.onnxBytes} for an ONNX file`);
  const bytes = await readFile(file);
  const name = path.basename(file).replace(/\.onnx$/i, "");
  return importOnnx(bytes, name);
}

type ModelProto = InstanceType<typeof onnx.ModelProto>;

function decodeModel(bytes: Uint8Array, modelName: string): { model: ModelProto; g: onnxProto.onnx.IGraphProto } {
  let model: ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new ZkmlError("BAD_ONNX", `${modelName}: not an ONNX model (${(e as Error).message})`, "pass a .onnx file exported by PyTorch, skl2onnx or onnx");
  }
  const g = model.graph;
  if (!g?.node || g.node.length === 0) {
    throw new ZkmlError("BAD_ONNX", `${modelName}: not an ONNX model (no graph or no nodes)`, "pass a .onnx file exported by PyTorch, skl2onnx or onnx");
  }
  if (g.node.length > LIMITS.nodes) throw new ZkmlError("BAD_MODEL", `model ${modelName}: ${g.node.length} nodes, over zkml's limit of ${LIMITS.nodes}`);
  return { model, g };
}

const FLOAT_INPUTS = new Set<number>([DT.FLOAT, DT.DOUBLE, DT.FLOAT16]);
const INTEGER_INPUTS = new Set<number>([DT.BOOL, DT.INT8, DT.UINT8, DT.INT16, DT.UINT16, DT.INT32, DT.UINT32, DT.INT64, DT.UINT64]);

/** Whether a graph input holds integers (bool, int8 ... int64): refused for another element type (string, complex). */
function integerInput(modelName: string, info: onnxProto.onnx.IValueInfoProto): boolean {
  const elemType = info.type?.tensorType?.elemType;
  if (elemType === undefined || elemType === null || FLOAT_INPUTS.has(elemType)) return false;
  if (INTEGER_INPUTS.has(elemType)) return true;
  throw new ZkmlError("BAD_MODEL", `model ${modelName}: input "${info.name}" has element type ${elemType}; zkml takes float, integer or bool inputs`);
}

/** A graph input's concrete shape: a symbolic batch dimension is 1, any other symbolic one is refused. */
function inputShape(modelName: string, info: onnxProto.onnx.IValueInfoProto): number[] {
  const shape = (info.type?.tensorType?.shape?.dim ?? []).map((d, i) => {
    if (d.dimValue !== undefined && d.dimValue !== null) {
      const v = toNum(d.dimValue);
      if (!Number.isSafeInteger(v) || v < 1)
        throw new ZkmlError("BAD_MODEL", `model ${modelName}: input "${info.name}" dimension ${i} is ${v}, not a positive size`);
      return v;
    }
    if (i === 0) return 1; // symbolic batch dimension
    throw new ZkmlError(
      "BAD_MODEL",
      `model ${modelName}: input "${info.name}" dimension ${i} is symbolic ("${d.dimParam ?? ""}"); only the batch dimension may be`,
    );
  });
  checkedSize(shape, () => `model ${modelName}: input "${info.name}"`);
  return shape;
}

/**
 * The initializers as constants and the data inputs as the circuit's one input. Several graph
 * inputs are one circuit input, their concatenation in graph order; each is a free slice of it,
 * so every later op sees the tensor it expects.
 */
function graphInputs(b: GraphBuilder, g: onnxProto.onnx.IGraphProto): { input: ValueInfo; parts: ValueInfo[] } {
  const { modelName, values, nodes, canonical } = b;
  for (const init of g.initializer ?? []) {
    const t = decodeTensor(init);
    if (!t) throw new ZkmlError("BAD_MODEL", `model ${modelName}: initializer "${init.name}" has data type ${init.dataType} that zkml cannot read`);
    values.set(init.name!, { kind: "const", tensor: t });
  }
  const dataInputs = (g.input ?? []).filter((i) => !values.has(i.name!));
  if (dataInputs.length === 0) throw new ZkmlError("BAD_MODEL", `model ${modelName}: has no data input`);
  const parts: ValueInfo[] = dataInputs.map((info) => ({
    name: info.name!,
    shape: inputShape(modelName, info),
    ...(integerInput(modelName, info) && { integer: true as const }),
  }));
  const input: ValueInfo =
    parts.length === 1
      ? parts[0]!
      : {
          name: parts.map((p) => p.name).join("+"),
          shape: [parts.reduce((n, p) => n + sizeOf(p.shape), 0)],
          ...(parts.every((p) => p.integer) && { integer: true as const }),
        };
  const inputValuesCount = sizeOf(input.shape);
  if (inputValuesCount > LIMITS.inputElements) {
    throw new ZkmlError("BAD_MODEL", `model ${modelName}: the input has ${inputValuesCount} values, over zkml's limit of ${LIMITS.inputElements} (2^18)`);
  }
  values.set(input.name, { kind: "act", shape: input.shape, ...(input.integer && { integer: true as const }) });
  canonical.set(input.name, input.name);
  if (parts.length > 1) {
    let offset = 0;
    for (const p of parts) {
      const size = sizeOf(p.shape);
      nodes.push({
        op: "select",
        name: `input ${p.name}`,
        onnxOp: "(graph input)",
        input: input.name,
        output: p.name,
        index: Int32Array.from({ length: size }, (_, i) => offset + i),
      });
      values.set(p.name, { kind: "act", shape: p.shape, ...(p.integer && { integer: true as const }) });
      canonical.set(p.name, p.name);
      offset += size;
    }
  }
  return { input, parts };
}

/** Every node through its op's handler, in file order. */
function importNodes(b: GraphBuilder, g: onnxProto.onnx.IGraphProto, ctx: ImportContext): void {
  for (const n of g.node ?? []) {
    const op = n.opType ?? "";
    const handler = onnxOp(op);
    const int8In = (n.input ?? []).find((x) => x && b.int8Of(x));
    if (int8In && !handler?.readsInt8) {
      const readers = SUPPORTED_OPS.filter((o) => onnxOp(o)!.readsInt8).join(", ");
      b.unsupported(n, `reads the int8 tensor "${int8In}"; zkml takes an int8 tensor into ${readers} only: dequantize it first`);
    }
    if (!handler) b.unsupported(n, `op ${op || "(empty)"} is not supported`);
    handler!.import(b, n, ctx);
  }
}

/** ONNX bytes as zkml's float graph IR, named `modelName` in errors; every node through its op's handler. */
export function importOnnx(bytes: Uint8Array, modelName: string): Graph {
  const { model, g } = decodeModel(bytes, modelName);
  const opset = toNum((model.opsetImport ?? []).find((o) => !o.domain || o.domain === "ai.onnx")?.version ?? 13);
  const b = graphBuilder(modelName, g, SUPPORTED_OPS);
  const { input, parts } = graphInputs(b, g);
  const transforms = new Map<string, "softmax" | "argmax">();
  importNodes(b, g, { opset, graph: g, transforms });
  const outs = graphOutputs(b, g, transforms);
  const base = { name: modelName, input, ...(parts.length > 1 && { inputs: parts }) };
  if (outs.length === 1) {
    const [o] = outs as [GraphOut];
    const last = b.nodes.at(-1)?.output ?? input.name;
    if (o.tensor !== last) {
      throw new ZkmlError(
        "BAD_MODEL",
        `model ${modelName}: output "${o.name}" is not computed by the graph's last op (a constant output, or ops after it that nothing reads)`,
      );
    }
    return { ...base, output: { name: o.name, shape: o.shape }, nodes: b.nodes, ...(o.transform && { outputTransform: o.transform }) };
  }
  const join = joinOutputs(b, outs);
  return {
    ...base,
    output: { name: join.output, shape: [join.size] },
    outputs: outs.map(({ name, shape, transform }) => ({ name, shape, ...(transform && { transform }) })),
    nodes: [...b.nodes, join],
  };
}

interface GraphOut extends ValueInfo {
  /** The tensor holding its values (after renames). */
  tensor: string;
  transform?: "softmax" | "argmax";
}

function graphOutputs(b: GraphBuilder, g: onnxProto.onnx.IGraphProto, transforms: Map<string, "softmax" | "argmax">): GraphOut[] {
  const outs = g.output ?? [];
  if (outs.length === 0) throw new ZkmlError("BAD_MODEL", `model ${b.modelName}: the graph has no output`);
  if (outs.length > LIMITS.graphOutputs)
    throw new ZkmlError("BAD_MODEL", `model ${b.modelName}: ${outs.length} graph outputs, over zkml's limit of ${LIMITS.graphOutputs}`);
  return outs.map((o) => {
    const name = o.name ?? "";
    const v = b.values.get(name);
    if (v?.kind !== "act") throw new ZkmlError("BAD_MODEL", `model ${b.modelName}: output "${name}" is not computed from the input (a constant output?)`);
    return { name, shape: v.shape, tensor: b.canon(name), ...(transforms.has(name) && { transform: transforms.get(name)! }) };
  });
}

/**
 * Several outputs: every node must feed one (a node nothing reads would be proven for nothing),
 * and a last node joins them, each at its own scale, into the circuit's output vector.
 */
function joinOutputs(b: GraphBuilder, outs: GraphOut[]): GraphNode & { op: "concat" } {
  const { modelName, nodes, values } = b;
  const read = new Set([...nodes.flatMap(nodeInputs), ...outs.map((o) => o.tensor)]);
  const dead = nodes.find((nd) => !read.has(nd.output));
  if (dead) throw new ZkmlError("BAD_MODEL", `model ${modelName}: node "${dead.name}" (${dead.onnxOp}) feeds no graph output`, "remove it from the graph");
  if (values.has(OUTPUTS_NODE))
    throw new ZkmlError("BAD_MODEL", `model ${modelName}: a tensor is named "${OUTPUTS_NODE}", the name zkml gives its joined outputs`, "rename it");
  let offset = 0;
  const dest = outs.map((o) => {
    const size = sizeOf(o.shape);
    const d = Int32Array.from({ length: size }, (_, j) => offset + j);
    offset += size;
    return d;
  });
  if (offset > LIMITS.tensorElements)
    throw new ZkmlError("BAD_MODEL", `model ${modelName}: its outputs hold ${offset} values together, over zkml's limit of ${LIMITS.tensorElements} (2^24)`);
  return {
    op: "concat",
    name: OUTPUTS_NODE,
    onnxOp: "(graph outputs)",
    input: outs[0]!.tensor,
    inputs: outs.map((o) => o.tensor),
    output: OUTPUTS_NODE,
    dest,
    size: offset,
    joinsOutputs: true,
  };
}
