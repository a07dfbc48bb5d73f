/**
 * Third-party ONNX exports from ../shared/onnx-models (PyTorch / skl2onnx, with their quirks):
 * every one must compile, prove and verify, within the quantization tolerance (5% of the
 * output's scale) of onnxruntime's float output on the model's own input.json.
 * Skipped, visibly, when ../shared is absent (a user's fresh checkout).
 */
import { existsSync, readdirSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { floatOutputs, softmax } from "../circuits/fidelity.js";
import { checkCircuit, compileModel, InferenceProver, readInputFile, releaseCurves, setupModel, verifyProofFile } from "../src/index.js";

const MODELS = path.resolve("../shared/onnx-models");
const present = existsSync(MODELS);
/** Every model of the set: all of their ops are supported now (refusals are tested on synthetic graphs). */
const SUPPORTED = present
  ? readdirSync(MODELS)
      .filter((d) => existsSync(path.join(MODELS, d, "network.onnx")))
      .sort()
  : [];

afterAll(releaseCurves);

describe.skipIf(!present)("conformance: ../shared/onnx-models", () => {
  for (const name of SUPPORTED) {
    it(`${name}: compiles with every wire pinned, proves, verifies, and stays within 5% of onnxruntime`, async () => {
      const onnx = path.join(MODELS, name, "network.onnx");
      const input = path.join(MODELS, name, "input.json");
      const out = path.join(await mkdtemp(path.join(os.tmpdir(), "zkml-conf-")), name);
      const c = await compileModel(onnx, { outDir: out, calibrationFile: input });
      const check = await checkCircuit(out);
      expect(check.problems, JSON.stringify(check.problems.slice(0, 3))).toEqual([]);
      expect(check.publicPinned && check.satisfied).toBe(true);
      await setupModel(out);
      const prover = await InferenceProver.open(out);
      const values = await readInputFile(input);
      const { proof } = await prover.prove(values, { value: 1n });
      expect((await verifyProofFile(out, proof)).valid).toBe(true);
      const [float] = await floatOutputs(onnx, c.model, [values]);
      // A final Softmax is applied off-chain to the proven logits (see docs/OPS.md).
      const ours = c.model.output.transform === "softmax" ? softmax(proof.output.dequantized) : proof.output.dequantized;
      expect(ours).toHaveLength(float!.length);
      const scale = Math.max(1, ...float!.map(Math.abs));
      ours.forEach((v, i) => expect(Math.abs(v - float![i]!), `${name}[${i}]`).toBeLessThanOrEqual(0.05 * scale));
    });
  }
});

if (!present) {
  describe("conformance", () => {
    it.skip("../shared/onnx-models is absent: the third-party conformance models are not run", () => {});
  });
}
