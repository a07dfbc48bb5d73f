import { beforeAll, describe, expect, inject, it } from "vitest";
import { generateCircom, circuitLayout } from "../circuits/codegen.js";
import { importOnnx } from "../circuits/onnx/import.js";
import { quantizeGraph } from "../circuits/quantize.js";
import { commitInference } from "../core/commitment.js";
import { openCompiled } from "../core/compiled.js";
import { toField } from "../core/field.js";
import { denseLayers, quantizeInput, runReference, type QModel } from "../core/qmodel.js";
import { readCalibrationFile } from "../core/input.js";
import { requiredPower } from "../prover/ptau/index.js";
import { WitnessGenerator } from "../prover/witness.js";
import { TestCircuit, witnessValue } from "./helpers/circuit.js";
import { mulberry32, randomMlp } from "./helpers/models.js";

/** The generated circuit minus its pragma line, for the gadget test bench. */
function body(model: QModel): string {
  return generateCircom(model).split("\n").slice(1).join("\n");
}

async function expectBitExact(c: TestCircuit, model: QModel, q: number[], ctx: bigint) {
  const w = await c.witness({ x: q.map((v) => toField(v)), ctx, blinding: 11n });
  const ref = runReference(model, q);
  expect(await c.check(w)).toBe(true);
  expect(c.get(w, "commitment")).toBe(await commitInference(q.map(BigInt), ref.output.map(BigInt), circuitLayout(model), 11n));
  expect(c.get(w, "classContext")).toBe(ctx * 256n + BigInt(ref.argmax));
  // The public commitment is pinned to the blinding: another blinding under it is rejected.
  expect(await c.check(c.forge(w, { blinding: 12n }))).toBe(false);
  return { w, ref };
}

describe("generated circuit == reference interpreter, bit for bit", () => {
  // Three layers: a signed requantization in the middle, ReLU before, exact accumulators after.
  const rand = mulberry32(99);
  const samples = Array.from({ length: 16 }, () => Array.from({ length: 10 }, () => rand() * 2 - 1));
  const model = quantizeGraph(importOnnx(randomMlp([10, 8, 6, 5], 4, [true, false, false]), "rnd"), { samples });
  it("has the layer kinds this test means to cover", () => {
    expect(denseLayers(model).map((l) => (l.requant ? (l.requant.relu ? "relu" : "signed") : "exact"))).toEqual(["relu", "signed", "exact"]);
  });
  let o1: TestCircuit;
  let o2: TestCircuit;
  beforeAll(async () => {
    [o1, o2] = await Promise.all([TestCircuit.compile(body(model), "O1"), TestCircuit.compile(body(model), "O2")]);
  });

  it("agrees on random, extreme and saturating int8 inputs (--O1 and --O2)", async () => {
    const inputs: number[][] = [Array(10).fill(127), Array(10).fill(-128), Array(10).fill(0)];
    for (let i = 0; i < 25; i++) inputs.push(Array.from({ length: 10 }, () => Math.floor(rand() * 256) - 128));
    for (const q of inputs) {
      const { w, ref } = await expectBitExact(o1, model, q, 42n);
      await expectBitExact(o2, model, q, 42n);
      // --O1 keeps the layer signals: compare every layer, not just the hash.
      ref.layers.forEach((values, li) => values.forEach((v, j) => expect(o1.getSigned(w, `a${li}[${j}]`)).toBe(BigInt(v))));
    }
  });

  it("rejects a forged class, commitment or output, and an out-of-range input", async () => {
    const q = Array.from({ length: 10 }, (_, i) => i * 11 - 50);
    const { w, ref } = await expectBitExact(o2, model, q, 7n);
    const other = (ref.argmax + 1) % 5;
    expect(await o2.check(o2.forge(w, { classContext: 7n * 256n + BigInt(other) }))).toBe(false);
    expect(await o2.check(o2.forge(w, { commitment: o2.get(w, "commitment") + 1n }))).toBe(false);
    const o1w = (await expectBitExact(o1, model, q, 7n)).w;
    expect(await o1.check(o1.forge(o1w, { "a2[0]": o1.getSigned(o1w, "a2[0]") + 1n }))).toBe(false);
    expect(await o1.check(o1.forge(o1w, { "a0[3]": o1.getSigned(o1w, "a0[3]") + 1n }))).toBe(false);
    await expect(o2.witness({ x: [200, ...q.slice(1)].map((v) => toField(v)), ctx: 7n, blinding: 11n })).rejects.toThrow();
    expect(await o1.check(o1.forge(o1w, { "x[0]": 200n }))).toBe(false);
  });

  it("with a non-negative input (calibration ≥ 0): bit-exact on [0, 127], one constraint fewer per input, and −1 or 128 refused", async () => {
    const positive = quantizeGraph(importOnnx(randomMlp([10, 8, 6, 5], 4, [true, false, false]), "rnd"), { samples: samples.map((s) => s.map(Math.abs)) });
    expect(positive.input.nonNegative).toBe(true);
    const c = await TestCircuit.compile(body(positive), "O1");
    expect(c.constraints).toBe(o1.constraints - 10);
    for (const q of [Array(10).fill(127), Array(10).fill(0), Array.from({ length: 10 }, (_, i) => i * 13)]) await expectBitExact(c, positive, q, 5n);
    // The range gadget's forged witnesses are in test/gadgets/signed_range.test.ts (OffsetBits(7, 0)).
    await expect(c.witness({ x: [-1, ...Array(9).fill(3)].map((v) => toField(v)), ctx: 5n, blinding: 11n })).rejects.toThrow();
    await expect(c.witness({ x: [128, ...Array(9).fill(3)].map((v) => toField(v)), ctx: 5n, blinding: 11n })).rejects.toThrow();
  });

  it("keeps constraints linear in the model: dense layers cost nothing, only range checks do", () => {
    // 10 inputs × 8 bits + requant/argmax/hash: far below one constraint per weight would be.
    expect(o2.constraints).toBeGreaterThan(0);
    expect(o2.constraints).toBeLessThan(1500);
  });
});

describe("bundled MNIST circuit", () => {
  it("matches the reference on the bundled digits", async () => {
    const dir = inject("mnistDir");
    const compiled = await openCompiled(dir);
    const gen = await WitnessGenerator.load(compiled.file("wasm"));
    const { samples } = await readCalibrationFile("examples/mnist/calibration.json");
    // Its pixels are non-negative: 7 range bits per input value, and the whole fits a 2^13 domain.
    expect(compiled.model.input.nonNegative).toBe(true);
    console.log(`MNIST MLP: ${compiled.info.constraints} constraints, Groth16 domain 2^${requiredPower(compiled.info.constraints, 2)}`);
    expect(requiredPower(compiled.info.constraints, compiled.info.publicSignals.length)).toBe(13);
    for (const s of samples) {
      const q = quantizeInput(compiled.model, s);
      const ref = runReference(compiled.model, q);
      const w = await gen.compute({ x: q.map((v) => toField(v)), ctx: 5n, blinding: 11n });
      expect(witnessValue(w, 1)).toBe(await commitInference(q.map(BigInt), ref.output.map(BigInt), compiled.info.layout, 11n));
      expect(witnessValue(w, 2)).toBe(5n * 256n + BigInt(ref.argmax));
    }
  });
});
