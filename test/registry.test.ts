/**
 * Every proof system end to end through the model registry, on a real `hardhat node`: setup,
 * prove, verify off-chain, register, verify on-chain, and every way a submission must fail.
 * A small random MLP keeps PLONK and FFLONK proving to seconds.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Contract, type JsonRpcProvider, keccak256, type Signer } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  compileModel,
  compileRegistry,
  computeContext,
  connectRpc,
  deployAndRegister,
  deployRegistry,
  deployVerifier,
  InferenceProver,
  measureVerifierCallGas,
  readModel,
  revertReason,
  inferenceBatchCalldata,
  readResult,
  readVerifierArtifact,
  registerModel,
  registrationFor,
  releaseCurves,
  setupModel,
  submitInference,
  submitToRegistry,
  verifyProofFile,
  proofWords,
  verifyProofArgs,
  PROOF_SYSTEMS,
  type ChainConnection,
  type ProofFile,
  type ProofSystem,
  submitBatchToRegistry,
  submitInferenceBatch,
  verifyProofBatch,
} from "../src/index.js";
import { batchDomain, batchSeed, encodeBatchProofs, groth16ProofWords, verifyGroth16Batch, type BatchItem, type Groth16Key } from "../verifier/batch.js";
import * as snarkjs from "snarkjs";
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

async function openVk(dir: string): Promise<Groth16Key> {
  return JSON.parse(await readFile(path.join(dir, "verification_key.json"), "utf8"));
}

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
    expect(writers.sort()).toEqual(["register", "verifyInference", "verifyInferences"]);
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
      // Each system its own nonces: the nonce space is the sender's, shared by every model.
      const base = 1000n + 100n * BigInt(PROOF_SYSTEMS.indexOf(system));
      // One proof for the registry at nonce `base`, read off-chain by the first two tests and
      // submitted by the third (PLONK and FFLONK take seconds a proof).
      let registryProof: Promise<ProofFile> | undefined;
      const firstProof = () => (registryProof ??= proofFor(systems[system], sender, base));

      it("proves and verifies off-chain", async () => {
        const s = systems[system];
        const p = await firstProof();
        expect(p.system).toBe(system);
        expect(await verifyProofFile(s.dir, p)).toMatchObject({ valid: true });
        const tampered = structuredClone(p);
        tampered.publicSignals[0] = String(BigInt(p.publicSignals[0]!) + 1n);
        expect((await verifyProofFile(s.dir, tampered)).checks.proof).toBe(false);
      });

      it("reads the proof's words from its fields in the order snarkjs's own calldata exporter writes them", async () => {
        const p = await firstProof();
        const exported: string =
          system === "groth16"
            ? await snarkjs.groth16.exportSolidityCallData(p.proof, p.publicSignals)
            : system === "plonk"
              ? await snarkjs.plonk.exportSolidityCallData(p.proof, p.publicSignals)
              : await snarkjs.fflonk.exportSolidityCallData(p.publicSignals, p.proof);
        // Every hex word snarkjs printed, in order, minus the public signals at the end.
        const all = [...exported.matchAll(/0x[0-9a-fA-F]+/g)].map((m) => BigInt(m[0]));
        expect(await proofWords(p)).toEqual(all.slice(0, all.length - p.publicSignals.length));
        const broken = structuredClone(p) as { proof: Record<string, unknown> };
        delete broken.proof[{ groth16: "pi_c", plonk: "Wxiw", fflonk: "evaluations" }[system]];
        await expect(proofWords(broken as unknown as ProofFile)).rejects.toThrow(/not a snarkjs/);
      });

      it("accepts a valid proof through the registry and records it, within 30k gas of the bare verifier", async () => {
        const s = systems[system];
        const fresh = await firstProof();
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
        const aliasedOk = await wrapper
          .getFunction("verifyProof")(...verifyProofArgs(system, words, aliased))
          .catch(() => false);
        expect(aliasedOk).toBe(false);
        expect(await wrapper.getFunction("DEVELOPMENT_KEYS")()).toBe(true);
      });
    });
  }

  describe("batch verification (verifyInferences)", () => {
    let wrapper: string;
    let wrapperAbi: Awaited<ReturnType<typeof readVerifierArtifact>>["abi"];
    let another: SystemUnderTest;
    let firstBatch: ProofFile[];
    const nonces = (from: number, k: number) => Array.from({ length: k }, (_, i) => BigInt(from + i));
    const proofsFor = async (s: SystemUnderTest, ns: bigint[], contract: string) => {
      const out: ProofFile[] = [];
      for (const n of ns) out.push(await proofFor(s, sender, n, contract));
      return out;
    };
    const entries = (ps: ProofFile[], ns: bigint[]) => ps.map((proof, i) => ({ proof, nonce: ns[i]! }));
    const items = (ps: ProofFile[]): BatchItem[] => ps.map((p) => ({ words: groth16ProofWords(p.proof), publicSignals: p.publicSignals.map(BigInt) }));
    const swap = (ps: ProofFile[], a: number, b: number, f: (p: ProofFile) => unknown, set: (p: ProofFile, v: any) => void) => {
      const out = ps.map((p) => structuredClone(p));
      const va = f(ps[a]!);
      set(out[a]!, f(ps[b]!));
      set(out[b]!, va);
      return out;
    };

    beforeAll(async () => {
      const artifact = await readVerifierArtifact(systems.groth16.dir);
      wrapperAbi = artifact.abi;
      wrapper = (await deployVerifier(chain.signer, artifact)).address;
      const dir = path.join(work, "another-groth16");
      const onnx = path.join(work, "another.onnx");
      await writeFile(onnx, randomMlp([8, 6, 3], 6));
      await compileModel(onnx, { outDir: dir });
      await setupModel(dir);
      another = { dir, prover: await InferenceProver.open(dir), modelId: "", verifier: "" };
    }, 300_000);

    it("Groth16: 16 proofs in one transaction, an event each, at most 80k gas a proof; the SDK's transcript and verdict are the contract's", async () => {
      const ns = nonces(5000, 16);
      firstBatch = await proofsFor(systems.groth16, ns, wrapper);
      const r = await submitInferenceBatch(chain.signer, wrapper, wrapperAbi, entries(firstBatch, ns));
      expect(r.reason).toBeUndefined();
      expect(r.valid).toBe(true);
      expect(r.items).toEqual(firstBatch.map((p, i) => ({ class: p.output.class, commitment: p.publicSignals[0], nonce: ns[i] })));
      const contract = new Contract(wrapper, wrapperAbi, chain.provider);
      for (const n of ns) expect(await contract.getFunction("nonceUsed")(sender, n)).toBe(true);
      const single = await submitInference(chain.signer, wrapper, wrapperAbi, await proofFor(systems.groth16, sender, 5016n, wrapper), 5016n);
      const perProof = r.gasUsed / 16n;
      console.log(
        `batch of 16 (Groth16, wrapper): ${r.gasUsed} gas, ${perProof} a proof; one verifyInference ${single.gasUsed} (${(Number(single.gasUsed) / Number(perProof)).toFixed(2)}x)`,
      );
      expect(perProof).toBeLessThanOrEqual(80_000n);
      expect(single.gasUsed).toBeGreaterThan(perProof * 3n);

      // The contract's transcript hash and verdict are the SDK's, for a valid and an invalid batch.
      const vk = await openVk(systems.groth16.dir);
      const flat = (ps: ProofFile[]) => ps.flatMap((p) => p.publicSignals.map(BigInt));
      const verifyProofs = contract.getFunction("verifyProofs");
      expect(await contract.getFunction("batchSeed")(encodeBatchProofs(items(firstBatch)), flat(firstBatch))).toBe(
        batchSeed(batchDomain(vk), items(firstBatch)),
      );
      const swapped = swap(
        firstBatch.slice(0, 4),
        0,
        3,
        (p) => p.publicSignals[0],
        (p, v) => (p.publicSignals[0] = v),
      );
      for (const batch of [firstBatch, firstBatch.slice(0, 1), swapped]) {
        const onchain = await verifyProofs(encodeBatchProofs(items(batch)), flat(batch));
        expect(await verifyGroth16Batch(vk, items(batch))).toBe(onchain);
      }
      expect(await verifyProofs(encodeBatchProofs(items(swapped)), flat(swapped))).toBe(false);
      expect((await verifyProofBatch(systems.groth16.dir, firstBatch)).valid).toBe(true);
    });

    it("a tampered proof, swapped signals or another model's proof fail the batch; the SDK finds which, and the rest pass", async () => {
      const ns = nonces(5200, 4);
      const ps = await proofsFor(systems.groth16, ns, wrapper);
      const submit = (batch: ProofFile[], n = ns) => submitInferenceBatch(chain.signer, wrapper, wrapperAbi, entries(batch, n));
      const swappedA = swap(
        ps,
        1,
        2,
        (p) => p.proof.pi_a,
        (p, v) => (p.proof.pi_a = v),
      );
      const swappedSignal = swap(
        ps,
        0,
        3,
        (p) => p.publicSignals[0],
        (p, v) => (p.publicSignals[0] = v),
      );
      const foreign = ps.map((p) => structuredClone(p));
      foreign[1] = await proofFor(another, sender, ns[1]!, wrapper);
      const tampered = ps.map((p) => structuredClone(p));
      (tampered[3]!.proof.pi_c as string[])[1] = String(BigInt((ps[3]!.proof.pi_c as string[])[1]!) + 1n); // off the curve
      for (const [batch, bad] of [
        [swappedA, [1, 2]],
        [swappedSignal, [0, 3]],
        [foreign, [1]],
        [tampered, [3]],
      ] as const) {
        expect((await submit(batch)).reason).toBe("BatchProofInvalid()");
        expect((await verifyProofBatch(systems.groth16.dir, batch)).invalid).toEqual(bad);
      }
      // One proof twice: the contract takes its nonce once, and so does the SDK's check.
      const twice = await verifyProofBatch(systems.groth16.dir, [ps[0]!, ps[1]!, ps[0]!]);
      expect(twice).toMatchObject({ valid: false, invalid: [2] });
      expect(twice.problems[2]).toMatch(/the context of proof 0 again/);
      // Nothing was used up: the honest proofs go through, the bad one left out.
      const r = await submit([ps[0]!, ps[1]!, ps[3]!], [ns[0]!, ns[1]!, ns[3]!]);
      expect(r.valid).toBe(true);
      expect(r.items.map((i) => i.nonce)).toEqual([ns[0], ns[1], ns[3]]);
    });

    it("an item's own checks name it: a signal + r, a wrong context, a nonce twice in one batch, a replayed batch, a shape mismatch", async () => {
      const ns = nonces(5300, 2);
      const ps = await proofsFor(systems.groth16, ns, wrapper);
      const submit = (batch: ProofFile[], n: bigint[]) => submitInferenceBatch(chain.signer, wrapper, wrapperAbi, entries(batch, n));
      const aliased = ps.map((p) => structuredClone(p));
      aliased[1]!.publicSignals[0] = String(BigInt(ps[1]!.publicSignals[0]!) + FIELD_R);
      expect((await submit(aliased, ns)).reason).toBe("BatchItemRejected(1, PublicSignalNotInField(0))");
      expect((await submit(ps, [ns[0]! + 10n, ns[1]!])).reason).toMatch(/^BatchItemRejected\(0, WrongContext\(/);
      expect((await submit([ps[0]!, ps[0]!], [ns[0]!, ns[0]!])).reason).toBe(`BatchItemRejected(1, NonceAlreadyUsed(${sender}, ${ns[0]}))`);
      expect((await submitInferenceBatch(other, wrapper, wrapperAbi, entries(ps, ns))).reason).toMatch(/^BatchItemRejected\(0, WrongContext\(/);
      expect((await submit(firstBatch.slice(0, 2), nonces(5000, 2))).reason).toBe(`BatchItemRejected(0, NonceAlreadyUsed(${sender}, 5000))`);
      const contract = new Contract(wrapper, wrapperAbi, chain.signer);
      const [proofs, signals] = await inferenceBatchCalldata(entries(ps, ns));
      const err = await contract
        .getFunction("verifyInferences")(proofs, signals, [ns[0]])
        .then(
          () => "no revert",
          (e: unknown) => revertReason(contract, e),
        );
      expect(err).toBe(`BatchShapeMismatch(512, 2, 1)`);
      expect((await submit(ps, ns)).valid).toBe(true);
    });

    it("a batch of one is the single-proof path: same checks, same event, the same gas within 3k", async () => {
      // Nonces in a word the first batch already wrote: both pay the same storage cost.
      const [p, q] = await proofsFor(systems.groth16, [5100n, 5101n], wrapper);
      const tampered = structuredClone(p!);
      tampered.publicSignals[0] = String(BigInt(p!.publicSignals[0]!) ^ 1n);
      expect((await submitInferenceBatch(chain.signer, wrapper, wrapperAbi, [{ proof: tampered, nonce: 5100n }])).reason).toBe(
        "BatchItemRejected(0, InvalidProof())",
      );
      const one = await submitInferenceBatch(chain.signer, wrapper, wrapperAbi, [{ proof: p!, nonce: 5100n }]);
      expect(one).toMatchObject({ valid: true, items: [{ class: p!.output.class, commitment: p!.publicSignals[0], nonce: 5100n }] });
      const single = await submitInference(chain.signer, wrapper, wrapperAbi, q!, 5101n);
      console.log(`batch of 1: ${one.gasUsed} gas; verifyInference: ${single.gasUsed}`);
      expect(Number(one.gasUsed - single.gasUsed)).toBeLessThan(3_000);
      expect(Number(single.gasUsed - one.gasUsed)).toBeLessThan(3_000);
    });

    it("through the registry: Groth16 batched, PLONK and FFLONK one by one, each recorded; a bad item fails the batch", async () => {
      for (const system of PROOF_SYSTEMS) {
        const s = systems[system];
        // PLONK and FFLONK prove in seconds each here: two items are enough to name the second.
        const ns = nonces(6000 + 100 * PROOF_SYSTEMS.indexOf(system), system === "groth16" ? 3 : 2);
        const ps = await proofsFor(s, ns, registry);
        const tampered = ps.map((p) => structuredClone(p));
        tampered[1]!.publicSignals[0] = String(BigInt(ps[1]!.publicSignals[0]!) ^ 1n);
        const bad = await submitBatchToRegistry(chain.signer, registry, s.modelId, entries(tampered, ns));
        expect(bad.reason).toBe(system === "groth16" ? "BatchProofInvalid()" : "BatchItemRejected(1, InvalidProof())");
        const r = await submitBatchToRegistry(chain.signer, registry, s.modelId, entries(ps, ns));
        expect(r.valid, r.reason).toBe(true);
        console.log(`registry batch of ${ns.length} (${system}): ${r.gasUsed} gas`);
        for (const [i, n] of ns.entries())
          expect(await readResult(chain.provider, registry, sender, n)).toEqual({ verified: true, modelId: s.modelId, class: ps[i]!.output.class });
      }
    });

    it("works from the CLI: verify-onchain --batch, listing the invalid proofs of a failed batch", async () => {
      const ns = nonces(5500, 3);
      const ps = await proofsFor(systems.groth16, ns, wrapper);
      const files = await Promise.all(
        ps.map(async (p, i) => {
          const f = path.join(work, `batch-${i}.json`);
          await writeFile(f, JSON.stringify(i === 1 ? { ...p, proof: ps[0]!.proof } : p));
          return f;
        }),
      );
      const args = (fs: string[]) => ["verify-onchain", systems.groth16.dir, "--batch", ...fs, "--rpc", node.url, "--address", wrapper, "--json"];
      const failed = await runCli(args(files));
      expect(failed.code, failed.stderr).toBe(1);
      expect(failed.json()).toMatchObject({ valid: false, reason: "BatchProofInvalid()", invalid: [files[1]] });
      const ok = await runCli(args([files[0]!, files[2]!]));
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.json()).toMatchObject({ valid: true, items: [{ class: ps[0]!.output.class }, { class: ps[2]!.output.class }] });
      const nonceFlag = await runCli([...args(files), "--nonce", "1"]);
      expect(nonceFlag.code).toBe(2);
    });
  });

  it("works from the CLI: deploy-registry, register, prove for the registry, verify-onchain --registry", async () => {
    const dir = systems.fflonk.dir;
    const deployed = await runCli(["deploy-registry", "--rpc", node.url, "--json"]);
    expect(deployed.code, deployed.stderr).toBe(0);
    const reg = deployed.json().address as string;
    const registered = await runCli(["register", dir, "--registry", reg, "--rpc", node.url, "--uri", "ipfs://x", "--json"]);
    expect(registered.code, registered.stderr).toBe(0);
    expect(registered.json().modelId).toMatch(/^0x[0-9a-f]{64}$/);
    expect(registered.json().alreadyRegistered).toBe(false);
    // The same build again: the entry deployments.json names is found; no second id, no transaction.
    const again = await runCli(["register", dir, "--registry", reg, "--rpc", node.url, "--uri", "ipfs://x", "--json"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json()).toMatchObject({ modelId: registered.json().modelId, verifier: registered.json().verifier, alreadyRegistered: true });
    const out = path.join(work, "cli-registry-proof.json");
    const inputFile = path.join(work, "input.json");
    await writeFile(inputFile, JSON.stringify({ input }));
    const proved = await runCli([
      "prove",
      dir,
      "--input",
      inputFile,
      "--out",
      out,
      "--chain-id",
      String(chain.chainId),
      "--contract",
      reg,
      "--sender",
      sender,
      "--nonce",
      "3",
      "--json",
    ]);
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
