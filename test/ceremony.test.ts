/** Groth16 phase 2 after setup: contributions, a beacon, and `setup --verify` catching a bad key. */
import { copyFile, cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileModel, contribute, InferenceProver, readManifest, releaseCurves, setupModel, verifyProofFile, verifySetup } from "../src/index.js";
import { FILES } from "../core/build_files.js";
import { sha256File, writeManifest } from "../core/manifest.js";
import { randomMlp } from "./helpers/models.js";
import * as snarkjs from "snarkjs";
import { circuitInput } from "../core/circuit_input.js";
import { quantizeInput } from "../core/qmodel.js";
import { wtnsLayout } from "../core/r1cs.js";
import { WitnessGenerator } from "../prover/witness.js";
import { exportSnarkVerifier } from "../verifier/solidity.js";

let work: string;
let dir: string;
let otherDir: string;
const input = [0.1, -0.2, 0.3, 0.4, -0.5, 0.6];

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "zkml-ceremony-"));
  for (const [name, seed] of [
    ["a", 3],
    ["b", 4],
  ] as const) {
    const onnx = path.join(work, `${name}.onnx`);
    await writeFile(onnx, randomMlp([6, 5, 3], seed));
    await compileModel(onnx, { outDir: path.join(work, name) });
    await setupModel(path.join(work, name), { keys: "ceremony" });
  }
  [dir, otherDir] = [path.join(work, "a"), path.join(work, "b")];
}, 300_000);

afterAll(async () => {
  await releaseCurves();
  await rm(work, { recursive: true, force: true });
});

describe("Groth16 phase 2", () => {
  it("verifies the key setup made, then takes contributions and a beacon, each verified", async () => {
    expect(await verifySetup(dir)).toMatchObject({ valid: true, checks: { ptau: true, zkey: true, verificationKey: true } });
    const before = await InferenceProver.open(dir);
    const oldProof = (await before.prove(input)).proof;

    const alice = await contribute(dir, { name: "alice", entropy: "alice's dice" });
    const beacon = await contribute(dir, { beacon: { hash: "0x" + "ab".repeat(32), iterationsExp: 10 } });
    expect(alice.contribution).toMatchObject({ name: "alice", kind: "entropy" });
    expect(beacon.info.contributions.map((c) => c.kind)).toEqual(["random", "entropy", "beacon"]);
    expect(alice.contribution.hash).toMatch(/^[0-9a-f]{128}$/);
    const check = await verifySetup(dir);
    expect(check.valid).toBe(true);
    expect(check.log.join("\n")).toContain("contribution #2 alice");

    // The key changed: proofs from the old key no longer verify, new ones do.
    expect((await verifyProofFile(dir, oldProof)).valid).toBe(false);
    const after = await InferenceProver.open(dir);
    expect((await verifyProofFile(dir, (await after.prove(input)).proof)).valid).toBe(true);
  });

  it("refuses a key made for another circuit even when the manifest was updated to match it", async () => {
    const forged = path.join(work, "forged");
    await rm(forged, { recursive: true, force: true });
    await cp(dir, forged, { recursive: true });
    await copyFile(path.join(otherDir, FILES.zkey), path.join(forged, FILES.zkey));
    const manifest = await readManifest(forged);
    manifest.stages.setup!.outputs[FILES.zkey] = await sha256File(path.join(forged, FILES.zkey));
    await writeManifest(forged, manifest);
    expect(await verifySetup(forged)).toMatchObject({ valid: false, checks: { zkey: false } });
  });

  it("catches a swapped verifier, a false 'official' claim and another circuit, each after the manifest was re-hashed", async () => {
    const honest = await verifySetup(otherDir);
    expect(honest).toMatchObject({ valid: true, ptauKind: "not official", checks: { solidity: true, circuit: true, ptauKind: true } });
    const tamper = async (name: string, change: (d: string, m: Awaited<ReturnType<typeof readManifest>>) => Promise<void>) => {
      const d = path.join(work, name);
      await rm(d, { recursive: true, force: true });
      await cp(otherDir, d, { recursive: true });
      const m = await readManifest(d);
      await change(d, m);
      await writeManifest(d, m);
      return verifySetup(d);
    };
    // Another contract's bytecode in verifier.json, its hash put in the manifest.
    const swapped = await tamper("swapped", async (d, m) => {
      const file = path.join(d, FILES.verifierArtifact);
      const art = JSON.parse(await readFile(file, "utf8"));
      art.bytecode = (JSON.parse(await readFile(path.join(dir, FILES.verifierArtifact), "utf8")) as { bytecode: string }).bytecode;
      await writeFile(file, JSON.stringify(art));
      m.stages.setup!.outputs[FILES.verifierArtifact] = await sha256File(file);
    });
    expect(swapped).toMatchObject({ valid: false, checks: { solidity: false, zkey: true } });
    // The manifest says the development ptau is an official one.
    const claimed = await tamper("claimed", async (_d, m) => {
      const info = m.stages.setup!.info as { ptau: { official: boolean; devOnly: boolean } };
      info.ptau.official = true;
      info.ptau.devOnly = false;
    });
    expect(claimed).toMatchObject({ valid: false, ptauKind: "not official", checks: { ptauKind: false } });
    // verifier.json's devKeys flag set to false (what deploy read alone): the contract still says true.
    const unflagged = await tamper("unflagged", async (d, m) => {
      for (const name of [FILES.verifierArtifact, FILES.snarkVerifierArtifact]) {
        const file = path.join(d, name);
        await writeFile(file, JSON.stringify({ ...JSON.parse(await readFile(file, "utf8")), devKeys: false }));
        m.stages.setup!.outputs[name] = await sha256File(file);
      }
    });
    expect(unflagged).toMatchObject({ valid: false, checks: { devKeys: false, solidity: true, ceremonyPoints: true } });
    // The circuit recompiled from another ONNX file: the r1cs differs (and with the right
    // file, the recorded one matches).
    const otherOnnx = path.join(work, "a.onnx");
    const recompiled = await verifySetup(otherDir, { onnxFile: otherOnnx });
    expect(recompiled).toMatchObject({ valid: false, checks: { circuit: false } });
    expect(recompiled.log.join(" ")).toMatch(/not the ONNX file/);
  });

  it("has nothing to contribute to for a universal (PLONK) key", async () => {
    const plonkDir = path.join(work, "plonk");
    await cp(otherDir, plonkDir, { recursive: true });
    await setupModel(plonkDir, { system: "plonk" });
    await expect(contribute(plonkDir)).rejects.toMatchObject({ code: "USAGE", message: expect.stringContaining("universal") });
    expect(await verifySetup(plonkDir)).toMatchObject({ valid: true, system: "plonk" });
    // The verifier filled from the key setup holds is the one snarkjs exports from the zkey.
    const zkey = path.join(plonkDir, FILES.zkey);
    const vk = JSON.parse(await readFile(path.join(plonkDir, FILES.vkey), "utf8"));
    expect(await exportSnarkVerifier("plonk", zkey, "V", vk)).toBe(await exportSnarkVerifier("plonk", zkey, "V"));
  });
});

/** The sections of a zkey (an iden3 binfile): type → bytes. */
function zkeySections(b: Uint8Array): Map<number, Uint8Array> {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out = new Map<number, Uint8Array>();
  let pos = 12;
  for (let i = 0; i < v.getUint32(8, true); i++) {
    const size = Number(v.getBigUint64(pos + 4, true));
    out.set(v.getUint32(pos, true), b.subarray(pos + 12, pos + 12 + size));
    pos += 12 + size;
  }
  return out;
}

describe("Groth16 development keys drawn directly (no ptau)", () => {
  it("are snarkjs's zkey, section for section: the same header and coefficients as zkey new, other points", async () => {
    const directDir = path.join(work, "direct");
    await cp(dir, directDir, { recursive: true });
    const r = await setupModel(directDir);
    expect(r.info).toMatchObject({ keys: "direct", contributions: [], ptau: { path: "", official: false, devOnly: true } });
    const ceremony = zkeySections(new Uint8Array(await readFile(path.join(dir, FILES.zkey))));
    const direct = zkeySections(new Uint8Array(await readFile(path.join(directDir, FILES.zkey))));
    for (const k of [1, 2, 3, 4, 5, 6, 7, 8, 9]) expect(direct.get(k)?.length, `section ${k}`).toBe(ceremony.get(k)!.length);
    expect(Buffer.from(direct.get(4)!).equals(Buffer.from(ceremony.get(4)!))).toBe(true); // the A/B coefficients
    // Header: field sizes and primes, nVars, nPublic, domain size; then the key's points differ.
    expect(Buffer.from(direct.get(2)!.subarray(0, 84)).equals(Buffer.from(ceremony.get(2)!.subarray(0, 84)))).toBe(true);
    expect(Buffer.from(direct.get(2)!.subarray(84)).equals(Buffer.from(ceremony.get(2)!.subarray(84)))).toBe(false);
  });

  it("prove and verify with snarkjs; a forged witness gives a proof that fails; no contribution or --verify", async () => {
    const directDir = path.join(work, "direct");
    const prover = await InferenceProver.open(directDir);
    const { proof } = await prover.prove(input);
    expect(await verifyProofFile(directDir, proof)).toMatchObject({ valid: true });
    // Change the witness's class-context wire and prove anyway: snarkjs's prover does not
    // check the witness, so only the key's soundness stands between it and acceptance.
    const compiled = prover.model;
    const gen = await WitnessGenerator.load(compiled.file("wasm"));
    const wtns = await gen.compute(circuitInput(compiled.model, quantizeInput(compiled.model, input), 5n, 7n));
    const layout = wtnsLayout(wtns);
    const forged = new Uint8Array(wtns);
    forged[layout.offset + 2 * layout.n8]! ^= 1; // wire 2: classContext, the second public output
    const vk = JSON.parse(await readFile(compiled.file("vkey"), "utf8"));
    const honest = await snarkjs.groth16.prove(compiled.file("zkey"), wtns);
    expect(await snarkjs.groth16.verify(vk, honest.publicSignals, honest.proof)).toBe(true);
    const bad = await snarkjs.groth16.prove(compiled.file("zkey"), forged);
    expect(bad.publicSignals[1]).not.toBe(honest.publicSignals[1]);
    expect(await snarkjs.groth16.verify(vk, bad.publicSignals, bad.proof)).toBe(false);
    await expect(contribute(directDir)).rejects.toMatchObject({ code: "USAGE", message: expect.stringContaining("drawn directly") });
    await expect(verifySetup(directDir)).rejects.toMatchObject({ code: "USAGE", message: expect.stringContaining("drawn directly") });
  });
});
