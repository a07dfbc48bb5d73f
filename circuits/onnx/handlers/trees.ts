/**
 * ONNX-ML tree ensembles (TreeEnsembleRegressor and TreeEnsembleClassifier: the forms skl2onnx and
 * onnxmltools write for scikit-learn, XGBoost and LightGBM models) as one `trees` node
 * (core/ops/trees.ts). Every id and feature index is checked before it is used: a tree that
 * names a missing node, loops, or is deeper than MAX_TREE_DEPTH is refused.
 */
import { ZkmlError } from "../../../core/errors.js";
import { sizeOf } from "../../../core/ir.js";
import { LIMITS } from "../../../core/limits.js";
import { MAX_TREE_DEPTH, type FloatTreeNode, type TreeMode } from "../../../core/ops/trees.js";
import type { OnnxOp } from "../handler.js";
import type { GraphBuilder, NodeProto } from "../graph_builder.js";
import { attr, intAttr, intsAttr, stringAttr } from "../shapes.js";
import { decodeTensor } from "../tensor.js";

const MODES: Record<string, TreeMode | "leaf"> = { BRANCH_LEQ: "leq", BRANCH_LT: "lt", BRANCH_GTE: "gte", BRANCH_GT: "gt", LEAF: "leaf" };

/** A float-list attribute, or its `_as_tensor` form (ai.onnx.ml opset 3); [] when absent. */
function floatsAttr(n: NodeProto, name: string): number[] {
  const a = attr(n, name);
  if (a) return Array.from(a.floats ?? []);
  const t = attr(n, `${name}_as_tensor`)?.t;
  const decoded = t ? decodeTensor(t) : null;
  return decoded ? Array.from(decoded.data) : [];
}

function stringsAttr(n: NodeProto, name: string): string[] {
  return (attr(n, name)?.strings ?? []).map((s) => new TextDecoder().decode(s));
}

/** The per-node attribute lists, all of one length, or BAD_MODEL naming the one that differs. */
function nodeLists(b: GraphBuilder, n: NodeProto) {
  const lists = {
    tree: intsAttr(n, "nodes_treeids") ?? [],
    id: intsAttr(n, "nodes_nodeids") ?? [],
    feature: intsAttr(n, "nodes_featureids") ?? [],
    mode: stringsAttr(n, "nodes_modes"),
    value: floatsAttr(n, "nodes_values"),
    ifTrue: intsAttr(n, "nodes_truenodeids") ?? [],
    ifFalse: intsAttr(n, "nodes_falsenodeids") ?? [],
  };
  const count = lists.tree.length;
  if (count === 0) throw new ZkmlError("BAD_MODEL", `${b.where(n)}: the ensemble has no nodes`);
  if (count > LIMITS.tensorElements) throw new ZkmlError("BAD_MODEL", `${b.where(n)}: ${count} tree nodes, over zkml's limit of ${LIMITS.tensorElements}`);
  for (const [name, list] of Object.entries(lists)) {
    if (list.length !== count) throw new ZkmlError("BAD_MODEL", `${b.where(n)}: nodes_${name} has ${list.length} entries, nodes_treeids ${count}`);
  }
  return lists;
}

/** Leaf weights: (tree, node, output, weight) per entry (the regressor's `target_*`; a classifier's would be `class_*`). */
function leafLists(b: GraphBuilder, n: NodeProto, prefix: "target" | "class") {
  const l = {
    tree: intsAttr(n, `${prefix}_treeids`) ?? [],
    id: intsAttr(n, `${prefix}_nodeids`) ?? [],
    out: intsAttr(n, `${prefix}_ids`) ?? [],
    weight: floatsAttr(n, `${prefix}_weights`),
  };
  for (const [name, list] of Object.entries(l)) {
    if (list.length !== l.tree.length)
      throw new ZkmlError("BAD_MODEL", `${b.where(n)}: ${prefix}_${name} has ${list.length} entries, ${prefix}_treeids ${l.tree.length}`);
  }
  return l;
}

/** The trees, each a node list with its root first, children by index; checked to be finite trees over the features. */
function buildTrees(b: GraphBuilder, n: NodeProto, features: number, outputs: number, prefix: "target" | "class"): FloatTreeNode[][] {
  const nodes = nodeLists(b, n);
  const leaves = leafLists(b, n, prefix);
  const bad = (why: string): never => {
    throw new ZkmlError("BAD_MODEL", `${b.where(n)}: ${why}`);
  };
  // Position of (tree, node id) in the attribute lists; a tree's root is its first node listed.
  const at = new Map<string, number>();
  const treeIds: number[] = [];
  nodes.tree.forEach((t, k) => {
    const key = `${t}:${nodes.id[k]}`;
    if (at.has(key)) bad(`tree ${t} lists node ${nodes.id[k]} twice`);
    if (!treeIds.includes(t)) treeIds.push(t);
    at.set(key, k);
  });
  const weights = new Map<number, [number, number][]>();
  leaves.tree.forEach((t, e) => {
    const k = at.get(`${t}:${leaves.id[e]}`) ?? bad(`${prefix} entry ${e} names node ${leaves.id[e]} of tree ${t}, which does not exist`);
    const o = leaves.out[e]!;
    if (!(o >= 0 && o < outputs)) bad(`${prefix} entry ${e} adds to output ${o}, outside [0, ${outputs})`);
    weights.set(k, [...(weights.get(k) ?? []), [o, leaves.weight[e]!]]);
  });
  return treeIds.map((t) => {
    const list: FloatTreeNode[] = [];
    const index = new Map<number, number>();
    const visit = (k: number, depth: number): number => {
      if (depth > MAX_TREE_DEPTH) bad(`tree ${t} is deeper than ${MAX_TREE_DEPTH} levels`);
      // Reached twice: a cycle or a shared child, which no tree has (and which could make the walk exponential).
      if (index.has(k)) bad(`tree ${t} reaches node ${nodes.id[k]} twice: not a tree`);
      const mode =
        MODES[nodes.mode[k]!] ?? b.unsupported(n, `node mode ${nodes.mode[k]} is not supported (BRANCH_LEQ, BRANCH_LT, BRANCH_GTE, BRANCH_GT, LEAF)`);
      const slot = list.length;
      index.set(k, slot);
      if (mode === "leaf") {
        list.push({ leaf: weights.get(k) ?? [] });
        return slot;
      }
      const feature = nodes.feature[k]!;
      if (!(feature >= 0 && feature < features)) bad(`tree ${t} node ${nodes.id[k]} reads feature ${feature}, outside [0, ${features})`);
      const child = (id: number) => at.get(`${t}:${id}`) ?? bad(`tree ${t} node ${nodes.id[k]} names child ${id}, which does not exist`);
      const node = { feature, threshold: nodes.value[k]!, mode, ifTrue: -1, ifFalse: -1 };
      list.push(node);
      node.ifTrue = visit(child(nodes.ifTrue[k]!), depth + 1);
      node.ifFalse = visit(child(nodes.ifFalse[k]!), depth + 1);
      return slot;
    };
    visit(at.get(`${t}:${nodes.id[nodes.tree.indexOf(t)]}`)!, 0);
    return list;
  });
}

/** The features: the input's values (one row; a batch dimension of 1 is allowed). */
function featureCount(b: GraphBuilder, n: NodeProto): { shape: number[]; features: number } {
  const a = b.actOf(n, n.input![0]!);
  if (a.shape.length > 2 || (a.shape.length === 2 && a.shape[0] !== 1)) b.unsupported(n, `needs one row of features ([F] or [1, F]), got [${a.shape}]`);
  return { shape: a.shape, features: sizeOf(a.shape) };
}

/** Leaf sums and base values, the AVERAGE aggregate folded into the leaves; other aggregates refused. */
function aggregate(b: GraphBuilder, n: NodeProto, trees: FloatTreeNode[][], outputs: number): number[] {
  const fn = stringAttr(n, "aggregate_function", "SUM");
  if (fn !== "SUM" && fn !== "AVERAGE") b.unsupported(n, `aggregate_function ${fn} is not supported (SUM, AVERAGE)`);
  if (fn === "AVERAGE") for (const tree of trees) for (const node of tree) if ("leaf" in node) node.leaf = node.leaf.map(([o, w]) => [o, w / trees.length]);
  const base = floatsAttr(n, "base_values");
  if (base.length !== 0 && base.length !== outputs) throw new ZkmlError("BAD_MODEL", `${b.where(n)}: ${base.length} base_values for ${outputs} outputs`);
  return base.length ? base : new Array<number>(outputs).fill(0);
}

const regressor: OnnxOp = {
  import(b, n) {
    const post = stringAttr(n, "post_transform", "NONE");
    if (post !== "NONE") b.unsupported(n, `post_transform ${post} is not supported on a regressor`);
    const { features } = featureCount(b, n);
    const targets = intAttr(n, "n_targets", 1);
    if (!(targets >= 1 && targets <= LIMITS.tensorElements)) throw new ZkmlError("BAD_MODEL", `${b.where(n)}: n_targets ${targets}`);
    const trees = buildTrees(b, n, features, targets, "target");
    const base = aggregate(b, n, trees, targets);
    b.emit({ op: "trees", name: b.nameOf(n), onnxOp: n.opType!, input: b.srcOf(n), output: b.out0(n), features, targets, trees, base }, [1, targets]);
  },
};

/** The classifier's labels: 0 … C − 1 (the label is then the argmax itself); others refused. */
function classCount(b: GraphBuilder, n: NodeProto): number {
  if (stringsAttr(n, "classlabels_strings").length > 0) b.unsupported(n, "string class labels are not supported: export integer labels 0 … C − 1");
  const labels = intsAttr(n, "classlabels_int64s") ?? [];
  if (labels.length < 2 || labels.some((v, i) => v !== i)) b.unsupported(n, `class labels [${labels}] are not supported: only 0 … C − 1 with C ≥ 2`);
  return labels.length;
}

/**
 * A multi-class classifier: the per-class scores (Σ of leaves plus base) are a trees node; its
 * probabilities are the scores after post_transform (as they are, a proven softmax layer, or a
 * sigmoid table); its label is their argmax, the proof's class (an output of the scores with the
 * argmax transform, as an ArgMax ending a graph).
 */
const classifier: OnnxOp = {
  import(b, n, { graph, transforms }) {
    const post = stringAttr(n, "post_transform", "NONE");
    if (!["NONE", "SOFTMAX", "LOGISTIC"].includes(post)) b.unsupported(n, `post_transform ${post} is not supported (NONE, SOFTMAX, LOGISTIC)`);
    const classes = classCount(b, n);
    const { features } = featureCount(b, n);
    // The binary form of gradient-boosted exports: leaves score class 0 only (s), LOGISTIC; onnxruntime
    // then gives [σ(−s), σ(s)] = softmax([0, s]) and label s > 0: the scores [0, s] with a softmax.
    const ids = intsAttr(n, "class_ids") ?? [];
    const binary = classes === 2 && ids.length > 0 && ids.every((v) => v === 0);
    if (binary && post !== "LOGISTIC") b.unsupported(n, `a binary classifier scoring one class with post_transform ${post} is not supported (LOGISTIC only)`);
    if (!binary && new Set(ids).size < classes)
      b.unsupported(n, "leaves that score fewer classes than the classifier has are not supported (but the binary LOGISTIC form)");
    const trees = buildTrees(b, n, features, binary ? 1 : classes, "class");
    const base = aggregate(b, n, trees, binary ? 1 : classes);
    if (binary) {
      for (const tree of trees) for (const node of tree) if ("leaf" in node) node.leaf = node.leaf.map(([, w]) => [1, w]);
      base.unshift(0);
    }
    const [label, probabilities] = [n.output?.[0], n.output?.[1]];
    const read = new Set([...(graph.node ?? []).flatMap((m) => m.input ?? []), ...(graph.output ?? []).map((o) => o.name)]);
    const scores = `${b.nameOf(n)}/scores`;
    const shape = [1, classes];
    b.emit({ op: "trees", name: scores, onnxOp: n.opType!, input: b.srcOf(n), output: scores, features, targets: classes, trees, base }, shape);
    if (probabilities && read.has(probabilities)) {
      const common = { name: b.nameOf(n), onnxOp: n.opType!, input: scores, output: probabilities };
      if (post === "NONE") b.aliasName(probabilities, scores, shape);
      else if (post === "SOFTMAX" || binary) b.emit({ ...common, op: "softmax", n: classes, index: Int32Array.from({ length: classes }, (_, i) => i) }, shape);
      else b.emit({ ...common, op: "activation", fn: { kind: "sigmoid" } }, shape);
    }
    if (label && read.has(label)) {
      if ((graph.node ?? []).some((m) => (m.input ?? []).includes(label)))
        b.unsupported(n, "the label may only be a graph output (zkml proves it as the scores' argmax)");
      b.aliasName(label, scores, shape);
      transforms.set(label, "argmax");
    }
  },
};

export const TREE_OPS: Record<string, OnnxOp> = { TreeEnsembleRegressor: regressor, TreeEnsembleClassifier: classifier };
