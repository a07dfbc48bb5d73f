/**
 * Float graph → quantized model (core/qmodel.ts). Symmetric int8 with power-of-two scales:
 * weights per tensor from their own range, activations from calibration samples, biases at
 * the accumulator scale. Scales fixed by the ONNX file (Q/DQ pairs) are kept as they are.
 */
import { commitWeights } from "../core/commitment.js";
import { ZkmlError } from "../core/errors.js";
import { LIMITS } from "../core/limits.js";
import type { ActivationFn, ActivationNode, ConcatNode, ConvNode, DenseNode, FixScaleNode, Graph, GraphNode } from "../core/graph.js";
import { activationValue, nodeInputs, readers, runFloat, roundHalfEven, sizeOf } from "../core/graph.js";
import {
  ACT_BITS, ACT_MAX, ACT_MIN, clampInt, isLinear, layerOutFrac, layerOutSize, MAX_CLASSES, QMODEL_FORMAT,
  type OutputPart, type QConcat, type QDense, type QLayer, type QModel, type QTable, type Requant,
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
  // Signed width holding [-bound, bound]: B - 1 magnitude bits, 2^(B-1) > bound. Counted on the
  // integer's bits, not with log2, whose rounding made 2^49..2^52 one bit short.
  if (!Number.isFinite(bound) || bound < 0 || bound > Number.MAX_SAFE_INTEGER) throw new RangeError(`bound ${bound} is not a safe non-negative integer`);
  const b = Math.ceil(bound);
  return (b === 0 ? 0 : b.toString(2).length) + 1;
}

export interface QuantizeOptions {
  /** Calibration inputs, each flat with the model's input size. */
  samples: number[][];
  bits?: number;
  /**
   * With several graph outputs: the one whose argmax is the proof's class. Default: the only
   * one that ended in ArgMax or Softmax, else the first of at most 255 values, else none.
   */
  classOutput?: string;
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
  // Pre-quantized weights may be wider than int8 (per-channel scales put on one scale, or
  // MatMulInteger's weights times the input scale): as circuit constants that costs only
  // accumulator bits, which accumulatorBits() bounds.
  return { weights, wFrac };
}

/** Worst-case accumulator bound of a linear layer: |bias| + Σ|w|·128 per output, plus rounding. */
function accumulatorBits(graph: Graph, node: GraphNode, weights: number[], bias: number[], rowLength: number, requant: Requant | null): number {
  const inMag = 2 ** (ACT_BITS - 1);
  const rows = weights.length / rowLength;
  let bound = 0;
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let i = 0; i < rowLength; i++) s += Math.abs(weights[r * rowLength + i]!) * inMag;
    bound = Math.max(bound, s + Math.abs(bias[r]!));
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

/**
 * Multiply-adds and element moves of one float inference: what calibration and the circuit's
 * linear combinations grow with. Refused over the limit before any of it is computed, so a
 * hostile graph of small tensors with huge windows cannot run for hours.
 */
export function graphWork(graph: Graph): { work: number; constraints: number } {
  let work = 0;
  let constraints = 0;
  for (const n of graph.nodes) {
    switch (n.op) {
      case "dense":
        work += n.weight.data.length * (n.rows ?? 1);
        constraints += (n.weight.dims[0] ?? 1) * (n.rows ?? 1) * 32;
        break;
      case "conv": {
        const out = sizeOf(n.outShape);
        work += out * (n.weight.data.length / n.outShape[0]);
        constraints += out * 32;
        break;
      }
      case "maxpool":
      case "avgpool": {
        const cells = sizeOf(n.outShape) * n.kernel[0] * n.kernel[1];
        work += cells;
        constraints += cells * 12;
        break;
      }
      case "matmul":
        work += n.aIndex.length;
        constraints += n.aIndex.length + (n.aIndex.length / n.k) * 32;
        break;
      case "select":
        work += n.index.length; // free in the circuit, not in calibration's memory
        break;
      case "concat":
      case "fixscale":
        work += 1;
        break;
      case "activation":
      case "binary":
        work += 1;
        constraints += 64;
        break;
      default:
        n satisfies never;
    }
  }
  return { work, constraints };
}

function checkGraphWork(graph: Graph): void {
  const { work, constraints } = graphWork(graph);
  if (work > LIMITS.multiplyAdds) {
    throw new ZkmlError("BAD_MODEL", `model ${graph.name}: one inference takes about ${work.toExponential(2)} multiply-adds, over zkml's limit of ${LIMITS.multiplyAdds} (2^26)`);
  }
  if (constraints > LIMITS.estimatedConstraints) {
    throw new ZkmlError("BAD_MODEL", `model ${graph.name}: its circuit would need about ${constraints.toExponential(2)} constraints, over zkml's limit of ${LIMITS.estimatedConstraints} (2^23)`);
  }
}

/**
 * The float graph as an int8 model with power-of-two scales, chosen from the calibration
 * samples' ranges; `runReference` on the result is what the circuit computes, bit for bit.
 */
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
  checkGraphWork(graph);
  const nodes = graph.nodes;
  // Float range of the input and of every node's output over the calibration set.
  const inputMax = Math.max(...opts.samples.map(maxAbs));
  const nodeMax = nodes.map(() => 0);
  for (const s of opts.samples) runFloat(graph, s).forEach((a, i) => (nodeMax[i] = Math.max(nodeMax[i]!, maxAbs(a))));

  const reads = readers(graph);
  /** The node that is the only reader of a tensor, or -1. */
  const soleReader = (name: string): number =>
    reads.get(name) === 1 ? nodes.findIndex((n) => nodeInputs(n).includes(name)) : -1;
  const consumed = new Set<number>();
  let inputFrac = fracForRange(inputMax);
  const first = soleReader(graph.input.name);
  if (first >= 0 && nodes[first]!.op === "fixscale") {
    inputFrac = (nodes[first] as FixScaleNode).frac;
    consumed.add(first);
  }
  // Several graph inputs (an image and a few numbers, say) each get a scale of their own: their
  // own range, or their own QuantizeLinear. The circuit input is their concatenation.
  const partFrac = new Map<string, number>();
  let offset = 0;
  for (const p of graph.inputs ?? []) {
    const size = sizeOf(p.shape);
    const q = soleReader(p.name);
    const fixedPart = q >= 0 && nodes[q]!.op === "fixscale" ? (nodes[q] as FixScaleNode).frac : undefined;
    partFrac.set(p.name, fixedPart ?? fracForRange(Math.max(...opts.samples.map((s) => maxAbs(s.slice(offset, offset + size))))));
    offset += size;
  }
  if (graph.inputs) inputFrac = partFrac.get(graph.inputs[0]!.name)!;
  // Where each tensor's integers live: a layer's output (-1: the circuit input), their scale and size.
  const tensors = new Map<string, { layer: number; frac: number; size: number }>([[graph.input.name, { layer: -1, frac: inputFrac, size: inSize }]]);
  for (const i of consumed) tensors.set(nodes[i]!.output, tensors.get(graph.input.name)!);
  const layers: QLayer[] = [];
  const refuse = (node: GraphNode, why: string): never => {
    throw new ZkmlError("UNSUPPORTED_OP", `model ${graph.name}, node "${node.name}" (${node.onnxOp}): ${why}`);
  };
  /** `from` is stored only when a layer does not read the layer just before it (chains stay as they were). */
  const fromField = (layer: number) => (layer === layers.length - 1 ? {} : { from: layer });
  /**
   * A ReLU (when the layer can fuse one) and/or a Q/DQ pair that alone read a layer's output
   * fold into it: the ReLU into the requantization (before or after the Q/DQ pair: rounding
   * is monotone and keeps 0), the Q/DQ pair as its output scale.
   */
  const absorb = (i: number, fuseRelu: boolean): { last: number; relu: boolean; fixed?: number } => {
    let last = i;
    let relu = false;
    let fixed: number | undefined;
    // At most one of each, in either order (QLinearConv → Relu puts the ReLU after the pair).
    for (;;) {
      const r = soleReader(nodes[last]!.output);
      const rn = nodes[r];
      if (fuseRelu && !relu && rn?.op === "activation" && rn.fn.kind === "relu") relu = true;
      else if (fixed === undefined && rn?.op === "fixscale") fixed = rn.frac;
      else break;
      consumed.add(r);
      last = r;
    }
    return { last, relu, fixed };
  };
  // A layer whose result is a graph output and nothing else keeps its exact accumulators,
  // unless the model asked for int8 there: with one output, the last node; with several, a node
  // only the joining node reads.
  const joinsOutputs = nodes.at(-1)?.op === "concat" && (nodes.at(-1) as ConcatNode).joinsOutputs === true;
  const outputOnly = (i: number) => i === nodes.length - 1 || (joinsOutputs && soleReader(nodes[i]!.output) === nodes.length - 1);
  const requantFor = (last: number, relu: boolean, fixed: number | undefined, accFrac: number): Requant | null => {
    if (outputOnly(last) && !relu && fixed === undefined) return null;
    const outFrac = outFracFor(fixed, nodeMax[last]!, accFrac);
    // A scale the ONNX file fixed comes with ONNX's rounding (half to even), so the circuit
    // equals onnxruntime bit for bit there.
    return { shift: accFrac - outFrac, outFrac, relu, ...(fixed !== undefined && { halfEven: true }) };
  };
  const produce = (i: number, layer: QLayer) => {
    layers.push(layer);
    tensors.set(nodes[i]!.output, { layer: layers.length - 1, frac: layerOutFrac(layer), size: layerOutSize(layer) });
  };
  for (let i = 0; i < nodes.length; i++) {
    if (consumed.has(i)) continue;
    const node = nodes[i]!;
    const src = tensors.get(node.input);
    if (!src) refuse(node, `reads "${node.input}", which no earlier node computes`);
    const { frac, size, layer: from } = src!;
    switch (node.op) {
      case "dense":
      case "conv": {
        const { last, relu, fixed } = absorb(i, true);
        const { weights, wFrac } = quantizeWeights(graph, node);
        const accFrac = frac + wFrac;
        const bias = Array.from(node.bias, (b) => roundHalfEven(b * 2 ** accFrac));
        const requant = requantFor(last, relu, fixed, accFrac);
        let layer: QLayer;
        if (node.op === "dense") {
          const [outF, inF] = node.weight.dims as [number, number];
          const accBits = accumulatorBits(graph, node, weights, bias, inF, requant);
          layer = {
            op: "dense", node: node.name, ...fromField(from), inFeatures: inF, outFeatures: outF, ...(node.rows && node.rows > 1 && { rows: node.rows }),
            weights, bias, inFrac: frac, wFrac, accFrac, accBits, requant,
          };
        } else {
          const rowLength = (node.inShape[0] / node.group) * node.kernel[0] * node.kernel[1];
          const accBits = accumulatorBits(graph, node, weights, bias, rowLength, requant);
          const { inShape, outShape, kernel, strides, pads, group } = node;
          layer = { op: "conv", node: node.name, ...fromField(from), inShape, outShape, kernel, strides, pads, group, weights, bias, inFrac: frac, wFrac, accFrac, accBits, requant };
        }
        produce(last, layer);
        break;
      }
      case "binary": {
        const other = tensors.get(node.input2);
        if (!other) refuse(node, `reads "${node.input2}", which no earlier node computes`);
        const { last, relu, fixed } = absorb(i, true);
        // Add/Sub align both operands to the finer scale (exact shifts); Mul multiplies scales.
        const accFrac = node.fn === "mul" ? frac + other!.frac : Math.max(frac, other!.frac);
        const aShift = node.fn === "mul" ? 0 : accFrac - frac;
        const bShift = node.fn === "mul" ? 0 : accFrac - other!.frac;
        const requant = requantFor(last, relu, fixed, accFrac);
        const inMag = 2 ** (ACT_BITS - 1);
        let bound = node.fn === "mul" ? inMag * inMag : inMag * 2 ** aShift + inMag * 2 ** bShift;
        if (requant && requant.shift > 0) bound += 2 ** (requant.shift - 1);
        produce(last, {
          op: "binary", fn: node.fn, node: node.name, a: from, b: other!.layer, size,
          aShift, bShift, accFrac, accBits: bitsForBound(bound), requant,
        });
        break;
      }
      case "maxpool":
      case "avgpool": {
        const { inShape, outShape, kernel, strides, pads } = node;
        if (node.op === "maxpool") {
          produce(i, { op: "maxpool", node: node.name, ...fromField(from), inShape, outShape, kernel, strides, pads, frac });
          break;
        }
        // A QDQ AveragePool (a Q/DQ pair right after it): ONNX rounds the average half to even,
        // and so does the layer then. The average stays at its input's scale.
        const { last, fixed } = absorb(i, false);
        if (fixed !== undefined && fixed !== frac) refuse(node, `a QuantizeLinear at 2^-${fixed} after an average at 2^-${frac}: the average keeps its input's scale`);
        produce(last, {
          op: "avgpool", node: node.name, ...fromField(from), inShape, outShape, kernel, strides, pads, countIncludePad: node.countIncludePad, frac,
          ...(fixed !== undefined && { halfEven: true }),
        });
        break;
      }
      case "select":
        produce(i, { op: "select", node: node.name, ...fromField(from), inSize: size, index: Array.from(node.index), frac: (from < 0 ? partFrac.get(node.output) : undefined) ?? frac });
        break;
      case "matmul": {
        const other = tensors.get(node.input2);
        if (!other) refuse(node, `reads "${node.input2}", which no earlier node computes`);
        const { last, relu, fixed } = absorb(i, true);
        const accFrac = frac + other!.frac;
        const requant = requantFor(last, relu, fixed, accFrac);
        let bound = node.k * 2 ** (2 * (ACT_BITS - 1));
        if (requant && requant.shift > 0) bound += 2 ** (requant.shift - 1);
        produce(last, {
          op: "matmul", node: node.name, a: from, b: other!.layer, size: node.aIndex.length / node.k, k: node.k,
          aIndex: Array.from(node.aIndex), bIndex: Array.from(node.bIndex), accFrac, accBits: bitsForBound(bound), requant,
        });
        break;
      }
      case "concat": {
        if (node.joinsOutputs) {
          // The circuit's output vector: the outputs side by side, each at its own scale (free).
          const sources = node.inputs.map((name) => tensors.get(name) ?? refuse(node, `reads "${name}", which no earlier node computes`));
          produce(i, { op: "concat", node: node.name, parts: sources.map((p, k) => ({ from: p.layer, dest: Array.from(node.dest[k]!) })), size: node.size, frac: sources[0]!.frac });
          break;
        }
        // The parts join on the coarsest of their scales: finer ones are rescaled (rounded),
        // which never saturates; parts already there cost nothing.
        const parts = node.inputs.map((name) => {
          const t = tensors.get(name);
          if (!t) refuse(node, `reads "${name}", which no earlier node computes`);
          return t!;
        });
        // Constant parts must fit too: they are int8 at the same scale.
        const outFrac = Math.min(...parts.map((p) => p.frac), ...(node.fill ? [fracForRange(maxAbs(node.fill.values))] : []));
        const sources = parts.map((p, k) => {
          if (p.frac === outFrac) return p.layer;
          layers.push({ op: "rescale", node: `${node.name}/rescale ${k}`, ...fromField(p.layer), size: p.size, shift: p.frac - outFrac, inFrac: p.frac, outFrac });
          return layers.length - 1;
        });
        const fill = node.fill && {
          dest: Array.from(node.fill.dest),
          values: Array.from(node.fill.values, (v) => clampInt(roundHalfEven(v * 2 ** outFrac), ACT_MIN, ACT_MAX)),
        };
        produce(i, { op: "concat", node: node.name, parts: sources.map((from, k) => ({ from, dest: Array.from(node.dest[k]!) })), ...(fill && { fill }), size: node.size, frac: outFrac });
        break;
      }
      case "activation": {
        if (node.fn.kind === "relu") {
          produce(i, { op: "relu", node: node.name, ...fromField(from), size, frac });
          break;
        }
        const { last, fixed } = absorb(i, false);
        const outFrac = outFracFor(fixed, nodeMax[last]!);
        produce(last, { ...tableLayer(node, size, frac, outFrac), ...fromField(from) });
        break;
      }
      case "fixscale":
        // Re-quantizing an int8 tensor to another scale is not a layer zkml has; the same scale is a no-op.
        if (node.frac !== frac) refuse(node, `a QuantizeLinear at 2^-${node.frac} on a value at 2^-${frac} must follow a Gemm/MatMul/Conv or an activation directly`);
        tensors.set(node.output, src!);
        break;
    }
  }
  const outputTensor = nodes.at(-1)?.output ?? graph.input.name;
  const produced = tensors.get(outputTensor)!;
  if (produced.layer !== layers.length - 1) {
    throw new ZkmlError("BAD_MODEL", `model ${graph.name}: the output "${graph.output.name}" is not the last layer computed (nodes whose results nothing reads?)`);
  }
  const frac = produced.frac;
  // No layers (a Flatten, a Reshape, a final Softmax) is a model too: it proves its int8 input.
  const last = layers.at(-1);
  const widthOf = (layer: number) => {
    const l = layers[layer];
    return l && (isLinear(l) || l.op === "binary" || l.op === "matmul") && !l.requant ? l.accBits : bits;
  };
  if (graph.outputs) {
    const join = last as QConcat;
    const parts: OutputPart[] = graph.outputs.map((o, k) => {
      const from = join.parts[k]!.from;
      const size = sizeOf(o.shape);
      return {
        name: o.name, shape: o.shape, frac: from < 0 ? inputFrac : layerOutFrac(layers[from]!), bits: from < 0 ? bits : widthOf(from),
        offset: join.parts[k]!.dest[0] ?? 0, size, ...(o.transform && { transform: o.transform }),
      };
    });
    const classPart = chooseClassPart(graph, parts, opts.classOutput);
    return {
      format: QMODEL_FORMAT,
      name: graph.name,
      input: { name: graph.input.name, shape: graph.input.shape, frac: inputFrac, bits, ...(graph.inputs && { parts: graph.inputs.map((p) => ({ ...p, frac: partFrac.get(p.name)! })) }) },
      layers,
      output: { name: graph.output.name, shape: graph.output.shape, frac: parts[0]!.frac, bits: Math.max(...parts.map((p) => p.bits)), parts, ...(classPart !== undefined && { classPart }) },
    };
  }
  if (opts.classOutput !== undefined && opts.classOutput !== graph.output.name) {
    throw new ZkmlError("USAGE", `model ${graph.name}: --class-output ${opts.classOutput}: the graph's one output is "${graph.output.name}"`);
  }
  return {
    format: QMODEL_FORMAT,
    name: graph.name,
    input: { name: graph.input.name, shape: graph.input.shape, frac: inputFrac, bits, ...(graph.inputs && { parts: graph.inputs.map((p) => ({ ...p, frac: partFrac.get(p.name)! })) }) },
    layers,
    output: {
      name: graph.output.name,
      shape: graph.output.shape,
      frac,
      bits: last ? widthOf(layers.length - 1) : bits,
      ...(graph.outputTransform && { transform: graph.outputTransform }),
    },
  };
}

/** The output part whose argmax is the class (QuantizeOptions.classOutput), or none. */
function chooseClassPart(graph: Graph, parts: readonly OutputPart[], named: string | undefined): number | undefined {
  if (named !== undefined) {
    const k = parts.findIndex((p) => p.name === named);
    if (k < 0) throw new ZkmlError("USAGE", `model ${graph.name}: --class-output ${named} is not a graph output (${parts.map((p) => p.name).join(", ")})`);
    if (parts[k]!.size > MAX_CLASSES) throw new ZkmlError("USAGE", `model ${graph.name}: output "${named}" has ${parts[k]!.size} values; a class output has at most ${MAX_CLASSES}`);
    return k;
  }
  const transformed = parts.flatMap((p, k) => (p.transform ? [k] : []));
  if (transformed.length === 1 && parts[transformed[0]!]!.size <= MAX_CLASSES) return transformed[0];
  const small = parts.findIndex((p) => p.size <= MAX_CLASSES);
  return small < 0 ? undefined : small;
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
  const rows = dense.find((l) => (l.rows ?? 1) > 1);
  if (rows) {
    throw new ZkmlError("UNSUPPORTED_OP", `model ${model.name}, node "${rows.node}": a MatMul over ${rows.rows} rows is not supported with --weights private yet`, "compile with --weights constants (the default)");
  }
  const wide = dense.find((l) => l.weights.some((w) => w < ACT_MIN || w > ACT_MAX));
  if (wide) {
    throw new ZkmlError("UNSUPPORTED_OP", `model ${model.name}, node "${wide.node}": its pre-quantized weights do not fit int8 (per-channel scales on one scale), which --weights private range-checks`, "compile with --weights constants (the default)");
  }
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
