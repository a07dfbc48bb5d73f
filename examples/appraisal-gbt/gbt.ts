/**
 * A small gradient-boosted regression-tree trainer (squared loss, histogram splits as LightGBM
 * makes them), so zkml's tree bench model and tests are trained ensembles, not random trees; and
 * the synthetic appraisal data it learns: a price that is not linear in six property features.
 */
import type { FloatTreeNode } from "../../core/ops/trees.js";
import { mulberry32 } from "../../core/random.js";

/** Features in [-1, 1]: size, rooms, age, distance to centre, school rating, garden. */
export const FEATURES = ["size", "rooms", "age", "distance", "school", "garden"] as const;

/** Price in units of 100k: a floor on small homes, a premium where size and school meet, a centre that fades. */
export function price(x: readonly number[]): number {
  const [size, rooms, age, distance, school, garden] = x as [number, number, number, number, number, number];
  return (
    3 +
    1.2 * Math.max(size, -0.4) +
    0.3 * rooms -
    0.5 * age * age +
    0.8 * Math.exp(-2 * distance * distance) +
    0.6 * Math.max(0, size * school) +
    0.2 * (garden > 0 ? 1 : 0)
  );
}

/** n samples of the data, features on a 1/100 grid (as a listing rounds them), prices with noise. */
export function appraisalData(n: number, seed: number): { x: number[][]; y: number[] } {
  const rand = mulberry32(seed);
  const x = Array.from({ length: n }, () => FEATURES.map(() => Math.round((rand() * 2 - 1) * 100) / 100));
  return { x, y: x.map((r) => price(r) + (rand() - 0.5) * 0.1) };
}

interface Split {
  feature: number;
  threshold: number;
  gain: number;
}

/** Candidate thresholds per feature: midpoints between 32 quantiles of its values. */
function binEdges(x: number[][], features: number): number[][] {
  return Array.from({ length: features }, (_, f) => {
    const v = [...new Set(x.map((r) => r[f]!))].sort((a, b) => a - b);
    const edges = new Set<number>();
    for (let q = 1; q < 32; q++) {
      const i = Math.floor((q * v.length) / 32);
      if (i > 0 && i < v.length) edges.add(Math.fround((v[i - 1]! + v[i]!) / 2));
    }
    return [...edges].sort((a, b) => a - b);
  });
}

/** The split of `rows` that most reduces the squared error of the residuals r (x ≤ threshold goes left). */
function bestSplit(x: number[][], r: number[], rows: number[], edges: number[][]): Split | null {
  let best: Split | null = null;
  const total = rows.reduce((s, i) => s + r[i]!, 0);
  for (let f = 0; f < edges.length; f++) {
    const e = edges[f]!;
    const sum = new Float64Array(e.length + 1);
    const count = new Float64Array(e.length + 1);
    for (const i of rows) {
      let b = 0;
      while (b < e.length && x[i]![f]! > e[b]!) b++;
      sum[b]! += r[i]!;
      count[b]!++;
    }
    let ls = 0;
    let lc = 0;
    for (let b = 0; b < e.length; b++) {
      ls += sum[b]!;
      lc += count[b]!;
      const rc = rows.length - lc;
      if (lc === 0 || rc === 0) continue;
      const gain = (ls * ls) / lc + ((total - ls) * (total - ls)) / rc - (total * total) / rows.length;
      if (!best || gain > best.gain) best = { feature: f, threshold: e[b]!, gain };
    }
  }
  return best;
}

/** One regression tree of the given depth on residuals r; leaves hold learning rate × mean residual. */
function fitTree(x: number[][], r: number[], edges: number[][], depth: number, rate: number): FloatTreeNode[] {
  const nodes: FloatTreeNode[] = [];
  const grow = (rows: number[], level: number): number => {
    const at = nodes.length;
    const split = level < depth && rows.length >= 4 ? bestSplit(x, r, rows, edges) : null;
    if (!split || split.gain <= 1e-12) {
      nodes.push({ leaf: [[0, Math.fround((rate * rows.reduce((s, i) => s + r[i]!, 0)) / Math.max(rows.length, 1))]] });
      return at;
    }
    const node = { feature: split.feature, threshold: split.threshold, mode: "leq" as const, ifTrue: -1, ifFalse: -1 };
    nodes.push(node);
    node.ifTrue = grow(
      rows.filter((i) => x[i]![split.feature]! <= split.threshold),
      level + 1,
    );
    node.ifFalse = grow(
      rows.filter((i) => x[i]![split.feature]! > split.threshold),
      level + 1,
    );
    return at;
  };
  grow(
    x.map((_, i) => i),
    0,
  );
  return nodes;
}

/** The value of one tree at x. */
export function treeValue(tree: FloatTreeNode[], x: readonly number[]): number {
  let node = tree[0]!;
  while (!("leaf" in node)) node = tree[x[node.feature]! <= node.threshold ? node.ifTrue : node.ifFalse]!;
  return node.leaf[0]![1];
}

/** Gradient boosting with squared loss: `trees` trees of `depth`, learning rate `rate`; base is the mean price. */
export function trainGbt(x: number[][], y: number[], opts: { trees: number; depth: number; rate: number }): { trees: FloatTreeNode[][]; base: number } {
  const base = Math.fround(y.reduce((s, v) => s + v, 0) / y.length);
  const edges = binEdges(x, x[0]!.length);
  const fit = y.map(() => base);
  const trees: FloatTreeNode[][] = [];
  for (let t = 0; t < opts.trees; t++) {
    const tree = fitTree(
      x,
      y.map((v, i) => v - fit[i]!),
      edges,
      opts.depth,
      opts.rate,
    );
    x.forEach((r, i) => (fit[i]! += treeValue(tree, r)));
    trees.push(tree);
  }
  return { trees, base };
}
