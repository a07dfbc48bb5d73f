/**
 * The quantized model: the one definition of what zkml proves. The reference interpreter here
 * is the semantics; the circuit must reproduce its outputs bit for bit.
 *
 * Numbers: int8 activations with power-of-two scales (value = q * 2^-frac), zero point 0.
 * A dense layer accumulates in exact integers, then either stays an accumulator (the model's
 * output) or is requantized: add 2^(shift-1), floor-divide by 2^shift, optionally ReLU, clamp.
 */
import { roundHalfEven, sizeOf } from "./graph.js";
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
}

export interface QDense {
  op: "dense";
  node: string;
  inFeatures: number;
  outFeatures: number;
  /** int8, row-major [outFeatures][inFeatures]. */
  weights: number[];
  /** Integers at the accumulator scale. */
  bias: number[];
  inFrac: number;
  wFrac: number;
  accFrac: number;
  /** Signed bit width that holds every reachable accumulator (plus rounding constant). */
  accBits: number;
  requant: Requant | null;
}

export type QLayer = QDense;

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
  input: { name: string; shape: number[]; frac: number; bits: number };
  layers: QLayer[];
  output: { name: string; shape: number[]; frac: number; bits: number };
  privateWeights?: PrivateWeights;
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
  const scale = 2 ** model.input.frac;
  return values.map((v, i) => {
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new ZkmlError("BAD_INPUT", `model ${model.name}: input value #${i} is ${String(v)}, not a finite number`);
    }
    return clampInt(roundHalfEven(v * scale), ACT_MIN, ACT_MAX);
  });
}

/** Accumulator of one dense layer for one input vector, exactly. */
export function denseAccumulators(layer: QDense, x: readonly number[]): number[] {
  const acc = new Array<number>(layer.outFeatures);
  for (let o = 0; o < layer.outFeatures; o++) {
    let s = layer.bias[o]!;
    const row = o * layer.inFeatures;
    for (let i = 0; i < layer.inFeatures; i++) s += layer.weights[row + i]! * x[i]!;
    acc[o] = s;
  }
  return acc;
}

export function requantize(acc: number, r: Requant): number {
  const rounded = r.shift > 0 ? acc + 2 ** (r.shift - 1) : acc;
  const q = Math.floor(rounded / 2 ** r.shift);
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
  for (const layer of model.layers) {
    const acc = denseAccumulators(layer, x);
    const r = layer.requant;
    x = r ? acc.map((a) => requantize(a, r)) : acc;
    layers.push(x);
  }
  return { input: [...qInput], layers, output: x, argmax: argmax(x) };
}

export function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

export function dequantize(values: readonly number[], frac: number): number[] {
  return values.map((v) => v / 2 ** frac);
}
