/**
 * Float graph → quantized model (core/qmodel.ts). Symmetric int8 with power-of-two scales:
 * weights per tensor from their own range, activations from calibration samples, biases at
 * the accumulator scale. Scales fixed by the ONNX file (Q/DQ pairs) are kept as they are.
 */
import { commitWeights } from "../core/commitment.js";
import { ZkmlError } from "../core/errors.js";
import type { DenseNode, Graph } from "../core/graph.js";
import { runFloat, roundHalfEven, sizeOf } from "../core/graph.js";
import { ACT_BITS, ACT_MAX, ACT_MIN, clampInt, QMODEL_FORMAT, type QDense, type QModel } from "../core/qmodel.js";

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

interface LayerGroup {
  dense: DenseNode;
  relu: boolean;
  fixedOutFrac?: number;
  /** Index in graph.nodes of the group's last node (whose float output calibrates it). */
  lastIndex: number;
}

function groupLayers(graph: Graph): { inputFrac?: number; groups: LayerGroup[] } {
  const groups: LayerGroup[] = [];
  let inputFrac: number | undefined;
  graph.nodes.forEach((node, i) => {
    const last = groups.at(-1);
    if (node.op === "dense") {
      groups.push({ dense: node, relu: false, lastIndex: i });
    } else if (node.op === "relu") {
      if (!last || last.lastIndex !== i - 1 || last.relu || last.fixedOutFrac !== undefined) {
        throw new ZkmlError("UNSUPPORTED_OP", `model ${graph.name}, node "${node.name}" (${node.onnxOp}): Relu is supported right after a Gemm/MatMul for now`);
      }
      last.relu = true;
      last.lastIndex = i;
    } else if (!last) {
      inputFrac = node.frac;
    } else {
      if (last.lastIndex !== i - 1) {
        throw new ZkmlError("UNSUPPORTED_OP", `model ${graph.name}, node "${node.name}" (${node.onnxOp}): a QuantizeLinear must follow a layer directly`);
      }
      last.fixedOutFrac = node.frac;
      last.lastIndex = i;
    }
  });
  return { inputFrac, groups };
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
  const { inputFrac: fixedInputFrac, groups } = groupLayers(graph);

  // Float ranges of the input and of each group's output over the calibration set.
  const inputMax = Math.max(...opts.samples.map(maxAbs));
  const groupMax = groups.map(() => 0);
  for (const s of opts.samples) {
    const acts = runFloat(graph, s);
    groups.forEach((g, gi) => (groupMax[gi] = Math.max(groupMax[gi]!, maxAbs(acts[g.lastIndex]!))));
  }

  const inputFrac = fixedInputFrac ?? fracForRange(inputMax);
  let inFrac = inputFrac;
  const layers: QDense[] = [];
  groups.forEach((g, gi) => {
    const d = g.dense;
    const [outF, inF] = d.weight.dims as [number, number];
    const wFrac = d.weightQuant?.frac ?? fracForRange(maxAbs(d.weight.data));
    const weights = d.weightQuant
      ? Array.from(d.weightQuant.data)
      : Array.from(d.weight.data, (w) => clampInt(roundHalfEven(w * 2 ** wFrac), ACT_MIN, ACT_MAX));
    if (weights.some((w) => w < ACT_MIN || w > ACT_MAX)) {
      throw new ZkmlError("BAD_MODEL", `model ${graph.name}, node "${d.name}" (${d.onnxOp}): pre-quantized weights are not int8`);
    }
    const accFrac = inFrac + wFrac;
    const bias = Array.from(d.bias, (b) => roundHalfEven(b * 2 ** accFrac));
    const isLast = gi === groups.length - 1;
    // The output layer keeps its exact accumulators unless the model asked for int8 there.
    const requant = !isLast || g.relu || g.fixedOutFrac !== undefined
      ? (() => {
          const outFrac = Math.min(g.fixedOutFrac ?? fracForRange(groupMax[gi]!), accFrac);
          return { shift: accFrac - outFrac, outFrac, relu: g.relu };
        })()
      : null;
    const inMag = 2 ** (bits - 1);
    let bound = 0;
    for (let o = 0; o < outF; o++) {
      let s = Math.abs(bias[o]!);
      for (let i = 0; i < inF; i++) s += Math.abs(weights[o * inF + i]!) * inMag;
      bound = Math.max(bound, s);
    }
    if (requant && requant.shift > 0) bound += 2 ** (requant.shift - 1);
    if (!Number.isSafeInteger(bound) || bound >= 2 ** 200) {
      throw new ZkmlError("BAD_MODEL", `model ${graph.name}, node "${d.name}" (${d.onnxOp}): accumulator bound ${bound} is too large`);
    }
    layers.push({
      op: "dense", node: d.name, inFeatures: inF, outFeatures: outF, weights, bias,
      inFrac, wFrac, accFrac, accBits: bitsForBound(bound), requant,
    });
    inFrac = requant ? requant.outFrac : accFrac;
  });

  const last = layers.at(-1)!;
  return {
    format: QMODEL_FORMAT,
    name: graph.name,
    input: { name: graph.input.name, shape: graph.input.shape, frac: inputFrac, bits },
    layers,
    output: {
      name: graph.output.name,
      shape: graph.output.shape,
      frac: inFrac,
      bits: last.requant ? bits : last.accBits,
    },
  };
}

/**
 * The same model with its weights as private circuit inputs. Accumulator widths then cannot
 * come from the actual weights (the circuit must accept any int8 weights the commitment might
 * hold), so they are the worst case for int8 weights and biases of the recorded width.
 */
export async function withPrivateWeights(model: QModel, salt: bigint): Promise<QModel> {
  const inMag = 2 ** (ACT_BITS - 1);
  const biasBits = model.layers.map((l) => Math.max(2, bitsForBound(maxAbs(l.bias))));
  const layers = model.layers.map((l, i) => {
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
