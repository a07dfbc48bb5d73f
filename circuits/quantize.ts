/**
 * Float graph → quantized model (core/qmodel.ts). Symmetric int8 with power-of-two scales:
 * weights per tensor from their own range, activations from calibration samples, biases at
 * the accumulator scale. Scales fixed by the ONNX file (Q/DQ pairs) are kept as they are.
 */
import { commitWeights } from "../core/commitment.js";
import { ZkmlError } from "../core/errors.js";
import type { ActivationFn, ActivationNode, ConvNode, DenseNode, Graph, GraphNode } from "../core/graph.js";
import { activationValue, runFloat, roundHalfEven, sizeOf } from "../core/graph.js";
import {
  ACT_BITS, ACT_MAX, ACT_MIN, clampInt, isLinear, layerOutFrac, layerOutSize, QMODEL_FORMAT,
  type QDense, type QLayer, type QModel, type QTable, type Requant,
} from "../core/qmodel.js";

/** Largest frac with maxAbs * 2^frac <= 128: the range fills int8, saturating by < 1 step. */
export function fracForRange(maxAbs: number): number {
  if (!(maxAbs > 0)) return ACT_BITS - 1;
  return Math.floor(Math.log2(128 / maxAbs));
}

function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]!));
  return m;
}

export function bitsForBound(bound: number): number {
  // Signed width holding [-bound, bound].
  return Math.ceil(Math.log2(bound + 1)) + 1;
}

export interface QuantizeOptions {
  /** Calibration inputs, each flat with the model's input size. */
  samples: number[][];
  bits?: number;
}

/** Largest frac the values allow, never more than the accumulator has (a shift is a division). */
function outFracFor(fixed: number | undefined, maxAbsValue: number, accFrac = Infinity): number {
  return Math.min(fixed ?? fracForRange(maxAbsValue), accFrac);
}

function quantizeWeights(graph: Graph, node: DenseNode | ConvNode): { weights: number[]; wFrac: number } {
  const wFrac = node.weightQuant?.frac ?? fracForRange(maxAbs(node.weight.data));
  const weights = node.weightQuant
    ? Array.from(node.weightQuant.data)
    : Array.from(node.weight.data, (w) => clampInt(roundHalfEven(w * 2 ** wFrac), ACT_MIN, ACT_MAX));
  if (weights.some((w) => w < ACT_MIN || w > ACT_MAX)) {
    throw new ZkmlError("BAD_MODEL", `model ${graph.name}, node "${node.name}" (${node.onnxOp}): pre-quantized weights are not int8`);
  }
  return { weights, wFrac };
}

/** Worst-case accumulator bound of a linear layer: |bias| + Σ|w|·128 per output, plus rounding. */
function accumulatorBits(graph: Graph, node: GraphNode, weights: number[], bias: number[], rowLength: number, rowOf: (o: number) => number, requant: Requant | null): number {
  const inMag = 2 ** (ACT_BITS - 1);
  const rows = weights.length / rowLength;
  let bound = 0;
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let i = 0; i < rowLength; i++) s += Math.abs(weights[r * rowLength + i]!) * inMag;
    bound = Math.max(bound, s + Math.abs(bias[rowOf(r)]!));
  }
  if (requant && requant.shift > 0) bound += 2 ** (requant.shift - 1);
  if (!Number.isSafeInteger(bound) || bound >= 2 ** 200) {
    throw new ZkmlError("BAD_MODEL", `model ${graph.name}, node "${node.name}" (${node.onnxOp}): accumulator bound ${bound} is too large`);
  }
  return bitsForBound(bound);
}

/** The exact int8 table of an elementwise function for inputs at 2^-inFrac, outputs at 2^-outFrac. */
export function activationTable(fn: ActivationFn, inFrac: number, outFrac: number, element = 0): number[] {
  return Array.from({ length: 256 }, (_, k) =>
    clampInt(roundHalfEven(activationValue(fn, (k - 128) / 2 ** inFrac, element) * 2 ** outFrac), ACT_MIN, ACT_MAX));
}

/** The parameters that make element i's function differ from another's (per-element ops only). */
function elementKey(fn: ActivationFn, i: number): string | null {
  if (fn.kind === "prelu") return String(fn.slope[i]);
  if (fn.kind === "affine") return `${fn.scale[i]},${fn.shift[i]}`;
  return null;
}

function tableLayer(node: ActivationNode, size: number, inFrac: number, outFrac: number): QTable {
  const fn = node.fn;
  const base = { op: "table" as const, node: node.name, fn: fn.kind, size, inFrac, outFrac };
  if (elementKey(fn, 0) === null) return { ...base, tables: [activationTable(fn, inFrac, outFrac)] };
  // One table per distinct parameter (PRelu's slope is per channel in practice).
  const byKey = new Map<string, number>();
  const tables: number[][] = [];
  const select = Array.from({ length: size }, (_, i) => {
    const key = elementKey(fn, i)!;
    let t = byKey.get(key);
    if (t === undefined) {
      t = tables.length;
      byKey.set(key, t);
      tables.push(activationTable(fn, inFrac, outFrac, i));
    }
    return t;
  });
  return { ...base, tables, ...(tables.length > 1 && { select }) };
}

export function quantizeGraph(graph: Graph, opts: QuantizeOptions): QModel {
  const bits = opts.bits ?? ACT_BITS;
  if (bits !== ACT_BITS) {
    throw new ZkmlError("USAGE", `--bits ${bits} is not supported yet; zkml quantizes to 8 bits`);
  }
  const inSize = sizeOf(graph.input.shape);
  if (opts.samples.length === 0) throw new ZkmlError("BAD_INPUT", `model ${graph.name}: no calibration samples`);
  for (const s of opts.samples) {
    if (s.length !== inSize) {
      throw new ZkmlError("BAD_INPUT", `model ${graph.name}: calibration sample has ${s.length} values, the input "${graph.input.name}" needs ${inSize}`);
    }
  }
  const nodes = graph.nodes;
  // Float range of the input and of every node's output over the calibration set.
  const inputMax = Math.max(...opts.samples.map(maxAbs));
  const nodeMax = nodes.map(() => 0);
  for (const s of opts.samples) runFloat(graph, s).forEach((a, i) => (nodeMax[i] = Math.max(nodeMax[i]!, maxAbs(a))));

  let start = 0;
  let inputFrac = fracForRange(inputMax);
  if (nodes[0]?.op === "fixscale") {
    inputFrac = nodes[0].frac;
    start = 1;
  }
  const layers: QLayer[] = [];
  let frac = inputFrac;
  let size = inSize;
  const refuse = (node: GraphNode, why: string): never => {
    throw new ZkmlError("UNSUPPORTED_OP", `model ${graph.name}, node "${node.name}" (${node.onnxOp}): ${why}`);
  };
  for (let i = start; i < nodes.length; i++) {
    const node = nodes[i]!;
    const next = nodes[i + 1];
    switch (node.op) {
      case "dense":
      case "conv": {
        // A ReLU and/or a Q/DQ pair right after a linear layer fold into its requantization.
        let last = i;
        let relu = false;
        let fixed: number | undefined;
        if (next?.op === "activation" && next.fn.kind === "relu") {
          relu = true;
          last++;
        }
        const after = nodes[last + 1];
        if (after?.op === "fixscale") {
          fixed = after.frac;
          last++;
        }
        const { weights, wFrac } = quantizeWeights(graph, node);
        const accFrac = frac + wFrac;
        const bias = Array.from(node.bias, (b) => roundHalfEven(b * 2 ** accFrac));
        // The output layer keeps its exact accumulators unless the model asked for int8 there.
        const isLast = last === nodes.length - 1;
        const requant: Requant | null = !isLast || relu || fixed !== undefined
          ? (() => {
              const outFrac = outFracFor(fixed, nodeMax[last]!, accFrac);
              return { shift: accFrac - outFrac, outFrac, relu };
            })()
          : null;
        if (node.op === "dense") {
          const [outF, inF] = node.weight.dims as [number, number];
          const accBits = accumulatorBits(graph, node, weights, bias, inF, (o) => o, requant);
          layers.push({ op: "dense", node: node.name, inFeatures: inF, outFeatures: outF, weights, bias, inFrac: frac, wFrac, accFrac, accBits, requant });
        } else {
          const rowLength = (node.inShape[0] / node.group) * node.kernel[0] * node.kernel[1];
          const accBits = accumulatorBits(graph, node, weights, bias, rowLength, (o) => o, requant);
          const { inShape, outShape, kernel, strides, pads, group } = node;
          layers.push({ op: "conv", node: node.name, inShape, outShape, kernel, strides, pads, group, weights, bias, inFrac: frac, wFrac, accFrac, accBits, requant });
        }
        const l = layers.at(-1)!;
        frac = layerOutFrac(l);
        size = layerOutSize(l);
        i = last;
        break;
      }
      case "maxpool":
      case "avgpool": {
        const { inShape, outShape, kernel, strides, pads } = node;
        layers.push(node.op === "maxpool"
          ? { op: "maxpool", node: node.name, inShape, outShape, kernel, strides, pads, frac }
          : { op: "avgpool", node: node.name, inShape, outShape, kernel, strides, pads, countIncludePad: node.countIncludePad, frac });
        size = sizeOf(outShape);
        break;
      }
      case "select":
        layers.push({ op: "select", node: node.name, inSize: size, index: Array.from(node.index), frac });
        size = node.index.length;
        break;
      case "activation": {
        if (node.fn.kind === "relu") {
          layers.push({ op: "relu", node: node.name, size, frac });
          break;
        }
        let fixed: number | undefined;
        if (next?.op === "fixscale") {
          fixed = next.frac;
          i++;
        }
        const outFrac = outFracFor(fixed, nodeMax[i]!);
        layers.push(tableLayer(node, size, frac, outFrac));
        frac = outFrac;
        break;
      }
      case "fixscale":
        // Re-quantizing an int8 tensor to another scale is not a layer zkml has; the same scale is a no-op.
        if (node.frac !== frac) refuse(node, `a QuantizeLinear at 2^-${node.frac} on a value at 2^-${frac} must follow a Gemm/MatMul/Conv or an activation directly`);
        break;
    }
  }
  // No layers (a Flatten, a Reshape, a final Softmax) is a model too: it proves its int8 input.
  const last = layers.at(-1);
  return {
    format: QMODEL_FORMAT,
    name: graph.name,
    input: { name: graph.input.name, shape: graph.input.shape, frac: inputFrac, bits },
    layers,
    output: {
      name: graph.output.name,
      shape: graph.output.shape,
      frac,
      bits: last && isLinear(last) && !last.requant ? last.accBits : bits,
      ...(graph.outputTransform && { transform: graph.outputTransform }),
    },
  };
}

/**
 * The same model with its weights as private circuit inputs. Accumulator widths then cannot
 * come from the actual weights (the circuit must accept any int8 weights the commitment might
 * hold), so they are the worst case for int8 weights and biases of the recorded width.
 */
export async function withPrivateWeights(model: QModel, salt: bigint): Promise<QModel> {
  const other = model.layers.find((l) => l.op !== "dense");
  if (other) {
    throw new ZkmlError("UNSUPPORTED_OP", `model ${model.name}, node "${other.node}" (${other.op}): --weights private supports dense layers only for now`, "compile with --weights constants (the default)");
  }
  const dense = model.layers as QDense[];
  const inMag = 2 ** (ACT_BITS - 1);
  const biasBits = dense.map((l) => Math.max(2, bitsForBound(maxAbs(l.bias))));
  const layers = dense.map((l, i) => {
    let bound = 2 ** (biasBits[i]! - 1) + l.inFeatures * inMag * inMag;
    if (l.requant && l.requant.shift > 0) bound += 2 ** (l.requant.shift - 1);
    return { ...l, accBits: bitsForBound(bound) };
  });
  const last = layers.at(-1)!;
  const commitment = await commitWeights(salt, layers, biasBits);
  return {
    ...model,
    layers,
    output: { ...model.output, bits: last.requant ? ACT_BITS : last.accBits },
    privateWeights: { salt: salt.toString(), biasBits, commitment: commitment.toString() },
  };
}
