import { appendFile, mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as binFileUtils from "@iden3/binfileutils";
import { getCurveFromName } from "ffjavascript";
import * as snarkjs from "snarkjs";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { releaseCurves } from "../core/curve.js";
import { backend, PROOF_BACKENDS, proverFor } from "../core/systems/index.js";
import { loadNativeAddon, setCurveBackend } from "../core/native.js";
import { binSections } from "../core/r1cs.js";
import { groth16DirectSetup } from "../prover/groth16_direct.js";
import { generateDevPtau } from "../prover/ptau/dev.js";
import { readPtauHeader, requiredPower, resolvePtau } from "../prover/ptau/index.js";
import { OFFICIAL_PTAU_BLAKE2B } from "../prover/ptau/official.js";
import { TestCircuit } from "./helpers/circuit.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "zkml-ptau-"));
});
afterAll(releaseCurves);

async function section(file: string, id: number): Promise<Uint8Array> {
  const { fd, sections } = await binFileUtils.readBinFile(file, "ptau", 1);
  const data = await binFileUtils.readSection(fd, sections, id);
  await fd.close();
  return data;
}

/** The curve backends to run a key-making test on: WebAssembly, and the native addon where it is built. */
const BACKENDS = ["wasm", ...(loadNativeAddon().accel ? ["native"] : [])];

function useBackend(name: string) {
  setCurveBackend(name);
  onTestFinished(() => setCurveBackend("auto"));
}

describe("development powers of tau", () => {
  it.each(BACKENDS)("equals, byte for byte, what snarkjs's prepare phase 2 computes from the same powers (%s)", async (name) => {
    useBackend(name);
    const ours = path.join(dir, "dev6.ptau");
    await generateDevPtau(6, ours);
    const theirs = path.join(dir, "dev6.snarkjs.ptau");
    await snarkjs.powersOfTau.preparePhase2(ours, theirs);
    for (const id of [12, 13, 14, 15]) {
      expect(Buffer.from(await section(ours, id)).equals(Buffer.from(await section(theirs, id))), `section ${id}`).toBe(true);
    }
    expect(await readPtauHeader(ours)).toEqual({ power: 6, prepared: true });
  });

  it("holds powers of one tau: e(tau^(i+1) G1, G2) = e(tau^i G1, tau G2)", async () => {
    const file = path.join(dir, "dev6.ptau");
    const curve = await getCurveFromName("bn128");
    const g1 = await section(file, 2);
    const g2 = await section(file, 3);
    const P = (i: number) => g1.slice(i * 64, (i + 1) * 64);
    const tauG2 = g2.slice(128, 256);
    for (const i of [0, 5, 62]) {
      expect(await curve.pairingEq(P(i + 1), curve.G2.neg(curve.G2.g), P(i), tauG2)).toBe(true);
    }
    expect(await curve.pairingEq(P(2), curve.G2.neg(curve.G2.g), P(0), tauG2)).toBe(false);
    await curve.terminate();
  });

  it.each(BACKENDS)("direct development keys (%s) that snarkjs proves with and verifies, and a changed signal fails", async (name) => {
    useBackend(name);
    const c = await TestCircuit.compile(`include "lib/requant.circom";\ncomponent main = RequantInt8(20, 6, 1, 0);`);
    const keys = await groth16DirectSetup(c.r1cs, path.join(dir, `direct-${name}.zkey`));
    // The native path writes the verification key itself (e(α, β) by the addon's pairing): it is snarkjs's export of the zkey.
    expect(keys.verificationKey).toEqual(await snarkjs.zKey.exportVerificationKey(await readFile(keys.zkeyFile)));
    const { proof, publicSignals } = await snarkjs.groth16.prove(keys.zkeyFile, { type: "mem", data: await c.witness({ in: 54321n }) } as never);
    expect(await snarkjs.groth16.verify(keys.verificationKey, publicSignals, proof)).toBe(true);
    expect(await snarkjs.groth16.verify(keys.verificationKey, [String(BigInt(publicSignals[0]!) + 1n)], proof)).toBe(false);
  });

  it.runIf(BACKENDS.length === 2)("direct keys' coefficient section (the QAP's A and B) is byte-equal on both backends", async () => {
    const c = await TestCircuit.compile(`include "lib/requant.circom";\ncomponent main = RequantInt8(20, 6, 1, 0);`);
    const zkeys: string[] = [];
    for (const name of BACKENDS) {
      useBackend(name);
      zkeys.push((await groth16DirectSetup(c.r1cs, path.join(dir, `coef-${name}.zkey`))).zkeyFile);
    }
    const coefficients = async (file: string) => {
      const { fd, sections } = await binFileUtils.readBinFile(file, "zkey", 1);
      const data = await binFileUtils.readSection(fd, sections, 4);
      await fd.close();
      return Buffer.from(data);
    };
    const [wasm, native] = [await coefficients(zkeys[0]!), await coefficients(zkeys[1]!)];
    expect(wasm.length).toBeGreaterThan(100);
    expect(native.equals(wasm)).toBe(true);
  });

  it.each(BACKENDS)("refuses an r1cs whose header claims more wires than zkml makes keys for, before allocating (%s)", async (name) => {
    useBackend(name);
    const c = await TestCircuit.compile(`include "lib/requant.circom";\ncomponent main = RequantInt8(20, 6, 1, 0);`);
    const bytes = new Uint8Array(await readFile(c.r1cs));
    const header = binSections(bytes, "r1cs", "t.r1cs").get(1)!;
    // Section 1: n8, the prime (n8 bytes), then nWires.
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(header.start + 4 + 32, 2 ** 30, true);
    const file = path.join(dir, `huge-${name}.r1cs`);
    await writeFile(file, bytes);
    await expect(groth16DirectSetup(file, path.join(dir, `huge-${name}.zkey`))).rejects.toMatchObject({
      code: "BAD_INPUT",
      message: expect.stringMatching(/1073741824 wires, over zkml's limit/),
    });
  });

  it("supports a Groth16 setup, proof and verification", async () => {
    const c = await TestCircuit.compile(`include "lib/requant.circom";\ncomponent main = RequantInt8(20, 6, 1, 0);`);
    const ptau = path.join(dir, "dev8.ptau");
    await generateDevPtau(8, ptau);
    const keys = await PROOF_BACKENDS.groth16.setup(c.r1cs, ptau, path.join(dir, "t.zkey"));
    const prove = await proverFor(backend("groth16"), await readFile(keys.zkeyFile));
    const { proof, publicSignals } = await prove(await c.witness({ in: 12345n }));
    expect(await backend("groth16").verify(keys.verificationKey, publicSignals, proof)).toBe(true);
    expect(await backend("groth16").verify(keys.verificationKey, [String(BigInt(publicSignals[0]!) + 1n)], proof)).toBe(false);
  });
});

describe("choosing a ptau file", () => {
  it("uses the cache, and regenerates a corrupted cached file", async () => {
    const saved = process.env.ZKML_PTAU_DIR;
    process.env.ZKML_PTAU_DIR = path.join(dir, "cache");
    onTestFinished(() => {
      process.env.ZKML_PTAU_DIR = saved;
    });
    const first = await resolvePtau({ minPower: 3 });
    expect(first).toMatchObject({ power: 3, devOnly: true, official: false });
    expect(first.generatedMs).toBeGreaterThan(0);
    const again = await resolvePtau({ minPower: 2 });
    expect(again).toMatchObject({ path: first.path, generatedMs: 0, blake2b: first.blake2b });
    await appendFile(first.path, "x");
    const regenerated = await resolvePtau({ minPower: 3 });
    expect(regenerated.generatedMs).toBeGreaterThan(0);
    expect(regenerated.blake2b).not.toBe(first.blake2b);
  });

  it("takes a user's file, says it is not an official one, and refuses unusable files", async () => {
    const user = await resolvePtau({ file: path.join(dir, "dev8.ptau"), minPower: 5 });
    expect(user).toMatchObject({ power: 8, official: false, devOnly: false });
    await expect(resolvePtau({ file: path.join(dir, "dev6.ptau"), minPower: 7 })).rejects.toMatchObject({ code: "BAD_PTAU" });
    await expect(resolvePtau({ file: path.join(dir, "missing.ptau"), minPower: 1 })).rejects.toMatchObject({ code: "FILE_NOT_FOUND" });
    await writeFile(path.join(dir, "junk.ptau"), "not a ptau");
    await expect(resolvePtau({ file: path.join(dir, "junk.ptau"), minPower: 1 })).rejects.toMatchObject({ code: "BAD_PTAU" });
    const raw = path.join(dir, "raw.ptau");
    const curve = await getCurveFromName("bn128");
    await snarkjs.powersOfTau.newAccumulator(curve, 4, raw);
    await curve.terminate();
    await expect(resolvePtau({ file: raw, minPower: 1 })).rejects.toThrow(/not prepared for phase 2/);
  });

  it("knows the published hashes of the official Hermez files, 2^8 to 2^28", () => {
    for (let p = 8; p <= 28; p++) expect(OFFICIAL_PTAU_BLAKE2B[p]).toMatch(/^[0-9a-f]{128}$/);
    expect(new Set(Object.values(OFFICIAL_PTAU_BLAKE2B)).size).toBe(21);
  });

  it("sizes the ptau as snarkjs zkey new requires", () => {
    expect(requiredPower(8707, 2)).toBe(14);
    expect(requiredPower(8190, 2)).toBe(14); // 8192 = 2^13 needs 2^14
    expect(requiredPower(8189, 2)).toBe(13);
  });
});
