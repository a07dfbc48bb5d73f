/**
 * Every proof system end to end through the model registry, on a real `hardhat node`: setup,
 * prove, verify off-chain, register, verify on-chain, and every way a submission must fail.
 * A small random MLP keeps PLONK and FFLONK proving to seconds.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Contract, JsonRpcProvider, keccak256, type Signer } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  compileModel, compileRegistry, computeContext, connectRpc, deployAndRegister, deployRegistry, deployVerifier, InferenceProver,
  measureVerifierCallGas, readModel, readResult, readVerifierArtifact, registerModel, registrationFor, releaseCurves, setupModel,
  submitInference, submitToRegistry, verifyProofFile, proofWords, verifyProofArgs, PROOF_SYSTEMS, type ChainConnection, type ProofFile, type ProofSystem,
} from "../src/index.js";
import { FIELD_R } from "../core/field.js";
import { startHardhatNode, type HardhatNode } from "./helpers/hardhat-node.js";
import { randomMlp } from "./helpers/models.js";
import { runCli } from "./helpers/cli.js";

interface SystemUnderTest {
  dir: string;
  prover: InferenceProver;
  modelId: string;
  verifier: string;
}

let work: string;
let node: HardhatNode;
let chain: ChainConnection;
let registry: string;
let sender: string;
let other: Signer;
const input = [0.5, -0.25, 0.75, 0.1, -0.9, 0.3, 0.0, -0.6];
const systems = {} as Record<ProofSystem, SystemUnderTest>;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "zkml-registry-"));
  const onnx = path.join(work, "small.onnx");
  await writeFile(onnx, randomMlp([8, 6, 3], 5));
  node = await startHardhatNode();
  chain = await connectRpc(node.url);
  other = await (chain.provider as JsonRpcProvider).getSigner(1);
  sender = await chain.signer.getAddress();
  registry = (await deployRegistry(chain.signer)).address;
  for (const system of PROOF_SYSTEMS) {
    const dir = path.join(work, system);
    await compileModel(onnx, { outDir: dir });
    await setupModel(dir, { system });
    const reg = await deployAndRegister(chain.signer, registry, dir, `ipfs://small-${system}`);
    systems[system] = { dir, prover: await InferenceProver.open(dir), modelId: reg.modelId, verifier: reg.verifier };
  }
}, 600_000);

afterAll(async () => {
  await chain?.close();
  await node?.stop();
  await releaseCurves();
  if (work) await rm(work, { recursive: true, force: true });
});

async function proofFor(s: SystemUnderTest, from: string, nonce: bigint, contract = registry): Promise<ProofFile> {
  const value = computeContext({ chainId: chain.chainId, contract, sender: from, nonce });
  return (await s.prover.prove(input, { value, chainId: chain.chainId, contract, sender: from, nonce })).proof;
}

describe("model registry", () => {
  it("records who registered what, refuses a second registration and a verifier that is not a contract", async () => {
    const s = systems.groth16;
    const m = await readModel(chain.provider, registry, s.modelId);
    expect(m).toMatchObject({ system: "groth16", verifier: s.verifier, owner: sender, uri: "ipfs://small-groth16", weightsCommitment: "0" });
    expect(m!.modelHash).toBe(s.prover.model.info.modelId);
    const entry = await registrationFor(s.dir, s.verifier, "ipfs://small-groth16");
    await expect(registerModel(other, registry, entry)).rejects.toThrow(/ModelAlreadyRegistered/);
    await expect(registerModel(chain.signer, registry, { ...entry, verifier: sender })).rejects.toThrow(/VerifierNotAContract/);
    expect(await readModel(chain.provider, registry, "0x" + "11".repeat(32))).toBeUndefined();
    // Immutable: nothing in the ABI can change or remove an entry.
    const writers = ((await compileRegistry()).abi as { type: string; name?: string; stateMutability?: string }[])
      .filter((f) => f.type === "function" && f.stateMutability !== "view" && f.stateMutability !== "pure")
      .map((f) => f.name);
    expect(writers.sort()).toEqual(["register", "verifyInference"]);
  });

  it("pins the verifier's code: the entry records its code hash and refuses other code at that address", async () => {
    const s = systems.groth16;
    const reg = await deployAndRegister(chain.signer, registry, s.dir, "ipfs://pinned");
    const m = await readModel(chain.provider, registry, reg.modelId);
    expect(m!.verifierCodeHash).toBe(keccak256(await chain.provider.getCode(reg.verifier)));
    expect(m!.devKeys).toBe(true);
    const p = await proofFor(s, sender, 9000n);
    // Another contract's code put at the verifier's address (what a metamorphic redeploy does).
    await (chain.provider as JsonRpcProvider).send("hardhat_setCode", [reg.verifier, await chain.provider.getCode(registry)]);
    const r = await submitToRegistry(chain.signer, registry, reg.modelId, p, 9000n);
    expect(r.reason).toMatch(/^VerifierCodeChanged/);
  });

  it("refuses to deploy a verifier over EIP-170 before sending anything", async () => {
    const artifact = { ...(await readVerifierArtifact(systems.fflonk.dir)), deployedBytecodeSize: 32_025 };
    await expect(deployVerifier(chain.signer, artifact)).rejects.toMatchObject({ code: "CONTRACT_TOO_LARGE", message: expect.stringContaining("EIP-170") });
  });

  for (const system of PROOF_SYSTEMS) {
    describe(system, () => {
      it("proves and verifies off-chain", async () => {
        const s = systems[system];
        const p = await proofFor(s, sender, 1n);
        expect(p.system).toBe(system);
        expect(await verifyProofFile(s.dir, p)).toMatchObject({ valid: true });
        const tampered = structuredClone(p);
        tampered.publicSignals[0] = String(BigInt(p.publicSignals[0]!) + 1n);
        expect((await verifyProofFile(s.dir, tampered)).checks.proof).toBe(false);
      });

      it("accepts a valid proof through the registry and records it, within 30k gas of the bare verifier", async () => {
        const s = systems[system];
        // Each system its own nonces: the nonce space is the sender's, shared by every model.
        const base = 1000n + 100n * BigInt(PROOF_SYSTEMS.indexOf(system));
        const fresh = await proofFor(s, sender, base);
        const r = await submitToRegistry(chain.signer, registry, s.modelId, fresh, base);
        expect(r).toMatchObject({ valid: true, class: fresh.output.class, commitment: fresh.publicSignals[0] });
        expect(await readResult(chain.provider, registry, sender, base)).toEqual({ verified: true, modelId: s.modelId, class: fresh.output.class });
        expect(await readResult(chain.provider, registry, sender, base + 1n)).toMatchObject({ verified: false });
        const next = await proofFor(s, sender, base + 1n);
        const inUse = await submitToRegistry(chain.signer, registry, s.modelId, next, base + 1n);
        expect(inUse.valid).toBe(true);
        const bare = await measureVerifierCallGas(chain.signer, s.verifier, (await readVerifierArtifact(s.dir, "snark")).abi, fresh);
        console.log(`${system}: registry verifyInference ${r.gasUsed} gas (fresh record slot), ${inUse.gasUsed} (slot in use); bare verifyProof ${bare}`);
        // 8 records share a slot: 7 of 8 sequential nonces write to a slot already in use. The
        // verifier's code-hash check costs ~2.2k (a cold SLOAD; its EXTCODEHASH warms the call).
        expect(inUse.gasUsed - bare).toBeLessThanOrEqual(30_000n);
        expect(r.gasUsed - bare).toBeLessThanOrEqual(37_500n);
      });

      it("rejects a tampered proof, a signal >= r, a wrong or unknown model, a wrong context, another sender and a replay", async () => {
        const s = systems[system];
        const nonce = 2000n + 100n * BigInt(PROOF_SYSTEMS.indexOf(system));
        const p = await proofFor(s, sender, nonce);
        const submit = (q: ProofFile, n = nonce, id = s.modelId, signer: Signer = chain.signer) => submitToRegistry(signer, registry, id, q, n);

        const tampered = structuredClone(p);
        tampered.publicSignals[0] = String(BigInt(p.publicSignals[0]!) ^ 1n);
        expect((await submit(tampered)).reason).toMatch(/^InvalidProof/);
        const aliased = structuredClone(p);
        aliased.publicSignals[0] = String(BigInt(p.publicSignals[0]!) + FIELD_R);
        expect((await submit(aliased)).reason).toBe("PublicSignalNotInField(0)");
        expect((await submit(p, nonce, "0x" + "22".repeat(32))).reason).toMatch(/^UnknownModel/);
        const otherSystem = PROOF_SYSTEMS.find((x) => x !== system)!;
        expect((await submit(p, nonce, systems[otherSystem].modelId)).reason).toMatch(/^(InvalidProof|MalformedProof)/);
        expect((await submit(p, nonce + 1n)).reason).toMatch(/^WrongContext/);
        expect((await submit(p, nonce, s.modelId, other)).reason).toMatch(/^WrongContext/);
        // None of the failures used the nonce up.
        expect((await submit(p)).valid).toBe(true);
        expect((await submit(p)).reason).toBe(`NonceAlreadyUsed(${sender}, ${nonce})`);
      });

      it("also verifies through the model's own wrapper contract", async () => {
        const s = systems[system];
        const artifact = await readVerifierArtifact(s.dir);
        const { address } = await deployVerifier(chain.signer, artifact);
        expect(await new Contract(address, artifact.abi, chain.provider).getFunction("proofSystem")()).toBe(system);
        const p = await proofFor(s, sender, 7n, address);
        // Same nonce and context, another commitment: only the proof check can reject it.
        const tampered = structuredClone(p);
        tampered.publicSignals[0] = String(BigInt(p.publicSignals[0]!) ^ 1n);
        expect((await submitInference(chain.signer, address, artifact.abi, tampered, 7n)).reason).toBe("InvalidProof()");
        expect(await submitInference(chain.signer, address, artifact.abi, p, 7n)).toMatchObject({ valid: true, class: p.output.class });
        // The inherited public verifyProof refuses an unreduced alias of a signal (snarkjs's
        // PLONK and FFLONK templates alone would accept signal + r).
        const wrapper = new Contract(address, artifact.abi, chain.provider);
        const words = await proofWords(p);
        expect(await wrapper.getFunction("verifyProof")(...verifyProofArgs(system, words, p.publicSignals))).toBe(true);
        const aliased = [String(BigInt(p.publicSignals[0]!) + FIELD_R), ...p.publicSignals.slice(1)];
        const aliasedOk = await wrapper.getFunction("verifyProof")(...verifyProofArgs(system, words, aliased)).catch(() => false);
        expect(aliasedOk).toBe(false);
        expect(await wrapper.getFunction("DEVELOPMENT_KEYS")()).toBe(true);
      });
    });
  }

  it("works from the CLI: deploy-registry, register, prove for the registry, verify-onchain --registry", async () => {
    const dir = systems.fflonk.dir;
    const deployed = await runCli(["deploy-registry", "--rpc", node.url, "--json"]);
    expect(deployed.code, deployed.stderr).toBe(0);
    const reg = deployed.json().address as string;
    const registered = await runCli(["register", dir, "--registry", reg, "--rpc", node.url, "--uri", "ipfs://x", "--json"]);
    expect(registered.code, registered.stderr).toBe(0);
    expect(registered.json().modelId).toMatch(/^0x[0-9a-f]{64}$/);
    const out = path.join(work, "cli-registry-proof.json");
    const inputFile = path.join(work, "input.json");
    await writeFile(inputFile, JSON.stringify({ input }));
    const proved = await runCli(["prove", dir, "--input", inputFile, "--out", out, "--chain-id", String(chain.chainId), "--contract", reg, "--sender", sender, "--nonce", "3", "--json"]);
    expect(proved.code, proved.stderr).toBe(0);
    const ok = await runCli(["verify-onchain", dir, out, "--rpc", node.url, "--registry", reg, "--json"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.json()).toMatchObject({ valid: true, class: proved.json().output.class });
    const replay = await runCli(["verify-onchain", dir, out, "--rpc", node.url, "--registry", reg, "--json"]);
    expect(replay.code).toBe(1);
    expect(replay.json().reason).toMatch(/^NonceAlreadyUsed/);
    const both = await runCli(["verify-onchain", dir, out, "--rpc", node.url, "--registry", reg, "--address", reg]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/either --address/);
  });
});
