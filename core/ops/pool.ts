/**
 * MaxPool / AveragePool (and their Global forms): over each window of the same geometry the
 * codegen and the interpreter both take from poolWindows. Max compares int8 values (MaxInt8 per
 * comparison); the average divides with rounding (DivRoundInt8, ties to even after a QDQ pair).
 */
import { ACT_BITS, poolWindows, sizeOf, type LayerBase, type NodeBase, type Window2d } from "../ir.js";
import { arrayFunction } from "./circom.js";
import { oneInput, previousLayer, type LayerKind, type NodeKind } from "./kind.js";
import { quantizeSumPool, sumPoolTakes } from "./sumpool.js";
import { poolHead, windowFunctions } from "./windows.js";

export interface PoolNode extends NodeBase, Window2d {
  op: "maxpool" | "avgpool";
  /** AveragePool: whether padded cells count in the divisor. */
  countIncludePad: boolean;
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

function poolFloat(n: PoolNode, [src]: readonly Float64Array[]): Float64Array {
  const { cells, windowSize } = poolWindows(n);
  return Float64Array.from(cells, (cs) => {
    if (n.op === "maxpool") return Math.max(...cs.map((i) => src![i]!));
    const sum = cs.reduce((s, i) => s + src![i]!, 0);
    return sum / (n.countIncludePad ? windowSize : cs.length);
  });
}

function poolWork(n: PoolNode): { work: number; constraints: number } {
  const cells = sizeOf(n.outShape) * n.kernel[0] * n.kernel[1];
  return { work: cells, constraints: cells * 12 };
}

/** What the two pool nodes share: everything but the quantization rule. */
const poolNode = { inputs: oneInput, float: poolFloat, work: poolWork, absorbed: () => undefined } satisfies Omit<NodeKind<PoolNode>, "quantize">;

export const maxpoolNode: NodeKind<PoolNode> = {
  ...poolNode,
  quantize(n, index, ctx) {
    const { layer, frac } = ctx.tensor(n.input);
    const { inShape, outShape, kernel, strides, pads } = n;
    ctx.produce(index, { op: "maxpool", node: n.name, ...ctx.fromField(layer), inShape, outShape, kernel, strides, pads, frac } satisfies QMaxPool);
  },
};

export const avgpoolNode: NodeKind<PoolNode> = {
  ...poolNode,
  takesExact: (n, input) => sumPoolTakes(n, input.bits),
  quantize(n, _index, ctx) {
    const src = ctx.tensor(n.input);
    if (src.bits > ACT_BITS) return quantizeSumPool(n, ctx);
    const { layer, frac } = src;
    const { inShape, outShape, kernel, strides, pads } = n;
    // A QDQ AveragePool (a Q/DQ pair right after it): ONNX rounds the average half to even,
    // and so does the layer then. The average stays at its input's scale.
    const { last, fixed } = ctx.absorb(false);
    if (fixed !== undefined && fixed !== frac)
      ctx.refuse(`a QuantizeLinear at 2^-${fixed} after an average at 2^-${frac}: the average keeps its input's scale`);
    ctx.produce(last, {
      op: "avgpool",
      node: n.name,
      ...ctx.fromField(layer),
      inShape,
      outShape,
      kernel,
      strides,
      pads,
      countIncludePad: n.countIncludePad,
      frac,
      ...(fixed !== undefined && { halfEven: true }),
    } satisfies QAvgPool);
  },
};

/** Divisor of each average-pool output. */
export function avgPoolDivisors(l: QAvgPool): number[] {
  const { cells, windowSize } = poolWindows(l);
  return cells.map((cs) => (l.countIncludePad ? windowSize : cs.length));
}

/** sum / n rounded half up, or with halfEven ties to the even neighbour. */
export function roundedAverage(sum: number, n: number, halfEven = false): number {
  const q = Math.floor((2 * sum + n) / (2 * n));
  const tie = (2 * sum + n) % (2 * n) === 0;
  return halfEven && tie && q % 2 !== 0 ? q - 1 : q;
}

function describePool(l: QMaxPool | QAvgPool): string {
  return `${l.op} [${l.inShape}]→[${l.outShape}] kernel ${l.kernel.join("x")} stride ${l.strides.join(",")}${l.op === "avgpool" && l.halfEven ? " (ties to even)" : ""}`;
}

export const maxpoolLayer: LayerKind<QMaxPool> = {
  sources: previousLayer,
  outSize: (l) => sizeOf(l.outShape),
  outFrac: (l) => l.frac,
  outBits: () => ACT_BITS,
  run: (l, [x]) => poolWindows(l).cells.map((cs) => Math.max(...cs.map((i) => x![i]!))),
  describe: describePool,
  gadgets: ["max2"],
  constants: windowFunctions,
  emit(l, i, e) {
    const prev = e.signal(previousLayer(l, i)[0]!);
    const comparisons = poolWindows(l).cells.reduce((s, c) => s + c.length - 1, 0);
    return [
      ...poolHead(l, i),
      `    component max${i}[${Math.max(1, comparisons)}];`,
      `    var t${i} = 0;`,
      `    for (var o = 0; o < ${sizeOf(l.outShape)}; o++) {`,
      `        var m = ${prev}[cells${i}[start${i}[o]]];`,
      `        for (var k = start${i}[o] + 1; k < start${i}[o + 1]; k++) {`,
      `            max${i}[t${i}] = MaxInt8();`,
      `            max${i}[t${i}].a <== m;`,
      `            max${i}[t${i}].b <== ${prev}[cells${i}[k]];`,
      `            m = max${i}[t${i}].out;`,
      `            t${i}++;`,
      `        }`,
      `        a${i}[o] <== m;`,
      `    }`,
    ];
  },
};

export const avgpoolLayer: LayerKind<QAvgPool> = {
  sources: previousLayer,
  outSize: (l) => sizeOf(l.outShape),
  outFrac: (l) => l.frac,
  outBits: () => ACT_BITS,
  run(l, [x]) {
    const divisors = avgPoolDivisors(l);
    return poolWindows(l).cells.map((cs, o) =>
      roundedAverage(
        cs.reduce((s, i) => s + x![i]!, 0),
        divisors[o]!,
        l.halfEven,
      ),
    );
  },
  describe: describePool,
  gadgets: ["div_round"],
  constants: (l, i) => [...windowFunctions(l, i), arrayFunction(`Divisor${i}`, avgPoolDivisors(l), `Layer ${i}: divisor of each average.`)],
  emit(l, i, e) {
    const prev = e.signal(previousLayer(l, i)[0]!);
    const n = sizeOf(l.outShape);
    return [
      ...poolHead(l, i),
      `    var divisor${i}[${n}] = Divisor${i}();`,
      `    component avg${i}[${n}];`,
      `    for (var o = 0; o < ${n}; o++) {`,
      `        var sum = 0;`,
      `        for (var k = start${i}[o]; k < start${i}[o + 1]; k++) sum += ${prev}[cells${i}[k]];`,
      `        avg${i}[o] = DivRoundInt8(divisor${i}[o], ${l.halfEven ? 1 : 0});`,
      `        avg${i}[o].in <== sum;`,
      `        a${i}[o] <== avg${i}[o].out;`,
      `    }`,
    ];
  },
};
