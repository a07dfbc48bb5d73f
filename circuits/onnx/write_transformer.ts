/**
 * An ONNX writer for a tiny transformer classifier, as PyTorch exports one (opset 20): token
 * embedding (Gather by int64 ids) plus a positional embedding; blocks of pre-LayerNorm
 * single-head self-attention (Q, K, V projections, Q·Kᵀ scaled by 1/√d on Q, Softmax, ·V, output
 * projection, residual) and a GELU MLP (residual); a mean over the tokens and a linear head.
 * Weights are seeded random (for cost and fidelity, not accuracy).
 */
import type onnxProto from "onnx-proto";
import { writeFileAtomic } from "../../core/manifest.js";
import { mulberry32 } from "../../core/random.js";
import { DT, floatTensorProto, onnx } from "./tensor.js";

export interface TransformerSpec {
  name: string;
  tokens: number;
  width: number;
  vocabulary: number;
  hidden: number;
  blocks: number;
  classes: number;
  seed: number;
}

type Maker = {
  node(op: string, inputs: string[], attrs?: onnxProto.onnx.IAttributeProto[]): string;
  param(name: string, dims: number[], values: ArrayLike<number>): string;
  random(name: string, dims: number[], scale: number): string;
};

const A = onnx.AttributeProto.AttributeType;

/** x·W + b over the last axis: MatMul by a [in, out] constant, then Add of its bias (as torch.nn.Linear exports on a sequence). */
function linear(m: Maker, x: string, name: string, inF: number, outF: number, scale = 1): string {
  const w = m.random(`${name}.weight`, [inF, outF], scale / Math.sqrt(inF));
  return m.node("Add", [m.node("MatMul", [x, w]), m.random(`${name}.bias`, [outF], 0.05 * scale)]);
}

function layerNorm(m: Maker, x: string, name: string, width: number): string {
  const gamma = m.param(
    `${name}.weight`,
    [width],
    Array.from({ length: width }, (_, i) => 1 + 0.1 * Math.sin(i)),
  );
  const beta = m.param(
    `${name}.bias`,
    [width],
    Array.from({ length: width }, (_, i) => 0.05 * Math.cos(i)),
  );
  return m.node("LayerNormalization", [x, gamma, beta], [{ name: "axis", type: A.INT, i: -1 }]);
}

/** One pre-LN block: x + attention(LN(x)), then that + MLP(LN(that)). */
function block(m: Maker, x: string, b: number, s: TransformerSpec): string {
  const d = s.width;
  const h = layerNorm(m, x, `blocks.${b}.ln1`, d);
  // PyTorch's scaled dot-product attention scales Q by 1/√d: folded into Q's projection.
  const q = linear(m, h, `blocks.${b}.attn.q`, d, d, 1 / Math.sqrt(d));
  const k = linear(m, h, `blocks.${b}.attn.k`, d, d);
  const v = linear(m, h, `blocks.${b}.attn.v`, d, d);
  const kT = m.node("Transpose", [k], [{ name: "perm", type: A.INTS, ints: [0, 2, 1] }]);
  const weights = m.node("Softmax", [m.node("MatMul", [q, kT])], [{ name: "axis", type: A.INT, i: -1 }]);
  const attended = linear(m, m.node("MatMul", [weights, v]), `blocks.${b}.attn.out`, d, d);
  const x2 = m.node("Add", [x, attended]);
  const h2 = layerNorm(m, x2, `blocks.${b}.ln2`, d);
  const up = m.node("Gelu", [linear(m, h2, `blocks.${b}.mlp.up`, d, s.hidden)]);
  return m.node("Add", [x2, linear(m, up, `blocks.${b}.mlp.down`, s.hidden, d)]);
}

/** The transformer as ONNX bytes: input `ids` [1, tokens] int64, output `logits` [1, classes]. */
export function encodeTransformer(s: TransformerSpec): Uint8Array {
  const rand = mulberry32(s.seed);
  const nodes: onnxProto.onnx.INodeProto[] = [];
  const initializer: onnxProto.onnx.ITensorProto[] = [];
  let count = 0;
  const m: Maker = {
    node(op, inputs, attribute = []) {
      const output = `t${count++}`;
      nodes.push(onnx.NodeProto.create({ name: `/${op.toLowerCase()}_${count}`, opType: op, input: inputs, output: [output], attribute }));
      return output;
    },
    param(name, dims, values) {
      initializer.push(floatTensorProto(name, dims, values));
      return name;
    },
    random(name, dims, scale) {
      return m.param(
        name,
        dims,
        Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => (rand() * 2 - 1) * scale),
      );
    },
  };
  const embedded = m.node("Gather", [m.random("embed.weight", [s.vocabulary, s.width], 1), "ids"]);
  let x = m.node("Add", [embedded, m.random("pos.weight", [1, s.tokens, s.width], 0.3)]);
  for (let b = 0; b < s.blocks; b++) x = block(m, x, b, s);
  initializer.push(onnx.TensorProto.create({ name: "tokenAxis", dims: [1], dataType: DT.INT64, int64Data: [1] }));
  const pooled = m.node("ReduceMean", [x, "tokenAxis"], [{ name: "keepdims", type: A.INT, i: 0 }]);
  const head = m.random("head.weight", [s.classes, s.width], 1 / Math.sqrt(s.width));
  nodes.push(
    onnx.NodeProto.create({
      name: "/head",
      opType: "Gemm",
      input: [pooled, head, m.random("head.bias", [s.classes], 0.05)],
      output: ["logits"],
      attribute: [{ name: "transB", type: A.INT, i: 1 }],
    }),
  );
  const info = (name: string, type: number, dims: number[]) =>
    onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: type, shape: { dim: dims.map((dimValue) => ({ dimValue })) } } } });
  const model = onnx.ModelProto.create({
    irVersion: 9,
    producerName: "zkml",
    producerVersion: "0.1.0",
    docString: `zkml's tiny transformer: ${s.blocks} block(s), ${s.tokens} tokens of width ${s.width}, vocabulary ${s.vocabulary}, MLP ${s.hidden}, ${s.classes} classes (seeded random weights)`,
    opsetImport: [{ domain: "", version: 20 }],
    graph: { name: s.name, node: nodes, initializer, input: [info("ids", DT.INT64, [1, s.tokens])], output: [info("logits", DT.FLOAT, [1, s.classes])] },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Writes the transformer as an ONNX file. */
export async function writeTransformer(file: string, spec: TransformerSpec): Promise<void> {
  await writeFileAtomic(file, encodeTransformer(spec));
}
