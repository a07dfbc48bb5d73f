import { compileModel } from "../../src/index.js";
import { ms, requirePositional, str, type Verb } from "../io.js";

export const compileVerb: Verb = {
  name: "compile",
  summary: "ONNX model → quantized model + circom circuit (r1cs, witness wasm)",
  usage: "zkml compile <model.onnx> [--out DIR] [--calibration FILE] [--bits 8] [--json]",
  help: `Imports the ONNX graph, quantizes it to int8 with power-of-two scales, writes the integer
model, generates the circom circuit (weights are circuit constants) and compiles it with circom2.

  --out DIR           build folder (default: build/<model-name>/); replaced only on success
  --calibration FILE  sample inputs that choose the activation scales: {"samples": [input, ...]}
                      or any input file. With it, compile also reports the quantized model's
                      agreement with the float model (onnxruntime). Without it, 64 synthetic
                      inputs uniform in [-1, 1] are used.
  --bits 8            activation/weight bits (only 8 for now)

Prints the constraint count, the public signals and the quantization scales.`,
  options: { out: { type: "string" }, calibration: { type: "string" }, bits: { type: "string" } },
  async run(ctx) {
    const model = requirePositional(ctx, 0, "the ONNX model file", "compile");
    const bits = str(ctx, "bits");
    const r = await compileModel(model, {
      outDir: str(ctx, "out"),
      calibrationFile: str(ctx, "calibration"),
      bits: bits === undefined ? undefined : Number(bits),
      progress: (m) => ctx.progress(m),
    });
    const m = r.model;
    ctx.say(`compiled ${m.name} → ${r.outDir}`);
    ctx.say(`  constraints: ${r.info.constraints} (circom2 ${ms(r.info.timingsMs.circom)}, total ${ms(r.info.timingsMs.compile)})`);
    ctx.say(`  public signals: ${r.info.publicSignals.join(", ")}`);
    ctx.say(`  input ${m.input.name} [${m.input.shape}]: int8 at 2^-${m.input.frac}`);
    for (const l of m.layers) {
      ctx.say(`  ${l.node}: dense ${l.inFeatures}→${l.outFeatures}, weights 2^-${l.wFrac}, acc 2^-${l.accFrac} (${l.accBits} bits)` +
        (l.requant ? `, requant >>${l.requant.shift}${l.requant.relu ? " + relu" : ""} → int8 at 2^-${l.requant.outFrac}` : ", output exact"));
    }
    ctx.say(`  calibration: ${r.calibration.source} (${r.calibration.samples} samples)`);
    if (r.fidelity) {
      const f = r.fidelity;
      ctx.say(`  fidelity vs float (onnxruntime): argmax agreement ${(100 * f.argmaxAgreement).toFixed(1)}%, max |err| ${f.maxAbsError.toFixed(4)}, mean |err| ${f.meanAbsError.toFixed(4)}`);
      if (f.argmaxAgreement < 0.95) ctx.say(`  warning: argmax agreement below 95%: the quantized model often disagrees with the float one`);
    }
    ctx.result({
      outDir: r.outDir,
      constraints: r.info.constraints,
      publicSignals: r.info.publicSignals,
      modelId: r.info.modelId,
      scales: { input: m.input.frac, layers: m.layers.map((l) => ({ node: l.node, weight: l.wFrac, acc: l.accFrac, out: l.requant?.outFrac ?? l.accFrac })) },
      fidelity: r.fidelity ?? null,
      timingsMs: r.info.timingsMs,
    });
    return 0;
  },
};
