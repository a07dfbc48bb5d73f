/**
 * The bundled MNIST CNN (conv 5x5/2 x8 → ReLU → maxpool 2 → dense 10): compiles to a circuit
 * that equals the integer reference on the bundled digits, proves and verifies; and, where
 * ../shared has MNIST, keeps >= 96% accuracy on the 2,000 held-out digits after quantization.
 */
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateCnn, CNN_CALIBRATION, CNN_ONNX } from "../examples/mnist-cnn/evaluate.js";
import { mnistAvailable } from "../examples/mnist/mnist.js";
import {
  checkCircuit,
  compileModel,
  InferenceProver,
  readInputFile,
  releaseCurves,
  runReference,
  quantizeInput,
  setupModel,
  verifyProofFile,
  type CompileResult,
} from "../src/index.js";

afterAll(releaseCurves);

describe("bundled MNIST CNN", () => {
  let dir: string;
  let compiled: CompileResult;
  beforeAll(async () => {
    dir = path.join(await mkdtemp(path.join(os.tmpdir(), "zkml-cnn-")), "mnist-cnn");
    compiled = await compileModel(CNN_ONNX, { outDir: dir, calibrationFile: CNN_CALIBRATION });
  });

  it("is a conv → maxpool → dense circuit of under 50k constraints, every wire pinned", async () => {
    expect(compiled.model.layers.map((l) => l.op)).toEqual(["conv", "maxpool", "dense"]);
    expect(compiled.info.constraints).toBeLessThan(50_000);
    const check = await checkCircuit(dir);
    expect(check).toMatchObject({ satisfied: true, publicPinned: true, problems: [], counts: { unused: 0, undetermined: 0 } });
    console.log(`MNIST CNN check: ${check.wires} wires, ${check.counts.excepted} IsZero inverses excepted, ${check.ms.toFixed(0)} ms`);
  });

  it("proves every bundled digit's class as the reference computes it, and the proof verifies", async () => {
    await setupModel(dir);
    const prover = await InferenceProver.open(dir);
    const digits = (await readdir("examples/mnist/digits")).filter((f) => f.endsWith(".json")).sort();
    let correct = 0;
    for (const [k, f] of digits.entries()) {
      const values = await readInputFile(path.join("examples/mnist/digits", f));
      const ref = runReference(compiled.model, quantizeInput(compiled.model, values));
      if (k >= 3) {
        correct += Number(ref.argmax === Number(/digit-(\d)/.exec(f)![1]));
        continue; // three proofs are enough for the test; the rest check the reference only
      }
      const { proof } = await prover.prove(values, { value: BigInt(k + 1) });
      expect(proof.output.class).toBe(ref.argmax);
      expect(proof.output.values).toEqual(ref.output);
      expect((await verifyProofFile(dir, proof)).valid).toBe(true);
      correct += Number(ref.argmax === Number(/digit-(\d)/.exec(f)![1]));
    }
    expect(correct).toBeGreaterThanOrEqual(9);
  });
});

describe.skipIf(!mnistAvailable())("MNIST CNN accuracy (../shared/data/mnist)", () => {
  it("keeps >= 96% on the 2,000 held-out digits after quantization, agreeing with the float model", async () => {
    const r = await evaluateCnn();
    expect(r.samples).toBe(2000);
    expect(r.quantizedAccuracy).toBeGreaterThanOrEqual(0.96);
    expect(r.argmaxAgreement).toBeGreaterThanOrEqual(0.98);
    expect(r.layers?.map((l) => l.op)).toEqual(["conv", "maxpool", "dense"]);
  });
});

if (!mnistAvailable() || !existsSync(CNN_ONNX)) {
  describe("MNIST CNN accuracy", () => {
    it.skip("../shared/data/mnist is absent: held-out accuracy is not measured", () => {});
  });
}
