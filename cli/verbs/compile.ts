import { compileModel, describeLayer, isLinear, layerOutFrac } from "../../src/index.js";
import { SUPPORTED_OPS } from "../../circuits/onnx/ops.js";
import type { InputDomain } from "../../circuits/quantize.js";
import type { Visibility } from "../../core/statement.js";
import { ms, requirePositional, str, type Verb, options } from "../io.js";

/** Text broken into lines of at most `width` characters at spaces, each indented. */
function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines.join("\n");
}

export const compileVerb: Verb = {
  name: "compile",
  usage:
    "zkml compile <model.onnx> [--out DIR] [--calibration FILE] [--weights constants|private] [--class-output NAME] [--input-domain auto|signed|nonnegative] [--input-visibility private|hashed] [--output-visibility private|hashed] [--no-fuse] [--bits 8] [--json]",
  help: `Imports the ONNX graph, quantizes it to int8 with power-of-two scales, writes the integer
model, generates the circom circuit (weights are circuit constants) and compiles it with circom2.
Takes PyTorch / skl2onnx exports and onnxruntime's pre-quantized forms (QDQ, QLinear and
integer ops, whose power-of-two scales are kept and proven bit for bit). Each op's cost in
constraints and its limits: docs/OPS.md. An op outside this list is refused by name:
${wrap(SUPPORTED_OPS.join(", "), 92, "  ")}

  --out DIR           build folder (default: build/<model-name>/); replaced only on success
  --calibration FILE  sample inputs that choose the activation scales: {"samples": [input, ...]}
                      (optionally "labels": [...]) or any input file. With it, compile also
                      reports the quantized model's agreement with the float model
                      (onnxruntime): argmax agreement, output error, and each layer's error;
                      it warns below 95% agreement. Without it, 64 synthetic inputs uniform
                      in [-1, 1] are used.
  --weights MODE      constants (default): the weights are part of the circuit, so dense layers
                      cost no constraints and the verifying key identifies the model.
                      private: the weights are private inputs, range-checked to int8, and a
                      salted Poseidon commitment to them is a third public signal that the
                      generated contract pins. The model stays secret, yet a verifier knows
                      which model ran. Every multiply is then a constraint: about 10 per
                      weight (the product and 8 range-check bits), e.g. 8.7k → ~250k for the
                      MNIST MLP; see docs/BENCHMARKS.md. Keep the build folder private:
                      model.quant.json holds the weights and the salt. Dense layers only.
  --class-output NAME with several graph outputs, the one whose argmax is the proof's class
                      (at most 255 values). Default: the only output that ends in ArgMax or
                      Softmax, else the first of at most 255 values, else none (the class byte
                      is then 255, ZKML_NO_CLASS). Every output is proven and committed either
                      way; proofs name each by its ONNX name.
  --input-domain D    auto (default): when every calibration value is ≥ 0 (pixels, counts,
                      prices), the input is proven to lie in [0, 127]: one range-check bit fewer
                      per value (the MNIST MLP fits a 2^13 domain instead of 2^14), and a
                      negative value is quantized to 0. signed: the full int8 range whatever
                      the calibration. nonnegative: [0, 127] even without calibration.
  --input-visibility V, --output-visibility V
                      how the input (all graph inputs, in order) and the output appear in the
                      proof's first public signal. private (default): a blinded commitment that
                      hides them. hashed: sha256 over the int values (docs/CIRCUIT.md), which a
                      contract that holds them recomputes (the verifier's statementOf, ZkmlData.sol)
                      to check the proof is about its own data: the input a contract read from
                      chain state, the price it will store. Either hashed costs ~30k constraints
                      per 64 bytes hashed and a few hundred gas on-chain. The verifier then has
                      verifyInferenceAt, which binds the snapshot the data is from.
  --no-fuse           keep each node of a polynomial activation (x·x + x, a·x² + b·x + c) as a
                      layer of its own, requantized on its own. By default such a chain is one
                      product and one requantization per value (none before an average pool
                      over 2, 4, 8… values, which requantizes once after its sum): about half
                      the constraints of a square-activation CNN, and closer to the float model.
  --bits 8            activation/weight bits (only 8 for now)

Prints the constraint count, the public signals and the quantization scales.`,
  options: options(["out", "calibration", "bits", "weights", "class-output", "input-domain", "input-visibility", "output-visibility"], ["no-fuse"]),
  async run(ctx) {
    const model = requirePositional(ctx, 0, "the ONNX model file", "compile");
    const bits = str(ctx, "bits");
    const r = await compileModel(model, {
      outDir: str(ctx, "out"),
      calibrationFile: str(ctx, "calibration"),
      bits: bits === undefined ? undefined : Number(bits),
      weights: str(ctx, "weights") as "constants" | "private" | undefined,
      classOutput: str(ctx, "class-output"),
      ...(ctx.values["no-fuse"] === true && { fuse: false }),
      ...(str(ctx, "input-domain") !== undefined && { inputDomain: str(ctx, "input-domain") as InputDomain }),
      ...(str(ctx, "input-visibility") !== undefined && { inputVisibility: str(ctx, "input-visibility") as Visibility }),
      ...(str(ctx, "output-visibility") !== undefined && { outputVisibility: str(ctx, "output-visibility") as Visibility }),
      progress: (m) => ctx.progress(m),
    });
    const m = r.model;
    ctx.say(`compiled ${m.name} → ${r.outDir}`);
    ctx.say(`  constraints: ${r.info.constraints} (circom2 ${ms(r.info.timingsMs.circom)}, total ${ms(r.info.timingsMs.compile)})`);
    ctx.say(`  public signals: ${r.info.publicSignals.join(", ")}`);
    if (m.input.visibility === "hashed" || m.output.visibility === "hashed")
      ctx.say(
        `  statement: input ${m.input.visibility ?? "private"}, output ${m.output.visibility ?? "private"} (public signal 0 is sha256 over them; docs/CIRCUIT.md)`,
      );
    if (r.info.modelCommitment) ctx.say(`  weights: private, committed as ${r.info.modelCommitment}`);
    const parts = m.input.parts?.filter((p) => p.frac !== undefined) ?? [];
    if (parts.length) for (const p of parts) ctx.say(`  input ${p.name} [${p.shape}]: int8 at 2^-${p.frac}`);
    else ctx.say(`  input ${m.input.name} [${m.input.shape}]: int8${m.input.nonNegative ? " in [0, 127]" : ""} at 2^-${m.input.frac}`);
    for (const l of m.layers) ctx.say(`  ${l.node}: ${describeLayer(l)}`);
    if (m.output.transform === "softmax")
      ctx.say(`  output: the logits before the final Softmax are proven (same argmax); apply it off-chain for probabilities`);
    if (m.output.transform === "argmax") ctx.say(`  output: the values before the final ArgMax are proven; their argmax is the proof's class`);
    for (const [k, p] of (m.output.parts ?? []).entries()) {
      const removed = p.transform ? ` (its final ${p.transform === "softmax" ? "Softmax" : "ArgMax"} applied off-chain)` : "";
      ctx.say(`  output ${p.name} [${p.shape}]: ${p.bits}-bit at 2^-${p.frac}${removed}${k === m.output.classPart ? "; its argmax is the proof's class" : ""}`);
    }
    if (m.output.parts && m.output.classPart === undefined) ctx.say(`  class: none (no output of at most 255 values); the proof's class byte is 255`);
    ctx.say(`  calibration: ${r.calibration.source} (${r.calibration.samples} samples)`);
    if (r.fidelitySkipped) ctx.say(`  fidelity vs float: skipped: ${r.fidelitySkipped} (npm install onnxruntime-node to measure it)`);
    if (r.fidelity) {
      const f = r.fidelity;
      ctx.say(
        `  fidelity vs float (onnxruntime): argmax agreement ${(100 * f.argmaxAgreement).toFixed(1)}%, max |err| ${f.maxAbsError.toFixed(4)}, mean |err| ${f.meanAbsError.toFixed(4)}`,
      );
      for (const o of f.outputs ?? []) ctx.say(`    output ${o.name}: max |err| ${o.maxAbsError.toFixed(4)}, mean |err| ${o.meanAbsError.toFixed(4)}`);
      for (const l of f.layers ?? []) ctx.say(`    ${l.node} (${l.op}): max |err| ${l.maxAbsError.toFixed(4)}, mean |err| ${l.meanAbsError.toFixed(4)}`);
      const disagree = Math.round((1 - f.argmaxAgreement) * f.samples);
      if (f.nearTies > 0)
        ctx.say(`  ${f.nearTies} of the ${disagree} disagreements are near-ties: the two classes' float values differ by less than one int8 step`);
      if ((disagree - f.nearTies) / f.samples > 0.05) ctx.say(`  warning: argmax agreement below 95%: the quantized model often disagrees with the float one`);
    }
    ctx.result({
      outDir: r.outDir,
      constraints: r.info.constraints,
      publicSignals: r.info.publicSignals,
      weights: r.info.weights,
      modelCommitment: r.info.modelCommitment ?? null,
      modelId: r.info.modelId,
      scales: {
        input: m.input.frac,
        layers: m.layers.map((l) => ({ node: l.node, op: l.op, ...(isLinear(l) && { weight: l.wFrac, acc: l.accFrac }), out: layerOutFrac(l) })),
      },
      outputs: (m.output.parts ?? []).map((p) => ({ name: p.name, shape: p.shape, frac: p.frac, bits: p.bits })),
      classOutput: m.output.parts ? (m.output.classPart === undefined ? null : m.output.parts[m.output.classPart]!.name) : m.output.name,
      fidelity: r.fidelity ?? null,
      timingsMs: r.info.timingsMs,
    });
    return 0;
  },
};
