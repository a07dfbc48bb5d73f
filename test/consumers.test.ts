/**
 * dApp side: contracts that act on verified inferences through the registry. A bounty acting on
 * a proven class, and an oracle posting a proven number (a regression output) with its scale.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { poseidonContract } from "circomlibjs";
import { AbiCoder, type BrowserProvider, Contract, ContractFactory, keccak256, parseEther, type Signer } from "ethers";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  checkCircuit,
  compileModel,
  compileProjectContract,
  compileRegistry,
  computeContext,
  connectInProcessChain,
  deployAndRegister,
  deployRegistry,
  encodeProof,
  FIELD_R,
  InferenceProver,
  layoutTag,
  readInputFile,
  readResult,
  releaseCurves,
  revealedValues,
  revertReason,
  setupModel,
  submitToRegistry,
  type ChainConnection,
} from "../src/index.js";

let chain: ChainConnection;
let registry: string;
let claimant: Signer;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "zkml-consumers-"));
  chain = await connectInProcessChain();
  claimant = await (chain.provider as BrowserProvider).getSigner(1);
  registry = (await deployRegistry(chain.signer)).address;
});

afterAll(async () => {
  await chain?.close();
  await releaseCurves();
  if (work) await rm(work, { recursive: true, force: true });
});

async function deploy(file: string, name: string, args: unknown[], value = 0n): Promise<Contract> {
  const a = await compileProjectContract(file, name);
  const c = await new ContractFactory(a.abi, a.bytecode, chain.signer).deploy(...args, { value });
  await c.waitForDeployment();
  return c as Contract;
}

describe("ClassBounty: pays the first account that proves the MNIST model reads a digit as the target class", () => {
  it("pays a claimant whose proof the registry recorded, once, and refuses the rest", async () => {
    const dir = inject("mnistDir");
    const { modelId } = await deployAndRegister(chain.signer, registry, dir, "zkml:examples/mnist");
    const prover = await InferenceProver.open(dir);
    const who = await claimant.getAddress();
    const value = computeContext({ chainId: chain.chainId, contract: registry, sender: who, nonce: 1n });
    const { proof } = await prover.prove(await readInputFile("examples/mnist/digits/digit-7.json"), { value });
    const target = proof.output.class;
    const bounty = await deploy("examples/ClassBounty.sol", "ClassBounty", [registry, modelId, target], parseEther("1"));
    const other = await deploy("examples/ClassBounty.sol", "ClassBounty", [registry, modelId, (target + 1) % 10], parseEther("1"));

    const asClaimant = bounty.connect(claimant) as Contract;
    const err = async (p: Promise<unknown>, c: Contract) =>
      p.then(
        () => "no revert",
        (e) => revertReason(c, e),
      );
    expect(await err(asClaimant.getFunction("claim")(1n), bounty)).toBe(`NotProven(${who}, 1)`);
    expect((await submitToRegistry(claimant, registry, modelId, proof, 1n)).valid).toBe(true);
    expect(await err((other.connect(claimant) as Contract).getFunction("claim")(1n), other)).toBe(`WrongClass(${target})`);

    expect(await readResult(chain.provider, registry, who, 1n)).toEqual({ verified: true, modelId, class: target });
    const before = await chain.provider.getBalance(who);
    await (await asClaimant.getFunction("claim")(1n)).wait();
    expect(await chain.provider.getBalance(who)).toBeGreaterThan(before + parseEther("0.99"));
    expect(await bounty.getFunction("winner")()).toBe(who);
    expect(await err(asClaimant.getFunction("claim")(1n), bounty)).toBe(`AlreadyPaid(${who})`);
    // Someone else cannot claim with the claimant's nonce: the record is per sender.
    expect(await err((other.connect(chain.signer) as Contract).getFunction("claim")(1n), other)).toMatch(/^NotProven/);
  });
});

describe("AppraisalOracle: posts a proven regression output, with its scale", () => {
  it("stores the model's exact output for the revealed input, and refuses another value", async () => {
    const dir = path.join(work, "appraisal");
    const compiled = await compileModel("examples/appraisal/appraisal.onnx", { outDir: dir, calibrationFile: "examples/appraisal/calibration.json" });
    expect(await checkCircuit(dir)).toMatchObject({ satisfied: true, publicPinned: true, problems: [] });
    await setupModel(dir);
    const { modelId } = await deployAndRegister(chain.signer, registry, dir, "zkml:examples/appraisal");
    const poseidon = await new ContractFactory(poseidonContract.generateABI(5), poseidonContract.createCode(5), chain.signer).deploy();
    await poseidon.waitForDeployment();
    const layout = compiled.info.layout;
    const oracle = await deploy("examples/AppraisalOracle.sol", "AppraisalOracle", [
      registry,
      modelId,
      await poseidon.getAddress(),
      layoutTag(layout),
      layout.outputBits,
      compiled.model.output.frac,
    ]);
    const oracleAddress = await oracle.getAddress();
    const poster = await chain.signer.getAddress();
    const registryNonce = (who: string, n: bigint) => BigInt(keccak256(AbiCoder.defaultAbiCoder().encode(["address", "uint256"], [who, n])));

    const prover = await InferenceProver.open(dir);
    const features = await readInputFile("examples/appraisal/input.json");
    const proveFor = async (nonce: bigint) =>
      (await prover.prove(features, { value: computeContext({ chainId: chain.chainId, contract: registry, sender: oracleAddress, nonce }) })).proof;
    const proof = await proveFor(registryNonce(poster, 5n));
    const r = revealedValues(layout, proof);
    expect(r.packedInput).toHaveLength(1);
    const q = r.outputs[0]!;
    const post = (value: bigint, nonce: bigint, opts: { p?: typeof proof; as?: Contract; blinding?: bigint; packedInput?: bigint } = {}) => {
      const p = opts.p ?? proof;
      return encodeProof(p).then((bytes) =>
        (opts.as ?? oracle).getFunction("post")(
          bytes,
          p.publicSignals.slice(0, 2).map(BigInt),
          nonce,
          opts.packedInput ?? r.packedInput[0]!,
          value,
          opts.blinding ?? r.blinding,
        ),
      );
    };
    const reason = (tx: Promise<unknown>, c: Contract = oracle) =>
      tx.then(
        () => "no revert",
        (e) => revertReason(c, e),
      );

    expect(await reason(post(q + 1n, 5n))).toMatch(/^CommitmentMismatch/);
    expect(await reason(post(q, 5n, { blinding: r.blinding + 1n }))).toMatch(/^CommitmentMismatch/);
    expect(await reason(post(q, 5n, { packedInput: r.packedInput[0]! + FIELD_R }))).toBe("NotInField()");
    // A copier front-running the post (same calldata, another sender) derives another nonce:
    // the proof's context is not theirs, and the poster's nonce stays unspent.
    const registryContract = new Contract(registry, (await compileRegistry()).abi, chain.provider);
    expect(await reason(post(q, 5n, { as: oracle.connect(claimant) as Contract }), registryContract)).toMatch(/^WrongContext/);
    await (await post(q, 5n)).wait();
    const stored = await oracle.getFunction("appraisals")(r.packedInput[0]!);
    expect(stored.value).toBe(q);
    expect(stored.poster).toBe(poster);
    // 3.0 + [1.2, 0.4, -0.5, -0.8, 0.3, 0.2] · [0.5, 0.25, -0.4, -0.6, 0.8, 0.1] = 4.64 (×100k)
    const price = Number(stored.value) / 2 ** Number(await oracle.getFunction("outputFrac")());
    expect(price).toBeCloseTo(4.64, 1);
    console.log(`appraisal: proven price ${price} (q = ${q} at 2^-${r.outputFrac}), float 4.64`);
    // The registry spent the nonce: the same proof cannot be posted twice.
    expect(await reason(post(q, 5n), registryContract)).toBe(`NonceAlreadyUsed(${oracleAddress}, ${registryNonce(poster, 5n)})`);
  });
});
