/**
 * `zkml compile --weights private`: the weights are witness values, range-checked to int8 and
 * bound by a salted Poseidon commitment that is a public signal. The circuit must still equal
 * the reference interpreter, and a prover must not be able to run other weights than the
 * committed ones.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Contract } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  compileModel,
  computeContext,
  connectInProcessChain,
  deployVerifier,
  InferenceProver,
  readInputFile,
  readVerifierArtifact,
  releaseCurves,
  setupModel,
  submitInference,
  submitInferenceBatch,
  verifyProofFile,
  type ProofFile,
} from "../src/index.js";
import { FILES } from "../core/build_files.js";
import { generateCircom } from "../circuits/codegen.js";
import { importOnnx } from "../circuits/onnx/import.js";
import { quantizeGraph, withPrivateWeights } from "../circuits/quantize.js";
import { circuitInput } from "../core/circuit_input.js";
import { commitInference, commitWeights } from "../core/commitment.js";
import { packSigned } from "../core/field.js";
import { denseLayers, runReference, type QModel } from "../core/qmodel.js";
import { circuitLayout } from "../circuits/codegen.js";
import { TestCircuit } from "./helpers/circuit.js";
import { mulberry32, randomMlp } from "./helpers/models.js";

const SALT = 0x1234_5678_9abc_def0_1122_3344n;

function body(model: QModel): string {
  return generateCircom(model).split("\n").slice(1).join("\n");
}

describe("private weights circuit", () => {
  const rand = mulberry32(7);
  const samples = Array.from({ length: 16 }, () => Array.from({ length: 6 }, () => rand() * 2 - 1));
  const constants = quantizeGraph(importOnnx(randomMlp([6, 5, 3], 11), "rnd"), { samples });
  let model: QModel;
  let c: TestCircuit;
  let constantsCircuit: TestCircuit;
  beforeAll(async () => {
    model = await withPrivateWeights(constants, SALT);
    [c, constantsCircuit] = await Promise.all([TestCircuit.compile(body(model), "O1"), TestCircuit.compile(body(constants), "O2")]);
  });

  it("computes what the reference interpreter computes, and commits to the weights it used", async () => {
    expect(model.privateWeights!.commitment).toBe(String(await commitWeights(SALT, denseLayers(constants), model.privateWeights!.biasBits)));
    const inputs = [
      Array(6).fill(127),
      Array(6).fill(-128),
      ...Array.from({ length: 10 }, () => Array.from({ length: 6 }, () => Math.floor(rand() * 256) - 128)),
    ];
    for (const q of inputs) {
      const w = await c.witness(circuitInput(model, q, 9n, 11n));
      const ref = runReference(constants, q);
      expect(await c.check(w)).toBe(true);
      expect(c.get(w, "commitment")).toBe(await commitInference(q.map(BigInt), ref.output.map(BigInt), circuitLayout(model), 11n));
      expect(c.get(w, "classContext")).toBe(9n * 256n + BigInt(ref.argmax));
      expect(c.get(w, "modelCommitment")).toBe(BigInt(model.privateWeights!.commitment));
      ref.layers.forEach((values, li) => values.forEach((v, j) => expect(c.getSigned(w, `a${li}[${j}]`)).toBe(BigInt(v))));
    }
  });

  it("other weights give another commitment; the salt changes it too", async () => {
    const q = [1, -2, 3, -4, 5, -6];
    const other = structuredClone(model);
    denseLayers(other)[0]!.weights[0] = denseLayers(other)[0]!.weights[0]! === 127 ? 126 : denseLayers(other)[0]!.weights[0]! + 1;
    const w = await c.witness(circuitInput(other, q, 0n, 11n));
    expect(await c.check(w)).toBe(true);
    expect(c.get(w, "modelCommitment")).not.toBe(BigInt(model.privateWeights!.commitment));
    expect(await commitWeights(SALT + 1n, denseLayers(constants), model.privateWeights!.biasBits)).not.toBe(BigInt(model.privateWeights!.commitment));
  });

  it("rejects a forged product, output, commitment, or a weight outside int8", async () => {
    const q = [10, 20, -30, 40, -50, 60];
    const w = await c.witness(circuitInput(model, q, 3n, 11n));
    expect(await c.check(c.forge(w, { "p0[0][0]": c.getSigned(w, "p0[0][0]") + 1n }))).toBe(false);
    expect(await c.check(c.forge(w, { "a1[0]": c.getSigned(w, "a1[0]") + 1n }))).toBe(false);
    expect(await c.check(c.forge(w, { modelCommitment: c.get(w, "modelCommitment") + 1n }))).toBe(false);
    expect(await c.check(c.forge(w, { "w0[0]": 200n }))).toBe(false);
    expect(await c.check(c.forge(w, { "b1[0]": 1n << BigInt(model.privateWeights!.biasBits[1]!) }))).toBe(false);
  });

  it("refuses the packing alias that would keep the commitment but change two weights", async () => {
    // (w0 + 256, w1 - 1) packs to the same field element as (w0, w1): only the int8 range
    // checks make the commitment binding.
    const [a, b] = denseLayers(model)[0]!.weights as [number, number];
    const honest = packSigned([BigInt(a), BigInt(b)], 8)[0]!;
    const aliasPacked = BigInt(a + 256 + 128) + (BigInt(b - 1 + 128) << 8n);
    expect(aliasPacked).toBe(honest);
    const alias = structuredClone(model);
    denseLayers(alias)[0]!.weights[0] = a + 256;
    denseLayers(alias)[0]!.weights[1] = b - 1;
    await expect(c.witness(circuitInput(alias, [1, 1, 1, 1, 1, 1], 0n, 11n))).rejects.toThrow();
  });

  it("costs about one constraint per multiply plus 8 per weight for its range check", () => {
    const weights = denseLayers(model).reduce((s, l) => s + l.weights.length, 0);
    console.log(`private weights: ${c.constraints} constraints (--O1) vs ${constantsCircuit.constraints} (constants, --O2), ${weights} weights`);
    expect(c.constraints - constantsCircuit.constraints).toBeGreaterThanOrEqual(9 * weights);
  });
});

describe("private weights: compile → setup → prove → verify off-chain and on-chain (tiny MLP)", () => {
  let dir: string;
  let prover: InferenceProver;
  let proof: ProofFile;
  beforeAll(async () => {
    dir = path.join(await mkdtemp(path.join(os.tmpdir(), "zkml-private-")), "tiny");
    await compileModel("examples/tiny-mlp/tiny-mlp.onnx", { outDir: dir, calibrationFile: "examples/tiny-mlp/calibration.json", weights: "private" });
    await setupModel(dir);
    prover = await InferenceProver.open(dir);
  });
  afterAll(async () => {
    await releaseCurves();
    await rm(path.dirname(dir), { recursive: true, force: true });
  });

  it("keeps the weights out of the verifying key and the contract, and pins their commitment", async () => {
    const info = prover.model.info;
    expect(info).toMatchObject({ weights: "private", publicSignals: ["commitment", "classContext", "modelCommitment"] });
    const vkey = JSON.parse(await readFile(path.join(dir, FILES.vkey), "utf8"));
    expect(vkey.nPublic).toBe(3);
    const sources = (await readdir(path.join(dir, FILES.contractsDir))).map((f) => path.join(dir, FILES.contractsDir, f));
    const text = (await Promise.all(sources.map((f) => readFile(f, "utf8")))).join("\n");
    expect(text).toContain(`MODEL_COMMITMENT = ${info.modelCommitment}`);
    // The circom source (private to the owner) holds no weight table either: they are inputs.
    expect(await readFile(path.join(dir, FILES.circom), "utf8")).not.toMatch(/function Weights/);
  });

  it("proves and verifies; a proof claiming other weights fails", async () => {
    proof = (await prover.prove(await readInputFile("examples/tiny-mlp/input.json"))).proof;
    expect(proof.publicSignals[2]).toBe(prover.model.info.modelCommitment);
    expect(await verifyProofFile(dir, proof)).toMatchObject({ valid: true, checks: { proof: true, modelCommitment: true } });
    const forged = structuredClone(proof);
    forged.publicSignals[2] = String(BigInt(forged.publicSignals[2]!) + 1n);
    expect(await verifyProofFile(dir, forged)).toMatchObject({ valid: false, checks: { proof: false, modelCommitment: false } });
  });

  it("verifies on-chain through the contract that pins the commitment", async () => {
    const chain = await connectInProcessChain();
    try {
      const artifact = await readVerifierArtifact(dir);
      const d = await deployVerifier(chain.signer, artifact);
      const contract = new Contract(d.address, artifact.abi, chain.provider);
      expect(String(await contract.getFunction("MODEL_COMMITMENT")())).toBe(prover.model.info.modelCommitment);
      const sender = await chain.signer.getAddress();
      const context = computeContext({ chainId: chain.chainId, contract: d.address, sender, nonce: 5n });
      const { proof: p } = await prover.prove(await readInputFile("examples/tiny-mlp/input.json"), { value: context });
      const ok = await submitInference(chain.signer, d.address, artifact.abi, p, 5n);
      expect(ok).toMatchObject({ valid: true, class: p.output.class });
      console.log(`private-weights tiny MLP: verifyInference ${ok.gasUsed} gas, deploy ${d.gasUsed}`);
      const replay = await submitInference(chain.signer, d.address, artifact.abi, p, 5n);
      expect(replay.reason).toMatch(/^NonceAlreadyUsed/);
      // A batch: the contract appends the pinned commitment to every item's signals.
      const batch = [];
      for (const nonce of [6n, 7n]) {
        const value = computeContext({ chainId: chain.chainId, contract: d.address, sender, nonce });
        batch.push({ proof: (await prover.prove(await readInputFile("examples/tiny-mlp/input.json"), { value })).proof, nonce });
      }
      const forged = batch.map((e) => ({ ...e, proof: structuredClone(e.proof) }));
      forged[1]!.proof.publicSignals[0] = batch[0]!.proof.publicSignals[0]!;
      expect((await submitInferenceBatch(chain.signer, d.address, artifact.abi, forged)).reason).toBe("BatchProofInvalid()");
      expect(await submitInferenceBatch(chain.signer, d.address, artifact.abi, batch)).toMatchObject({
        valid: true,
        items: batch.map((e) => ({ class: e.proof.output.class })),
      });
    } finally {
      await chain.close();
    }
  });
});
