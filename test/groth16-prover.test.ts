/**
 * zkml's warm Groth16 prover (core/systems/groth16_prover.ts) against snarkjs's on the MNIST
 * build, on both curve backends (WebAssembly and the native addon): the same public signals,
 * proofs snarkjs and the Solidity verifier accept, a witness that breaks
 * a constraint gives no valid proof, and a damaged key is refused by name.
 */
import { readFile } from "node:fs/promises";
import * as snarkjs from "snarkjs";
import { afterAll, describe, expect, inject, it } from "vitest";
import { circuitInput } from "../core/circuit_input.js";
import { releaseCurves } from "../core/curve.js";
import { ZkmlError } from "../core/errors.js";
import { loadNativeAddon } from "../core/native.js";
import { quantizeInput } from "../core/qmodel.js";
import { groth16Prover } from "../core/systems/groth16_prover.js";
import { WitnessGenerator } from "../prover/witness.js";
import { backend } from "../core/systems/index.js";
import { connectInProcessChain, deployVerifier, openReady, readVerifierArtifact } from "../src/index.js";
import { mulberry32 } from "./helpers/models.js";

afterAll(releaseCurves);

const accel = loadNativeAddon().accel;
const backends = [["WebAssembly", undefined] as const, ...(accel ? [["native", accel] as const] : [])];
if (!accel) console.warn("groth16 prover: the native addon is not built here; only the WebAssembly prover is tested");

describe.each(backends)("the warm Groth16 prover on %s", (_name, curveAccel) => {
  it("proves what snarkjs proves: same public signals, verified by snarkjs; a broken witness gives no valid proof", async () => {
    const ready = await openReady(inject("mnistDir"));
    const zkey = await readFile(ready.file("zkey"));
    const vk = JSON.parse(await readFile(ready.file("vkey"), "utf8"));
    const witness = await WitnessGenerator.load(ready.file("wasm"));
    const rand = mulberry32(15);
    const m = ready.model;
    const prove = await groth16Prover(zkey, curveAccel);
    for (let k = 0; k < 2; k++) {
      const values = Array.from({ length: 784 }, () => rand());
      const wtns = await witness.compute(circuitInput(m, quantizeInput(m, values), BigInt(k + 1), 99n));
      const ours = await prove(wtns);
      const theirs = await snarkjs.groth16.prove({ type: "mem", data: zkey }, { type: "mem", data: wtns });
      expect(ours.publicSignals).toEqual(theirs.publicSignals);
      expect(await snarkjs.groth16.verify(vk, ours.publicSignals, ours.proof)).toBe(true);
      const forged = [...ours.publicSignals];
      forged[1] = (BigInt(forged[1]!) + 1n).toString();
      expect(await snarkjs.groth16.verify(vk, forged, ours.proof)).toBe(false);
      if (k === 1) {
        // A witness that breaks a constraint (one private signal changed): the proof does not verify.
        const bad = new Uint8Array(wtns);
        const at = bad.length - 32 * 5;
        bad[at] = bad[at]! ^ 1;
        const broken = await prove(bad);
        expect(await snarkjs.groth16.verify(vk, broken.publicSignals, broken.proof)).toBe(false);
      }
    }
  }, 120_000);

  it("verifies as snarkjs does (the pairing check on this backend): honest, forged signals, a broken witness, points off their curves, a signal not below r", async () => {
    const ready = await openReady(inject("mnistDir"));
    const zkey = await readFile(ready.file("zkey"));
    const vk = JSON.parse(await readFile(ready.file("vkey"), "utf8"));
    const witness = await WitnessGenerator.load(ready.file("wasm"));
    const m = ready.model;
    const prove = await groth16Prover(zkey, curveAccel);
    const wtns = await witness.compute(circuitInput(m, quantizeInput(m, Array(784).fill(0.75)), 7n, 8n));
    const honest = await prove(wtns);
    const bad = new Uint8Array(wtns);
    bad[bad.length - 32 * 3]! ^= 1;
    const broken = await prove(bad);
    const signal = (i: number, v: bigint) => honest.publicSignals.map((s, k) => (k === i ? v.toString() : s));
    const offCurve = structuredClone(honest.proof) as unknown as { pi_a: string[] };
    offCurve.pi_a[1] = (BigInt(offCurve.pi_a[1]!) + 1n).toString();
    const offTwist = structuredClone(honest.proof) as unknown as { pi_b: string[][] };
    offTwist.pi_b[0]![0] = (BigInt(offTwist.pi_b[0]![0]!) + 1n).toString();
    const cases: [string, string[], unknown][] = [
      ["honest", honest.publicSignals, honest.proof],
      ["forged signal", signal(0, BigInt(honest.publicSignals[0]!) + 1n), honest.proof],
      ["broken witness", broken.publicSignals, broken.proof],
      ["pi_a off G1", honest.publicSignals, offCurve],
      ["pi_b off the twist", honest.publicSignals, offTwist],
      [
        "signal + r",
        signal(1, BigInt(honest.publicSignals[1]!) + 21888242871839275222246405745257275088548364400416034343698204186575808495617n),
        honest.proof,
      ],
      ["no proof", honest.publicSignals, { pi_a: ["1"] }],
    ];
    const verdicts = await Promise.all(cases.map(([, s, p]) => backend("groth16").verify(vk, s, p, curveAccel)));
    const theirs = await Promise.all(cases.map(([, s, p]) => snarkjs.groth16.verify(vk, s, p as never).catch(() => false)));
    expect(Object.fromEntries(cases.map(([name], i) => [name, verdicts[i]]))).toEqual(Object.fromEntries(cases.map(([name], i) => [name, theirs[i]])));
    expect(verdicts).toEqual([true, false, false, false, false, false, false]);
  }, 120_000);

  it("keeps proving after the curve's workers were released in between (as a CLI verb or a test's afterAll does)", async () => {
    const ready = await openReady(inject("mnistDir"));
    const zkey = await readFile(ready.file("zkey"));
    const vk = JSON.parse(await readFile(ready.file("vkey"), "utf8"));
    const witness = await WitnessGenerator.load(ready.file("wasm"));
    const wtns = await witness.compute(circuitInput(ready.model, quantizeInput(ready.model, Array(784).fill(0.5)), 3n, 5n));
    const prove = await groth16Prover(zkey, curveAccel);
    await releaseCurves();
    // A prover that held the released curve would wait forever on workers that are gone.
    const proof = await prove(wtns);
    expect(await snarkjs.groth16.verify(vk, proof.publicSignals, proof.proof)).toBe(true);
  }, 60_000);

  it("makes proofs the Solidity verifier accepts (and rejects with a public signal changed)", async () => {
    const dir = inject("mnistDir");
    const ready = await openReady(dir);
    const zkey = await readFile(ready.file("zkey"));
    const witness = await WitnessGenerator.load(ready.file("wasm"));
    const wtns = await witness.compute(circuitInput(ready.model, quantizeInput(ready.model, Array(784).fill(0.25)), 4n, 6n));
    const proof = await (await groth16Prover(zkey, curveAccel))(wtns);
    const { Contract } = await import("ethers");
    const chain = await connectInProcessChain();
    try {
      const artifact = await readVerifierArtifact(dir, "snark");
      const verifier = new Contract((await deployVerifier(chain.signer, artifact)).address, artifact.abi, chain.provider);
      const g16 = backend("groth16");
      const onchain = (signals: string[]) =>
        verifier.getFunction("verifyProof").staticCall(...g16.verifyProofArgs(g16.words(proof.proof), signals.map(BigInt)));
      expect(await onchain(proof.publicSignals)).toBe(true);
      expect(await onchain([proof.publicSignals[0]!, (BigInt(proof.publicSignals[1]!) + 1n).toString(), ...proof.publicSignals.slice(2)])).toBe(false);
    } finally {
      await chain.close();
    }
  }, 120_000);

  it("refuses a damaged key with a ZkmlError that says to run setup again", async () => {
    const zkey = await readFile((await openReady(inject("mnistDir"))).file("zkey"));
    for (const damaged of [zkey.subarray(0, zkey.length / 2), Uint8Array.from([1, 2, 3, 4, ...zkey.subarray(4, 64)])]) {
      const err = await groth16Prover(new Uint8Array(damaged), curveAccel).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ZkmlError);
      expect((err as ZkmlError).code).toBe("STALE_ARTIFACT");
    }
  });
});
