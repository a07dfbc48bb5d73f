import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { JsonRpcProvider, Signer } from "ethers";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  computeContext,
  connectRpc,
  deployVerifier,
  InferenceProver,
  measureVerifierCallGas,
  readInputFile,
  readVerifierArtifact,
  releaseCurves,
  submitInference,
  type ChainConnection,
  type ProofFile,
} from "../src/index.js";
import { FIELD_Q, FIELD_R } from "../core/field.js";
import { runCli } from "./helpers/cli.js";
import { startHardhatNode, type HardhatNode } from "./helpers/hardhat-node.js";
import { Contract } from "ethers";

let node: HardhatNode;
let chain: ChainConnection;
let dir: string;
let prover: InferenceProver;
let artifact: Awaited<ReturnType<typeof readVerifierArtifact>>;
let address: string;
let sender: string;
let other: Signer;
const digit = "examples/mnist/digits/digit-7.json";

async function proofFor(from: string, nonce: bigint): Promise<ProofFile> {
  const value = computeContext({ chainId: chain.chainId, contract: address, sender: from, nonce });
  return (await prover.prove(await readInputFile(digit), { value, chainId: chain.chainId, contract: address, sender: from, nonce })).proof;
}

beforeAll(async () => {
  dir = inject("mnistDir");
  node = await startHardhatNode();
  chain = await connectRpc(node.url);
  other = await (chain.provider as JsonRpcProvider).getSigner(1);
  sender = await chain.signer.getAddress();
  prover = await InferenceProver.open(dir);
  artifact = await readVerifierArtifact(dir);
  address = (await deployVerifier(chain.signer, artifact)).address;
});

afterAll(async () => {
  await chain?.close();
  await node?.stop();
  await releaseCurves();
});

describe("on-chain verification over JSON-RPC (hardhat node)", () => {
  it("accepts a valid proof and emits InferenceVerified", async () => {
    const proof = await proofFor(sender, 1n);
    const r = await submitInference(chain.signer, address, artifact.abi, proof, 1n);
    expect(r).toMatchObject({ valid: true, class: proof.output.class, commitment: proof.publicSignals[0] });
    const contract = new Contract(address, artifact.abi, chain.provider);
    const [event] = await contract.queryFilter(contract.filters.InferenceVerified!());
    const args = (event as unknown as { args: Record<string, unknown> }).args;
    expect(args.modelId).toBe(prover.model.info.modelId);
    expect(args.sender).toBe(sender);
    expect(args.nonce).toBe(1n);
    expect(await contract.getFunction("nonceUsed")(sender, 1n)).toBe(true);
    const verifierGas = await measureVerifierCallGas(chain.signer, address, artifact.abi, proof);
    console.log(`gas: verifyInference tx ${r.gasUsed} (first nonce of a word), bare verifyProof tx ${verifierGas}`);
    expect(r.gasUsed).toBeGreaterThan(181_000n); // the pairing floor alone
    expect(verifierGas).toBeLessThan(r.gasUsed);
    // The nonce word is in use now: the steady-state cost. Both within 2k of what they were
    // before the blinded commitment and DEVELOPMENT_KEYS (248.6k fresh, 231.5k in use).
    const second = await proofFor(sender, 100n);
    const inUse = await submitInference(chain.signer, address, artifact.abi, second, 100n);
    console.log(`gas: verifyInference tx ${inUse.gasUsed} (nonce word in use)`);
    expect(r.gasUsed).toBeLessThanOrEqual(250_600n);
    expect(inUse.gasUsed).toBeLessThanOrEqual(233_500n);
  });

  it("rejects a replayed nonce", async () => {
    const proof = await proofFor(sender, 5n);
    expect((await submitInference(chain.signer, address, artifact.abi, proof, 5n)).valid).toBe(true);
    const again = await submitInference(chain.signer, address, artifact.abi, proof, 5n);
    expect(again.valid).toBe(false);
    expect(again.reason).toMatch(/^NonceAlreadyUsed/);
  });

  it("rejects a tampered proof, a public signal >= r, a wrong context and another sender", async () => {
    const proof = await proofFor(sender, 2n);
    const tampered = structuredClone(proof);
    const piC = tampered.proof.pi_c as string[];
    piC[1] = String(BigInt(piC[1]!) + 1n);
    expect((await submitInference(chain.signer, address, artifact.abi, tampered, 2n)).reason).toMatch(/^InvalidProof/);

    const otherClass = structuredClone(proof);
    otherClass.publicSignals[1] = String(BigInt(proof.publicSignals[1]!) ^ 1n);
    expect((await submitInference(chain.signer, address, artifact.abi, otherClass, 2n)).reason).toMatch(/^InvalidProof/);

    const aliased = structuredClone(proof);
    aliased.publicSignals[0] = String(BigInt(proof.publicSignals[0]!) + FIELD_R);
    expect((await submitInference(chain.signer, address, artifact.abi, aliased, 2n)).reason).toMatch(/^PublicSignalNotInField\(0\)/);

    expect((await submitInference(chain.signer, address, artifact.abi, proof, 3n)).reason).toMatch(/^WrongContext/);
    expect((await submitInference(other, address, artifact.abi, proof, 2n)).reason).toMatch(/^WrongContext/);

    // None of the failures used up the nonce: the honest sender can still submit it.
    expect((await submitInference(chain.signer, address, artifact.abi, proof, 2n)).valid).toBe(true);
  });

  it("works from the CLI: deploy, prove for a context, verify-onchain", async () => {
    const deployed = await runCli(["deploy", dir, "--rpc", node.url, "--json"]);
    expect(deployed.code, deployed.stderr).toBe(0);
    const addr = deployed.json().address as string;
    const out = path.join(path.dirname(dir), "cli-proof.json");
    const proved = await runCli([
      "prove",
      dir,
      "--input",
      digit,
      "--out",
      out,
      "--chain-id",
      String(chain.chainId),
      "--contract",
      addr,
      "--sender",
      sender,
      "--nonce",
      "9",
      "--json",
    ]);
    expect(proved.code, proved.stderr).toBe(0);
    const ok = await runCli(["verify-onchain", dir, out, "--rpc", node.url, "--address", addr, "--json"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.json()).toMatchObject({ valid: true, class: proved.json().output.class });
    expect(Number(ok.json().gasUsed)).toBeGreaterThan(181_000);
    const replay = await runCli(["verify-onchain", dir, out, "--rpc", node.url, "--address", addr, "--json"]);
    expect(replay.code).toBe(1);
    expect(replay.json().reason).toMatch(/^NonceAlreadyUsed/);
    const unreachable = await runCli(["deploy", dir, "--rpc", "http://127.0.0.1:9", "--json"]);
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toMatch(/cannot reach a JSON-RPC node/);
  });

  it("fills in the on-chain steps from the chain and deployments.json, and explains a wrong context", async () => {
    const deployed = await runCli(["deploy", dir, "--rpc", node.url, "--json"]);
    expect(deployed.code, deployed.stderr).toBe(0);
    const addr = deployed.json().address as string;
    const out = path.join(path.dirname(dir), "cli-rpc-proof.json");
    // --rpc alone: this chain, the verifier just recorded, the signer, the first unused nonce.
    const proved = await runCli(["prove", dir, "--input", digit, "--out", out, "--rpc", node.url, "--json"]);
    expect(proved.code, proved.stderr).toBe(0);
    expect(proved.json().context).toMatchObject({ chainId: String(chain.chainId), contract: addr, sender, nonce: "0" });
    const calldata = await runCli(["calldata", dir, out, "--json"]);
    expect(calldata.code, calldata.stderr).toBe(0);
    expect(calldata.json().to).toBe(addr);
    // A file whose context names another contract, or whose proof the EVM would refuse, is not encoded.
    const stored = JSON.parse(await readFile(out, "utf8"));
    const lying = path.join(path.dirname(dir), "cli-rpc-lying.json");
    await writeFile(lying, JSON.stringify({ ...stored, context: { ...stored.context, contract: "0x" + "99".repeat(20) } }));
    const refused = await runCli(["calldata", dir, lying, "--json"]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/does not verify.*context/);
    stored.proof.pi_a[0] = String(BigInt(stored.proof.pi_a[0]) + FIELD_Q);
    await writeFile(lying, JSON.stringify(stored));
    expect((await runCli(["calldata", dir, lying, "--json"])).stderr).toMatch(/proof\.pi_a\.0: not a canonical decimal below q/);
    const iface = new Contract(addr, artifact.abi).interface;
    const decoded = iface.decodeFunctionData("verifyInference", calldata.json().data as string);
    expect(decoded[2]).toBe(0n);
    expect(decoded[1].map(String)).toEqual(proved.json().publicSignals.slice(0, 2));
    // No --address: the recorded verifier.
    const ok = await runCli(["verify-onchain", dir, out, "--rpc", node.url, "--json"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.json().valid).toBe(true);
    const next = await runCli(["prove", dir, "--input", digit, "--out", out, "--rpc", node.url, "--json"]);
    expect(next.json().context.nonce).toBe("1");
    // Made for another sender: the revert says which part differs.
    const otherAddress = await other.getAddress();
    const wrong = await runCli(["prove", dir, "--input", digit, "--out", out, "--rpc", node.url, "--sender", otherAddress, "--json"]);
    expect(wrong.code, wrong.stderr).toBe(0);
    const rejected = await runCli(["verify-onchain", dir, out, "--rpc", node.url, "--json"]);
    expect(rejected.code).toBe(1);
    expect(rejected.json().reason).toMatch(/^WrongContext.*sender: proof made for 0x[0-9a-fA-F]{40}, sent by 0x/);
    expect(rejected.json().reason).not.toMatch(/chain:|contract:|nonce:/);
    // Keys made again since the deploy: caught before anything is sent.
    const file = path.join(dir, "deployments.json");
    const saved = await readFile(file, "utf8");
    const all = JSON.parse(saved);
    all[String(chain.chainId)].vkey = "00".repeat(32);
    await writeFile(file, JSON.stringify(all));
    try {
      const stale = await runCli(["verify-onchain", dir, out, "--rpc", node.url]);
      expect(stale.code).toBe(1);
      expect(stale.stderr).toMatch(/deployed with another verification key/);
      const staleProve = await runCli(["prove", dir, "--input", digit, "--out", out, "--rpc", node.url]);
      expect(staleProve.code).toBe(1);
      expect(staleProve.stderr).toMatch(/deployed with another verification key/);
    } finally {
      await writeFile(file, saved);
    }
  });
});
