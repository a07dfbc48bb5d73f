/**
 * MatMul of two activations (attention's Q·Kᵀ): every product is a constraint, the sum of each
 * output's k products is exact, then requantized like a linear layer (ReLU fused).
 */
import { commentText } from "../inert.js";
import { ACT_BITS, bitsForBound, requantize, roundingConstant, requantText, sumOfProducts, type NodeBase, type Requant } from "../ir.js";
import { arrayFunction, requantLines } from "./circom.js";
import type { LayerKind, NodeKind } from "./kind.js";
import { twoOperandAccumulator } from "./linear.js";

/** Output o is Σ_k input[aIndex[o·k + j]] · input2[bIndex[o·k + j]] over j < k. */
export interface MatMulNode extends NodeBase {
  op: "matmul";
  input2: string;
  k: number;
  aIndex: Int32Array;
  bIndex: Int32Array;
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

export const matmulNode: NodeKind<MatMulNode> = {
  inputs: (n) => [n.input, n.input2],
  float: (n, [x, y]) => Float64Array.from(sumOfProducts(x!, y!, n)),
  work: (n) => ({ work: n.aIndex.length, constraints: n.aIndex.length + (n.aIndex.length / n.k) * 32 }),
  absorbed: () => undefined,
  quantize(n, _index, ctx) {
    const a = ctx.tensor(n.input);
    const b = ctx.tensor(n.input2);
    const { last, relu, fixed } = ctx.absorb(true);
    const accFrac = a.frac + b.frac;
    const requant = ctx.requantFor(last, relu, fixed, accFrac);
    let bound = n.k * 2 ** (2 * (ACT_BITS - 1));
    bound += roundingConstant(requant);
    ctx.produce(last, {
      op: "matmul",
      node: n.name,
      a: a.layer,
      b: b.layer,
      size: n.aIndex.length / n.k,
      k: n.k,
      aIndex: Array.from(n.aIndex),
      bIndex: Array.from(n.bIndex),
      accFrac,
      accBits: bitsForBound(bound),
      requant,
    } satisfies QMatMul);
  },
};

export const matmulLayer: LayerKind<QMatMul> = {
  ...twoOperandAccumulator<QMatMul>(),
  run(l, [x, y]) {
    const acc = sumOfProducts(x!, y!, l);
    const r = l.requant;
    return r ? acc.map((a) => requantize(a, r)) : acc;
  },
  describe: (l) =>
    `matmul of layers ${l.a < 0 ? "input" : l.a} and ${l.b < 0 ? "input" : l.b} (${l.size} values, ${l.k} products each), acc 2^-${l.accFrac} (${l.accBits} bits)${requantText(l.requant)}`,
  gadgets: ["requant"],
  constants: (l, i) => [
    arrayFunction(`AIndex${i}`, l.aIndex, `Layer ${i}: ${commentText(l.node)}, first factor of every product.`),
    arrayFunction(`BIndex${i}`, l.bIndex, `Layer ${i}: ${commentText(l.node)}, second factor of every product.`),
  ],
  emit(l, i, e) {
    const [a, b] = [e.signal(l.a), e.signal(l.b)];
    const n = l.size * l.k;
    return [
      `    // ${commentText(l.node)}: matmul of ${a} and ${b}, ${l.size} values of ${l.k} products${requantText(l.requant)}`,
      `    var ai${i}[${n}] = AIndex${i}();`,
      `    var bi${i}[${n}] = BIndex${i}();`,
      `    signal a${i}[${l.size}];`,
      `    signal prod${i}[${n}];`,
      ...(l.requant ? [`    component rq${i}[${l.size}];`] : []),
      `    for (var o = 0; o < ${l.size}; o++) {`,
      `        var acc = 0;`,
      `        for (var j = o * ${l.k}; j < (o + 1) * ${l.k}; j++) {`,
      `            prod${i}[j] <== ${a}[ai${i}[j]] * ${b}[bi${i}[j]];`,
      `            acc += prod${i}[j];`,
      `        }`,
      ...requantLines(l, i, `a${i}[o]`, "        "),
      `    }`,
    ];
  },
};
