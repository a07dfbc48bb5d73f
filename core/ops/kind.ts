/**
 * The contract of a layer kind: everything zkml knows about one operation, in one module
 * (core/ops/<kind>.ts), as the ONNX reference evaluator keeps one unit per op and EZKL's `Op`
 * keeps an op's semantics, scale rule and layout together. The registry (core/ops/index.ts) is a
 * Record over the kinds, so a kind that lacks an aspect does not compile.
 *
 * Two levels, because one float node may become more than one integer layer (an activation is a
 * fused ReLU, a `relu` layer or a `table`; a concat may add `rescale` layers):
 * - NodeKind: a float graph node (what the importer emits): its inputs, float semantics,
 *   cost estimate, and its quantization rule (float node → integer layers).
 * - LayerKind: an integer layer of the quantized model: its sources, size, scale, exact integer
 *   semantics (the reference interpreter), description, and circom emission.
 */
import type { LayerBase, Requant } from "../ir.js";

/** Where a tensor's integers live during quantization: a layer's output (-1: the circuit input). */
export interface TensorRef {
  layer: number;
  frac: number;
  size: number;
  /** Signed width of its values: 8, or an exact accumulator's. */
  bits: number;
}

/** An exact accumulator a producer offers its reader: signed width and scale 2^-frac. */
export interface ExactInput {
  bits: number;
  frac: number;
}

/** What a node folds into the layer before it when it is that layer's sole reader. */
export type Absorbed = { relu: true } | { fixedFrac: number };

/** Any integer layer, as the quantization context stores it (each rule's literal `satisfies` its own layer type). */
export type AnyLayer = LayerBase & { op: string };

/** The quantizer's state as one node's rule sees it (circuits/quantize.ts implements it). */
export interface QuantizeContext {
  readonly modelName: string;
  /** Where a tensor's integers live; refuses, naming the node, when no earlier node computes it. */
  tensor(name: string): TensorRef;
  /** The scale of a graph input part (several graph inputs), if this tensor is one. */
  inputPartFrac(name: string): number | undefined;
  /**
   * The ReLU (when `fuseRelu`) and the Q/DQ pair that alone read this node's output, folded in:
   * `last` is the node whose output the folded layer stands for.
   */
  absorb(fuseRelu: boolean): { last: number; relu: boolean; fixed?: number };
  /**
   * Whether node `last`'s output has one reader and that reader can take it as an exact
   * accumulator of `input.bits` at 2^-input.frac (NodeKind.takesExact), so the producer may
   * skip its requantization.
   */
  readerTakesExact(last: number, input: ExactInput): boolean;
  /** The requantization to int8 after an accumulator at 2^-accFrac (null: the exact output). */
  requantFor(last: number, relu: boolean, fixed: number | undefined, accFrac: number): Requant | null;
  /** The largest |value| of node `index`'s float output over the calibration samples. */
  calibratedMax(index: number): number;
  /**
   * The int8 scale of node `index`'s output from calibration: its range's, or, when every
   * calibration value is an integer (a count, an index, a 0/1), the one that keeps integers exact.
   */
  outputFrac(index: number): number;
  /** `{from}` when the layer does not read the layer just before it (chains stay compact). */
  fromField(layer: number): { from?: number };
  /** Adds the layer computing node `last`'s output. */
  produce<L extends AnyLayer>(last: number, layer: L): void;
  /** Adds a helper layer that no node's output names (a concat part's rescale); its index. */
  push<L extends AnyLayer>(layer: L): number;
  /** Node output `name` is `ref`'s integers (a scale a Q/DQ pair confirms). */
  alias(name: string, ref: TensorRef): void;
  /** Stops with UNSUPPORTED_OP naming the model, the node and its ONNX op. */
  refuse(why: string): never;
  /** Stops with BAD_MODEL naming the model, the node and its ONNX op. */
  malformed(why: string): never;
}

export interface NodeKind<N> {
  /**
   * ONNX op types that are this node one to one: one activation in, the same shape out, no
   * attribute or constant input. The importer makes their handlers from this list (an op with
   * more to read has a handler of its own in circuits/onnx/handlers/).
   */
  onnx?: readonly string[];
  /** The tensors the node reads, in order (the first is `input`). */
  inputs(n: N): string[];
  /** Float semantics (calibration runs it; onnxruntime is the outside referee). */
  float(n: N, inputs: readonly Float64Array[]): Float64Array;
  /** Multiply-adds of one float inference and an upper estimate of constraints, refused over LIMITS before anything runs. */
  work(n: N): { work: number; constraints: number };
  /** What the node folds into the layer before it, when it is that layer's sole reader (a ReLU, a Q/DQ pair). */
  absorbed(n: N): Absorbed | undefined;
  /**
   * Whether it can read its input as an exact accumulator of this width and scale, not only
   * int8: its own arithmetic stays exact and it requantizes once, after it (a polynomial; an
   * average whose divisor is one power of two sums). Absent: int8 only.
   */
  takesExact?(n: N, input: ExactInput): boolean;
  /** The integer layers for node `index` (ctx.produce / ctx.alias). */
  quantize(n: N, index: number, ctx: QuantizeContext): void;
}

/** What a layer's circom emission is given. */
export interface EmitContext {
  /** The signal array holding layer k's output (-1: the range-checked input `x`). */
  signal(k: number): string;
  /** With private weights: this layer's bias width (its weights are inputs `w<i>`, `b<i>`). */
  privateBiasBits?: number;
}

export interface LayerKind<L> {
  /** The layers it reads (-1: the circuit input), in the order `run` takes them. */
  sources(l: L, index: number): number[];
  outSize(l: L): number;
  /** Scale of its output values: 2^-outFrac. */
  outFrac(l: L): number;
  /** Signed width of its output values (8, or an exact accumulator's when not requantized). */
  outBits(l: L): number;
  /** The exact integer semantics: the reference interpreter, which the circuit equals bit for bit. */
  run(l: L, inputs: readonly (readonly number[])[]): number[];
  /** One line for people: what it computes and at which scales. */
  describe(l: L): string;
  /** Files of circuits/lib/ its circom uses. */
  gadgets: readonly string[];
  /** Its constant tables (weights, windows, lookup tables) as circom functions. */
  constants(l: L, i: number, e: EmitContext): string[];
  /** Its block of the circuit: computes signal/var array `a<i>` from its sources. */
  emit(l: L, i: number, e: EmitContext): string[];
  /**
   * Products by constant weights its circuit folds into linear combinations: the work circom's
   * simplification does for it (compile picks the simplifier by the model's total). Absent: none.
   */
  constantTerms?(l: L): number;
}

/** The usual sources: `from`, else the layer just before. */
export function previousLayer(l: LayerBase, index: number): number[] {
  return [l.from ?? index - 1];
}

/** The usual inputs of a node: its one input tensor. */
export function oneInput(n: { input: string }): string[] {
  return [n.input];
}
