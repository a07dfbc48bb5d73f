/**
 * ONNX → float graph IR. Constants and shape-only ops are folded here (Shape, Gather,
 * Unsqueeze, Concat, ... on constants); affine ops on a linear layer's output (Add, Sub, Mul,
 * Div by constants, BatchNormalization) fold into its weights when nothing else reads it; Pad,
 * Transpose and Gather of an activation become free index maps; Add/Sub/Mul of two activations
 * and Pow become binary nodes, MatMul of two a matmul node, Concat of activations a concat
 * node; pre-quantized ops (QLinear*, *Integer, Q/DQ: quantized_ops.ts) keep their integers.
 * The moves every handler makes (look up, emit, rename, fold) live in graph_builder.ts. What remains is a DAG of provable nodes in topological order. Anything else
 * is refused with the node, its op and the supported list, before anything is written.
 */
import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { ZkmlError } from "../../core/errors.js";
import { checkedSize, LIMITS } from "../../core/limits.js";
import type { Graph } from "../../core/graph.js";
import { nodeInputs, OUTPUTS_NODE, sizeOf } from "../../core/graph.js";
import { decodeTensor, DT, onnx, toNum, type DecodedTensor } from "./tensor.js";
import {
  attr, broadcastIndex, broadcastShape, broadcastTo, floatAttr, gatherIndex, intAttr, intsAttr, matmulIndex, padIndex, sliceIndex, stringAttr, tileIndex, transposeIndex, windowGeometry,
  type IndexMap,
} from "./shapes.js";
import { graphBuilder, INT8_READERS, type Constant } from "./graph_builder.js";
import { importQuantizedOp, QUANTIZED_OPS } from "./quantized_ops.js";


/** An ONNX file as zkml's float graph IR; an unsupported op or a malformed file is a ZkmlError naming the node. */
export async function importOnnxFile(file: string): Promise<Graph> {
  if (!existsSync(file)) throw new ZkmlError("FILE_NOT_FOUND", `model file not found: ${file}`);
  const { size } = await stat(file);
  if (size > LIMITS.onnxBytes) throw new ZkmlError("BAD_ONNX", `${file}: ${size} bytes, over zkml's limit of ${LIMITS.onnxBytes} for an ONNX file`);
  const bytes = await readFile(file);
  const name = path.basename(file).replace(/\.onnx$/i, "");
  return importOnnx(bytes, name);
}

const ELEMENTWISE: Record<string, (a: number, b: number) => number> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b) => a / b,
};

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
  if (g.node.length > LIMITS.nodes) throw new ZkmlError("BAD_MODEL", `model ${modelName}: ${g.node.length} nodes, over zkml's limit of ${LIMITS.nodes}`);
  const opset = toNum((model.opsetImport ?? []).find((o) => !o.domain || o.domain === "ai.onnx")?.version ?? 13);

  const b = graphBuilder(modelName, g);
  const {
    where, unsupported, values, nodes, canonical, canon,
    valueOf, constOf, actOf, spatial, out0, nameOf, srcOf, emit, int8Of, alias, select, rearrange, setConst,
    foldTarget, perChannel, foldAffine, activation, optionalConst, emitDense, emitConv, concat,
  } = b;
  for (const init of g.initializer ?? []) {
    const t = decodeTensor(init);
    if (!t) throw new ZkmlError("BAD_MODEL", `model ${modelName}: initializer "${init.name}" has data type ${init.dataType} that zkml cannot read`);
    values.set(init.name!, { kind: "const", tensor: t });
  }

  const dataInputs = (g.input ?? []).filter((i) => !values.has(i.name!));
  if (dataInputs.length === 0) throw new ZkmlError("BAD_MODEL", `model ${modelName}: has no data input`);
  const parts = dataInputs.map((info) => {
    const elemType = info.type?.tensorType?.elemType;
    if (elemType !== undefined && elemType !== DT.FLOAT && elemType !== DT.DOUBLE) {
      throw new ZkmlError("BAD_MODEL", `model ${modelName}: input "${info.name}" has element type ${elemType}; zkml takes float inputs`);
    }
    const shape = (info.type?.tensorType?.shape?.dim ?? []).map((d, i) => {
      if (d.dimValue !== undefined && d.dimValue !== null) {
        const v = toNum(d.dimValue);
        if (!Number.isSafeInteger(v) || v < 1) {
          throw new ZkmlError("BAD_MODEL", `model ${modelName}: input "${info.name}" dimension ${i} is ${v}, not a positive size`);
        }
        return v;
      }
      if (i === 0) return 1; // symbolic batch dimension
      throw new ZkmlError("BAD_MODEL", `model ${modelName}: input "${info.name}" dimension ${i} is symbolic ("${d.dimParam ?? ""}"); only the batch dimension may be`);
    });
    checkedSize(shape, () => `model ${modelName}: input "${info.name}"`);
    return { name: info.name!, shape };
  });
  // Several graph inputs are one circuit input: their concatenation, in graph order. Each is a
  // free slice of it, so every later op sees the tensor it expects.
  const inputName = parts.length === 1 ? parts[0]!.name : parts.map((p) => p.name).join("+");
  const inputShape = parts.length === 1 ? parts[0]!.shape : [parts.reduce((n, p) => n + sizeOf(p.shape), 0)];
  const inputValuesCount = sizeOf(inputShape);
  if (inputValuesCount > LIMITS.inputElements) {
    throw new ZkmlError("BAD_MODEL", `model ${modelName}: the input has ${inputValuesCount} values, over zkml's limit of ${LIMITS.inputElements} (2^18)`);
  }
  values.set(inputName, { kind: "act", shape: inputShape });

  canonical.set(inputName, inputName);
  if (parts.length > 1) {
    let offset = 0;
    for (const p of parts) {
      const size = sizeOf(p.shape);
      nodes.push({ op: "select", name: `input ${p.name}`, onnxOp: "(graph input)", input: inputName, output: p.name, index: Int32Array.from({ length: size }, (_, i) => offset + i) });
      values.set(p.name, { kind: "act", shape: p.shape });
      canonical.set(p.name, p.name);
      offset += size;
    }
  }
  /** Graph output name → the Softmax/ArgMax removed from its end. */
  const transforms = new Map<string, "softmax" | "argmax">();

  for (const [index, n] of g.node.entries()) {
    const op = n.opType ?? "";
    const ins = n.input ?? [];
    const int8In = ins.find((x) => x && int8Of(x));
    if (int8In && !INT8_READERS.has(op)) {
      unsupported(n, `reads the int8 tensor "${int8In}"; zkml takes an int8 tensor into QLinearConv, QLinearMatMul, ConvInteger, MatMulInteger, MaxPool, Relu, shape ops and DequantizeLinear only: dequantize it first`);
    }
    if (QUANTIZED_OPS.has(op)) {
      importQuantizedOp(b, n);
      continue;
    }
    switch (op) {
      case "Constant": {
        const a = attr(n, "value");
        const t = a?.t ? decodeTensor(a.t) : null;
        if (!t) unsupported(n, "only tensor-valued Constant nodes are supported");
        setConst(n, t!);
        break;
      }
      case "Identity":
      case "Dropout": {
        const v = valueOf(n, ins[0]!);
        if (v.kind === "const") values.set(out0(n), v);
        else alias(n, actOf(n, ins[0]!).shape);
        break;
      }
      case "Cast": {
        const to = intAttr(n, "to", DT.FLOAT);
        const v = valueOf(n, ins[0]!);
        if (v.kind === "const") {
          const isInt = to !== DT.FLOAT && to !== DT.DOUBLE && to !== DT.FLOAT16;
          setConst(n, { ...v.tensor, dataType: to, data: isInt ? v.tensor.data.map(Math.trunc) : v.tensor.data });
        } else if (to === DT.FLOAT || to === DT.DOUBLE) {
          alias(n, actOf(n, ins[0]!).shape);
        } else {
          unsupported(n, `a Cast of an activation to data type ${to} is not supported (only to float)`);
        }
        break;
      }
      case "Shape": {
        const v = valueOf(n, ins[0]!);
        const shape = v.kind === "act" ? v.shape : v.tensor.dims;
        setConst(n, constTensor([shape.length], shape, DT.INT64));
        break;
      }
      case "ConstantOfShape": {
        const shape = Array.from(constOf(n, ins[0]!, "shape").tensor.data);
        const a = attr(n, "value");
        const fill = a?.t ? (decodeTensor(a.t)?.data[0] ?? 0) : 0;
        setConst(n, constTensor(shape, new Float64Array(sizeOf(shape)).fill(fill)));
        break;
      }
      case "Unsqueeze":
      case "Squeeze": {
        const v = valueOf(n, ins[0]!);
        const shape = v.kind === "act" ? v.shape : v.tensor.dims;
        const axesIn = intsAttr(n, "axes") ?? (ins[1] ? Array.from(constOf(n, ins[1], "axes").tensor.data) : undefined);
        let newShape: number[];
        if (op === "Unsqueeze") {
          if (!axesIn) unsupported(n, "Unsqueeze needs axes");
          const rank = shape.length + axesIn!.length;
          const axes = axesIn!.map((x) => (x < 0 ? x + rank : x));
          newShape = [];
          let src = 0;
          for (let d = 0; d < rank; d++) newShape.push(axes.includes(d) ? 1 : shape[src++]!);
        } else {
          const axes = (axesIn ?? shape.flatMap((d, i) => (d === 1 ? [i] : []))).map((x) => (x < 0 ? x + shape.length : x));
          if (axes.some((x) => shape[x] !== 1)) throw new ZkmlError("BAD_MODEL", `${where(n)}: cannot squeeze axes [${axes}] of [${shape}]`);
          newShape = shape.filter((_, i) => !axes.includes(i));
        }
        if (v.kind === "const") setConst(n, { ...v.tensor, dims: newShape });
        else alias(n, (actOf(n, ins[0]!), newShape));
        break;
      }
      case "Concat":
        concat(n);
        break;
      case "Gather": {
        const v = valueOf(n, ins[0]!);
        const indices = constOf(n, ins[1]!, "indices").tensor;
        const shape = v.kind === "act" ? v.shape : v.tensor.dims;
        let axis = intAttr(n, "axis", 0);
        if (axis < 0) axis += shape.length;
        const map = gatherIndex(shape, axis, indices);
        if (!map) throw new ZkmlError("BAD_MODEL", `${where(n)}: an index in [${Array.from(indices.data)}] is out of range for axis ${axis} of [${shape}]`);
        rearrange(n, v, map);
        break;
      }
      case "Slice": {
        const v = valueOf(n, ins[0]!);
        const shape = v.kind === "act" ? v.shape : v.tensor.dims;
        // Since opset 10 the bounds are inputs; before, attributes.
        const list = (i: number, name: string) => intsAttr(n, name) ?? (ins[i] ? Array.from(constOf(n, ins[i], name).tensor.data) : undefined);
        const starts = list(1, "starts");
        const ends = list(2, "ends");
        if (!starts || !ends) throw new ZkmlError("BAD_MODEL", `${where(n)}: Slice needs starts and ends`);
        const map = sliceIndex(shape, starts, ends, list(3, "axes"), list(4, "steps"));
        if (!map) throw new ZkmlError("BAD_MODEL", `${where(n)}: cannot slice [${shape}] with starts [${starts}], ends [${ends}]`);
        rearrange(n, v, map);
        break;
      }
      case "Tile":
      case "Expand": {
        const v = valueOf(n, ins[0]!);
        const shape = v.kind === "act" ? v.shape : v.tensor.dims;
        const arg = Array.from(constOf(n, ins[1]!, op === "Tile" ? "repeats" : "shape").tensor.data);
        let map: IndexMap | null;
        if (op === "Tile") {
          map = arg.length === shape.length ? tileIndex(shape, arg) : null;
        } else {
          const target = broadcastShape(shape, arg);
          const index = target && broadcastIndex(shape, target);
          map = target && index ? { index, shape: target } : null;
        }
        if (!map) throw new ZkmlError("BAD_MODEL", `${where(n)}: cannot ${op.toLowerCase()} [${shape}] by [${arg}]`);
        rearrange(n, v, map);
        break;
      }
      case "Transpose": {
        const v = valueOf(n, ins[0]!);
        const shape = v.kind === "act" ? v.shape : v.tensor.dims;
        const perm = intsAttr(n, "perm") ?? shape.map((_, i) => shape.length - 1 - i);
        rearrange(n, v, transposeIndex(shape, perm));
        break;
      }
      case "Flatten": {
        const v = valueOf(n, ins[0]!);
        const shape = v.kind === "act" ? v.shape : v.tensor.dims;
        let axis = intAttr(n, "axis", 1);
        if (axis < 0) axis += shape.length;
        const flat = [sizeOf(shape.slice(0, axis)), sizeOf(shape.slice(axis))];
        if (v.kind === "const") setConst(n, { ...v.tensor, dims: flat });
        else alias(n, (actOf(n, ins[0]!), flat));
        break;
      }
      case "Reshape": {
        const v = valueOf(n, ins[0]!);
        const shape = v.kind === "act" ? v.shape : v.tensor.dims;
        const target = Array.from(constOf(n, ins[1]!, "shape").tensor.data);
        const total = sizeOf(shape);
        const withZeros = target.map((d, i) => (d === 0 ? shape[i]! : d));
        const known = withZeros.filter((d) => d !== -1).reduce((x, y) => x * y, 1);
        const resolved = withZeros.map((d) => (d === -1 ? total / known : d));
        if (sizeOf(resolved) !== total || resolved.some((d) => !Number.isInteger(d) || d <= 0)) {
          throw new ZkmlError("BAD_MODEL", `${where(n)}: cannot reshape [${shape}] to [${target}]`);
        }
        if (v.kind === "const") setConst(n, { ...v.tensor, dims: resolved });
        else alias(n, (actOf(n, ins[0]!), resolved));
        break;
      }
      case "Gemm":
      case "MatMul": {
        if (op === "MatMul" && valueOf(n, ins[0]!).kind === "act" && valueOf(n, ins[1]!).kind === "act") {
          // Two activations (attention's Q·Kᵀ): every product is a constraint.
          const [a, b] = [actOf(n, ins[0]!), actOf(n, ins[1]!)];
          const m = matmulIndex(a.shape, b.shape);
          if (!m) throw new ZkmlError("BAD_MODEL", `${where(n)}: [${a.shape}] × [${b.shape}] do not multiply (MatMul of activations needs rank ≥ 2, A [..., M, K] × B [..., K, N])`);
          emit({ op: "matmul", name: nameOf(n), onnxOp: op, input: srcOf(n, 0), input2: srcOf(n, 1), output: out0(n), k: m!.k, aIndex: m!.aIndex, bIndex: m!.bIndex }, m!.shape);
          break;
        }
        const w = constOf(n, ins[1]!, "weight");
        const bias = op === "Gemm" && ins[2] ? constOf(n, ins[2], "bias").tensor : undefined;
        emitDense(n, ins[0]!, w, {
          transA: op === "Gemm" && intAttr(n, "transA", 0) !== 0,
          transB: op === "Gemm" && intAttr(n, "transB", 0) !== 0,
          alpha: op === "Gemm" ? floatAttr(n, "alpha", 1) : 1,
          beta: op === "Gemm" ? floatAttr(n, "beta", 1) : 1,
          bias,
        }, out0(n), nameOf(n));
        break;
      }
      case "Conv":
        emitConv(n, ins[0]!, constOf(n, ins[1]!, "weight"), ins[2] ? constOf(n, ins[2], "bias").tensor.data : undefined, out0(n), nameOf(n));
        break;
      case "MaxPool":
      case "AveragePool":
      case "GlobalAveragePool":
      case "GlobalMaxPool": {
        const a = actOf(n, ins[0]!);
        const inShape = spatial(n, a);
        if ((n.output ?? []).filter((x) => x).length > 1) unsupported(n, "MaxPool's Indices output is not supported");
        if (intAttr(n, "storage_order", 0) !== 0) unsupported(n, "storage_order=1 is not supported");
        const global = op.startsWith("Global");
        const kernel = (global ? [inShape[1], inShape[2]] : intsAttr(n, "kernel_shape")) as [number, number] | undefined;
        if (!kernel || kernel.length !== 2) unsupported(n, "only 2-D pooling with a kernel_shape is supported");
        const geometry = global
          ? { inShape, outShape: [inShape[0], 1, 1] as [number, number, number], kernel: kernel!, strides: [1, 1] as [number, number], pads: [0, 0, 0, 0] as [number, number, number, number] }
          : windowGeometry(n, inShape, kernel!, where(n));
        const kind = op.includes("Max") ? "maxpool" : "avgpool";
        const countIncludePad = intAttr(n, "count_include_pad", 0) !== 0;
        // A window wholly in the padding has no cell: no max, and an average over 0 values.
        if ((kind === "maxpool" || !countIncludePad) && geometry.pads.some((p, i) => p >= kernel![i % 2]!)) {
          throw new ZkmlError("BAD_MODEL", `${where(n)}: pads [${geometry.pads}] as large as the kernel leave windows with no cell`);
        }
        emit({
          op: kind, name: nameOf(n), onnxOp: op, input: srcOf(n), output: out0(n), ...geometry,
          countIncludePad,
        }, [1, ...geometry.outShape], a.int8);
        break;
      }
      case "Pad": {
        const a = actOf(n, ins[0]!);
        const mode = stringAttr(n, "mode", "constant");
        if (mode !== "constant") unsupported(n, `Pad mode "${mode}" is not supported (only constant)`);
        const pads = intsAttr(n, "pads") ?? (ins[1] ? Array.from(constOf(n, ins[1], "pads").tensor.data) : undefined);
        const value = ins[2] ? (optionalConst(n, 2)?.data[0] ?? 0) : floatAttr(n, "value", 0);
        if (ins[3]) unsupported(n, "Pad with axes is not supported");
        if (!pads || pads.length !== 2 * a.shape.length) throw new ZkmlError("BAD_MODEL", `${where(n)}: pads [${pads ?? ""}] do not match the rank of [${a.shape}]`);
        // A uint8 tensor (zero point 128) holds real 0 as 128.
        const zero = a.int8?.uint8 ? 128 : 0;
        if (value !== zero) unsupported(n, `Pad with value ${value} is not supported (only ${zero}, a real 0)`);
        select(n, padIndex(a.shape, pads));
        break;
      }
      case "Add":
      case "Sub":
      case "Mul":
      case "Div": {
        const [x, y] = [valueOf(n, ins[0]!), valueOf(n, ins[1]!)];
        const f = ELEMENTWISE[op]!;
        if (x.kind === "const" && y.kind === "const") {
          const shape = broadcastShape(x.tensor.dims, y.tensor.dims);
          const xa = shape && broadcastTo(x.tensor, shape);
          const ya = shape && broadcastTo(y.tensor, shape);
          if (!shape || !xa || !ya) throw new ZkmlError("BAD_MODEL", `${where(n)}: shapes [${x.tensor.dims}] and [${y.tensor.dims}] do not broadcast`);
          const isInt = x.tensor.dataType === DT.INT64 || x.tensor.dataType === DT.INT32;
          setConst(n, { dims: shape, dataType: x.tensor.dataType, data: xa.map((v, i) => (isInt && op === "Div" ? Math.trunc(f(v, ya[i]!)) : f(v, ya[i]!))) });
          break;
        }
        if (x.kind === "act" && y.kind === "act") {
          if (op === "Div") unsupported(n, "Div of two activations is not supported");
          if (sizeOf(x.shape) !== sizeOf(y.shape) || x.shape.filter((d) => d !== 1).join() !== y.shape.filter((d) => d !== 1).join()) {
            unsupported(n, `${op} of activations of shapes [${x.shape}] and [${y.shape}]: only equal shapes (no broadcasting)`);
          }
          emit({ op: "binary", fn: op === "Add" ? "add" : op === "Sub" ? "sub" : "mul", name: nameOf(n), onnxOp: op, input: srcOf(n, 0), input2: srcOf(n, 1), output: out0(n) }, x.shape);
          break;
        }
        const constFirst = x.kind === "const";
        const actName = constFirst ? ins[1]! : ins[0]!;
        const c = (constFirst ? x : y) as Constant;
        const a = actOf(n, actName);
        if (constFirst && op === "Div") unsupported(n, "a constant divided by an activation is not supported");
        const k = broadcastTo(c.tensor, a.shape);
        if (!k) throw new ZkmlError("BAD_MODEL", `${where(n)}: constant [${c.tensor.dims}] does not broadcast to [${a.shape}]`);
        // Every form is x·scale + shift per element.
        const fill = (v: number) => k.map(() => v);
        const [scale, shift] = op === "Add" ? [fill(1), k]
          : op === "Sub" ? (constFirst ? [fill(-1), k] : [fill(1), k.map((v) => -v)])
          : op === "Mul" ? [k, fill(0)]
          : [k.map((v) => 1 / v), fill(0)];
        const target = foldTarget(actName);
        const perScale = target && perChannel(target, scale);
        const perShift = target && perChannel(target, shift);
        if (target && perScale && perShift) {
          foldAffine(target, perScale, perShift);
          alias(n, a.shape, actName);
        } else {
          // Nothing to fold into: an elementwise function of one int8 value, so an exact table.
          emit({ op: "activation", name: nameOf(n), onnxOp: op, input: canon(actName), output: out0(n), fn: { kind: "affine", scale, shift } }, a.shape);
        }
        break;
      }
      case "BatchNormalization": {
        const a = actOf(n, ins[0]!);
        const [scale, b, mean, variance] = [1, 2, 3, 4].map((i) => constOf(n, ins[i]!, "parameter").tensor.data);
        const eps = floatAttr(n, "epsilon", 1e-5);
        const C = a.shape[1]!;
        if (a.shape[0] !== 1 || scale!.length !== C) throw new ZkmlError("BAD_MODEL", `${where(n)}: ${scale!.length} parameters for input [${a.shape}]`);
        const factor = Float64Array.from(scale!, (s, c) => s / Math.sqrt(variance![c]! + eps));
        const shift = Float64Array.from(b!, (v, c) => v - mean![c]! * factor[c]!);
        const target = foldTarget(ins[0]!);
        if (target && target.bias.length === C) {
          foldAffine(target, factor, shift);
          alias(n, a.shape);
        } else if (a.shape.length === 4) {
          // No layer to fold into: a per-channel affine map is a depthwise 1x1 convolution.
          const inShape = a.shape.slice(1) as [number, number, number];
          emit({
            op: "conv", name: nameOf(n), onnxOp: op, input: srcOf(n), output: out0(n),
            inShape, outShape: inShape, kernel: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0], group: C,
            weight: { dims: [C, 1, 1, 1], data: factor }, bias: shift,
          }, a.shape);
        } else if (a.shape.length === 2) {
          const weight = new Float64Array(C * C);
          for (let c = 0; c < C; c++) weight[c * C + c] = factor[c]!;
          emit({ op: "dense", name: nameOf(n), onnxOp: op, input: srcOf(n), output: out0(n), weight: { dims: [C, C], data: weight }, bias: shift }, a.shape);
        } else {
          unsupported(n, `BatchNormalization of a [${a.shape}] tensor is not supported`);
        }
        break;
      }
      case "Pow": {
        const a = actOf(n, ins[0]!);
        const e = constOf(n, ins[1]!, "exponent").tensor.data;
        if (e.length !== 1 || ![1, 2, 3].includes(e[0]!)) unsupported(n, `Pow with exponent [${Array.from(e)}]: only a constant 1, 2 or 3`);
        if (e[0] === 1) {
          alias(n, a.shape);
          break;
        }
        // x² is x·x; x³ is (x·x)·x, with the square requantized in between.
        const square = e[0] === 2 ? out0(n) : `${out0(n)}/square`;
        emit({ op: "binary", fn: "mul", name: e[0] === 2 ? nameOf(n) : `${nameOf(n)}/square`, onnxOp: op, input: srcOf(n), input2: srcOf(n), output: square }, a.shape);
        if (e[0] === 3) emit({ op: "binary", fn: "mul", name: nameOf(n), onnxOp: op, input: square, input2: srcOf(n), output: out0(n) }, a.shape);
        break;
      }
      case "Relu":
        activation(n, { kind: "relu" });
        break;
      case "LeakyRelu":
        activation(n, { kind: "leakyrelu", alpha: floatAttr(n, "alpha", 0.01) });
        break;
      case "Sigmoid":
        activation(n, { kind: "sigmoid" });
        break;
      case "Tanh":
        activation(n, { kind: "tanh" });
        break;
      case "HardSigmoid":
        activation(n, { kind: "hardsigmoid", alpha: floatAttr(n, "alpha", 0.2), beta: floatAttr(n, "beta", 0.5) });
        break;
      case "Clip": {
        const min = attr(n, "min") ? floatAttr(n, "min", -Infinity) : (optionalConst(n, 1)?.data[0] ?? -Infinity);
        const max = attr(n, "max") ? floatAttr(n, "max", Infinity) : (optionalConst(n, 2)?.data[0] ?? Infinity);
        activation(n, { kind: "clip", min, max });
        break;
      }
      case "PRelu": {
        const a = actOf(n, ins[0]!);
        const slopeT = constOf(n, ins[1]!, "slope").tensor;
        const slope = broadcastTo(slopeT, a.shape);
        if (!slope) throw new ZkmlError("BAD_MODEL", `${where(n)}: slope [${slopeT.dims}] does not broadcast to [${a.shape}]`);
        activation(n, { kind: "prelu", slope });
        break;
      }
      case "Softmax":
      case "ArgMax": {
        const a = actOf(n, ins[0]!);
        // Last in its branch: a graph output that no other node reads.
        const isLast = (g.output ?? []).some((o) => o.name === out0(n)) && !g.node.some((m) => (m.input ?? []).includes(out0(n)));
        if (!isLast) unsupported(n, `${op} is supported only as the last op of a graph output (zkml proves the values before it; their argmax is the proof's class)`);
        // Softmax before opset 13 normalises over the dims from `axis` on, since 13 over `axis`
        // alone; ArgMax reduces `axis`. Either way the proof's one class is right only if the op
        // covers every value.
        const rank = a.shape.length;
        const axisRaw = intAttr(n, "axis", op === "ArgMax" ? 0 : opset >= 13 ? -1 : 1);
        const axis = axisRaw < 0 ? axisRaw + rank : axisRaw;
        const others = op === "Softmax" && opset < 13 ? sizeOf(a.shape.slice(0, axis)) : sizeOf(a.shape) / a.shape[axis]!;
        if (others !== 1) unsupported(n, `${op} over axis ${axisRaw} of [${a.shape}] treats groups of values separately; only one over the whole output is supported`);
        if (op === "ArgMax" && intAttr(n, "select_last_index", 0) !== 0) unsupported(n, "select_last_index=1 is not supported (the circuit proves the first maximum)");
        transforms.set(out0(n), op === "Softmax" ? "softmax" : "argmax");
        alias(n, a.shape);
        break;
      }
      default:
        unsupported(n, `op ${op || "(empty)"} is not supported`);
    }
  }

  const outs = g.output ?? [];
  if (outs.length === 0) throw new ZkmlError("BAD_MODEL", `model ${modelName}: the graph has no output`);
  if (outs.length > LIMITS.graphOutputs) throw new ZkmlError("BAD_MODEL", `model ${modelName}: ${outs.length} graph outputs, over zkml's limit of ${LIMITS.graphOutputs}`);
  const outInfo = outs.map((o) => {
    const name = o.name ?? "";
    const v = values.get(name);
    if (!v || v.kind !== "act") throw new ZkmlError("BAD_MODEL", `model ${modelName}: output "${name}" is not computed from the input (a constant output?)`);
    return { name, shape: v.shape, tensor: canon(name), ...(transforms.has(name) && { transform: transforms.get(name)! }) };
  });
  const base = { name: modelName, input: { name: inputName, shape: inputShape }, ...(parts.length > 1 && { inputs: parts }) };
  if (outInfo.length === 1) {
    const [o] = outInfo as [(typeof outInfo)[number]];
    const last = nodes.at(-1)?.output ?? inputName;
    if (o.tensor !== last) {
      throw new ZkmlError("BAD_MODEL", `model ${modelName}: output "${o.name}" is not computed by the graph's last op (a constant output, or ops after it that nothing reads)`);
    }
    return { ...base, output: { name: o.name, shape: o.shape }, nodes, ...(o.transform && { outputTransform: o.transform }) };
  }
  // Several outputs: every node must feed one (a node nothing reads would be proven for nothing),
  // and a last node joins them, each at its own scale, into the circuit's output vector.
  const read = new Set([...nodes.flatMap(nodeInputs), ...outInfo.map((o) => o.tensor)]);
  const dead = nodes.find((nd) => !read.has(nd.output));
  if (dead) throw new ZkmlError("BAD_MODEL", `model ${modelName}: node "${dead.name}" (${dead.onnxOp}) feeds no graph output`, "remove it from the graph");
  if (values.has(OUTPUTS_NODE)) throw new ZkmlError("BAD_MODEL", `model ${modelName}: a tensor is named "${OUTPUTS_NODE}", the name zkml gives its joined outputs`, "rename it");
  let offset = 0;
  const dest = outInfo.map((o) => {
    const size = sizeOf(o.shape);
    const d = Int32Array.from({ length: size }, (_, j) => offset + j);
    offset += size;
    return d;
  });
  if (offset > LIMITS.tensorElements) throw new ZkmlError("BAD_MODEL", `model ${modelName}: its outputs hold ${offset} values together, over zkml's limit of ${LIMITS.tensorElements} (2^24)`);
  const joined = OUTPUTS_NODE;
  nodes.push({ op: "concat", name: joined, onnxOp: "(graph outputs)", input: outInfo[0]!.tensor, inputs: outInfo.map((o) => o.tensor), output: joined, dest, size: offset, joinsOutputs: true });
  return {
    ...base,
    output: { name: joined, shape: [offset] },
    outputs: outInfo.map(({ name, shape, transform }) => ({ name, shape, ...(transform && { transform }) })),
    nodes,
  };
}

function constTensor(dims: number[], data: ArrayLike<number>, dataType: number = DT.FLOAT): DecodedTensor {
  return { dims, dataType, data: Float64Array.from(data) };
}
