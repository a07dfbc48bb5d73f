/**
 * How far the quantized model is from the float one: onnxruntime-node runs the original ONNX
 * file, the reference interpreter runs the quantized model, on the same samples.
 */
import type * as Ort from "onnxruntime-node";
import { ZkmlError } from "../core/errors.js";
import { OUTPUTS_NODE, runFloat, type Graph } from "../core/graph.js";
import { argmax, dequantize, outputParts, quantizeInput, runReference, type QModel } from "../core/qmodel.js";
import { layerOutFrac, nodeKind } from "../core/ops/index.js";

export interface FidelityReport {
  samples: number;
  /** Fraction of samples whose float and quantized argmax agree. */
  argmaxAgreement: number;
  /**
   * Of the samples that disagree, those whose two classes' float values differ by less than one
   * int8 step of the output: a near-tie the output's scale cannot resolve, not an error.
   */
  nearTies: number;
  maxAbsError: number;
  meanAbsError: number;
  /** Each layer's dequantized output against the float graph's value at the same point. */
  layers?: LayerFidelity[];
  /** With several graph outputs: each against onnxruntime's (the totals above cover them all). */
  outputs?: { name: string; maxAbsError: number; meanAbsError: number }[];
  /** With labels: accuracy of each. */
  floatAccuracy?: number;
  quantizedAccuracy?: number;
}

export interface LayerFidelity {
  node: string;
  op: string;
  maxAbsError: number;
  meanAbsError: number;
}

/**
 * For each quantized layer, the index of the float graph node whose output it stands for: its
 * own node, moved past a ReLU or Q/DQ pair it absorbed.
 */
export function layerGraphIndex(model: QModel, graph: Graph): number[] {
  const readerOf = (i: number, ok: (n: Graph["nodes"][number]) => boolean) => {
    const j = graph.nodes.findIndex((n) => n.input === graph.nodes[i]!.output && ok(n));
    return j >= 0 ? j : i;
  };
  return model.layers.map((l) => {
    let i = graph.nodes.findIndex((n) => n.name === l.node);
    // The outputs' join has no one scale to compare at: each output is compared on its own.
    if (i < 0 || l.node === OUTPUTS_NODE) return -1;
    // What the quantizer folded into the layer, by the node kinds' own rule (NodeKind.absorbed):
    // the Q/DQ pair always, a ReLU where the layer's requantization took it.
    const relu = "requant" in l && l.requant?.relu === true;
    const absorbed = (n: Graph["nodes"][number]) => {
      const folds = nodeKind(n).absorbed(n);
      return folds !== undefined && ("fixedFrac" in folds || relu);
    };
    for (let step = 0; step < 3; step++) {
      const next = readerOf(i, absorbed);
      if (next === i) break;
      i = next;
    }
    return i;
  });
}

interface ErrorStats {
  maxAbsError: number;
  sum: number;
  count: number;
}

/** Accumulates |quantized − float| element by element. */
function addErrors(st: ErrorStats, quantized: readonly number[], float: ArrayLike<number>): void {
  for (let j = 0; j < float.length; j++) {
    const e = Math.abs(quantized[j]! - float[j]!);
    st.maxAbsError = Math.max(st.maxAbsError, e);
    st.sum += e;
    st.count++;
  }
}

/** Per-layer error of the integer model against the float graph over the samples. */
export function layerFidelity(model: QModel, graph: Graph, samples: number[][]): LayerFidelity[] {
  const index = layerGraphIndex(model, graph);
  const stats = model.layers.map((l) => ({ node: l.node, op: l.op, maxAbsError: 0, sum: 0, count: 0 }));
  for (const s of samples) {
    const float = runFloat(graph, s);
    const ref = runReference(model, quantizeInput(model, s));
    model.layers.forEach((l, li) => {
      const f = index[li]! >= 0 ? float[index[li]!] : undefined;
      if (!f) return;
      addErrors(stats[li]!, dequantize(ref.layers[li]!, layerOutFrac(l)), f);
    });
  }
  // A layer zkml added (a Concat part's rescale) has no float tensor to compare with: left out.
  return stats
    .filter((_, li) => index[li]! >= 0)
    .map(({ node, op, maxAbsError, sum, count }) => ({ node, op, maxAbsError, meanAbsError: count ? sum / count : 0 }));
}

/** Why the fidelity report cannot be made here (onnxruntime-node is not installed), or undefined when it can. */
export async function fidelityUnavailable(): Promise<string | undefined> {
  try {
    await loadOnnxRuntime();
    return undefined;
  } catch (e) {
    return (e as ZkmlError).message;
  }
}

let ortModule: Promise<typeof Ort> | undefined;
/**
 * onnxruntime-node is an optional peer dependency: 288 MB, and its install script reaches out
 * for GPU providers, while only this report (and the bench's float timing) needs it. Loaded on
 * first use; a MISSING_DEPENDENCY ZkmlError when it is not installed.
 */
async function loadOnnxRuntime(): Promise<typeof Ort> {
  ortModule ??= import("onnxruntime-node").then(
    (m) => m,
    () => {
      ortModule = undefined;
      throw new ZkmlError(
        "MISSING_DEPENDENCY",
        "the fidelity report (agreement with the float model) needs onnxruntime-node, which is not installed",
        "npm install onnxruntime-node (set ONNXRUNTIME_NODE_INSTALL=skip on a machine without internet beyond the npm registry)",
      );
    },
  );
  return ortModule;
}

/** A feed for an input of the session: float32, or the integer or bool type the graph declares (token ids, masks). */
function feedTensor(ort: typeof Ort, session: Ort.InferenceSession, name: string, values: readonly number[], shape: readonly number[]): Ort.Tensor {
  const meta = session.inputMetadata.find((m) => m.name === name);
  const type = meta?.isTensor ? meta.type : "float32";
  const dims = [...shape];
  switch (type) {
    case "int64":
      return new ort.Tensor(
        "int64",
        BigInt64Array.from(values, (v) => BigInt(Math.round(v))),
        dims,
      );
    case "int32":
      return new ort.Tensor("int32", Int32Array.from(values, Math.round), dims);
    case "bool":
      return new ort.Tensor(
        "bool",
        Uint8Array.from(values, (v) => (v !== 0 ? 1 : 0)),
        dims,
      );
    case "float64":
      return new ort.Tensor("float64", Float64Array.from(values), dims);
    default:
      return new ort.Tensor("float32", Float32Array.from(values), dims);
  }
}

/**
 * A float onnxruntime session of `onnxFile` run on one input (what the bench times), or
 * undefined without onnxruntime-node. Its types stay inside: a consumer's tsc needs no
 * onnxruntime declarations to read zkml's.
 */
export async function floatRunner(
  onnxFile: string,
  shape: readonly number[],
): Promise<{ run(values: readonly number[]): Promise<void>; release(): Promise<void> } | undefined> {
  const ort = await loadOnnxRuntime().catch(() => undefined);
  if (!ort) return undefined;
  const session = await ort.InferenceSession.create(onnxFile);
  const name = session.inputNames[0]!;
  return {
    run: async (values) => void (await session.run({ [name]: feedTensor(ort, session, name, values, shape) })),
    release: () => session.release(),
  };
}

/** onnxruntime's values of every graph output, per sample, in graph order. */
export async function floatOutputParts(onnxFile: string | Uint8Array, model: QModel, samples: number[][]): Promise<number[][][]> {
  // Two overloads (path, bytes): the union has to be narrowed for the compiler.
  const ort = await loadOnnxRuntime();
  const session = typeof onnxFile === "string" ? await ort.InferenceSession.create(onnxFile) : await ort.InferenceSession.create(onnxFile);
  try {
    const parts = model.input.parts ?? [{ name: session.inputNames[0]!, shape: model.input.shape }];
    const outNames = model.output.parts ? model.output.parts.map((p) => p.name) : [session.outputNames[0]!];
    const out: number[][][] = [];
    for (const s of samples) {
      // Several graph inputs travel as one concatenated vector: split it back.
      const feeds: Record<string, Ort.Tensor> = {};
      let offset = 0;
      for (const p of parts) {
        const size = p.shape.reduce((a, b) => a * b, 1);
        feeds[p.name] = feedTensor(ort, session, p.name, s.slice(offset, offset + size), p.shape);
        offset += size;
      }
      const res = await session.run(feeds);
      out.push(outNames.map((name) => Array.from(res[name]!.data as ArrayLike<number | bigint>, Number)));
    }
    return out;
  } finally {
    await session.release();
  }
}

/** onnxruntime's values of the (first) graph output, per sample. */
export async function floatOutputs(onnxFile: string | Uint8Array, model: QModel, samples: number[][]): Promise<number[][]> {
  return (await floatOutputParts(onnxFile, model, samples)).map((parts) => parts[0]!);
}

/**
 * The quantized model against the float one on `samples`: argmax agreement, absolute errors
 * (per layer with `graph`, per output with several), accuracies with `labels`. Needs
 * onnxruntime-node (an optional peer): without it, a MISSING_DEPENDENCY ZkmlError.
 */
export async function measureFidelity(onnxFile: string, model: QModel, samples: number[][], labels?: number[], graph?: Graph): Promise<FidelityReport> {
  const floats = await floatOutputParts(onnxFile, model, samples);
  const parts = outputParts(model);
  // Agreement of the class: the class output's argmax (or the first output's, with none).
  const classPart = model.output.parts ? (model.output.classPart ?? 0) : 0;
  const perPart = parts.map((p) => ({ name: p.name, maxAbsError: 0, sum: 0, count: 0 }));
  let agree = 0,
    nearTies = 0,
    floatOk = 0,
    quantOk = 0;
  samples.forEach((s, i) => {
    const ref = runReference(model, quantizeInput(model, s));
    let quantClass = 0,
      floatClass = 0,
      step = 0,
      gap = Infinity;
    parts.forEach((p, k) => {
      const values = ref.output.slice(p.offset, p.offset + p.size);
      const logits = dequantize(values, p.frac);
      // A Softmax or ArgMax ending an output is not in the circuit: compare like with like.
      const deq = p.transform === "softmax" ? softmax(logits) : p.transform === "argmax" ? [argmax(values)] : logits;
      const f = floats[i]![k]!;
      if (k === classPart) {
        quantClass = argmax(values);
        floatClass = p.transform === "argmax" ? f[0]! : argmax(f);
        // With the float values at hand (not an ArgMax's index), a gap under one step is a near-tie.
        step = p.transform === "argmax" ? 0 : 2 ** -p.frac;
        gap = p.transform === "argmax" ? Infinity : f[floatClass]! - f[quantClass]!;
      }
      addErrors(perPart[k]!, deq, f);
    });
    if (floatClass === quantClass) agree++;
    else if (gap < step) nearTies++;
    if (labels) {
      if (floatClass === labels[i]) floatOk++;
      if (quantClass === labels[i]) quantOk++;
    }
  });
  const count = perPart.reduce((a, p) => a + p.count, 0);
  const report: FidelityReport = {
    samples: samples.length,
    argmaxAgreement: agree / samples.length,
    nearTies,
    maxAbsError: Math.max(...perPart.map((p) => p.maxAbsError)),
    meanAbsError: perPart.reduce((a, p) => a + p.sum, 0) / count,
  };
  if (model.output.parts) report.outputs = perPart.map(({ name, maxAbsError, sum, count: n }) => ({ name, maxAbsError, meanAbsError: n ? sum / n : 0 }));
  if (graph) report.layers = layerFidelity(model, graph, samples);
  if (labels) {
    report.floatAccuracy = floatOk / samples.length;
    report.quantizedAccuracy = quantOk / samples.length;
  }
  return report;
}

/** Softmax of logits, shifted by their maximum so exp never overflows. */
export function softmax(v: readonly number[]): number[] {
  const m = Math.max(...v);
  const e = v.map((x) => Math.exp(x - m));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / sum);
}
