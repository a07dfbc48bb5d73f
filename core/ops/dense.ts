/**
 * Dense (Gemm, MatMul by a constant, a 2-D BatchNormalization): y = W·x + b with int8 weights.
 * As circuit constants the multiply-adds are one linear combination per output: no constraint
 * but the requantization. With private weights every product is a constraint.
 */
import { commentText } from "../inert.js";
import { requantize, requantText, WEIGHT_BITS, type FloatTensor, type NodeBase } from "../ir.js";
import { arrayFunction, requantLines } from "./circom.js";
import { oneInput, previousLayer, type LayerKind, type NodeKind } from "./kind.js";
import { accumulatorOut, describeLinear, quantizeLinear, type LinearNodeParams, type LinearParams } from "./linear.js";

export interface DenseNode extends NodeBase, LinearNodeParams {
  op: "dense";
  /** Row-major [outFeatures][inFeatures]. */
  weight: FloatTensor;
  /** Rows of an [M, K] input, each multiplied by the same weights (a MatMul over a sequence); absent: 1. */
  rows?: number;
}

export interface QDense extends LinearParams {
  op: "dense";
  inFeatures: number;
  outFeatures: number;
  /** Rows of the input, each through the same weights: input rows·inFeatures, output rows·outFeatures. Absent: 1. */
  rows?: number;
}

export const denseNode: NodeKind<DenseNode> = {
  inputs: oneInput,
  float(n, [x]) {
    const [outF, inF] = n.weight.dims as [number, number];
    const rows = n.rows ?? 1;
    const y = new Float64Array(rows * outF);
    for (let r = 0; r < rows; r++) {
      for (let o = 0; o < outF; o++) {
        let s = n.bias[o]!;
        const row = o * inF;
        for (let i = 0; i < inF; i++) s += n.weight.data[row + i]! * x![r * inF + i]!;
        y[r * outF + o] = s;
      }
    }
    return y;
  },
  work: (n) => ({ work: n.weight.data.length * (n.rows ?? 1), constraints: (n.weight.dims[0] ?? 1) * (n.rows ?? 1) * 32 }),
  absorbed: () => undefined,
  quantize(n, _index, ctx) {
    const [outF, inF] = n.weight.dims as [number, number];
    const { last, from, params } = quantizeLinear(n, ctx.tensor(n.input), inF, ctx);
    ctx.produce(last, {
      op: "dense",
      node: n.name,
      ...from,
      inFeatures: inF,
      outFeatures: outF,
      ...(n.rows && n.rows > 1 && { rows: n.rows }),
      ...params,
    } satisfies QDense);
  },
};

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

export const denseLayer: LayerKind<QDense> = {
  sources: previousLayer,
  outSize: (l) => (l.rows ?? 1) * l.outFeatures,
  outFrac: (l) => accumulatorOut(l).frac,
  outBits: (l) => accumulatorOut(l).bits,
  run(l, [x]) {
    const acc = denseAccumulators(l, x!);
    const r = l.requant;
    return r ? acc.map((a) => requantize(a, r)) : acc;
  },
  describe: (l) => describeLinear(`dense ${l.rows ? `${l.rows} rows × ` : ""}${l.inFeatures}→${l.outFeatures}`, l),
  gadgets: ["requant", "signed_range"],
  constants: (l, i, e) =>
    e.privateBiasBits !== undefined
      ? []
      : [
          arrayFunction(
            `Weights${i}`,
            l.weights,
            `Layer ${i}: ${commentText(l.node)}, int8 weights at 2^-${l.wFrac}, [${l.outFeatures}][${l.inFeatures}] row-major.`,
          ),
          arrayFunction(`Bias${i}`, l.bias, `Layer ${i}: biases at 2^-${l.accFrac}.`),
        ],
  emit: (l, i, e) => denseCode(l, i, e.signal(previousLayer(l, i)[0]!), e.privateBiasBits),
  // One row's products (rows share the weights' linear combinations).
  constantTerms: (l) => l.inFeatures * l.outFeatures,
};

/** With private weights (biasBits set) the weights and biases are range-checked inputs and every product a constraint. */
function denseCode(l: QDense, i: number, prev: string, biasBits: number | undefined): string[] {
  const priv = biasBits !== undefined;
  const a = `a${i}`;
  const out: string[] = [`    // ${commentText(l.node)}: dense ${l.inFeatures} -> ${l.outFeatures}${requantText(l.requant)}`];
  if (priv) out.push(...privateWeightChecks(l, i, biasBits));
  else out.push(`    var w${i}[${l.weights.length}] = Weights${i}();`, `    var b${i}[${l.outFeatures}] = Bias${i}();`);
  // Rows (a MatMul over a sequence) share the weights: output r·outFeatures + o reads input row r.
  const n = (l.rows ?? 1) * l.outFeatures;
  const k = Math.max(1, Math.ceil(Math.sqrt(l.inFeatures)));
  const chunks = Math.ceil(l.inFeatures / k);
  out.push(`    signal ${a}[${n}];`);
  if (l.requant) out.push(`    component rq${i}[${n}];`);
  out.push(
    `    for (var ro = 0; ro < ${n}; ro++) {`,
    `        var o = ro % ${l.outFeatures};`,
    `        var x0 = (ro \\ ${l.outFeatures}) * ${l.inFeatures};`,
    `        var acc = b${i}[o];`,
    // Partial sums of k ≈ √n terms: circom copies a growing linear combination at every +=, so
    // one flat sum of n terms costs ~n²/2 term copies, chunks ~n^1.5 (the same r1cs, byte for
    // byte; the MNIST MLP compiles in half the time).
    `        for (var c = 0; c < ${chunks}; c++) {`,
    `            var part = 0;`,
    `            for (var i = c * ${k}; i < c * ${k} + ${k} && i < ${l.inFeatures}; i++) {`,
    ...(priv
      ? [`                p${i}[o][i] <== w${i}[o * ${l.inFeatures} + i] * ${prev}[x0 + i];`, `                part += p${i}[o][i];`]
      : [`                part += w${i}[o * ${l.inFeatures} + i] * ${prev}[x0 + i];`]),
    `            }`,
    `            acc += part;`,
    `        }`,
    ...requantLines(l, i, `${a}[ro]`, "        ", "ro"),
    `    }`,
  );
  return out;
}

/** The commitment packs the private weights, and packing is injective only for range-checked values. */
function privateWeightChecks(l: QDense, i: number, biasBits: number): string[] {
  return [
    `    component wRange${i}[${l.weights.length}];`,
    `    for (var j = 0; j < ${l.weights.length}; j++) {`,
    `        wRange${i}[j] = SignedRange(${WEIGHT_BITS});`,
    `        wRange${i}[j].in <== w${i}[j];`,
    `    }`,
    `    component bRange${i}[${l.outFeatures}];`,
    `    for (var j = 0; j < ${l.outFeatures}; j++) {`,
    `        bRange${i}[j] = SignedRange(${biasBits});`,
    `        bRange${i}[j].in <== b${i}[j];`,
    `    }`,
    `    signal p${i}[${l.outFeatures}][${l.inFeatures}];`,
  ];
}
