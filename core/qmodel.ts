/**
 * The quantized model: the one definition of what zkml proves. The reference interpreter here
 * is the semantics; the circuit must reproduce its outputs bit for bit.
 *
 * Numbers: int8 activations with power-of-two scales (value = q * 2^-frac), zero point 0.
 * A dense layer accumulates in exact integers, then either stays an accumulator (the model's
 * output) or is requantized: add 2^(shift-1), floor-divide by 2^shift (round half up, or half to
 * even where the ONNX file fixed the scale), optionally ReLU, clamp.
 */
import { convolve, poolWindows, roundHalfEven, sizeOf, sumOfProducts, type Window2d } from "./graph.js";
import { ZkmlError } from "./errors.js";

export const QMODEL_FORMAT = "zkml-qmodel/1";
export const ACT_BITS = 8;
export const ACT_MIN = -128;
export const ACT_MAX = 127;
/** Weights are int8 in every zkml model (also when they are private circuit inputs). */
export const WEIGHT_BITS = 8;

export interface Requant {
  shift: number;
  outFrac: number;
  relu: boolean;
  /**
   * Ties to the even quotient, as ONNX QuantizeLinear and onnxruntime's QLinear ops round. Set
   * where the model's own Q/DQ or QLinear op fixed the output scale; zkml's own scales round half
   * up (3 constraints cheaper).
   */
  halfEven?: boolean;
}

/** Every layer reads one earlier layer's output: the one before it unless `from` says otherwise. */
interface LayerBase {
  node: string;
  /** Index of the layer whose output this one reads; -1 is the circuit input. Absent: the previous layer. */
  from?: number;
}

/** What dense and conv layers share: int8 weights, exact accumulation, optional requantization. */
interface LinearParams extends LayerBase {
  /**
   * Integers, int8 unless the ONNX file's own quantization made them wider (per-channel scales
   * on one scale); dense: row-major [outFeatures][inFeatures]; conv: [outChannels][inChannels / group][kh][kw].
   */
  weights: number[];
  /** Per output feature/channel, integers at the accumulator scale. */
  bias: number[];
  inFrac: number;
  wFrac: number;
  accFrac: number;
  /** Signed bit width that holds every reachable accumulator (plus rounding constant). */
  accBits: number;
  requant: Requant | null;
}

export interface QDense extends LinearParams {
  op: "dense";
  inFeatures: number;
  outFeatures: number;
  /** Rows of the input, each through the same weights: input rows·inFeatures, output rows·outFeatures. Absent: 1. */
  rows?: number;
}

/** A convolution: a dense layer with shared weights, so the same accumulate/requantize. */
export interface QConv extends LinearParams, Window2d {
  op: "conv";
  group: number;
}

/** Max over each window of int8 values (padding excluded); the scale is unchanged. */
export interface QMaxPool extends Window2d, LayerBase {
  op: "maxpool";
  frac: number;
}

/**
 * Average over each window, rounded half up: floor((2·sum + n) / 2n), where n is the window
 * size, or the number of cells inside the image when padding does not count.
 */
export interface QAvgPool extends Window2d, LayerBase {
  op: "avgpool";
  countIncludePad: boolean;
  frac: number;
  /** Ties to even (a QDQ AveragePool: onnxruntime averages in float, QuantizeLinear rounds); else half up. */
  halfEven?: boolean;
}

/** out[i] = in[index[i]], or 0 where index[i] = -1 (Pad, Gather, Slice, Transpose): free. */
export interface QSelect extends LayerBase {
  op: "select";
  inSize: number;
  index: number[];
  frac: number;
}

/** max(x, 0) on int8 values that are not the output of a dense/conv layer (there it is fused). */
export interface QRelu extends LayerBase {
  op: "relu";
  size: number;
  frac: number;
}

/**
 * Any elementwise function of one int8 value, as an exact 256-entry table computed at compile
 * time: table[q + 128] is the int8 output for input q. `select[i]` picks element i's table
 * (PRelu has one per distinct slope); absent, every element uses table 0.
 */
export interface QTable extends LayerBase {
  op: "table";
  fn: string;
  size: number;
  inFrac: number;
  outFrac: number;
  tables: number[][];
  select?: number[];
}

/**
 * Elementwise op on two int8 tensors of one size (layers `a` and `b`; -1 is the input):
 * add/sub: acc = a·2^aShift ± b·2^bShift, both at 2^-accFrac exactly; mul: acc = a·b (one
 * constraint each). Then requantized like a linear layer (ReLU fused), or exact if last.
 */
export interface QBinary {
  op: "binary";
  fn: "add" | "sub" | "mul";
  node: string;
  a: number;
  b: number;
  size: number;
  aShift: number;
  bShift: number;
  accFrac: number;
  accBits: number;
  requant: Requant | null;
}

/**
 * MatMul of two int8 tensors (layers `a` and `b`): acc[o] = Σ_j a[aIndex[o·k + j]]·b[bIndex[o·k + j]]
 * exactly at 2^-(fa + fb) (k constraints per output), then requantized like a linear layer.
 */
export interface QMatMul {
  op: "matmul";
  node: string;
  a: number;
  b: number;
  size: number;
  k: number;
  aIndex: number[];
  bIndex: number[];
  accFrac: number;
  accBits: number;
  requant: Requant | null;
}

/**
 * int8 values moved to a coarser scale, 2^-inFrac → 2^-outFrac: requantize by
 * shift = inFrac − outFrac (round half up). Aligns the parts of a Concat.
 */
export interface QRescale extends LayerBase {
  op: "rescale";
  size: number;
  shift: number;
  inFrac: number;
  outFrac: number;
}

/**
 * Concat: part k (a layer's output, -1 the input) fills output positions dest, and constant
 * int8 values (`fill`) the rest; all at one scale. Free.
 */
export interface QConcat {
  op: "concat";
  node: string;
  parts: { from: number; dest: number[] }[];
  fill?: { dest: number[]; values: number[] };
  size: number;
  frac: number;
}

export type QLinear = QDense | QConv;
export type QLayer = QDense | QConv | QMaxPool | QAvgPool | QSelect | QRelu | QTable | QBinary | QMatMul | QRescale | QConcat;

/** A rescale's accumulator width: |x + 2^(shift-1)| < 2^(B-1) for int8 x, and shift < B - 1. */
export function rescaleBits(shift: number): number {
  return Math.max(ACT_BITS + 1, shift + 2);
}

/** The layers a layer reads (-1: the circuit input). */
export function layerSources(l: QLayer, index: number): number[] {
  return l.op === "binary" || l.op === "matmul" ? [l.a, l.b] : l.op === "concat" ? l.parts.map((p) => p.from) : [l.from ?? index - 1];
}

/** A dense or conv layer: weights times activations, then requantized. */
export function isLinear(l: QLayer): l is QLinear {
  return l.op === "dense" || l.op === "conv";
}

export function layerOutSize(l: QLayer): number {
  switch (l.op) {
    case "dense": return (l.rows ?? 1) * l.outFeatures;
    case "select": return l.index.length;
    case "relu": case "table": case "binary": case "matmul": case "rescale": case "concat": return l.size;
    default: return sizeOf(l.outShape);
  }
}

/** Scale of a layer's output values (an unrequantized linear layer keeps its accumulator scale). */
export function layerOutFrac(l: QLayer): number {
  switch (l.op) {
    case "dense": case "conv": case "binary": case "matmul": return l.requant ? l.requant.outFrac : l.accFrac;
    case "table": case "rescale": return l.outFrac;
    default: return l.frac;
  }
}

/**
 * Set when the weights are private circuit inputs (`zkml compile --weights private`) instead of
 * constants: the circuit range-checks them and exposes a salted Poseidon commitment to them.
 */
export interface PrivateWeights {
  /** Random field element (decimal) that makes the commitment hiding; secret, like the weights. */
  salt: string;
  /** Signed bits each layer's biases are range-checked to (public: part of the circuit). */
  biasBits: number[];
  /** Poseidon commitment to (salt, weights, biases): the third public signal (decimal). */
  commitment: string;
}

export interface QModel {
  format: typeof QMODEL_FORMAT;
  name: string;
  /**
   * With several graph inputs: their concatenation, and `parts` the inputs in order, each with
   * its own scale when it has `frac` (then `frac` here is the first part's).
   */
  input: { name: string; shape: number[]; frac: number; bits: number; parts?: { name: string; shape: number[]; frac?: number }[] };
  layers: QLayer[];
  /**
   * The circuit's output vector. With several graph outputs it is their concatenation, `parts`
   * each of them (its own scale and width; `frac` and `bits` here are the first part's scale and
   * the widest width) and `classPart` the one whose argmax is the proof's class (none: no class).
   */
  output: { name: string; shape: number[]; frac: number; bits: number; transform?: "softmax" | "argmax"; parts?: OutputPart[]; classPart?: number };
  privateWeights?: PrivateWeights;
}

/** One graph output inside the circuit's output vector: values [offset, offset + size). */
export interface OutputPart {
  name: string;
  shape: number[];
  frac: number;
  /** Signed width of its values (8, or an unrequantized accumulator's). */
  bits: number;
  offset: number;
  size: number;
  transform?: "softmax" | "argmax";
}

/** The model's outputs as parts: one covering the whole vector for a single-output model. */
export function outputParts(model: QModel): OutputPart[] {
  const o = model.output;
  return o.parts ?? [{ name: o.name, shape: o.shape, frac: o.frac, bits: o.bits, offset: 0, size: sizeOf(o.shape), ...(o.transform && { transform: o.transform }) }];
}

/** Where the proof's class is taken from in the output vector, or undefined (NO_CLASS). */
export function classRange(model: QModel): { offset: number; size: number } | undefined {
  const o = model.output;
  if (o.parts) {
    const p = o.classPart === undefined ? undefined : o.parts[o.classPart];
    return p && p.size <= MAX_CLASSES ? { offset: p.offset, size: p.size } : undefined;
  }
  const size = sizeOf(o.shape);
  return size <= MAX_CLASSES ? { offset: 0, size } : undefined;
}

/**
 * The class a proof of this model carries for these output values: the argmax of the class
 * output (the whole vector for a single-output model, see provenClass), or NO_CLASS.
 */
export function modelClass(model: QModel, values: readonly number[]): number {
  if (!model.output.parts) return provenClass(values);
  const r = classRange(model);
  return r ? argmax(values.slice(r.offset, r.offset + r.size)) : NO_CLASS;
}

/** Each graph output's values by name, as a proof file reports them. */
export function outputValues(model: QModel, values: readonly number[]): NamedOutput[] {
  return outputParts(model).map((p) => {
    const v = values.slice(p.offset, p.offset + p.size);
    return { name: p.name, shape: p.shape, frac: p.frac, values: v, dequantized: dequantize(v, p.frac) };
  });
}

export interface NamedOutput {
  name: string;
  shape: number[];
  frac: number;
  values: number[];
  dequantized: number[];
}

/** The output values as floats, each part at its own scale. */
export function dequantizeOutput(model: QModel, values: readonly number[]): number[] {
  return outputParts(model).flatMap((p) => dequantize(values.slice(p.offset, p.offset + p.size), p.frac));
}

export function clampInt(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** Float input → int8 at the model's input scale. Rejects NaN and infinities. */
export function quantizeInput(model: QModel, values: readonly number[]): number[] {
  const expected = sizeOf(model.input.shape);
  if (values.length !== expected) {
    throw new ZkmlError(
      "BAD_INPUT",
      `model ${model.name}: input "${model.input.name}" needs ${expected} values (shape [${model.input.shape}]), got ${values.length}`,
      "pass {\"input\": [...]} with the model's input shape, nested or flat",
    );
  }
  const fracs = inputFracs(model);
  return values.map((v, i) => {
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new ZkmlError("BAD_INPUT", `model ${model.name}: input value #${i} is ${String(v)}, not a finite number`);
    }
    return clampInt(roundHalfEven(v * 2 ** fracs[i]!), ACT_MIN, ACT_MAX);
  });
}

/** The shape of each graph input, in graph order (what a nested input file must match). */
export function inputShapes(model: QModel): number[][] {
  return model.input.parts ? model.input.parts.map((p) => p.shape) : [model.input.shape];
}

/** The scale (frac) of every input value: one for all, or one per graph input. */
export function inputFracs(model: QModel): number[] {
  const parts = model.input.parts;
  if (!parts || parts.every((p) => p.frac === undefined)) return new Array<number>(sizeOf(model.input.shape)).fill(model.input.frac);
  return parts.flatMap((p) => new Array<number>(sizeOf(p.shape)).fill(p.frac ?? model.input.frac));
}

/** Accumulator of one dense layer for one input vector, exactly. */
export function denseAccumulators(layer: QDense, x: readonly number[]): number[] {
  const { inFeatures: inF, outFeatures: outF } = layer;
  const rows = layer.rows ?? 1;
  const acc = new Array<number>(rows * outF);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outF; o++) {
      let s = layer.bias[o]!;
      const row = o * inF;
      for (let i = 0; i < inF; i++) s += layer.weights[row + i]! * x[r * inF + i]!;
      acc[r * outF + o] = s;
    }
  }
  return acc;
}

/** Divisor of each average-pool output. */
export function avgPoolDivisors(l: QAvgPool): number[] {
  const { cells, windowSize } = poolWindows(l);
  return cells.map((cs) => (l.countIncludePad ? windowSize : cs.length));
}

/** Average of int8 values, rounded half up: floor((2·sum + n) / 2n). */
/** sum / n rounded half up, or with halfEven ties to the even neighbour. */
export function roundedAverage(sum: number, n: number, halfEven = false): number {
  const q = Math.floor((2 * sum + n) / (2 * n));
  const tie = (2 * sum + n) % (2 * n) === 0;
  return halfEven && tie && q % 2 !== 0 ? q - 1 : q;
}

/** Output of one layer, exactly, from the outputs of its sources (layerSources) in order. */
export function runLayer(layer: QLayer, x: readonly number[], ...others: (readonly number[])[]): number[] {
  const y = others[0] ?? [];
  switch (layer.op) {
    case "rescale":
      return x.map((v) => requantize(v, { shift: layer.shift, outFrac: layer.outFrac, relu: false }));
    case "matmul": {
      const acc = sumOfProducts(x, y, layer);
      const r = layer.requant;
      return r ? acc.map((a) => requantize(a, r)) : acc;
    }
    case "concat": {
      const out = new Array<number>(layer.size).fill(0);
      layer.fill?.dest.forEach((d, j) => (out[d] = layer.fill!.values[j]!));
      [x, ...others].forEach((part, k) => layer.parts[k]!.dest.forEach((d, j) => (out[d] = part[j]!)));
      return out;
    }
    case "binary": {
      const [sa, sb] = [2 ** layer.aShift, 2 ** layer.bShift];
      const acc = x.map((v, i) => (layer.fn === "add" ? v * sa + y[i]! * sb : layer.fn === "sub" ? v * sa - y[i]! * sb : v * y[i]!));
      const r = layer.requant;
      return r ? acc.map((a) => requantize(a, r)) : acc;
    }
    case "dense":
    case "conv": {
      const acc = layer.op === "dense" ? denseAccumulators(layer, x) : convolve(layer, layer.weights, layer.bias, x);
      const r = layer.requant;
      return r ? acc.map((a) => requantize(a, r)) : acc;
    }
    case "maxpool":
      return poolWindows(layer).cells.map((cs) => Math.max(...cs.map((i) => x[i]!)));
    case "avgpool": {
      const divisors = avgPoolDivisors(layer);
      return poolWindows(layer).cells.map((cs, o) => roundedAverage(cs.reduce((s, i) => s + x[i]!, 0), divisors[o]!, layer.halfEven));
    }
    case "select":
      return layer.index.map((i) => (i < 0 ? 0 : x[i]!));
    case "relu":
      return x.map((v) => (v > 0 ? v : 0));
    case "table":
      return x.map((v, i) => layer.tables[layer.select?.[i] ?? 0]![v + 128]!);
  }
}

export function requantize(acc: number, r: Requant): number {
  const rounded = r.shift > 0 ? acc + 2 ** (r.shift - 1) : acc;
  let q = Math.floor(rounded / 2 ** r.shift);
  const tie = r.shift > 0 && rounded - q * 2 ** r.shift === 0;
  if (r.halfEven && tie && q % 2 !== 0) q -= 1;
  return clampInt(q, r.relu ? 0 : ACT_MIN, ACT_MAX);
}

export interface ReferenceRun {
  /** int8 input as fed to the circuit. */
  input: number[];
  /** Output of every layer, in order; the last is the model output. */
  layers: number[][];
  output: number[];
  /** First index of the maximum output. */
  argmax: number;
}

/** The reference interpreter: int8 input → exact integer outputs. */
export function runReference(model: QModel, qInput: readonly number[]): ReferenceRun {
  let x = [...qInput];
  const layers: number[][] = [];
  const outputOf = (k: number) => (k < 0 ? qInput : layers[k]!);
  model.layers.forEach((layer, i) => {
    const [a, ...others] = layerSources(layer, i).map(outputOf);
    x = runLayer(layer, a!, ...others);
    layers.push(x);
  });
  return { input: [...qInput], layers, output: x, argmax: argmax(x) };
}

/**
 * The class a proof carries in classContext's low byte: the argmax, for outputs of at most 255
 * values. Larger outputs (an embedding, a 1,000-way vector) prove no class: the byte is
 * NO_CLASS (255), which no argmax of a provable class output can be, so "no class" cannot be
 * read as class 0 on-chain. Their values travel in the commitment, revealed off-chain.
 */
export const NO_CLASS = 255;
export const MAX_CLASSES = 255;
export function provenClass(values: readonly number[]): number {
  return values.length > MAX_CLASSES ? NO_CLASS : argmax(values);
}

export function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** Integers at scale 2^-frac as floats: v · 2^-frac. */
export function dequantize(values: readonly number[], frac: number): number[] {
  return values.map((v) => v / 2 ** frac);
}

/** The layers of a model that must be all dense (private weights support nothing else yet). */
export function denseLayers(model: QModel): QDense[] {
  return model.layers.map((l) => {
    if (l.op !== "dense") throw new ZkmlError("BAD_MODEL", `model ${model.name}, node "${l.node}" (${l.op}): expected only dense layers here`);
    return l;
  });
}

/** ", requant >>k (ties to even) + relu → int8 at 2^-f", or ", output exact". */
export function requantText(r: Requant | null): string {
  return r ? `, requant >>${r.shift}${r.halfEven ? " (ties to even)" : ""}${r.relu ? " + relu" : ""} → int8 at 2^-${r.outFrac}` : ", output exact";
}

/** One line per layer for people: what it computes and at which scales. */
export function describeLayer(l: QLayer): string {
  const linear = (what: string, r: QLinear) =>
    `${what}, weights 2^-${r.wFrac}, acc 2^-${r.accFrac} (${r.accBits} bits)` +
    requantText(r.requant);
  switch (l.op) {
    case "dense": return linear(`dense ${l.rows ? `${l.rows} rows × ` : ""}${l.inFeatures}→${l.outFeatures}`, l);
    case "conv": return linear(`conv [${l.inShape}]→[${l.outShape}] kernel ${l.kernel.join("x")} stride ${l.strides.join(",")} group ${l.group}`, l);
    case "maxpool": case "avgpool": return `${l.op} [${l.inShape}]→[${l.outShape}] kernel ${l.kernel.join("x")} stride ${l.strides.join(",")}${l.op === "avgpool" && l.halfEven ? " (ties to even)" : ""}`;
    case "select": return `rearrange ${l.inSize}→${l.index.length} values (free)`;
    case "matmul": return `matmul of layers ${l.a < 0 ? "input" : l.a} and ${l.b < 0 ? "input" : l.b} (${l.size} values, ${l.k} products each), acc 2^-${l.accFrac} (${l.accBits} bits)${requantText(l.requant)}`;
    case "rescale": return `rescale ${l.size} values 2^-${l.inFrac} → 2^-${l.outFrac} (requant >>${l.shift})`;
    case "concat": return `concat of ${l.parts.map((p) => (p.from < 0 ? "input" : `layer ${p.from}`)).join(", ")} → ${l.size} values (free)`;
    case "relu": return `relu on ${l.size} values`;
    case "table": return `${l.fn} on ${l.size} values: ${l.tables.length} exact table(s), 2^-${l.inFrac} → 2^-${l.outFrac}`;
    case "binary": return `${l.fn} of layers ${l.a < 0 ? "input" : l.a} and ${l.b < 0 ? "input" : l.b} (${l.size} values), acc 2^-${l.accFrac} (${l.accBits} bits)` +
      requantText(l.requant);
  }
}
