/**
 * Third-party ONNX exports from ../shared/onnx-models (PyTorch / skl2onnx, with their quirks):
 * those whose ops zkml supports must compile, prove and verify, within the quantization
 * tolerance of onnxruntime's float output; the rest must be refused with the node and op named.
 * Skipped, visibly, when ../shared is absent (a user's fresh checkout).
 */
import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { floatOutputs } from "../circuits/fidelity.js";
import { compileModel, InferenceProver, readInputFile, releaseCurves, setupModel, verifyProofFile, ZkmlError } from "../src/index.js";

const MODELS = path.resolve("../shared/onnx-models");
const present = existsSync(MODELS);
const SUPPORTED = ["1l_linear", "1l_mlp", "2l_relu_fc", "accuracy", "quantize_dequantize"];
const REFUSED: Record<string, RegExp> = {
  "1l_conv": /\(Conv\): op Conv is not supported/,
  "1l_sigmoid": /\(Sigmoid\): op Sigmoid is not supported/,
  "1l_batch_norm": /\(BatchNormalization\)/,
  "1l_average": /\(Pad\)/,
  sklearn_mlp: /node "Cast" \(Cast\)/,
  "1l_relu": /no Gemm\/MatMul layer/,
};

afterAll(releaseCurves);

describe.skipIf(!present)("conformance: ../shared/onnx-models", () => {
  for (const name of SUPPORTED) {
    it(`${name}: compiles, proves, verifies, and stays within 5% of onnxruntime`, async () => {
      const onnx = path.join(MODELS, name, "network.onnx");
      const input = path.join(MODELS, name, "input.json");
      const out = path.join(await mkdtemp(path.join(os.tmpdir(), "zkml-conf-")), name);
      const c = await compileModel(onnx, { outDir: out, calibrationFile: input });
      await setupModel(out);
      const prover = await InferenceProver.open(out);
      const values = await readInputFile(input);
      const { proof } = await prover.prove(values, { value: 1n });
      expect((await verifyProofFile(out, proof)).valid).toBe(true);
      const [float] = await floatOutputs(onnx, c.model, [values]);
      const scale = Math.max(1, ...float!.map(Math.abs));
      proof.output.dequantized.forEach((v, i) => expect(Math.abs(v - float![i]!), `${name}[${i}]`).toBeLessThanOrEqual(0.05 * scale));
    });
  }

  for (const [name, message] of Object.entries(REFUSED)) {
    it(`${name}: refused with a clear error`, async () => {
      const err = await compileModel(path.join(MODELS, name, "network.onnx"), { outDir: path.join(os.tmpdir(), "zkml-never", name) }).catch((e) => e);
      expect(err).toBeInstanceOf(ZkmlError);
      expect(err.code).toBe("UNSUPPORTED_OP");
      expect(err.message).toMatch(message);
      expect(existsSync(path.join(os.tmpdir(), "zkml-never", name))).toBe(false);
    });
  }
});

if (!present) {
  describe("conformance", () => {
    it.skip("../shared/onnx-models is absent: the third-party conformance models are not run", () => {});
  });
}
