/**
 * A tree ensemble (ONNX-ML TreeEnsembleRegressor and TreeEnsembleClassifier; gradient-boosted
 * trees, random forests): each tree walks from its root by comparing one input feature with a
 * threshold per node, and the leaves it reaches add their weights to the outputs.
 *
 * Integers: the input is int8 at 2^-inFrac, so a comparison x ≤ t is exactly q ≤ ⌊t·2^inFrac⌋
 * (x < t is q ≤ ⌈t·2^inFrac⌉ − 1; ≥ and > are those with the branches swapped): the path a
 * quantized input takes is the path the float model takes on the dequantized input, bit for bit.
 * Comparisons that are constant over int8 are pruned at compile time; equal (feature, threshold)
 * pairs are compared once for the whole ensemble. Leaf weights are integers at 2^-accFrac.
 *
 * Circuit: one TreeLeq per distinct comparison (9 constraints), one product per remaining internal
 * node but the root (reach(true child) = reach(node)·c, reach(false child) = reach(node) − that),
 * and the outputs are linear in the leaves' reach: about 10 constraints per internal node.
 */
import { commentText } from "../inert.js";
import { bitsForBound, requantize, requantText, roundHalfEven, roundingConstant, type LayerBase, type NodeBase, type Requant } from "../ir.js";
import { arrayFunction, requantLines } from "./circom.js";
import { accumulatorOut } from "./linear.js";
import { oneInput, previousLayer, type LayerKind, type NodeKind, type QuantizeContext } from "./kind.js";

/** A branch's test of its feature x against its threshold t: true goes to `ifTrue`. */
export type TreeMode = "leq" | "lt" | "gte" | "gt";

/** One node of a float tree: a branch, or a leaf with (target, weight) pairs. Children index the tree's node list. */
export type FloatTreeNode =
  | { feature: number; threshold: number; mode: TreeMode; ifTrue: number; ifFalse: number }
  | { leaf: [target: number, weight: number][] };

/** The most levels a tree may have: a deeper (or cyclic) tree is refused at import. */
export const MAX_TREE_DEPTH = 64;

export interface TreesNode extends NodeBase {
  op: "trees";
  /** Features read: the input's values. */
  features: number;
  targets: number;
  /** Each tree's nodes; node 0 is its root. */
  trees: FloatTreeNode[][];
  /** Added to each target after the trees' sum (AVERAGE is folded into the leaves at import). */
  base: number[];
}

/**
 * The ensemble on int8 features: every distinct comparison `q[cmpFeature[k]] <= cmpThreshold[k]`,
 * then all trees' nodes in one list (parents before children; `roots` holds each tree's root).
 * Node n is a branch on comparison nodeCmp[n] (−1: a leaf) with children nodeTrue[n], nodeFalse[n];
 * leaf entry e adds leafWeight[e] to target leafTarget[e] when node leafNode[e] is reached.
 */
export interface QTrees extends LayerBase {
  op: "trees";
  inSize: number;
  targets: number;
  inFrac: number;
  cmpFeature: number[];
  cmpThreshold: number[];
  roots: number[];
  nodeCmp: number[];
  nodeTrue: number[];
  nodeFalse: number[];
  leafNode: number[];
  leafTarget: number[];
  leafWeight: number[];
  /** Per target, at 2^-accFrac. */
  base: number[];
  accFrac: number;
  accBits: number;
  requant: Requant | null;
}

/** Whether a float feature value takes a branch's true side (onnxruntime's comparisons). */
function takesTrue(mode: TreeMode, x: number, t: number): boolean {
  switch (mode) {
    case "leq":
      return x <= t;
    case "lt":
      return x < t;
    case "gte":
      return x >= t;
    case "gt":
      return x > t;
    default:
      return mode satisfies never;
  }
}

/**
 * The float ensemble on one input: Σ of reached leaves' weights, plus base. A feature is compared
 * as the float32 the model reads (its thresholds are float32): -0.3 as a double is above the
 * float32 threshold -0.3, as a float32 it is equal, and onnxruntime takes the branch for equal.
 */
function runFloatTrees(n: TreesNode, x: Float64Array): Float64Array {
  const out = Float64Array.from(n.base);
  for (const tree of n.trees) {
    let node = tree[0]!;
    while (!("leaf" in node)) node = tree[takesTrue(node.mode, Math.fround(x[node.feature]!), node.threshold) ? node.ifTrue : node.ifFalse]!;
    for (const [target, w] of node.leaf) out[target]! += w;
  }
  return out;
}

/** A branch as `q <= T` (and whether its children swap), or the child it always takes over int8. */
function integerTest(mode: TreeMode, t: number, inFrac: number): { threshold: number; swap: boolean } | { always: boolean } {
  const scaled = t * 2 ** inFrac;
  // x ≤ t ⇔ q ≤ ⌊t·2^f⌋; x < t ⇔ q ≤ ⌈t·2^f⌉ − 1; ≥ and > are their negations.
  const leq = mode === "leq" || mode === "gt" ? Math.floor(scaled) : Math.ceil(scaled) - 1;
  const swap = mode === "gte" || mode === "gt";
  if (leq >= 127) return { always: !swap };
  if (leq < -128) return { always: swap };
  return { threshold: leq, swap };
}

/**
 * Leaf weights' scale: 24 bits for the largest leaf (a float32's precision, so the sum is as exact
 * as onnxruntime's), as long as the worst-case output stays within 46 bits.
 */
function leafFrac(n: TreesNode): number {
  let maxLeaf = 0;
  let total = Math.max(0, ...n.base.map(Math.abs));
  for (const tree of n.trees) {
    let treeMax = 0;
    for (const node of tree) if ("leaf" in node) for (const [, w] of node.leaf) treeMax = Math.max(treeMax, Math.abs(w));
    maxLeaf = Math.max(maxLeaf, treeMax);
    total += treeMax;
  }
  if (!(maxLeaf > 0)) return 0;
  return Math.max(0, Math.min(Math.floor(Math.log2(2 ** 24 / maxLeaf)), Math.floor(Math.log2(2 ** 46 / total))));
}

/** The integer ensemble: comparisons, flattened nodes with constant branches pruned, leaf weights. */
function quantizeTrees(n: TreesNode, inFrac: number, accFrac: number): Omit<QTrees, "op" | "node" | "inSize" | "accBits" | "requant" | "from"> {
  const q = {
    targets: n.targets,
    inFrac,
    accFrac,
    ...{ cmpFeature: [] as number[], cmpThreshold: [] as number[], roots: [] as number[], nodeCmp: [] as number[], nodeTrue: [] as number[] },
    ...{ nodeFalse: [] as number[], leafNode: [] as number[], leafTarget: [] as number[], leafWeight: [] as number[] },
    base: n.base.map((b) => roundHalfEven(b * 2 ** accFrac)),
  };
  const cmpIndex = new Map<string, number>();
  const comparison = (feature: number, threshold: number) => {
    const key = `${feature}:${threshold}`;
    let k = cmpIndex.get(key);
    if (k === undefined) {
      k = q.cmpFeature.push(feature) - 1;
      q.cmpThreshold.push(threshold);
      cmpIndex.set(key, k);
    }
    return k;
  };
  for (const tree of n.trees) {
    // Breadth-first, so parents come before children; a constant branch is replaced by its child.
    const resolve = (i: number): number => {
      let node = tree[i]!;
      let at = i;
      while (!("leaf" in node)) {
        const test = integerTest(node.mode, node.threshold, inFrac);
        if (!("always" in test)) break;
        at = test.always ? node.ifTrue : node.ifFalse;
        node = tree[at]!;
      }
      return at;
    };
    const slot = new Map<number, number>();
    const queue: number[] = [];
    const place = (i: number): number => {
      const known = slot.get(i);
      if (known !== undefined) return known;
      const at = q.nodeCmp.push(-2) - 1;
      slot.set(i, at);
      queue.push(i);
      return at;
    };
    q.roots.push(place(resolve(0)));
    for (let head = 0; head < queue.length; head++) {
      const i = queue[head]!;
      const node = tree[i]!;
      const at = slot.get(i)!;
      if ("leaf" in node) {
        q.nodeCmp[at] = -1;
        for (const [target, w] of node.leaf) {
          q.leafNode.push(at);
          q.leafTarget.push(target);
          q.leafWeight.push(roundHalfEven(w * 2 ** accFrac));
        }
        continue;
      }
      const test = integerTest(node.mode, node.threshold, inFrac) as { threshold: number; swap: boolean };
      q.nodeCmp[at] = comparison(node.feature, test.threshold);
      const [t, f] = test.swap ? [node.ifFalse, node.ifTrue] : [node.ifTrue, node.ifFalse];
      q.nodeTrue[at] = place(resolve(t));
      q.nodeFalse[at] = place(resolve(f));
    }
  }
  for (let i = 0; i < q.nodeCmp.length; i++) {
    if (q.nodeCmp[i] !== -1) continue;
    q.nodeTrue[i] = -1;
    q.nodeFalse[i] = -1;
  }
  return q;
}

/** Worst |output| per target: |base| + Σ over trees of its largest |leaf weight| for that target. */
function treesBound(l: Pick<QTrees, "roots" | "nodeCmp" | "leafNode" | "leafTarget" | "leafWeight" | "base" | "targets">): number {
  const treeOf = new Array<number>(l.nodeCmp.length);
  // Nodes are listed tree by tree from each root, so a node belongs to the last root before it.
  for (let i = 0, t = -1; i < l.nodeCmp.length; i++) treeOf[i] = l.roots[t + 1] === i ? ++t : t;
  const worst = new Map<string, number>();
  l.leafNode.forEach((node, e) => {
    const key = `${treeOf[node]}:${l.leafTarget[e]}`;
    worst.set(key, Math.max(worst.get(key) ?? 0, Math.abs(l.leafWeight[e]!)));
  });
  const perTarget = l.base.map(Math.abs);
  for (const [key, w] of worst) perTarget[Number(key.split(":")[1])]! += w;
  return Math.max(0, ...perTarget);
}

function quantizeTreesNode(n: TreesNode, _index: number, ctx: QuantizeContext): void {
  const src = ctx.tensor(n.input);
  if (src.size !== n.features) ctx.malformed(`the ensemble reads ${n.features} features, its input has ${src.size} values`);
  const { last, relu, fixed } = ctx.absorb(true);
  const accFrac = leafFrac(n);
  const q = quantizeTrees(n, src.frac, accFrac);
  const requant = ctx.requantFor(last, relu, fixed, accFrac);
  const bound = treesBound(q) + roundingConstant(requant);
  if (!Number.isSafeInteger(bound)) ctx.malformed(`output bound ${bound} is too large`);
  ctx.produce(last, { op: "trees", node: n.name, ...ctx.fromField(src.layer), inSize: src.size, ...q, accBits: bitsForBound(bound), requant } satisfies QTrees);
}

export const treesNode: NodeKind<TreesNode> = {
  inputs: oneInput,
  float: (n, [x]) => runFloatTrees(n, x!),
  work: (n) => {
    const nodes = n.trees.reduce((s, t) => s + t.length, 0);
    return { work: nodes, constraints: 10 * nodes };
  },
  absorbed: () => undefined,
  quantize: quantizeTreesNode,
};

/** The reached leaves' sums on int8 features, exactly as the circuit computes them. */
function runIntegerTrees(l: QTrees, x: readonly number[]): number[] {
  const c = l.cmpFeature.map((f, k) => x[f]! <= l.cmpThreshold[k]!);
  const reached = new Set<number>();
  for (const root of l.roots) {
    let n = root;
    while (l.nodeCmp[n]! >= 0) n = c[l.nodeCmp[n]!] ? l.nodeTrue[n]! : l.nodeFalse[n]!;
    reached.add(n);
  }
  const acc = [...l.base];
  l.leafNode.forEach((node, e) => {
    if (reached.has(node)) acc[l.leafTarget[e]!]! += l.leafWeight[e]!;
  });
  return l.requant ? acc.map((v) => requantize(v, l.requant!)) : acc;
}

/** The circom block: comparisons, path products, leaf sums, requantization. */
/** Each node's branch number (its `taken` signal), −1 for a leaf. */
function branchIndex(l: QTrees): number[] {
  let b = 0;
  return l.nodeCmp.map((c) => (c >= 0 ? b++ : -1));
}

/** Comparisons and path products: reach[n] is 1 when the input's path goes through node n, a linear form of the products. */
function pathLines(l: QTrees, i: number, prev: string, branches: number): string[] {
  const [K, N] = [l.cmpFeature.length, l.nodeCmp.length];
  const setup = [
    `    var reach${i}[${N}];`,
    `    for (var n = 0; n < ${N}; n++) reach${i}[n] = 0;`,
    `    var roots${i}[${l.roots.length}] = Roots${i}();`,
    `    for (var t = 0; t < ${l.roots.length}; t++) reach${i}[roots${i}[t]] = 1;`,
  ];
  if (branches === 0) return setup;
  return [
    `    var cmpFeature${i}[${K}] = CmpFeature${i}();`,
    `    var cmpThreshold${i}[${K}] = CmpThreshold${i}();`,
    `    var nodeCmp${i}[${N}] = NodeCmp${i}();`,
    `    var nodeBranch${i}[${N}] = NodeBranch${i}();`,
    `    var nodeTrue${i}[${N}] = NodeTrue${i}();`,
    `    var nodeFalse${i}[${N}] = NodeFalse${i}();`,
    `    component leq${i}[${K}];`,
    `    for (var k = 0; k < ${K}; k++) {`,
    `        leq${i}[k] = TreeLeq();`,
    `        leq${i}[k].in <== ${prev}[cmpFeature${i}[k]];`,
    `        leq${i}[k].threshold <== cmpThreshold${i}[k];`,
    `    }`,
    ...setup,
    `    signal taken${i}[${branches}];`,
    `    for (var n = 0; n < ${N}; n++) {`,
    `        if (nodeCmp${i}[n] >= 0) {`,
    `            taken${i}[nodeBranch${i}[n]] <== reach${i}[n] * leq${i}[nodeCmp${i}[n]].out;`,
    `            reach${i}[nodeTrue${i}[n]] = taken${i}[nodeBranch${i}[n]];`,
    `            reach${i}[nodeFalse${i}[n]] = reach${i}[n] - taken${i}[nodeBranch${i}[n]];`,
    `        }`,
    `    }`,
  ];
}

function treesCode(l: QTrees, i: number, prev: string): string[] {
  const [K, E, T] = [l.cmpFeature.length, l.leafNode.length, l.targets];
  const branches = l.nodeCmp.filter((c) => c >= 0).length;
  return [
    `    // ${commentText(l.node)}: ${l.roots.length} trees, ${K} comparisons, ${branches} branches${requantText(l.requant)}`,
    ...pathLines(l, i, prev, branches),
    `    var leafNode${i}[${Math.max(E, 1)}] = LeafNode${i}();`,
    `    var leafTarget${i}[${Math.max(E, 1)}] = LeafTarget${i}();`,
    `    var leafWeight${i}[${Math.max(E, 1)}] = LeafWeight${i}();`,
    `    var base${i}[${T}] = Base${i}();`,
    `    var sums${i}[${T}];`,
    `    for (var t = 0; t < ${T}; t++) sums${i}[t] = base${i}[t];`,
    `    for (var e = 0; e < ${E}; e++) sums${i}[leafTarget${i}[e]] += reach${i}[leafNode${i}[e]] * leafWeight${i}[e];`,
    `    signal a${i}[${T}];`,
    ...(l.requant ? [`    component rq${i}[${T}];`] : []),
    `    for (var o = 0; o < ${T}; o++) {`,
    `        var acc = sums${i}[o];`,
    ...requantLines(l, i, `a${i}[o]`, "        "),
    `    }`,
  ];
}

export const treesLayer: LayerKind<QTrees> = {
  sources: previousLayer,
  outSize: (l) => l.targets,
  outFrac: (l) => accumulatorOut(l).frac,
  outBits: (l) => accumulatorOut(l).bits,
  run: (l, [x]) => runIntegerTrees(l, x!),
  describe: (l) =>
    `tree ensemble: ${l.roots.length} trees, ${l.cmpFeature.length} comparisons on ${l.inSize} int8 features at 2^-${l.inFrac}, ` +
    `${l.targets} output(s), leaves 2^-${l.accFrac} (${l.accBits} bits)${requantText(l.requant)}`,
  gadgets: ["tree_leq"],
  constants: (l, i) => {
    const c = `Layer ${i}: ${commentText(l.node)},`;
    return [
      arrayFunction(`CmpFeature${i}`, l.cmpFeature, `${c} the input value each comparison reads.`),
      arrayFunction(`CmpThreshold${i}`, l.cmpThreshold, `${c} each comparison's threshold (value <= threshold).`),
      arrayFunction(`NodeCmp${i}`, l.nodeCmp, `${c} each node's comparison (-1: a leaf).`),
      arrayFunction(`NodeBranch${i}`, branchIndex(l), `${c} each node's branch number (-1: a leaf).`),
      arrayFunction(`NodeTrue${i}`, l.nodeTrue, `${c} each branch's child when its comparison holds.`),
      arrayFunction(`NodeFalse${i}`, l.nodeFalse, `${c} each branch's child otherwise.`),
      arrayFunction(`Roots${i}`, l.roots, `${c} each tree's root node.`),
      arrayFunction(`LeafNode${i}`, l.leafNode, `${c} the node of each leaf weight.`),
      arrayFunction(`LeafTarget${i}`, l.leafTarget, `${c} the output each leaf weight adds to.`),
      arrayFunction(`LeafWeight${i}`, l.leafWeight, `${c} leaf weights at 2^-${l.accFrac}.`),
      arrayFunction(`Base${i}`, l.base, `${c} base values at 2^-${l.accFrac}.`),
    ];
  },
  emit: (l, i, e) => treesCode(l, i, e.signal(previousLayer(l, i)[0]!)),
};
