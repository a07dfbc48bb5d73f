/**
 * The quantized model: the one definition of what zkml proves. The reference interpreter here
 * is the semantics; the circuit must reproduce its outputs bit for bit.
 *
 * Numbers: int8 activations with power-of-two scales (value = q * 2^-frac), zero point 0.
 * A dense layer accumulates in exact integers, then either stays an accumulator (the model's
 * output) or is requantized: add 2^(shift-1), floor-divide by 2^shift (round half up, or half to
 * even where the ONNX file fixed the scale), optionally ReLU, clamp.
 */
import { ZkmlError } from "./errors.js";
import { ACT_MAX, ACT_MIN, quantizeValue, sizeOf } from "./ir.js";
import { runLayer, layerSources, type QLayer } from "./ops/index.js";
import type { QConv } from "./ops/conv.js";
import type { QDense } from "./ops/dense.js";
import type { Visibility } from "./statement.js";

export const QMODEL_FORMAT = "zkml-qmodel/1";
export type QLinear = QDense | QConv;

/** A dense or conv layer: weights times activations, then requantized. */
export function isLinear(l: QLayer): l is QLinear {
  return l.op === "dense" || l.op === "conv";
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
  input: {
    name: string;
    shape: number[];
    frac: number;
    bits: number;
    parts?: { name: string; shape: number[]; frac?: number }[];
    /**
     * The input's domain is [0, 2^(bits-1)) instead of the signed range (every calibration value
     * was ≥ 0, or compile was told so): the circuit range-checks one bit fewer per value, and
     * quantization clamps a negative value to 0. Part of the statement and of the model id.
     */
    nonNegative?: true;
    /** How the input appears in the proof's public statement (absent: private; core/statement.ts). */
    visibility?: Visibility;
  };
  layers: QLayer[];
  /**
   * The circuit's output vector. With several graph outputs it is their concatenation, `parts`
   * each of them (its own scale and width; `frac` and `bits` here are the first part's scale and
   * the widest width) and `classPart` the one whose argmax is the proof's class (none: no class).
   */
  output: {
    name: string;
    shape: number[];
    frac: number;
    bits: number;
    transform?: "softmax" | "argmax";
    parts?: OutputPart[];
    classPart?: number;
    /** How the output appears in the proof's public statement (absent: private; core/statement.ts). */
    visibility?: Visibility;
  };
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
  return (
    o.parts ?? [{ name: o.name, shape: o.shape, frac: o.frac, bits: o.bits, offset: 0, size: sizeOf(o.shape), ...(o.transform && { transform: o.transform }) }]
  );
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

/** Float input → int8 at the model's input scale (clamped at 0 for a non-negative input). Rejects NaN and infinities. */
export function quantizeInput(model: QModel, values: readonly number[]): number[] {
  const expected = sizeOf(model.input.shape);
  if (values.length !== expected) {
    throw new ZkmlError(
      "BAD_INPUT",
      `model ${model.name}: input "${model.input.name}" needs ${expected} values (shape [${model.input.shape}]), got ${values.length}`,
      'pass {"input": [...]} with the model\'s input shape, nested or flat',
    );
  }
  const fracs = inputFracs(model);
  return values.map((v, i) => {
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new ZkmlError("BAD_INPUT", `model ${model.name}: input value #${i} is ${String(v)}, not a finite number`);
    }
    const q = quantizeValue(v, fracs[i]!);
    return model.input.nonNegative && q < 0 ? 0 : q;
  });
}

/**
 * An input already quantized (by a contract, or read from a proof file): the right count, and
 * every value an integer in the input's domain ([-128, 127], or [0, 127] when non-negative).
 */
export function checkQuantizedInput(model: QModel, q: readonly number[]): void {
  const expected = sizeOf(model.input.shape);
  if (q.length !== expected) {
    throw new ZkmlError("BAD_INPUT", `model ${model.name}: input "${model.input.name}" needs ${expected} quantized values, got ${q.length}`);
  }
  const lo = model.input.nonNegative ? 0 : ACT_MIN;
  const bad = q.findIndex((v) => !Number.isInteger(v) || v < lo || v > ACT_MAX);
  if (bad >= 0) {
    throw new ZkmlError(
      "BAD_INPUT",
      `model ${model.name}: quantized input value #${bad} is ${String(q[bad])}, not an integer in [${lo}, ${ACT_MAX}]`,
      "a quantized input holds the model's int8 values (ZkmlData.quantize on-chain, quantizeRaw in TypeScript)",
    );
  }
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
/** The class byte a proof carries for these outputs: their argmax, or NO_CLASS over 255 values. */
export function provenClass(values: readonly number[]): number {
  return values.length > MAX_CLASSES ? NO_CLASS : argmax(values);
}

/** The first index of the largest value (as ONNX ArgMax with select_last_index = 0). */
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
