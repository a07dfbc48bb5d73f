/**
 * An ONNX writer for tree ensembles (ai.onnx.ml TreeEnsembleRegressor, as skl2onnx writes a
 * scikit-learn or XGBoost regressor), for zkml's tests and its gradient-boosted bench model.
 */
import { writeFileAtomic } from "../../core/manifest.js";
import type { FloatTreeNode } from "../../core/ops/trees.js";
import { DT, onnx } from "./tensor.js";

export interface TreeEnsembleSpec {
  name: string;
  features: number;
  /** Outputs of a regressor, or (with `classifier`) classes of a classifier whose leaves score every class. */
  targets?: number;
  /** Write TreeEnsembleClassifier (labels 0 … targets − 1, outputs `label` and `probabilities`) with this post_transform. */
  classifier?: { postTransform: "NONE" | "SOFTMAX" | "LOGISTIC" };
  /** Each tree's nodes, root first; children index the tree's list. */
  trees: FloatTreeNode[][];
  base?: number[];
  aggregate?: "SUM" | "AVERAGE";
}

const A = onnx.AttributeProto.AttributeType;
const text = (v: string) => new TextEncoder().encode(v);
const MODE_NAMES = { leq: "BRANCH_LEQ", lt: "BRANCH_LT", gte: "BRANCH_GTE", gt: "BRANCH_GT" } as const;

/** The attribute lists of TreeEnsembleRegressor for these trees. */
function ensembleAttributes(spec: TreeEnsembleSpec) {
  const n = { treeids: [] as number[], nodeids: [] as number[], featureids: [] as number[], modes: [] as string[], values: [] as number[] };
  const children = { truenodeids: [] as number[], falsenodeids: [] as number[] };
  const t = { treeids: [] as number[], nodeids: [] as number[], ids: [] as number[], weights: [] as number[] };
  spec.trees.forEach((tree, ti) =>
    tree.forEach((node, id) => {
      n.treeids.push(ti);
      n.nodeids.push(id);
      const leaf = "leaf" in node;
      n.featureids.push(leaf ? 0 : node.feature);
      n.modes.push(leaf ? "LEAF" : MODE_NAMES[node.mode]);
      n.values.push(leaf ? 0 : node.threshold);
      children.truenodeids.push(leaf ? 0 : node.ifTrue);
      children.falsenodeids.push(leaf ? 0 : node.ifFalse);
      if (!leaf) return;
      for (const [target, w] of node.leaf) {
        t.treeids.push(ti);
        t.nodeids.push(id);
        t.ids.push(target);
        t.weights.push(w);
      }
    }),
  );
  const ints = (name: string, v: number[]) => ({ name, type: A.INTS, ints: v });
  const floats = (name: string, v: number[]) => ({ name, type: A.FLOATS, floats: v });
  const leaves = spec.classifier ? "class" : "target";
  const outputs = spec.classifier
    ? [
        ints(
          "classlabels_int64s",
          Array.from({ length: spec.targets ?? 2 }, (_, i) => i),
        ),
      ]
    : [
        { name: "n_targets", type: A.INT, i: spec.targets ?? 1 },
        { name: "aggregate_function", type: A.STRING, s: text(spec.aggregate ?? "SUM") },
      ];
  return [
    ints("nodes_treeids", n.treeids),
    ints("nodes_nodeids", n.nodeids),
    ints("nodes_featureids", n.featureids),
    { name: "nodes_modes", type: A.STRINGS, strings: n.modes.map(text) },
    floats("nodes_values", n.values),
    ints("nodes_truenodeids", children.truenodeids),
    ints("nodes_falsenodeids", children.falsenodeids),
    ints(`${leaves}_treeids`, t.treeids),
    ints(`${leaves}_nodeids`, t.nodeids),
    ints(`${leaves}_ids`, t.ids),
    floats(`${leaves}_weights`, t.weights),
    ...outputs,
    { name: "post_transform", type: A.STRING, s: text(spec.classifier?.postTransform ?? "NONE") },
    ...(spec.base ? [floats("base_values", spec.base)] : []),
  ];
}

/** The classifier's label output: int64 [batch]. */
function labelInfo() {
  return onnx.ValueInfoProto.create({ name: "label", type: { tensorType: { elemType: DT.INT64, shape: { dim: [{ dimParam: "batch" }] } } } });
}

/** A tree ensemble as ONNX bytes: input [batch, features]; a regressor's output [batch, targets], a classifier's label [batch] and probabilities [batch, classes]. */
export function encodeTreeEnsemble(spec: TreeEnsembleSpec): Uint8Array {
  const info = (name: string, d: number) =>
    onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: DT.FLOAT, shape: { dim: [{ dimParam: "batch" }, { dimValue: d }] } } } });
  const classes = spec.targets ?? (spec.classifier ? 2 : 1);
  const node = onnx.NodeProto.create({
    name: "ensemble",
    opType: spec.classifier ? "TreeEnsembleClassifier" : "TreeEnsembleRegressor",
    domain: "ai.onnx.ml",
    input: ["input"],
    output: spec.classifier ? ["label", "probabilities"] : ["variable"],
    attribute: ensembleAttributes(spec).map((a) => onnx.AttributeProto.create(a)),
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: "zkml",
    producerVersion: "0.1.0",
    opsetImport: [
      { domain: "", version: 13 },
      { domain: "ai.onnx.ml", version: 1 },
    ],
    graph: {
      name: spec.name,
      node: [node],
      initializer: [],
      input: [info("input", spec.features)],
      output: spec.classifier ? [labelInfo(), info("probabilities", classes)] : [info("variable", classes)],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Writes a tree ensemble regressor given in TypeScript as an ONNX file. */
export async function writeTreeEnsemble(file: string, spec: TreeEnsembleSpec): Promise<void> {
  await writeFileAtomic(file, encodeTreeEnsemble(spec));
}
