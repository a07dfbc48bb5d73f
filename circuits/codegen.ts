/**
 * Quantized model → circom source. By default weights and biases are circuit constants, so a
 * multiply-accumulate is a linear combination and costs no constraint; the verifying key then
 * identifies the model. With private weights (model.privateWeights) they are range-checked
 * private inputs instead, every product is a constraint, and a salted Poseidon commitment to
 * them is the third public signal. Loops and arrays keep the source linear in the model size.
 */
import type { CircuitLayout } from "../core/compiled.js";
import { commentText } from "../core/inert.js";
import { layoutTag } from "../core/commitment.js";
import { packedLength } from "../core/field.js";
import {
  inputVisibility,
  isDataStatement,
  modelVisibilities,
  needsBlinding,
  outputVisibility,
  statementTag,
  valueBytes,
  type Visibility,
} from "../core/statement.js";
import { sizeOf } from "../core/ir.js";
import { LAYER_GADGETS } from "../core/ops/index.js";
import type { EmitContext } from "../core/ops/kind.js";
import { classRange, MAX_CLASSES, NO_CLASS, type QModel } from "../core/qmodel.js";
import { layerCircom, layerOutSize } from "../core/ops/index.js";
import { WEIGHT_BITS } from "../core/ir.js";
import type { QDense } from "../core/ops/dense.js";

export const CIRCUIT_TEMPLATE = "ZkmlModel";

/** The sizes and bit widths of the circuit's input and output, which the commitment's layout tag and packing follow. */
export function circuitLayout(model: QModel): CircuitLayout {
  const inputSize = sizeOf(model.input.shape);
  const last = model.layers.at(-1);
  const outputSize = last ? layerOutSize(last) : inputSize;
  return {
    inputSize,
    inputBits: model.input.bits,
    outputSize,
    outputBits: model.output.bits,
    packedInput: packedLength(inputSize, model.input.bits),
    packedOutput: packedLength(outputSize, model.output.bits),
    ...(model.output.parts && { outputParts: model.output.parts.map((p) => p.size) }),
    ...modelVisibilities(model),
  };
}

/** The main template's signals: the input, the context, the blinding, the public outputs, and private weights if any. */
function signalLines(model: QModel, layout: CircuitLayout): string[] {
  const out = [
    `    signal input x[${layout.inputSize}];   // int8 input at 2^-${model.input.frac}`,
    `    signal input ctx;        // caller context (< 2^244), bound into the public classContext`,
    ...(needsBlinding(layout) ? [`    signal input blinding;   // private, fresh per proof: the commitment reveals nothing of what it hides`] : []),
    isDataStatement(layout)
      ? `    signal output commitment;    // the data statement: sha256(tag, input ${inputVisibility(layout)}, output ${outputVisibility(layout)}) >> 3`
      : `    signal output commitment;    // Poseidon chain over blinding, layout, packed input and output`,
    `    signal output classContext;  // ctx * 256 + argmax(output)`,
  ];
  const priv = model.privateWeights;
  if (priv) {
    out.push(`    signal output modelCommitment;  // Poseidon chain over salt, packed weights and biases`, `    signal input salt;`);
    (model.layers as QDense[]).forEach((l, i) => {
      out.push(`    signal input w${i}[${l.weights.length}];  // ${commentText(l.node)}: int8 at 2^-${l.wFrac}, [${l.outFeatures}][${l.inFeatures}] row-major`);
      out.push(`    signal input b${i}[${l.outFeatures}];  // at 2^-${l.accFrac}, ${priv.biasBits[i]} signed bits`);
    });
  }
  out.push(
    ``,
    `    component inputRange[${layout.inputSize}];`,
    `    for (var i = 0; i < ${layout.inputSize}; i++) {`,
    // A non-negative input: [0, 2^(bits-1)), one bit fewer per value than the signed range.
    model.input.nonNegative ? `        inputRange[i] = OffsetBits(${layout.inputBits - 1}, 0);` : `        inputRange[i] = SignedRange(${layout.inputBits});`,
    `        inputRange[i].in <== x[i];`,
    `    }`,
  );
  return out;
}

/** classContext = ctx·256 + the class: the argmax of the output (or of its class part), or NO_CLASS. */
function classLines(model: QModel, layout: CircuitLayout, prev: string): string[] {
  const out = [`    component binding = ClassContext();`];
  const cls = model.output.parts ? classRange(model) : undefined;
  if (!model.output.parts && layout.outputSize <= MAX_CLASSES) {
    out.push(`    component argmax = ArgMax(${layout.outputSize}, ${layout.outputBits});`, `    argmax.in <== ${prev};`, `    binding.cls <== argmax.idx;`);
  } else if (cls) {
    const part = model.output.parts![model.output.classPart!]!;
    out.push(
      `    // the class: argmax of output "${commentText(part.name)}", values [${cls.offset}, ${cls.offset + cls.size}) of the output vector`,
      `    component argmax = ArgMax(${cls.size}, ${part.bits});`,
      `    for (var i = 0; i < ${cls.size}; i++) argmax.in[i] <== ${prev}[${cls.offset} + i];`,
      `    binding.cls <== argmax.idx;`,
    );
  } else {
    out.push(`    binding.cls <== ${NO_CLASS};  // no class output (NO_CLASS); the values are in the commitment`);
  }
  out.push(`    binding.ctx <== ctx;`, `    classContext <== binding.out;`);
  return out;
}

/** The commitment: blinding first (it hides the input), then the layout (it binds the split), the packed input and output. */
function commitmentLines(layout: CircuitLayout, prev: string): string[] {
  return [
    `    component packIn = PackSigned(${layout.inputSize}, ${layout.inputBits});`,
    `    packIn.in <== x;`,
    `    component packOut = PackSigned(${layout.outputSize}, ${layout.outputBits});`,
    `    packOut.in <== ${prev};`,
    `    component hash = ChainHash(${2 + layout.packedInput + layout.packedOutput});`,
    `    hash.in[0] <== blinding;`,
    `    hash.in[1] <== ${layoutTag(layout)};  // layout: input/output lengths and bits`,
    `    for (var i = 0; i < ${layout.packedInput}; i++) hash.in[2 + i] <== packIn.out[i];`,
    `    for (var i = 0; i < ${layout.packedOutput}; i++) hash.in[${2 + layout.packedInput} + i] <== packOut.out[i];`,
    `    commitment <== hash.out;`,
  ];
}

/**
 * The data statement (either side hashed): sha256 over the tag's 256 bits, then each side, a
 * hashed side as its values' offset big-endian bytes, a private one as the 32 bytes of
 * chainHash([blinding, packed values]). Mirrors computeStatement() in core/statement.ts.
 */
function statementLines(layout: CircuitLayout, prev: string): string[] {
  const sides = [
    { name: "In", signal: "x", size: layout.inputSize, bits: layout.inputBits, packed: layout.packedInput, visibility: inputVisibility(layout) },
    { name: "Out", signal: prev, size: layout.outputSize, bits: layout.outputBits, packed: layout.packedOutput, visibility: outputVisibility(layout) },
  ];
  const sideBits = (s: { size: number; bits: number; visibility: Visibility }) => (s.visibility === "hashed" ? s.size * valueBytes(s.bits) * 8 : 256);
  const total = 256 + sides.reduce((n, s) => n + sideBits(s), 0);
  const out = [
    `    component digest = StatementDigest(${total});`,
    `    var TAG = ${statementTag(layout)};  // layout and visibilities`,
    `    for (var i = 0; i < 256; i++) digest.in[i] <== (TAG >> (255 - i)) & 1;`,
  ];
  let at = 256;
  for (const s of sides) {
    if (s.visibility === "hashed") {
      const nb = valueBytes(s.bits);
      out.push(
        `    component bytes${s.name}[${s.size}];`,
        `    for (var i = 0; i < ${s.size}; i++) {`,
        `        bytes${s.name}[i] = OffsetBytesBE(${s.bits}, ${nb});`,
        `        bytes${s.name}[i].in <== ${s.signal}[i];`,
        `        for (var j = 0; j < ${nb * 8}; j++) digest.in[${at} + i * ${nb * 8} + j] <== bytes${s.name}[i].out[j];`,
        `    }`,
      );
    } else {
      out.push(
        `    component pack${s.name} = PackSigned(${s.size}, ${s.bits});`,
        `    pack${s.name}.in <== ${s.signal};`,
        `    component hash${s.name} = ChainHash(${1 + s.packed});`,
        `    hash${s.name}.in[0] <== blinding;`,
        `    for (var i = 0; i < ${s.packed}; i++) hash${s.name}.in[1 + i] <== pack${s.name}.out[i];`,
        `    component field${s.name} = FieldBytesBE();`,
        `    field${s.name}.in <== hash${s.name}.out;`,
        `    for (var j = 0; j < 256; j++) digest.in[${at} + j] <== field${s.name}.out[j];`,
      );
    }
    at += sideBits(s);
  }
  out.push(`    commitment <== digest.out;`);
  return out;
}

/** With private weights: the model commitment, a chain hash over the salt and each layer's packed weights and biases. */
function modelCommitmentLines(model: QModel, priv: NonNullable<QModel["privateWeights"]>): string[] {
  const layers = model.layers as QDense[];
  const parts = layers.map((l, i) => ({ i, w: packedLength(l.weights.length, WEIGHT_BITS), b: packedLength(l.outFeatures, priv.biasBits[i]!) }));
  const total = 1 + parts.reduce((s, p) => s + p.w + p.b, 0);
  const out = [``, `    component modelHash = ChainHash(${total});`, `    modelHash.in[0] <== salt;`];
  let at = 1;
  for (const p of parts) {
    const l = layers[p.i]!;
    out.push(
      `    component packW${p.i} = PackSigned(${l.weights.length}, ${WEIGHT_BITS});`,
      `    packW${p.i}.in <== w${p.i};`,
      `    for (var i = 0; i < ${p.w}; i++) modelHash.in[${at} + i] <== packW${p.i}.out[i];`,
    );
    at += p.w;
    out.push(
      `    component packB${p.i} = PackSigned(${l.outFeatures}, ${priv.biasBits[p.i]});`,
      `    packB${p.i}.in <== b${p.i};`,
      `    for (var i = 0; i < ${p.b}; i++) modelHash.in[${at} + i] <== packB${p.i}.out[i];`,
    );
    at += p.b;
  }
  out.push(`    modelCommitment <== modelHash.out;`);
  return out;
}

/** The circuit of a quantized model as circom source: the range-checked input, one block per layer (its kind's circom), the class, the context binding and the commitment. */
export function generateCircom(model: QModel): string {
  const layout = circuitLayout(model);
  const priv = model.privateWeights;
  const signalOf = (k: number) => (k < 0 ? "x" : `a${k}`);
  const layers = model.layers.map((l, i) => layerCircom(l, i, { signal: signalOf, ...(priv && { privateBiasBits: priv.biasBits[i]! }) } satisfies EmitContext));
  const prev = signalOf(model.layers.length - 1);
  return [
    `pragma circom 2.1.6;`,
    `// Generated by zkml from model "${commentText(model.name)}". Do not edit: recompile the model instead.`,
    ``,
    // What every circuit uses (input range, output class, commitment), then every layer kind's gadgets.
    ...[...new Set(["signed_range", "argmax", "pack", "chain_hash", "class_context", ...(isDataStatement(layout) ? ["statement"] : []), ...LAYER_GADGETS])].map(
      (lib) => `include "lib/${lib}.circom";`,
    ),
    ``,
    ...layers.flatMap(({ constants }) => (constants.length ? [...constants, ``] : [])),
    `template ${CIRCUIT_TEMPLATE}() {`,
    ...signalLines(model, layout),
    ...layers.flatMap(({ code }) => [``, ...code]),
    ``,
    ...classLines(model, layout, prev),
    ``,
    ...(isDataStatement(layout) ? statementLines(layout, prev) : commitmentLines(layout, prev)),
    ...(priv ? modelCommitmentLines(model, priv) : []),
    `}`,
    ``,
    `component main = ${CIRCUIT_TEMPLATE}();`,
    ``,
  ].join("\n");
}
