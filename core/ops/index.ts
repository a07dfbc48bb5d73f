/**
 * The registry of layer kinds: what the float graph and the quantized model may contain is the
 * keys of NODE_KINDS and LAYER_KINDS, and every aspect of a kind is reached through them. A new
 * kind is one module beside this file and a line in each table it adds to; the mapped types make
 * the compiler refuse a kind that lacks an aspect or a union member that lacks a kind.
 */
import { absLayer, absNode, type AbsNode, type QAbs } from "./abs.js";
import { argLayer, argNode, type ArgNode, type QArg } from "./argmax.js";
import { activationNode, reluLayer, tableLayerKind, type ActivationNode, type QRelu, type QTable } from "./activation.js";
import { binaryLayer, binaryNode, type BinaryNode, type QBinary } from "./binary.js";
import { compareLayer, compareNode, type CompareNode, type QCompare } from "./compare.js";
import { concatLayer, concatNode, rescaleLayer, type ConcatNode, type QConcat, type QRescale } from "./concat.js";
import { convLayer, convNode, type ConvNode, type QConv } from "./conv.js";
import { divideLayer, divideNode, type DivideNode, type QDivide } from "./divide.js";
import { denseLayer, denseNode, type DenseNode, type QDense } from "./dense.js";
import { embedLayer, embedNode, type EmbedNode, type QEmbed } from "./embed.js";
import { fixscaleNode, type FixScaleNode } from "./fixscale.js";
import { ZkmlError } from "../errors.js";
import type { EmitContext, LayerKind, NodeKind } from "./kind.js";
import { matmulLayer, matmulNode, type MatMulNode, type QMatMul } from "./matmul.js";
import { avgpoolLayer, avgpoolNode, maxpoolLayer, maxpoolNode, type PoolNode, type QAvgPool, type QMaxPool } from "./pool.js";
import { normLayer, normNode, type NormNode, type QNorm } from "./norm.js";
import { polyLayer, polyNode, type PolyNode, type QPoly } from "./poly.js";
import { reduceLayer, reduceNode, type QReduce, type ReduceNode } from "./reduce.js";
import { selectLayer, selectNode, type QSelect, type SelectNode } from "./select.js";
import { softmaxLayer, softmaxNode, type QSoftmax, type SoftmaxNode } from "./softmax.js";
import { sumpoolLayer, type QSumPool } from "./sumpool.js";
import { treesLayer, treesNode, type QTrees, type TreesNode } from "./trees.js";

export type GraphNode =
  | DenseNode
  | ConvNode
  | PoolNode
  | SelectNode
  | ActivationNode
  | AbsNode
  | PolyNode
  | BinaryNode
  | MatMulNode
  | ConcatNode
  | TreesNode
  | ReduceNode
  | SoftmaxNode
  | NormNode
  | EmbedNode
  | DivideNode
  | ArgNode
  | CompareNode
  | FixScaleNode;
export type QLayer =
  | QDense
  | QConv
  | QMaxPool
  | QAvgPool
  | QSumPool
  | QSelect
  | QRelu
  | QTable
  | QAbs
  | QPoly
  | QBinary
  | QMatMul
  | QRescale
  | QConcat
  | QTrees
  | QReduce
  | QSoftmax
  | QNorm
  | QEmbed
  | QDivide
  | QArg
  | QCompare;

/** The member of union U whose `op` can be K (PoolNode's op is "maxpool" | "avgpool"). */
type OfOp<U, K> = U extends { op: infer O } ? (K extends O ? U : never) : never;

export const NODE_KINDS: { [K in GraphNode["op"]]: NodeKind<OfOp<GraphNode, K>> } = {
  dense: denseNode,
  conv: convNode,
  maxpool: maxpoolNode,
  avgpool: avgpoolNode,
  select: selectNode,
  activation: activationNode,
  abs: absNode,
  poly: polyNode,
  binary: binaryNode,
  matmul: matmulNode,
  concat: concatNode,
  trees: treesNode,
  reduce: reduceNode,
  softmax: softmaxNode,
  norm: normNode,
  embed: embedNode,
  divide: divideNode,
  argmax: argNode,
  compare: compareNode,
  fixscale: fixscaleNode,
};

export const LAYER_KINDS: { [K in QLayer["op"]]: LayerKind<OfOp<QLayer, K>> } = {
  dense: denseLayer,
  conv: convLayer,
  maxpool: maxpoolLayer,
  avgpool: avgpoolLayer,
  sumpool: sumpoolLayer,
  select: selectLayer,
  relu: reluLayer,
  table: tableLayerKind,
  abs: absLayer,
  poly: polyLayer,
  binary: binaryLayer,
  matmul: matmulLayer,
  rescale: rescaleLayer,
  concat: concatLayer,
  trees: treesLayer,
  reduce: reduceLayer,
  softmax: softmaxLayer,
  norm: normLayer,
  embed: embedLayer,
  divide: divideLayer,
  argmax: argLayer,
  compare: compareLayer,
};

/** A node's kind; an op outside the registry (a hostile or stale file) is refused, never skipped. */
export function nodeKind<N extends GraphNode>(n: N): NodeKind<N> {
  if (!Object.hasOwn(NODE_KINDS, n.op)) {
    throw new ZkmlError("BAD_MODEL", `graph node "${n.name}" has op "${String(n.op)}", which is no node kind of zkml (${Object.keys(NODE_KINDS).join(", ")})`);
  }
  return (NODE_KINDS as Record<string, unknown>)[n.op] as NodeKind<N>;
}

/** A layer's kind; a layer op outside the registry (a stale or hostile quant file) is a BAD_MODEL refusal. */
export function layerKind<L extends QLayer>(l: L): LayerKind<L> {
  if (!Object.hasOwn(LAYER_KINDS, l.op)) {
    throw new ZkmlError(
      "BAD_MODEL",
      `layer "${l.node}" has op "${String(l.op)}", which is no layer kind of zkml (${Object.keys(LAYER_KINDS).join(", ")})`,
      "compile the model again with this version of zkml",
    );
  }
  return (LAYER_KINDS as Record<string, unknown>)[l.op] as LayerKind<L>;
}

/** The tensors a node reads. */
export function nodeInputs(n: GraphNode): string[] {
  return nodeKind(n).inputs(n);
}

/** The layers a layer reads (-1: the circuit input). */
export function layerSources(l: QLayer, index: number): number[] {
  return layerKind(l).sources(l, index);
}

/** How many values a layer outputs. */
export function layerOutSize(l: QLayer): number {
  return layerKind(l).outSize(l);
}

/** Scale of a layer's output values (an unrequantized accumulator keeps its accumulator scale). */
export function layerOutFrac(l: QLayer): number {
  return layerKind(l).outFrac(l);
}

/** Signed width of a layer's output values: 8, or an exact accumulator's. */
export function layerOutBits(l: QLayer): number {
  return layerKind(l).outBits(l);
}

/** Output of one layer, exactly, from the outputs of its sources (layerSources) in order. */
export function runLayer(layer: QLayer, ...inputs: (readonly number[])[]): number[] {
  return layerKind(layer).run(layer, inputs);
}

/** One line per layer for people: what it computes and at which scales. */
export function describeLayer(l: QLayer): string {
  return layerKind(l).describe(l);
}

/** Products by constant weights a layer's circuit folds into linear combinations (LayerKind.constantTerms). */
export function layerConstantTerms(l: QLayer): number {
  return layerKind(l).constantTerms?.(l) ?? 0;
}

/** A layer's circom: its constant functions and its block of the main template. */
export function layerCircom(l: QLayer, i: number, e: EmitContext): { constants: string[]; code: string[] } {
  const kind = layerKind(l);
  return { constants: kind.constants(l, i, e), code: kind.emit(l, i, e) };
}

/** Every gadget file any layer kind uses. */
export const LAYER_GADGETS: readonly string[] = [...new Set(Object.values(LAYER_KINDS).flatMap((k) => k.gadgets))];
