/**
 * LayerNormalization and InstanceNormalization: y = (x − mean) / √(var + ε) · γ + β over each
 * group of n values (a token's features; a channel's pixels), with exact integer statistics.
 *
 * On int8 x at 2^−f: c = n·x − Σx is n·(x − mean) exactly, W = Σc² + E = n³·(var + ε)·2^2f (E the
 * rounded ε term, at least 1), so y = c·√n / √W. R = ⌊√W⌋ is proven by R² ≤ W < (R + 1)²
 * (ISqrt), and each output is q = ⌊(2·c·G + R) / 2R⌋ (NormDiv: c·G/R rounded half up) with
 * G = round(γ·√n·2^fo) per value, then q + B (B = round(β·2^fo)) clamped to int8 at 2^−fo, the
 * clamp's decomposition bounding q. Costs per value: one square, the division (2·dBits + 1) and
 * the clamp; per group: ISqrt.
 */
import { commentText } from "../inert.js";
import { ACT_BITS, ACT_MAX, ACT_MIN, bitsForBound, clampInt, type LayerBase, type NodeBase } from "../ir.js";
import { arrayFunction } from "./circom.js";
import { oneInput, previousLayer, type LayerKind, type NodeKind } from "./kind.js";

export interface NormNode extends NodeBase {
  op: "norm";
  /** Values per group. */
  n: number;
  /** Input index of every group member, group by group; the output keeps the input's layout. */
  index: Int32Array;
  /** γ and β of every value, in the tensor's layout. */
  scale: Float64Array;
  bias: Float64Array;
  epsilon: number;
}

export interface QNorm extends LayerBase {
  op: "norm";
  n: number;
  index: number[];
  inFrac: number;
  outFrac: number;
  /** ε·2^2f·n³ rounded, at least 1 (so R ≥ 1). */
  eps: number;
  /** round(γ·√n·2^outFrac) per value. */
  g: number[];
  /** round(β·2^outFrac) per value. */
  b: number[];
  /** Width of W (ISqrt), of the divisor 2R (NormDiv), and of q + B (the clamp). */
  wBits: number;
  dBits: number;
  qBits: number;
}

function normFloat(nd: NormNode, x: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let g = 0; g < nd.index.length / nd.n; g++) {
    const cells = Array.from(nd.index.subarray(g * nd.n, (g + 1) * nd.n));
    const mean = cells.reduce((s, i) => s + x[i]!, 0) / nd.n;
    const variance = cells.reduce((s, i) => s + (x[i]! - mean) ** 2, 0) / nd.n;
    for (const i of cells) out[i] = ((x[i]! - mean) / Math.sqrt(variance + nd.epsilon)) * nd.scale[i]! + nd.bias[i]!;
  }
  return out;
}

/** Integer square root by Newton's method on BigInt-free doubles (W < 2^50). */
function isqrt(w: number): number {
  let r = Math.floor(Math.sqrt(w));
  while (r * r > w) r--;
  while ((r + 1) * (r + 1) <= w) r++;
  return r;
}

/** n·(x − mean), exactly, for each member of a group. */
function centered(xs: number[]): number[] {
  const s = xs.reduce((a, v) => a + v, 0);
  return xs.map((v) => xs.length * v - s);
}

function normRun(l: QNorm, x: readonly number[]): number[] {
  const out = new Array<number>(x.length);
  for (let g = 0; g < l.index.length / l.n; g++) {
    const cells = l.index.slice(g * l.n, (g + 1) * l.n);
    const c = centered(cells.map((i) => x[i]!));
    const r = isqrt(c.reduce((s, v) => s + v * v, 0) + l.eps);
    cells.forEach((i, k) => {
      const q = Math.floor((2 * c[k]! * l.g[i]! + r) / (2 * r));
      out[i] = clampInt(q + l.b[i]!, ACT_MIN, ACT_MAX);
    });
  }
  return out;
}

export const normNode: NodeKind<NormNode> = {
  inputs: oneInput,
  float: (nd, [x]) => normFloat(nd, x!),
  work: (nd) => ({ work: nd.index.length * 4, constraints: nd.index.length * 80 }),
  absorbed: () => undefined,
  quantize(nd, index, ctx) {
    const { layer, frac, size } = ctx.tensor(nd.input);
    if (nd.index.length !== size) ctx.malformed(`normalization over ${nd.index.length} values of a tensor of ${size}`);
    const outFrac = ctx.outputFrac(index);
    const n = nd.n;
    const g = Array.from(nd.scale, (v) => Math.round(v * Math.sqrt(n) * 2 ** outFrac));
    const b = Array.from(nd.bias, (v) => Math.round(v * 2 ** outFrac));
    const eps = Math.max(1, Math.round(nd.epsilon * 2 ** (2 * frac) * n ** 3));
    // |c| ≤ n·255 and W ≤ n·(n·255)² + eps; every |c| ≤ √W < R + 1, so |q| ≤ |G|·(R + 1)/R + 1 ≤ 2|G| + 1.
    const wBound = n * (n * 255) ** 2 + eps;
    if (!Number.isSafeInteger(wBound)) ctx.refuse(`a normalization over ${n} values is too wide for exact statistics`);
    const qBound = 2 * Math.max(1, ...g.map(Math.abs)) + 2 + Math.max(0, ...b.map(Math.abs));
    const wBits = bitsForBound(wBound) - 1;
    ctx.produce(index, {
      op: "norm",
      node: nd.name,
      ...ctx.fromField(layer),
      n,
      index: Array.from(nd.index),
      inFrac: frac,
      outFrac,
      eps,
      g,
      b,
      wBits,
      dBits: Math.ceil(wBits / 2) + 2,
      qBits: bitsForBound(qBound),
    } satisfies QNorm);
  },
};

export const normLayer: LayerKind<QNorm> = {
  sources: previousLayer,
  outSize: (l) => l.index.length,
  outFrac: (l) => l.outFrac,
  outBits: () => ACT_BITS,
  run: (l, [x]) => normRun(l, x!),
  describe: (l) => `normalization over groups of ${l.n} (${l.index.length} values), 2^-${l.inFrac} → 2^-${l.outFrac}, exact statistics (W ${l.wBits} bits)`,
  gadgets: ["norm", "requant"],
  constants: (l, i) => [
    arrayFunction(`Index${i}`, l.index, `Layer ${i}: ${commentText(l.node)}, the input cells of each group, ${l.n} each.`),
    arrayFunction(`Gain${i}`, l.g, `Layer ${i}: γ·√n at 2^-${l.outFrac} per value.`),
    arrayFunction(`Shift${i}`, l.b, `Layer ${i}: β at 2^-${l.outFrac} per value.`),
  ],
  emit(l, i, e) {
    const prev = e.signal(previousLayer(l, i)[0]!);
    const [n, groups] = [l.n, l.index.length / l.n];
    const at = (k: string) => `${prev}[index${i}[g * ${n} + ${k}]]`;
    return [
      `    // ${commentText(l.node)}: normalization over ${groups} groups of ${n}`,
      `    var index${i}[${l.index.length}] = Index${i}();`,
      `    var gain${i}[${l.index.length}] = Gain${i}();`,
      `    var shift${i}[${l.index.length}] = Shift${i}();`,
      `    signal a${i}[${l.index.length}];`,
      `    signal sq${i}[${l.index.length}];`,
      `    component root${i}[${groups}];`,
      `    component div${i}[${l.index.length}];`,
      `    component rq${i}[${l.index.length}];`,
      `    for (var g = 0; g < ${groups}; g++) {`,
      `        var s = 0;`,
      `        for (var k = 0; k < ${n}; k++) s += ${at("k")};`,
      `        var w = ${l.eps};`,
      `        for (var k = 0; k < ${n}; k++) {`,
      `            sq${i}[g * ${n} + k] <== (${n} * ${at("k")} - s) * (${n} * ${at("k")} - s);`,
      `            w += sq${i}[g * ${n} + k];`,
      `        }`,
      `        root${i}[g] = ISqrt(${l.wBits}, ${l.dBits - 1});`,
      `        root${i}[g].w <== w;`,
      `        for (var k = 0; k < ${n}; k++) {`,
      `            var cell = index${i}[g * ${n} + k];`,
      `            div${i}[g * ${n} + k] = NormDiv(${l.dBits});`,
      `            div${i}[g * ${n} + k].num <== (${n} * ${at("k")} - s) * gain${i}[cell];`,
      `            div${i}[g * ${n} + k].d <== root${i}[g].r;`,
      `            rq${i}[g * ${n} + k] = RequantInt8(${l.qBits}, 0, 0, 0);`,
      `            rq${i}[g * ${n} + k].in <== div${i}[g * ${n} + k].q + shift${i}[cell];`,
      `            a${i}[cell] <== rq${i}[g * ${n} + k].out;`,
      `        }`,
      `    }`,
    ];
  },
};
