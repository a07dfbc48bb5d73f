/**
 * Data statements: a model whose input or output is hashed. The circuit's public signal 0 must
 * equal core/statement.ts's computeStatement for every mix of visibilities, bind every value
 * (a forged input or output breaks a constraint), and the pipeline must prove and verify such a
 * model with an input quantized by a contract (proveQuantized).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { circuitLayout, generateCircom } from "../circuits/codegen.js";
import { withVisibility } from "../circuits/compile.js";
import { importOnnx } from "../circuits/onnx/import.js";
import { quantizeGraph, withPrivateWeights } from "../circuits/quantize.js";
import { circuitInput } from "../core/circuit_input.js";
import { runReference, type QModel } from "../core/qmodel.js";
import { computeStatement, dataStatement, encodeValues, statementTag, type Visibility } from "../core/statement.js";
import { checkCircuit, compileModel, InferenceProver, releaseCurves, setupModel, verifyProofFile, type ProofFile } from "../src/index.js";
import { TestCircuit } from "./helpers/circuit.js";
import { mulberry32, randomMlp } from "./helpers/models.js";

const rand = mulberry32(29);
const samples = Array.from({ length: 16 }, () => Array.from({ length: 8 }, () => rand() * 2 - 1));
const base = quantizeGraph(importOnnx(randomMlp([8, 6, 3], 29), "data"), { samples });
const randomInput = () => Array.from({ length: 8 }, () => Math.floor(rand() * 256) - 128);

function body(model: QModel): string {
  return generateCircom(model).split("\n").slice(1).join("\n");
}

const MODES: [Visibility, Visibility][] = [
  ["hashed", "hashed"],
  ["hashed", "private"],
  ["private", "hashed"],
];

describe.each(MODES)("input %s, output %s: the circuit computes the statement", (input, output) => {
  const model = withVisibility(base, { inputVisibility: input, outputVisibility: output });
  let c: TestCircuit;
  beforeAll(async () => {
    c = await TestCircuit.compile(body(model), "O2");
  });

  it("public signal 0 is computeStatement's, the class and context as before", async () => {
    for (const q of [Array(8).fill(127), Array(8).fill(-128), randomInput(), randomInput()]) {
      const w = await c.witness(circuitInput(model, q, 5n, 77n));
      expect(await c.check(w)).toBe(true);
      const ref = runReference(model, q);
      const st = await computeStatement(q.map(BigInt), ref.output.map(BigInt), circuitLayout(model), 77n);
      expect(c.get(w, "commitment")).toBe(st.value);
      expect(c.get(w, "classContext")).toBe(5n * 256n + BigInt(ref.argmax));
      expect(st.inputCommitment !== undefined).toBe(input === "private");
      expect(st.outputCommitment !== undefined).toBe(output === "private");
      if (input === "hashed" && output === "hashed") {
        // Nothing hidden: the statement is sha256 over the tag and both sides' bytes alone.
        const layout = circuitLayout(model);
        expect(st.value).toBe(dataStatement(statementTag(layout), encodeValues(q.map(BigInt), 8), encodeValues(ref.output.map(BigInt), layout.outputBits)));
      }
    }
  });

  it("another input value or statement breaks a constraint", async () => {
    const q = randomInput();
    const w = await c.witness(circuitInput(model, q, 5n, 77n));
    // A hashed input lives on as its bits after --O2 (x is their sum): flip the lowest.
    if (c.has("x[0]")) expect(await c.check(c.forge(w, { "x[0]": q[0] === 127 ? 126 : q[0]! + 1 }))).toBe(false);
    else expect(await c.check(c.forge(w, { "bytesIn[0].out[7]": 1n - c.get(w, "bytesIn[0].out[7]") }))).toBe(false);
    expect(await c.check(c.forge(w, { commitment: c.get(w, "commitment") + 1n }))).toBe(false);
  });

  it("the statement changes with the visibilities (the tag) and, for a private side, with the blinding", async () => {
    const q = randomInput();
    const ref = runReference(model, q);
    const layout = circuitLayout(model);
    const st = await computeStatement(q.map(BigInt), ref.output.map(BigInt), layout, 77n);
    const privateBoth = await computeStatement(q.map(BigInt), ref.output.map(BigInt), circuitLayout(base), 77n);
    expect(st.value).not.toBe(privateBoth.value);
    const reblinded = await computeStatement(q.map(BigInt), ref.output.map(BigInt), layout, 78n);
    expect(reblinded.value === st.value).toBe(input === "hashed" && output === "hashed");
  });
});

describe("a data statement with private weights", () => {
  it("keeps both commitments: the statement over the data, the weights' as the third signal", async () => {
    const model = await withPrivateWeights(withVisibility(base, { inputVisibility: "hashed" }), 0x5eedn);
    const c = await TestCircuit.compile(body(model), "O2");
    const q = randomInput();
    const w = await c.witness(circuitInput(model, q, 2n, 9n));
    expect(await c.check(w)).toBe(true);
    const ref = runReference(model, q);
    expect(c.get(w, "commitment")).toBe((await computeStatement(q.map(BigInt), ref.output.map(BigInt), circuitLayout(model), 9n)).value);
    expect(c.get(w, "modelCommitment")).toBe(BigInt(model.privateWeights!.commitment));
  });
});

describe("a data-statement model through compile, setup, prove and verify", () => {
  let work: string;
  let prover: InferenceProver;
  let proof: ProofFile;
  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), "zkml-data-"));
    const onnx = path.join(work, "data.onnx");
    await writeFile(onnx, randomMlp([8, 6, 3], 29));
    await writeFile(path.join(work, "calibration.json"), JSON.stringify({ samples }));
    const out = path.join(work, "build");
    await compileModel(onnx, {
      outDir: out,
      calibrationFile: path.join(work, "calibration.json"),
      fidelity: false,
      inputVisibility: "hashed",
      outputVisibility: "private",
    });
    await setupModel(out);
    prover = await InferenceProver.open(out);
    proof = (await prover.proveQuantized([1, -2, 3, -4, 5, -6, 7, -8], { value: 3n })).proof;
  });
  afterAll(async () => {
    await releaseCurves();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("proves an input quantized elsewhere; verify checks the statement and the output's commitment", async () => {
    expect(proof.statement).toMatchObject({ input: "hashed", output: "private" });
    expect(proof.statement!.outputCommitment).toMatch(/^\d+$/);
    expect(proof.input.values).toEqual([1, -2, 3, -4, 5, -6, 7, -8]);
    const ok = await verifyProofFile(prover.model, proof);
    expect(ok.problems).toEqual([]);
    expect(ok.valid).toBe(true);
    const lied = await verifyProofFile(prover.model, { ...proof, statement: { ...proof.statement!, outputCommitment: "12345" } });
    expect(lied.valid).toBe(false);
    expect(lied.problems.join("\n")).toMatch(/private side's commitment/);
    const changed = await verifyProofFile(prover.model, { ...proof, input: { ...proof.input, values: [2, -2, 3, -4, 5, -6, 7, -8] } });
    expect(changed.valid).toBe(false);
  });

  it("zkml check passes: every wire pinned, the public signals too", async () => {
    expect(await checkCircuit(prover.model.dir)).toMatchObject({ satisfied: true, publicPinned: true, problems: [] });
  });

  it("refuses a quantized input outside the int8 range or of the wrong length, naming the model", async () => {
    await expect(prover.proveQuantized([128, 0, 0, 0, 0, 0, 0, 0])).rejects.toThrow(/model data: quantized input value #0 is 128/);
    await expect(prover.proveQuantized([0.5, 0, 0, 0, 0, 0, 0, 0])).rejects.toThrow(/#0 is 0.5/);
    await expect(prover.proveQuantized([1, 2])).rejects.toThrow(/needs 8 quantized values, got 2/);
  });
});
