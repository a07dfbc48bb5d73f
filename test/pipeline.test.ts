import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  InferenceProver,
  readInputFile,
  runReference,
  quantizeInput,
  releaseCurves,
  verifyProofFile,
  openReady,
  splitClassContext,
  type ProofFile,
} from "../src/index.js";
import { FILES } from "../core/build_files.js";

let dir: string;
let prover: InferenceProver;
let proof: ProofFile;

beforeAll(async () => {
  dir = inject("mnistDir");
  prover = await InferenceProver.open(dir);
  const r = await prover.prove(await readInputFile("examples/mnist/digits/digit-3.json"), { value: 0xabcdefn });
  proof = r.proof;
});
afterAll(releaseCurves);

describe("MNIST: setup → prove → verify off-chain", () => {
  it("proves the class the quantized model computes, and verifies", async () => {
    // (The model is 94% accurate: it reads this bundled 3 as a 2. The proof is of what it computes.)
    const expected = runReference(prover.model.model, quantizeInput(prover.model.model, await readInputFile("examples/mnist/digits/digit-3.json"))).argmax;
    expect(proof.output.class).toBe(expected);
    expect(splitClassContext(BigInt(proof.publicSignals[1]!))).toEqual({ context: 0xabcdefn, cls: expected });
    const v = await verifyProofFile(dir, JSON.parse(JSON.stringify(proof)));
    expect(v).toMatchObject({ valid: true, class: expected, checks: { model: true, proof: true, commitment: true, class: true } });
  });

  it("proves repeatedly with the keys in memory: fresh randomness, the same statement", async () => {
    const values = await readInputFile("examples/mnist/digits/digit-0.json");
    const runs: ProofFile[] = [];
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await prover.prove(values);
      runs.push(r.proof);
      times.push(r.timingsMs.witness + r.timingsMs.prove);
    }
    console.log(`MNIST warm witness+prove: ${times.map((t) => t.toFixed(0)).join(", ")} ms`);
    // Groth16 proofs are randomised (r, s), and so is the commitment's blinding: one input gives
    // three different commitments (an observer cannot tell that it was proven three times),
    // while the class and context are the same.
    expect(new Set(runs.map((p) => (p.proof.pi_a as string[])[0])).size).toBe(3);
    expect(new Set(runs.map((p) => p.publicSignals[0])).size).toBe(3);
    expect(new Set(runs.map((p) => p.blinding)).size).toBe(3);
    for (const p of runs) {
      expect(p.publicSignals[1]).toEqual(runs[0]!.publicSignals[1]);
      expect(p.input.values).toEqual(runs[0]!.input.values);
      expect((await verifyProofFile(dir, p)).valid).toBe(true);
    }
  });

  it("rejects a tampered proof, a tampered public signal, a swapped output and another model", async () => {
    const bad = (f: (p: ProofFile) => void) => {
      const p = structuredClone(proof);
      f(p);
      return verifyProofFile(dir, p);
    };
    expect((await bad((p) => ((p.proof.pi_a as string[])[0] = String(BigInt((p.proof.pi_a as string[])[0]!) + 1n)))).checks.proof).toBe(false);
    const otherClass = await bad((p) => (p.publicSignals[1] = String(BigInt(p.publicSignals[1]!) + 1n)));
    expect(otherClass).toMatchObject({ valid: false, checks: { proof: false } });
    const swapped = await bad((p) => (p.output.values[2] = p.output.values[2]! + 1));
    expect(swapped).toMatchObject({ valid: false, checks: { proof: true, commitment: false } });
    expect((await bad((p) => (p.model.modelId = "0x" + "00".repeat(32)))).checks.model).toBe(false);
    expect((await bad((p) => (p.model.vkey = "00".repeat(32)))).checks).toMatchObject({ keys: false, proof: true });
    // The MNIST input is non-negative: a stated −1 is outside its domain, named as such.
    const negative = await bad((p) => (p.input.values[0] = -1));
    expect(negative.valid).toBe(false);
    expect(negative.problems).toContain("input.values: expected 784 integers in [0, 127]");
  });
});

describe("build folder integrity", () => {
  let copy: string;
  beforeAll(async () => {
    copy = path.join(await mkdtemp(path.join(os.tmpdir(), "zkml-stale-")), "m");
  });
  afterAll(async () => rm(path.dirname(copy), { recursive: true, force: true }));

  it("detects a changed key, a changed circuit and a missing stage", async () => {
    await cp(dir, copy, { recursive: true });
    await openReady(copy);
    const zkey = path.join(copy, FILES.zkey);
    const bytes = await readFile(zkey);
    bytes[bytes.length - 1]! ^= 1;
    await writeFile(zkey, bytes);
    await expect(openReady(copy)).rejects.toMatchObject({ code: "STALE_ARTIFACT", message: expect.stringContaining(FILES.zkey) });

    await cp(dir, copy, { recursive: true });
    await writeFile(path.join(copy, FILES.r1cs), Buffer.concat([await readFile(path.join(copy, FILES.r1cs)), Buffer.from([0])]));
    await expect(InferenceProver.open(copy)).rejects.toMatchObject({ code: "STALE_ARTIFACT" });

    await cp(dir, copy, { recursive: true });
    const manifest = JSON.parse(await readFile(path.join(copy, "manifest.json"), "utf8"));
    delete manifest.stages.setup;
    await writeFile(path.join(copy, "manifest.json"), JSON.stringify(manifest));
    await expect(openReady(copy)).rejects.toMatchObject({ code: "MISSING_ARTIFACT" });
    await expect(openReady(path.join(copy, "nope"))).rejects.toMatchObject({ code: "MISSING_ARTIFACT" });
  });

  it("detects keys made from an older circuit", async () => {
    await cp(dir, copy, { recursive: true });
    const manifest = JSON.parse(await readFile(path.join(copy, "manifest.json"), "utf8"));
    manifest.stages.setup.inputs[FILES.r1cs] = "0".repeat(64);
    await writeFile(path.join(copy, "manifest.json"), JSON.stringify(manifest));
    await expect(openReady(copy)).rejects.toMatchObject({ code: "STALE_ARTIFACT", message: expect.stringContaining("older") });
  });
});
