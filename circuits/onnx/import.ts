/**
 * ONNX → float graph IR. Constants and shape-only ops are folded here; what remains is a chain
 * of dense/relu/fixscale nodes. Anything zkml cannot prove is refused with the node, its op and
 * the supported list, before anything is written.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { ZkmlError } from "../../core/errors.js";
import type { DenseNode, ExactQuant, Graph, GraphNode } from "../../core/graph.js";
import { sizeOf } from "../../core/graph.js";
import type onnxProto from "onnx-proto";
import { decodeTensor, DT, onnx, toNum, type DecodedTensor } from "./tensor.js";

export const SUPPORTED_OPS = [
  "Gemm", "MatMul", "Add", "Relu", "Flatten", "Reshape", "Identity", "Dropout", "Constant",
  "QuantizeLinear", "DequantizeLinear",
] as const;

type NodeProto = onnxProto.onnx.INodeProto;

interface Activation {
  kind: "act";
  shape: number[];
}
interface Constant {
  kind: "const";
  tensor: DecodedTensor;
  quant?: ExactQuant;
}
type Value = Activation | Constant;

export async function importOnnxFile(file: string): Promise<Graph> {
  if (!existsSync(file)) throw new ZkmlError("FILE_NOT_FOUND", `model file not found: ${file}`);
  const bytes = await readFile(file);
  const name = path.basename(file).replace(/\.onnx$/i, "");
  return importOnnx(bytes, name);
}

function attr(node: NodeProto, name: string) {
  return (node.attribute ?? []).find((a) => a.name === name);
}
function intAttr(node: NodeProto, name: string, dflt: number): number {
  const a = attr(node, name);
  return a ? toNum(a.i) : dflt;
}
function floatAttr(node: NodeProto, name: string, dflt: number): number {
  const a = attr(node, name);
  return a ? (a.f ?? dflt) : dflt;
}

/** log2 of 1/scale when it is an integer power of two, else null. */
export function powerOfTwoFrac(scale: number): number | null {
  if (!(scale > 0) || !Number.isFinite(scale)) return null;
  const f = -Math.log2(scale);
  const r = Math.round(f);
  return Math.abs(f - r) < 1e-9 ? r : null;
}

export function importOnnx(bytes: Uint8Array, modelName: string): Graph {
  let model: InstanceType<typeof onnx.ModelProto>;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new ZkmlError("BAD_ONNX", `${modelName}: not an ONNX model (${(e as Error).message})`, "pass a .onnx file exported by PyTorch, skl2onnx or onnx");
  }
  const g = model.graph;
  if (!g || !g.node || g.node.length === 0) {
    throw new ZkmlError("BAD_ONNX", `${modelName}: not an ONNX model (no graph or no nodes)`, "pass a .onnx file exported by PyTorch, skl2onnx or onnx");
  }
  const where = (n: NodeProto) => `model ${modelName}, node "${n.name || n.output?.[0] || "?"}" (${n.opType})`;

  const values = new Map<string, Value>();
  for (const init of g.initializer ?? []) {
    const t = decodeTensor(init);
    if (!t) throw new ZkmlError("BAD_MODEL", `model ${modelName}: initializer "${init.name}" has data type ${init.dataType} that zkml cannot read`);
    values.set(init.name!, { kind: "const", tensor: t });
  }

  const dataInputs = (g.input ?? []).filter((i) => !values.has(i.name!));
  if (dataInputs.length !== 1) {
    throw new ZkmlError("BAD_MODEL", `model ${modelName}: has ${dataInputs.length} data inputs (${dataInputs.map((i) => i.name).join(", ")}); zkml takes exactly one for now`);
  }
  const inputInfo = dataInputs[0]!;
  const elemType = inputInfo.type?.tensorType?.elemType;
  if (elemType !== undefined && elemType !== DT.FLOAT && elemType !== DT.DOUBLE) {
    throw new ZkmlError("BAD_MODEL", `model ${modelName}: input "${inputInfo.name}" has element type ${elemType}; zkml takes float inputs`);
  }
  const dims = inputInfo.type?.tensorType?.shape?.dim ?? [];
  const inputShape = dims.map((d, i) => {
    if (d.dimValue !== undefined && d.dimValue !== null && toNum(d.dimValue) > 0) return toNum(d.dimValue);
    if (i === 0) return 1; // symbolic batch dimension
    throw new ZkmlError("BAD_MODEL", `model ${modelName}: input "${inputInfo.name}" dimension ${i} is symbolic ("${d.dimParam ?? ""}"); only the batch dimension may be`);
  });
  values.set(inputInfo.name!, { kind: "act", shape: inputShape });

  const nodes: GraphNode[] = [];
  let current = inputInfo.name!;
  let pendingDense: DenseNode | null = null; // a MatMul whose bias may follow as Add

  const constOf = (n: NodeProto, name: string, role: string): Constant => {
    const v = values.get(name);
    if (!v) throw new ZkmlError("BAD_MODEL", `${where(n)}: input "${name}" is not defined before use (missing initializer, or the graph is not in topological order / has a cycle)`);
    if (v.kind !== "const") throw new ZkmlError("UNSUPPORTED_OP", `${where(n)}: ${role} "${name}" must be a constant; zkml proves models with fixed weights`);
    return v;
  };
  const actOf = (n: NodeProto, name: string): Activation => {
    const v = values.get(name);
    if (!v) throw new ZkmlError("BAD_MODEL", `${where(n)}: input "${name}" is not defined before use (missing initializer, or the graph is not in topological order / has a cycle)`);
    if (v.kind !== "act") throw new ZkmlError("UNSUPPORTED_OP", `${where(n)}: expected an activation for "${name}", got a constant`);
    if (name !== current) throw new ZkmlError("UNSUPPORTED_OP", `${where(n)}: reads "${name}" but the chain is at "${current}"; graphs with branches are not supported yet`);
    return v;
  };
  const emit = (node: GraphNode, shape: number[]) => {
    nodes.push(node);
    values.set(node.output, { kind: "act", shape });
    current = node.output;
  };
  const alias = (n: NodeProto, shape: number[]) => {
    const out = n.output![0]!;
    values.set(out, { kind: "act", shape });
    // Rename the producing node's output so the chain stays a chain of names.
    const last = nodes.at(-1);
    if (last && last.output === current) last.output = out;
    current = out;
  };

  for (const n of g.node) {
    const op = n.opType ?? "";
    const ins = n.input ?? [];
    if (op !== "Add") pendingDense = null;
    switch (op) {
      case "Constant": {
        const a = attr(n, "value");
        const t = a?.t ? decodeTensor(a.t) : null;
        if (!t) throw new ZkmlError("UNSUPPORTED_OP", `${where(n)}: only tensor-valued Constant nodes are supported`);
        values.set(n.output![0]!, { kind: "const", tensor: t });
        break;
      }
      case "Identity":
      case "Dropout": {
        const v = values.get(ins[0]!);
        if (v?.kind === "const") values.set(n.output![0]!, v);
        else alias(n, actOf(n, ins[0]!).shape);
        break;
      }
      case "Flatten": {
        const a = actOf(n, ins[0]!);
        let axis = intAttr(n, "axis", 1);
        if (axis < 0) axis += a.shape.length;
        alias(n, [sizeOf(a.shape.slice(0, axis)), sizeOf(a.shape.slice(axis))]);
        break;
      }
      case "Reshape": {
        const a = actOf(n, ins[0]!);
        const target = Array.from(constOf(n, ins[1]!, "shape").tensor.data);
        const total = sizeOf(a.shape);
        const shape = target.map((d, i) => (d === 0 ? a.shape[i]! : d));
        const known = shape.filter((d) => d !== -1).reduce((x, y) => x * y, 1);
        const resolved = shape.map((d) => (d === -1 ? total / known : d));
        if (sizeOf(resolved) !== total || resolved.some((d) => !Number.isInteger(d) || d <= 0)) {
          throw new ZkmlError("BAD_MODEL", `${where(n)}: cannot reshape [${a.shape}] to [${target}]`);
        }
        alias(n, resolved);
        break;
      }
      case "Gemm":
      case "MatMul": {
        const a = actOf(n, ins[0]!);
        const w = constOf(n, ins[1]!, "weight");
        const transA = op === "Gemm" && intAttr(n, "transA", 0) !== 0;
        const transB = op === "Gemm" && intAttr(n, "transB", 0) !== 0;
        if (w.tensor.dims.length !== 2) throw new ZkmlError("UNSUPPORTED_OP", `${where(n)}: weight must be 2-D, got [${w.tensor.dims}]`);
        const [r, c] = w.tensor.dims as [number, number];
        const [inF, outF] = transB ? [c, r] : [r, c];
        // One sample: A is a row [1, K], or with transA a column [K, 1] holding the same values.
        const features = transA ? a.shape[0]! : a.shape.at(-1)!;
        if (transA && a.shape.length !== 2) throw new ZkmlError("UNSUPPORTED_OP", `${where(n)}: transA=1 needs a 2-D input, got [${a.shape}]`);
        if (sizeOf(a.shape) !== features || features !== inF) {
          throw new ZkmlError("BAD_MODEL", `${where(n)}: input shape [${a.shape}] does not match weight [${w.tensor.dims}]${transB ? " (transB)" : ""}`);
        }
        const alpha = op === "Gemm" ? floatAttr(n, "alpha", 1) : 1;
        const beta = op === "Gemm" ? floatAttr(n, "beta", 1) : 1;
        const weight = new Float64Array(outF * inF);
        const wq = w.quant ? new Int32Array(outF * inF) : undefined;
        for (let o = 0; o < outF; o++) {
          for (let i = 0; i < inF; i++) {
            const src = transB ? o * inF + i : i * outF + o;
            weight[o * inF + i] = alpha * w.tensor.data[src]!;
            if (wq) wq[o * inF + i] = w.quant!.data[src]!;
          }
        }
        const bias = new Float64Array(outF);
        if (op === "Gemm" && ins[2]) {
          const c = constOf(n, ins[2], "bias").tensor;
          if (c.data.length !== outF && c.data.length !== 1) throw new ZkmlError("UNSUPPORTED_OP", `${where(n)}: bias of shape [${c.dims}] does not broadcast to [${outF}]`);
          for (let o = 0; o < outF; o++) bias[o] = beta * c.data[c.data.length === 1 ? 0 : o]!;
        }
        const dense: DenseNode = {
          op: "dense", name: n.name || n.output![0]!, onnxOp: op, input: current, output: n.output![0]!,
          weight: { dims: [outF, inF], data: weight }, bias,
          weightQuant: wq && alpha === 1 ? { data: wq, frac: w.quant!.frac } : undefined,
        };
        emit(dense, [1, outF]);
        if (op === "MatMul") pendingDense = dense;
        break;
      }
      case "Add": {
        const firstIsConst = values.get(ins[0]!)?.kind === "const";
        const constName = firstIsConst ? ins[0]! : ins[1]!;
        const actName = firstIsConst ? ins[1]! : ins[0]!;
        if (!pendingDense || actName !== current || values.get(constName)?.kind !== "const") {
          throw new ZkmlError("UNSUPPORTED_OP", `${where(n)}: Add is supported only as the bias right after a MatMul for now`, `supported ops: ${SUPPORTED_OPS.join(", ")}`);
        }
        const c = constOf(n, constName, "bias").tensor;
        const outF = pendingDense.bias.length;
        if (c.data.length !== outF && c.data.length !== 1) throw new ZkmlError("UNSUPPORTED_OP", `${where(n)}: bias of shape [${c.dims}] does not broadcast to [${outF}]`);
        for (let o = 0; o < outF; o++) pendingDense.bias[o]! += c.data[c.data.length === 1 ? 0 : o]!;
        alias(n, [1, outF]);
        pendingDense = null;
        break;
      }
      case "Relu": {
        const a = actOf(n, ins[0]!);
        emit({ op: "relu", name: n.name || n.output![0]!, onnxOp: op, input: current, output: n.output![0]! }, a.shape);
        break;
      }
      case "QuantizeLinear":
      case "DequantizeLinear": {
        const scaleT = constOf(n, ins[1]!, "scale").tensor;
        if (scaleT.data.length !== 1) throw new ZkmlError("UNSUPPORTED_OP", `${where(n)}: per-channel scales are not supported yet`);
        const frac = powerOfTwoFrac(scaleT.data[0]!);
        if (frac === null) {
          throw new ZkmlError("UNSUPPORTED_OP", `${where(n)}: scale ${scaleT.data[0]} is not a power of two`, "re-quantize the model with power-of-two scales, or give zkml the float model and let it quantize");
        }
        if (ins[2]) {
          const zp = constOf(n, ins[2], "zero point").tensor;
          if (zp.data.some((z) => z !== 0)) throw new ZkmlError("UNSUPPORTED_OP", `${where(n)}: zero point must be 0 (symmetric quantization)`);
        }
        const src = values.get(ins[0]!);
        if (op === "DequantizeLinear" && src?.kind === "const") {
          // Pre-quantized weights: keep the integers exactly.
          const t = src.tensor;
          const data = t.data.map((v) => v * 2 ** -frac);
          values.set(n.output![0]!, { kind: "const", tensor: { ...t, dataType: DT.FLOAT, data }, quant: { data: Int32Array.from(t.data), frac } });
        } else if (op === "QuantizeLinear" && src?.kind === "const") {
          const t = src.tensor;
          const q = t.data.map((v) => Math.max(-128, Math.min(127, Math.round(v * 2 ** frac))));
          values.set(n.output![0]!, { kind: "const", tensor: { ...t, dataType: DT.INT8, data: q } });
        } else if (op === "QuantizeLinear") {
          const a = actOf(n, ins[0]!);
          emit({ op: "fixscale", name: n.name || n.output![0]!, onnxOp: op, input: current, output: n.output![0]!, frac }, a.shape);
        } else {
          // Dequantize of an activation quantized just before: the pair is one fixscale node.
          const a = actOf(n, ins[0]!);
          const last = nodes.at(-1);
          if (!last || last.op !== "fixscale" || last.frac !== frac) {
            throw new ZkmlError("UNSUPPORTED_OP", `${where(n)}: DequantizeLinear must follow a QuantizeLinear with the same scale`);
          }
          alias(n, a.shape);
        }
        break;
      }
      default:
        throw new ZkmlError("UNSUPPORTED_OP", `${where(n)}: op ${op || "(empty)"} is not supported`, `supported ops: ${SUPPORTED_OPS.join(", ")}`);
    }
  }

  const outs = g.output ?? [];
  if (outs.length !== 1) throw new ZkmlError("BAD_MODEL", `model ${modelName}: has ${outs.length} outputs; zkml takes exactly one for now`);
  const outName = outs[0]!.name!;
  const outVal = values.get(outName);
  if (!outVal || outVal.kind !== "act" || outName !== current) {
    throw new ZkmlError("BAD_MODEL", `model ${modelName}: output "${outName}" is not the end of the computation chain`);
  }
  if (!nodes.some((nd) => nd.op === "dense")) {
    throw new ZkmlError("UNSUPPORTED_OP", `model ${modelName}: has no Gemm/MatMul layer; zkml proves networks with at least one dense layer for now`);
  }
  return { name: modelName, input: { name: inputInfo.name!, shape: inputShape }, output: { name: outName, shape: outVal.shape }, nodes };
}
