/**
 * Float graph → quantized model (core/qmodel.ts). Symmetric int8 with power-of-two scales:
 * weights per tensor at the coarsest scale that holds them exactly when there is one, else from
 * their own range; activations from calibration samples (integers kept exact when every
 * calibration value is one); biases at the accumulator scale. Scales fixed by the ONNX file (Q/DQ pairs) are kept as they are.
 * Each node's own rule is its kind's `quantize` (core/ops/); this module holds the state they
 * share (where each tensor's integers live, which nodes fold into the layer before them).
 */
import { commitWeights } from "../core/commitment.js";
import { ZkmlError } from "../core/errors.js";
import { LIMITS } from "../core/limits.js";
import type { Graph } from "../core/graph.js";
import type { GraphNode } from "../core/ops/index.js";
import { nodeInputs } from "../core/ops/index.js";
import { readers, runFloat } from "../core/graph.js";
import { sizeOf } from "../core/ir.js";
import { ACT_BITS, ACT_MAX, ACT_MIN, bitsForBound, fracForIntegerInput, fracForIntegers, fracForRange, maxAbs, roundingConstant } from "../core/ir.js";
import { nodeKind } from "../core/ops/index.js";
import { fuseElementwise, fusePolynomials } from "./fuse.js";
import type { ExactInput, QuantizeContext, TensorRef } from "../core/ops/kind.js";
import { layerOutBits, layerOutFrac, layerOutSize, type QLayer } from "../core/ops/index.js";
import { MAX_CLASSES, QMODEL_FORMAT, type OutputPart, type QModel } from "../core/qmodel.js";
import type { QConcat } from "../core/ops/concat.js";
import type { QDense } from "../core/ops/dense.js";
import type { Requant } from "../core/ir.js";

export { activationTable } from "../core/ops/activation.js";
export { bitsForBound, fracForRange } from "../core/ir.js";

export interface QuantizeOptions {
  /** Calibration inputs, each flat with the model's input size. */
  samples: number[][];
  bits?: number;
  /**
   * With several graph outputs: the one whose argmax is the proof's class. Default: the only
   * one that ended in ArgMax or Softmax, else the first of at most 255 values, else none.
   */
  classOutput?: string;
  /**
   * Fuse polynomial activations (x·x, x·x + x, a·x² + b·x + c: circuits/fuse.ts) into one
   * product and one requantization per value. Default true; false keeps one layer per node
   * (the unfused form, for comparison).
   */
  fuse?: boolean;
  /**
   * The input's domain (QModel.input.nonNegative): "auto" (the default) takes it non-negative
   * when the graph has one input and every calibration value is ≥ 0; "signed" keeps int8.
   */
  inputDomain?: InputDomain;
}

export const INPUT_DOMAINS = ["auto", "signed", "nonnegative"] as const;
export type InputDomain = (typeof INPUT_DOMAINS)[number];

/** Whether the model's input is non-negative, by the option and the calibration samples. */
function nonNegativeInput(graph: Graph, opts: QuantizeOptions): boolean {
  const domain = opts.inputDomain ?? "auto";
  if (!(INPUT_DOMAINS as readonly string[]).includes(domain))
    throw new ZkmlError("USAGE", `--input-domain ${String(domain)}: expected ${INPUT_DOMAINS.join(", ")}`);
  if (domain === "signed") return false;
  if (graph.inputs) {
    if (domain === "nonnegative") throw new ZkmlError("USAGE", `model ${graph.name}: --input-domain nonnegative is for a graph with one input`);
    return false;
  }
  return domain === "nonnegative" || opts.samples.every((s) => s.every((v) => v >= 0));
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
    const w = nodeKind(n).work(n);
    work += w.work;
    constraints += w.constraints;
  }
  return { work, constraints };
}

function checkGraphWork(graph: Graph): void {
  const { work, constraints } = graphWork(graph);
  if (work > LIMITS.multiplyAdds) {
    throw new ZkmlError(
      "BAD_MODEL",
      `model ${graph.name}: one inference takes about ${work.toExponential(2)} multiply-adds, over zkml's limit of ${LIMITS.multiplyAdds} (2^26)`,
    );
  }
  if (constraints > LIMITS.estimatedConstraints) {
    throw new ZkmlError(
      "BAD_MODEL",
      `model ${graph.name}: its circuit would need about ${constraints.toExponential(2)} constraints, over zkml's limit of ${LIMITS.estimatedConstraints} (2^23)`,
    );
  }
}

function checkSamples(graph: Graph, opts: QuantizeOptions): void {
  const bits = opts.bits ?? ACT_BITS;
  if (bits !== ACT_BITS) throw new ZkmlError("USAGE", `--bits ${bits} is not supported yet; zkml quantizes to 8 bits`);
  const inSize = sizeOf(graph.input.shape);
  if (opts.samples.length === 0) throw new ZkmlError("BAD_INPUT", `model ${graph.name}: no calibration samples`);
  for (const s of opts.samples) {
    if (s.length !== inSize) {
      throw new ZkmlError("BAD_INPUT", `model ${graph.name}: calibration sample has ${s.length} values, the input "${graph.input.name}" needs ${inSize}`);
    }
  }
}

/** The quantizer's state over one graph: the layers so far and where every tensor's integers live. */
class Quantizer {
  readonly layers: QLayer[] = [];
  readonly tensors = new Map<string, TensorRef>();
  /** Nodes folded into the layer before them. */
  readonly consumed = new Set<number>();
  /** Scale of each graph input (several graph inputs each have their own). */
  readonly partFrac = new Map<string, number>();
  inputFrac: number;
  private readonly nodes: GraphNode[];
  private readonly reads: Map<string, number>;
  private readonly nodeMax: number[];
  /** Every calibration value of the node is an integer (a count, an index, a 0/1): its scale keeps integers exact. */
  private readonly nodeIntegral: boolean[];
  private readonly joinsOutputs: boolean;

  constructor(
    readonly graph: Graph,
    samples: number[][],
  ) {
    this.nodes = graph.nodes;
    this.reads = readers(graph);
    // Float range of every node's output over the calibration set.
    this.nodeMax = this.nodes.map(() => 0);
    this.nodeIntegral = this.nodes.map(() => true);
    for (const s of samples) {
      runFloat(graph, s).forEach((a, i) => {
        this.nodeMax[i] = Math.max(this.nodeMax[i]!, maxAbs(a));
        if (this.nodeIntegral[i] && !a.every(Number.isInteger)) this.nodeIntegral[i] = false;
      });
    }
    const last = this.nodes.at(-1);
    this.joinsOutputs = last?.op === "concat" && last.joinsOutputs === true;
    this.inputFrac = this.inputScales(samples);
  }

  /** The node that is the only reader of a tensor, or -1. */
  soleReader(name: string): number {
    return this.reads.get(name) === 1 ? this.nodes.findIndex((n) => nodeInputs(n).includes(name)) : -1;
  }

  /** The input's scale: its range, or the QuantizeLinear that alone reads it; several inputs each their own. */
  private inputScales(samples: number[][]): number {
    const graph = this.graph;
    const scaleFor = (max: number, integer: boolean | undefined) => (integer ? fracForIntegerInput(max) : fracForRange(max));
    let inputFrac = scaleFor(Math.max(...samples.map(maxAbs)), graph.input.integer);
    const first = this.soleReader(graph.input.name);
    const firstNode = this.nodes[first];
    if (firstNode?.op === "fixscale") {
      inputFrac = firstNode.frac;
      this.consumed.add(first);
    }
    let offset = 0;
    for (const p of graph.inputs ?? []) {
      const size = sizeOf(p.shape);
      const q = this.nodes[this.soleReader(p.name)];
      const fixedPart = q?.op === "fixscale" ? q.frac : undefined;
      this.partFrac.set(p.name, fixedPart ?? scaleFor(Math.max(...samples.map((s) => maxAbs(s.slice(offset, offset + size)))), p.integer));
      offset += size;
    }
    if (graph.inputs) inputFrac = this.partFrac.get(graph.inputs[0]!.name)!;
    const input = { layer: -1, frac: inputFrac, size: sizeOf(graph.input.shape), bits: ACT_BITS };
    this.tensors.set(graph.input.name, input);
    for (const i of this.consumed) this.tensors.set(this.nodes[i]!.output, input);
    return inputFrac;
  }

  /**
   * A ReLU (when the layer can fuse one) and/or a Q/DQ pair that alone read node i's output
   * fold into it: the ReLU into the requantization (before or after the Q/DQ pair: rounding
   * is monotone and keeps 0), the Q/DQ pair as its output scale. At most one of each, in either
   * order (QLinearConv → Relu puts the ReLU after the pair).
   */
  absorb(i: number, fuseRelu: boolean): { last: number; relu: boolean; fixed?: number } {
    let last = i;
    let relu = false;
    let fixed: number | undefined;
    for (;;) {
      const r = this.soleReader(this.nodes[last]!.output);
      const rn = this.nodes[r];
      const folds = rn && nodeKind(rn).absorbed(rn);
      if (folds && "relu" in folds && fuseRelu && !relu) relu = true;
      else if (folds && "fixedFrac" in folds && fixed === undefined) fixed = folds.fixedFrac;
      else break;
      this.consumed.add(r);
      last = r;
    }
    return { last, relu, ...(fixed !== undefined && { fixed }) };
  }

  /**
   * A layer whose result is a graph output and nothing else keeps its exact accumulators,
   * unless the model asked for int8 there: with one output, the last node; with several, a node
   * only the joining node reads.
   */
  private outputOnly(i: number): boolean {
    return i === this.nodes.length - 1 || (this.joinsOutputs && this.soleReader(this.nodes[i]!.output) === this.nodes.length - 1);
  }

  /** Whether node last's one reader can take its output as this exact accumulator (NodeKind.takesExact). */
  readerTakesExact(last: number, input: ExactInput): boolean {
    const r = this.nodes[this.soleReader(this.nodes[last]!.output)];
    return r !== undefined && nodeKind(r).takesExact?.(r, input) === true;
  }

  /**
   * Where a tensor's integers live. Only a node whose kind takes that exact accumulator (or the
   * node joining several graph outputs) may read one: every other kind's bounds assume int8.
   */
  read(i: number, name: string, refuse: (why: string) => never): TensorRef {
    const ref = this.tensors.get(name) ?? refuse(`reads "${name}", which no earlier node computes`);
    if (ref.bits <= ACT_BITS || (this.joinsOutputs && i === this.nodes.length - 1)) return ref;
    const node = this.nodes[i]!;
    if (nodeKind(node).takesExact?.(node, ref) !== true) refuse(`reads "${name}", an exact ${ref.bits}-bit accumulator, where int8 is needed`);
    return ref;
  }

  requantFor(last: number, relu: boolean, fixed: number | undefined, accFrac: number): Requant | null {
    if (this.outputOnly(last) && !relu && fixed === undefined) return null;
    // Largest frac the values allow, never more than the accumulator has (a shift is a division).
    const outFrac = Math.min(fixed ?? this.outputFrac(last), accFrac);
    // A scale the ONNX file fixed comes with ONNX's rounding (half to even), so the circuit
    // equals onnxruntime bit for bit there.
    return { shift: accFrac - outFrac, outFrac, relu, ...(fixed !== undefined && { halfEven: true }) };
  }

  /** Node i's output scale from calibration (QuantizeContext.outputFrac). */
  outputFrac(i: number): number {
    const max = this.nodeMax[i]!;
    return this.nodeIntegral[i] && max >= 1 ? fracForIntegers(max) : fracForRange(max);
  }

  /** What node i's rule sees. */
  context(i: number): QuantizeContext {
    const node = this.nodes[i]!;
    const where = `model ${this.graph.name}, node "${node.name}" (${node.onnxOp})`;
    const refuse = (why: string): never => {
      throw new ZkmlError("UNSUPPORTED_OP", `${where}: ${why}`);
    };
    return {
      modelName: this.graph.name,
      tensor: (name) => this.read(i, name, refuse),
      inputPartFrac: (name) => this.partFrac.get(name),
      absorb: (fuseRelu) => this.absorb(i, fuseRelu),
      readerTakesExact: (last, input) => this.readerTakesExact(last, input),
      requantFor: (last, relu, fixed, accFrac) => this.requantFor(last, relu, fixed, accFrac),
      calibratedMax: (index) => this.nodeMax[index]!,
      outputFrac: (index) => this.outputFrac(index),
      fromField: (layer) => (layer === this.layers.length - 1 ? {} : { from: layer }),
      produce: (last, layer) => {
        const q = layer as unknown as QLayer;
        this.layers.push(q);
        this.tensors.set(this.nodes[last]!.output, { layer: this.layers.length - 1, frac: layerOutFrac(q), size: layerOutSize(q), bits: layerOutBits(q) });
      },
      push: (layer) => this.layers.push(layer as unknown as QLayer) - 1,
      alias: (name, ref) => this.tensors.set(name, ref),
      refuse,
      malformed: (why) => {
        throw new ZkmlError("BAD_MODEL", `${where}: ${why}`);
      },
    };
  }
}

/**
 * The float graph as an int8 model with power-of-two scales, chosen from the calibration
 * samples' ranges; `runReference` on the result is what the circuit computes, bit for bit.
 */
export function quantizeGraph(imported: Graph, opts: QuantizeOptions): QModel {
  const graph = opts.fuse === false ? imported : fuseElementwise(fusePolynomials(imported));
  checkSamples(graph, opts);
  checkGraphWork(graph);
  const q = new Quantizer(graph, opts.samples);
  graph.nodes.forEach((node, i) => {
    if (!q.consumed.has(i)) nodeKind(node).quantize(node, i, q.context(i));
  });
  const outputTensor = graph.nodes.at(-1)?.output ?? graph.input.name;
  const produced = q.tensors.get(outputTensor)!;
  if (produced.layer !== q.layers.length - 1) {
    throw new ZkmlError(
      "BAD_MODEL",
      `model ${graph.name}: the output "${graph.output.name}" is not the last layer computed (nodes whose results nothing reads?)`,
    );
  }
  const input = {
    name: graph.input.name,
    shape: graph.input.shape,
    frac: q.inputFrac,
    bits: ACT_BITS,
    ...(graph.inputs && { parts: graph.inputs.map((p) => ({ ...p, frac: q.partFrac.get(p.name)! })) }),
    ...(nonNegativeInput(graph, opts) && { nonNegative: true as const }),
  };
  const base = { format: QMODEL_FORMAT, name: graph.name, input, layers: q.layers } as const;
  if (graph.outputs) return { ...base, output: joinedOutput(graph, q, opts.classOutput) };
  if (opts.classOutput !== undefined && opts.classOutput !== graph.output.name) {
    throw new ZkmlError("USAGE", `model ${graph.name}: --class-output ${opts.classOutput}: the graph's one output is "${graph.output.name}"`);
  }
  // No layers (a Flatten, a Reshape, a final Softmax) is a model too: it proves its int8 input.
  const last = q.layers.at(-1);
  return {
    ...base,
    output: {
      name: graph.output.name,
      shape: graph.output.shape,
      frac: produced.frac,
      bits: last ? layerOutBits(last) : ACT_BITS,
      ...(graph.outputTransform && { transform: graph.outputTransform }),
    },
  };
}

/** The output of a graph with several: the joining concat's parts, each at its own scale and width. */
function joinedOutput(graph: Graph, q: Quantizer, classOutput: string | undefined): QModel["output"] {
  const join = q.layers.at(-1) as QConcat;
  const parts: OutputPart[] = graph.outputs!.map((o, k) => {
    const from = join.parts[k]!.from;
    const layer = q.layers[from];
    return {
      name: o.name,
      shape: o.shape,
      frac: layer ? layerOutFrac(layer) : q.inputFrac,
      bits: layer ? layerOutBits(layer) : ACT_BITS,
      offset: join.parts[k]!.dest[0] ?? 0,
      size: sizeOf(o.shape),
      ...(o.transform && { transform: o.transform }),
    };
  });
  const classPart = chooseClassPart(graph, parts, classOutput);
  return {
    name: graph.output.name,
    shape: graph.output.shape,
    frac: parts[0]!.frac,
    bits: Math.max(...parts.map((p) => p.bits)),
    parts,
    ...(classPart !== undefined && { classPart }),
  };
}

/** The output part whose argmax is the class (QuantizeOptions.classOutput), or none. */
function chooseClassPart(graph: Graph, parts: readonly OutputPart[], named: string | undefined): number | undefined {
  if (named !== undefined) {
    const k = parts.findIndex((p) => p.name === named);
    if (k < 0) throw new ZkmlError("USAGE", `model ${graph.name}: --class-output ${named} is not a graph output (${parts.map((p) => p.name).join(", ")})`);
    if (parts[k]!.size > MAX_CLASSES)
      throw new ZkmlError("USAGE", `model ${graph.name}: output "${named}" has ${parts[k]!.size} values; a class output has at most ${MAX_CLASSES}`);
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
    throw new ZkmlError(
      "UNSUPPORTED_OP",
      `model ${model.name}, node "${other.node}" (${other.op}): --weights private supports dense layers only for now`,
      "compile with --weights constants (the default)",
    );
  }
  const dense = model.layers as QDense[];
  const rows = dense.find((l) => (l.rows ?? 1) > 1);
  if (rows) {
    throw new ZkmlError(
      "UNSUPPORTED_OP",
      `model ${model.name}, node "${rows.node}": a MatMul over ${rows.rows} rows is not supported with --weights private yet`,
      "compile with --weights constants (the default)",
    );
  }
  const wide = dense.find((l) => l.weights.some((w) => w < ACT_MIN || w > ACT_MAX));
  if (wide) {
    throw new ZkmlError(
      "UNSUPPORTED_OP",
      `model ${model.name}, node "${wide.node}": its pre-quantized weights do not fit int8 (per-channel scales on one scale), which --weights private range-checks`,
      "compile with --weights constants (the default)",
    );
  }
  const inMag = 2 ** (ACT_BITS - 1);
  const biasBits = dense.map((l) => Math.max(2, bitsForBound(maxAbs(l.bias))));
  const layers = dense.map((l, i) => {
    let bound = 2 ** (biasBits[i]! - 1) + l.inFeatures * inMag * inMag;
    bound += roundingConstant(l.requant);
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
