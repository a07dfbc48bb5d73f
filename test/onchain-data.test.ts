/**
 * Inputs that live on-chain: ZkmlData.sol against the TypeScript quantizer and statement, and
 * the two examples end to end: an appraisal oracle over a marketplace's recorded sales and a
 * vault that rebalances on its model's proven decision over a pool's state. Each on Hardhat's
 * in-process chain with a prover that lies (a changed sale, other decimals, a stale snapshot,
 * another price), and once on anvil through the CLI's `prove --from-chain`.
 */
import { cp, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Contract, ContractFactory, JsonRpcProvider, type BrowserProvider, type Signer } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { quantizeValue } from "../core/ir.js";
import { mulberry32 } from "../core/random.js";
import { dataStatement, encodeValues, statementTag } from "../core/statement.js";
import { IZKML_VERIFIER_ABI } from "../verifier/abi.js";
import { CONTRACTS_DIR, compileProjectContract, compileSolidity } from "../verifier/solidity.js";
import {
  checkCircuit,
  compileModel,
  computeContext,
  connectInProcessChain,
  deployVerifier,
  encodeProof,
  InferenceProver,
  quantizeRaw,
  readVerifierArtifact,
  releaseCurves,
  revertReason,
  setupModel,
  type ChainConnection,
  type ProofFile,
} from "../src/index.js";
import { anvilAvailable, startAnvil, type Anvil } from "./helpers/anvil.js";
import { runCli } from "./helpers/cli.js";

let chain: ChainConnection;
let work: string;
let salesDir: string;
let vaultDir: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "zkml-onchain-data-"));
  salesDir = path.join(work, "sales-appraisal");
  vaultDir = path.join(work, "vault-agent");
  chain = await connectInProcessChain();
  await compileModel("examples/sales-appraisal/sales-appraisal.onnx", {
    outDir: salesDir,
    calibrationFile: "examples/sales-appraisal/calibration.json",
    fidelity: false,
    inputVisibility: "hashed",
    outputVisibility: "hashed",
  });
  await compileModel("examples/vault-agent/vault-agent.onnx", {
    outDir: vaultDir,
    calibrationFile: "examples/vault-agent/calibration.json",
    fidelity: false,
    inputVisibility: "hashed",
  });
  await setupModel(salesDir);
  await setupModel(vaultDir);
});

afterAll(async () => {
  await chain?.close();
  await releaseCurves();
  if (work) await rm(work, { recursive: true, force: true });
});

async function deployProject(signer: Signer, file: string, name: string, args: unknown[]): Promise<Contract> {
  const a = await compileProjectContract(file, name);
  const c = await new ContractFactory(a.abi, a.bytecode, signer).deploy(...args);
  await c.waitForDeployment();
  return c as Contract;
}

const reason = (tx: Promise<unknown>, c: Contract) =>
  tx.then(
    () => "no revert",
    (e) => revertReason(c, e) ?? String(e),
  );

const PROBE = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
import {ZkmlData} from "./ZkmlData.sol";
contract ZkmlDataProbe {
    function quantizeMany(int256[] calldata raw, int256[] calldata zero, uint256[] calldata denom, int256 frac, bool nonNegative)
        external pure returns (int256[] memory q)
    {
        q = new int256[](raw.length);
        for (uint256 i = 0; i < raw.length; i++) q[i] = ZkmlData.quantize(raw[i], zero[i], denom[i], frac, nonNegative);
    }
    function statement(uint256 tag, int256[] memory input, uint8 inBits, int256[] memory output, uint8 outBits) external pure returns (uint256) {
        return ZkmlData.statement(tag, ZkmlData.encodeValues(input, input.length, inBits), ZkmlData.encodeValues(output, output.length, outBits));
    }
    function quantizeGas(int256 raw, uint256 denom, int256 frac) external view returns (uint256 used) {
        uint256 g = gasleft();
        ZkmlData.quantize(raw, 0, denom, frac, false);
        used = g - gasleft();
    }
}`;

describe("the example models", () => {
  it("have the statements their contracts rebuild, and pass zkml check", async () => {
    const sales = JSON.parse(readFileSync(path.join(salesDir, "model.quant.json"), "utf8"));
    const vault = JSON.parse(readFileSync(path.join(vaultDir, "model.quant.json"), "utf8"));
    expect([sales.input.visibility, sales.output.visibility, sales.input.nonNegative]).toEqual(["hashed", "hashed", true]);
    expect([vault.input.visibility, vault.output.visibility]).toEqual(["hashed", undefined]);
    for (const dir of [salesDir, vaultDir]) expect(await checkCircuit(dir)).toMatchObject({ satisfied: true, publicPinned: true, problems: [] });
  });
});

describe("ZkmlData.sol against the TypeScript quantizer and statement", () => {
  let probe: Contract;
  beforeAll(async () => {
    const a = await compileSolidity(
      { "ZkmlData.sol": readFileSync(path.join(CONTRACTS_DIR, "ZkmlData.sol"), "utf8"), "Probe.sol": PROBE },
      "Probe.sol",
      "ZkmlDataProbe",
    );
    probe = (await new ContractFactory(a.abi, a.bytecode, chain.signer).deploy()) as Contract;
    await probe.waitForDeployment();
  });

  it("quantizes 1,800 random and edge values exactly as quantizeRaw (ties, saturation, negatives, 0-18 decimals, both domains)", async () => {
    const rand = mulberry32(1729);
    for (const frac of [-3, 0, 4, 7]) {
      for (const nonNegative of [false, true]) {
        const raw: bigint[] = [];
        const zero: bigint[] = [];
        const denom: bigint[] = [];
        for (let i = 0; i < 225; i++) {
          const d = 10n ** BigInt(Math.floor(rand() * 19));
          const scale = BigInt(Math.floor(rand() * 400) - 200);
          const k = i % 5;
          // Exact ties (an odd multiple of half a step), saturating values, and random ones.
          const half = frac >= 0 ? d : d << BigInt(-frac);
          const r =
            k === 0
              ? (BigInt(2 * Math.floor(rand() * 60) - 59) * half) / (frac >= 0 ? 2n << BigInt(frac) : 2n)
              : k === 1
                ? scale * d * 1000n
                : (scale * d) / 7n + BigInt(Math.floor(rand() * 1000));
          raw.push(r);
          zero.push(k === 4 ? BigInt(Math.floor(rand() * 50)) * d : 0n);
          denom.push(d);
        }
        const onChain = (await probe.getFunction("quantizeMany")(raw, zero, denom, frac, nonNegative)) as bigint[];
        const inTs = raw.map((r, i) => BigInt(quantizeRaw(r, { zero: zero[i]!, denom: denom[i]! }, frac, nonNegative)));
        expect(onChain).toEqual(inTs);
      }
    }
  });

  it("agrees with the float quantizer on prices a double holds, and reverts on a zero denominator", async () => {
    const prices = [0n, 1n, 5n * 10n ** 17n, 15n * 10n ** 17n, 3n * 10n ** 18n + 3n * 10n ** 16n, 10n ** 20n];
    const q = (await probe.getFunction("quantizeMany")(
      prices,
      prices.map(() => 0n),
      prices.map(() => 10n ** 18n),
      4,
      false,
    )) as bigint[];
    expect(q.map(Number)).toEqual(prices.map((p) => quantizeValue(Number(p) / 1e18, 4)));
    expect(await reason(probe.getFunction("quantizeMany")([1n], [0n], [0n], 0, false), probe)).toMatch(/^BadScale/);
  });

  it("builds the statement computeStatement builds, and refuses a value outside its width", async () => {
    const layout = { inputSize: 3, inputBits: 8, outputSize: 2, outputBits: 20, inputVisibility: "hashed", outputVisibility: "hashed" } as const;
    const input = [-128n, 0n, 127n];
    const output = [-(1n << 19n), (1n << 19n) - 1n];
    const tag = statementTag(layout);
    expect(await probe.getFunction("statement")(tag, input, 8, output, 20)).toBe(dataStatement(tag, encodeValues(input, 8), encodeValues(output, 20)));
    expect(await reason(probe.getFunction("statement")(tag, [128n], 8, output, 20), probe)).toMatch(/^ValueOutOfRange\(0, 128, 8\)/);
  });

  it("costs about a thousand gas per quantized value", async () => {
    const used = Number(await probe.getFunction("quantizeGas")(15n * 10n ** 17n, 10n ** 18n, 4));
    console.log(`ZkmlData.quantize: ${used} gas per value`);
    expect(used).toBeGreaterThan(0);
    expect(used).toBeLessThan(2000);
  });
});

/** A proof over `input` (int8 values) for `consumer`, as its user `beneficiary`, at `snapshot`. */
async function proveFor(prover: InferenceProver, verifier: string, consumer: string, beneficiary: string, input: number[], nonce: bigint, snapshot: bigint) {
  const p = { chainId: chain.chainId, contract: verifier, sender: consumer, beneficiary, nonce, snapshot };
  return (await prover.proveQuantized(input, { value: computeContext(p), ...p })).proof;
}

const signals = (p: ProofFile) => p.publicSignals.slice(0, 2).map(BigInt);

describe("SalesAppraisal: a price stored only for the sales the ledger holds", () => {
  it("accepts a proof over the last 8 sales and refuses a changed sale, other decimals, a stale snapshot, another price and a replay", async () => {
    const signer = chain.signer;
    const poster = await signer.getAddress();
    const verifier = await deployVerifier(signer, await readVerifierArtifact(salesDir));
    const ledger = await deployProject(signer, "examples/SalesLedger.sol", "SalesLedger", []);
    const oracle = await deployProject(signer, "examples/SalesAppraisal.sol", "SalesAppraisal", [await ledger.getAddress(), verifier.address]);
    const oracleAddress = await oracle.getAddress();
    const wei = [1.2, 1.5, 2.25, 2.0, 3.1, 2.8, 3.3, 3.0].map((e) => BigInt(Math.round(e * 100)) * 10n ** 16n);
    for (const p of wei) await (await ledger.getFunction("recordSale")(p)).wait();

    const [input, snapshot] = (await oracle.getFunction("modelInput")()) as [bigint[], bigint];
    const frac = Number(await oracle.getFunction("inputFrac")());
    // The contract's quantization is the TypeScript one.
    expect(input.map(Number)).toEqual(wei.map((w) => quantizeRaw(w, { zero: 0n, denom: 10n ** 18n }, frac, true)));
    const prover = await InferenceProver.open(salesDir);
    const honest = await proveFor(prover, verifier.address, oracleAddress, poster, input.map(Number), 0n, snapshot);
    const value = BigInt(honest.output.values[0]!);
    const post = (p: ProofFile, nonce: bigint, snap: bigint, v: bigint) =>
      encodeProof(p).then((bytes) => oracle.getFunction("post")(bytes, signals(p), nonce, snap, v));

    // Lies first: each is refused and leaves nothing stored.
    const changed = [...input.map(Number)];
    changed[3] = changed[3]! + 1;
    const liedSale = await proveFor(prover, verifier.address, oracleAddress, poster, changed, 1n, snapshot);
    expect(await reason(post(liedSale, 1n, snapshot, BigInt(liedSale.output.values[0]!)), oracle)).toMatch(/^NotOurData/);
    const decimals17 = wei.map((w) => quantizeRaw(w, { zero: 0n, denom: 10n ** 17n }, frac, true));
    const liedDecimals = await proveFor(prover, verifier.address, oracleAddress, poster, decimals17, 2n, snapshot);
    expect(await reason(post(liedDecimals, 2n, snapshot, BigInt(liedDecimals.output.values[0]!)), oracle)).toMatch(/^NotOurData/);
    expect(await reason(post(honest, 0n, snapshot, value + 1n), oracle)).toMatch(/^NotOurData/);
    const wrongSnapshot = await proveFor(prover, verifier.address, oracleAddress, poster, input.map(Number), 3n, snapshot - 1n);
    expect(await reason(post(wrongSnapshot, 3n, snapshot - 1n, value), oracle)).toMatch(/^StaleSnapshot/);
    // Claiming the current snapshot for a proof made at another one: the context differs.
    const verifierContract = new Contract(verifier.address, IZKML_VERIFIER_ABI, signer);
    expect(await reason(post(wrongSnapshot, 3n, snapshot, value), verifierContract)).toMatch(/^WrongContext/);
    expect((await oracle.getFunction("latest")())[2]).toBe("0x0000000000000000000000000000000000000000");

    await (await post(honest, 0n, snapshot, value)).wait();
    const latest = await oracle.getFunction("latest")();
    expect([latest[0], latest[1], latest[2]]).toEqual([value, snapshot, poster]);
    expect(await reason(post(honest, 0n, snapshot, value), verifierContract)).toMatch(/^NonceAlreadyUsed/);

    // A new sale makes the proof stale: the ledger's snapshot moved and the sales with it.
    const next = await proveFor(prover, verifier.address, oracleAddress, poster, input.map(Number), 4n, snapshot);
    await (await ledger.getFunction("recordSale")(10n ** 18n)).wait();
    expect(await reason(post(next, 4n, snapshot, value), oracle)).toMatch(/^StaleSnapshot/);
  });
});

describe("RebalancingVault: acts on the proven decision for the pool's current state", () => {
  it("rebalances on an honest proof and refuses other reserves, other decimals and a block too old", async () => {
    const signer = chain.signer;
    const agent = await signer.getAddress();
    const verifier = await deployVerifier(signer, await readVerifierArtifact(vaultDir));
    const pool = await deployProject(signer, "examples/PoolState.sol", "PoolState", []);
    const vault = await deployProject(signer, "examples/RebalancingVault.sol", "RebalancingVault", [await pool.getAddress(), verifier.address]);
    const vaultAddress = await vault.getAddress();
    // Short of token A (1.0M against 3.0k B), B's price falling: the model shifts toward A.
    await (await pool.getFunction("set")(10n ** 12n, 3n * 10n ** 21n, [3n * 10n ** 11n, 28n * 10n ** 10n, 26n * 10n ** 10n, 2n * 10n ** 11n])).wait();
    const [input, snapshot] = (await vault.getFunction("modelInput")()) as [bigint[], bigint];
    const prover = await InferenceProver.open(vaultDir);
    const honest = await proveFor(prover, verifier.address, vaultAddress, agent, input.map(Number), 0n, snapshot);
    expect(honest.statement).toMatchObject({ input: "hashed", output: "private" });
    expect(honest.output.class).toBe(1);
    const act = (p: ProofFile, nonce: bigint, snap: bigint) =>
      encodeProof(p).then((bytes) => vault.getFunction("act")(bytes, signals(p), nonce, snap, BigInt(p.statement!.outputCommitment!)));

    const other = input.map(Number);
    other[0] = other[0]! + 4;
    const liedReserves = await proveFor(prover, verifier.address, vaultAddress, agent, other, 1n, snapshot);
    expect(await reason(act(liedReserves, 1n, snapshot), vault)).toMatch(/^NotPoolState/);
    const frac = Number(await vault.getFunction("inputFrac")());
    const reserveB18as6 = [...input.map(Number)];
    reserveB18as6[1] = quantizeRaw(3n * 10n ** 21n, { zero: 0n, denom: 10n ** 9n }, frac, true);
    const liedDecimals = await proveFor(prover, verifier.address, vaultAddress, agent, reserveB18as6, 2n, snapshot);
    expect(await reason(act(liedDecimals, 2n, snapshot), vault)).toMatch(/^NotPoolState/);

    await (await act(honest, 0n, snapshot)).wait();
    expect(await vault.getFunction("shareA")()).toBe(60n);

    // A decision made over this state, submitted more than MAX_AGE blocks later, is stale even
    // though the pool has not changed.
    const late = await proveFor(prover, verifier.address, vaultAddress, agent, input.map(Number), 3n, snapshot);
    const provider = chain.provider as BrowserProvider;
    for (let i = 0; i < 6; i++) await provider.send("evm_mine", []);
    expect(await reason(act(late, 3n, snapshot), vault)).toMatch(/^Stale/);
    expect(await vault.getFunction("actions")()).toBe(1n);
  });
});

const haveAnvil = anvilAvailable();
if (!haveAnvil) console.warn("SKIPPED: the anvil part of test/onchain-data.test.ts needs anvil (npm @foundry-rs/anvil, a devDependency)");

describe.skipIf(!haveAnvil)("on anvil: both examples through `zkml prove --from-chain` and `zkml calldata`", () => {
  let anvil: Anvil;
  beforeAll(async () => {
    anvil = await startAnvil();
  });
  afterAll(async () => {
    await anvil?.stop();
  });

  it("proves over the sales the oracle reads and the oracle stores the price", async () => {
    const dir = path.join(work, "sales-anvil");
    await cp(salesDir, dir, { recursive: true });
    const deployed = await runCli(["deploy", dir, "--rpc", anvil.url, "--json"]);
    expect(deployed.code, deployed.stderr).toBe(0);
    const provider = new JsonRpcProvider(anvil.url, undefined, { cacheTimeout: -1 });
    const signer = await provider.getSigner(0);
    const ledger = await deployProject(signer, "examples/SalesLedger.sol", "SalesLedger", []);
    const oracle = await deployProject(signer, "examples/SalesAppraisal.sol", "SalesAppraisal", [await ledger.getAddress(), deployed.json().address]);
    for (const e of [2, 2, 3, 3, 4, 4, 5, 5]) await (await ledger.getFunction("recordSale")(BigInt(e) * 10n ** 18n)).wait();
    const proofFile = path.join(work, "sales-proof.json");
    const proved = await runCli(["prove", dir, "--from-chain", await oracle.getAddress(), "--rpc", anvil.url, "--out", proofFile, "--json"]);
    expect(proved.code, proved.stderr).toBe(0);
    const proof = JSON.parse(readFileSync(proofFile, "utf8")) as ProofFile;
    expect(proof.context).toMatchObject({ sender: await oracle.getAddress(), beneficiary: await signer.getAddress(), snapshot: "8" });
    // zkml calldata gives what the consumer passes on: the proof words, signals, nonce, snapshot and the output.
    const cd = await runCli(["calldata", dir, proofFile, "--json"]);
    expect(cd.code, cd.stderr).toBe(0);
    const { args, statement } = cd.json();
    expect(cd.json().function).toBe("verifyInferenceAt");
    expect(statement).toEqual({ input: proof.input.values, output: proof.output.values });
    const value = BigInt(statement.output[0]);
    const tx = await oracle.getFunction("post")(args.proof, args.pubSignals, BigInt(args.nonce), BigInt(args.snapshot), value);
    const receipt = await tx.wait();
    console.log(`anvil: SalesAppraisal.post (8 sales read, quantized, hashed; proof verified) ${receipt.gasUsed} gas`);
    expect((await oracle.getFunction("latest")())[0]).toBe(value);
    provider.destroy();
  });

  it("the vault acts on a --from-chain proof with a private output, and refuses one over reserves that moved", async () => {
    const dir = path.join(work, "vault-anvil");
    await cp(vaultDir, dir, { recursive: true });
    const deployed = await runCli(["deploy", dir, "--rpc", anvil.url, "--json"]);
    expect(deployed.code, deployed.stderr).toBe(0);
    const provider = new JsonRpcProvider(anvil.url, undefined, { cacheTimeout: -1 });
    const signer = await provider.getSigner(0);
    const pool = await deployProject(signer, "examples/PoolState.sol", "PoolState", []);
    const vault = await deployProject(signer, "examples/RebalancingVault.sol", "RebalancingVault", [await pool.getAddress(), deployed.json().address]);
    const prices = [2n * 10n ** 11n, 22n * 10n ** 10n, 26n * 10n ** 10n, 3n * 10n ** 11n];
    // Short of token B, B's price rising: the model shifts toward B.
    await (await pool.getFunction("set")(3n * 10n ** 12n, 10n ** 21n, prices)).wait();
    const prove = async (out: string) => {
      const r = await runCli(["prove", dir, "--from-chain", await vault.getAddress(), "--rpc", anvil.url, "--out", out, "--json"]);
      expect(r.code, r.stderr).toBe(0);
      const cd = await runCli(["calldata", dir, out, "--json"]);
      expect(cd.code, cd.stderr).toBe(0);
      return cd.json();
    };
    const act = (cd: { args: Record<string, string>; statement: { outputCommitment: string } }) =>
      vault.getFunction("act")(cd.args.proof, cd.args.pubSignals, BigInt(cd.args.nonce!), BigInt(cd.args.snapshot!), BigInt(cd.statement.outputCommitment));
    const first = await prove(path.join(work, "vault-proof-1.json"));
    expect(Object.keys(first.statement)).toEqual(["input", "outputCommitment"]);
    await (await act(first)).wait();
    expect(await vault.getFunction("shareA")()).toBe(40n);
    const second = await prove(path.join(work, "vault-proof-2.json"));
    await (await pool.getFunction("set")(3n * 10n ** 12n, 2n * 10n ** 21n, prices)).wait();
    expect(await reason(act(second), vault)).toMatch(/^NotPoolState/);
    expect(await vault.getFunction("actions")()).toBe(1n);
    provider.destroy();
  });
});
