/**
 * The CLI's on-chain path on a second, independent EVM: Foundry's anvil (not Hardhat's EDR).
 * deploy → prove --rpc → verify-onchain accepted with the class the proof shows → the replay
 * refused by the contract.
 */
import { cp, mkdir, mkdtemp, readFile, rm, symlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { resolvePtau } from "../src/index.js";
import { ANVIL_ADDRESS, ANVIL_KEY, anvilAvailable, startAnvil, type Anvil } from "./helpers/anvil.js";
import { runCli } from "./helpers/cli.js";
import { blockAfter, fillPlaceholders, zkmlCommands } from "./helpers/doc_commands.js";

const ROOT = path.resolve(import.meta.dirname, "..");

const haveAnvil = anvilAvailable();
if (!haveAnvil) console.warn("SKIPPED: test/anvil.test.ts needs anvil (npm @foundry-rs/anvil, a devDependency: npm ci installs it)");

describe.skipIf(!haveAnvil)("on anvil (Foundry): deploy, prove, verify on-chain from the CLI", () => {
  let anvil: Anvil;
  let tmp: string;
  let dir: string;

  beforeAll(async () => {
    anvil = await startAnvil();
    tmp = await mkdtemp(path.join(os.tmpdir(), "zkml-anvil-"));
    // A copy: deploy records the address in the build folder.
    dir = path.join(tmp, "mnist");
    await cp(inject("mnistDir"), dir, { recursive: true });
  });

  afterAll(async () => {
    await anvil?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it("accepts the proof with its class and refuses its replay", async () => {
    const deployed = await runCli(["deploy", dir, "--rpc", anvil.url, "--json"]);
    expect(deployed.code, deployed.stderr).toBe(0);
    const proofFile = path.join(tmp, "proof.json");
    const proved = await runCli(["prove", dir, "--input", "examples/mnist/digits/digit-2.json", "--out", proofFile, "--rpc", anvil.url, "--json"]);
    expect(proved.code, proved.stderr).toBe(0);
    expect(proved.json().context).toMatchObject({ chainId: "31337", contract: deployed.json().address, nonce: "0" });
    const ok = await runCli(["verify-onchain", dir, proofFile, "--rpc", anvil.url, "--json"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.json()).toMatchObject({ valid: true, class: proved.json().output.class });
    console.log(`anvil: verifyInference ${ok.json().gasUsed} gas`);
    const replay = await runCli(["verify-onchain", dir, proofFile, "--rpc", anvil.url, "--json"]);
    expect(replay.code).toBe(1);
    expect(replay.json().reason).toMatch(/^NonceAlreadyUsed/);
  });

  // docs/SEPOLIA.md's commands in order, as written, in a reader's folder with the checkout's
  // examples/. Filled in for anvil: the RPC, the key and address (anvil's first account), the
  // chain id (31337 for Sepolia's 11155111); the ptau (a development one: no Hermez file can be
  // downloaded here); the beacon's 2^40 hashes (hours) as 2^10; the addresses deploy and
  // deploy-registry print; and the MNIST model's files as the tiny MLP's (the same commands: with
  // MNIST, setup on a ptau and --verify take two minutes here).
  it("runs docs/SEPOLIA.md's commands: ptau setup, two contributions, setup --verify, the wrapper and the registry", async () => {
    const doc = await readFile(path.join(ROOT, "docs/SEPOLIA.md"), "utf8");
    const env = blockAfter(doc, "## 0. What you need", 2);
    expect(env).toMatch(/^export RPC=/m);
    expect(env).toMatch(/^export ZKML_PRIVATE_KEY=/m);
    expect(env).toMatch(/^ME=/m);
    const work = path.join(tmp, "sepolia");
    await mkdir(work);
    await symlink(path.join(ROOT, "examples"), path.join(work, "examples"));
    const ptau = await resolvePtau({ minPower: 12 });
    const table: Record<string, string> = {
      "examples/mnist/mnist-mlp.onnx": "examples/tiny-mlp/tiny-mlp.onnx",
      "examples/mnist/calibration.json": "examples/tiny-mlp/calibration.json",
      "examples/mnist/digits/digit-7.json": "examples/tiny-mlp/input.json",
      "build/mnist-mlp": "build/tiny-mlp",
      "build/mnist-mlp/proof.json": "build/tiny-mlp/proof.json",
      $RPC: anvil.url,
      $ME: ANVIL_ADDRESS,
      "--chain-id 11155111": "31337",
      "--ptau powersOfTau28_hez_final_15.ptau": ptau.path,
      "<future block hash>": `0x${"ab".repeat(32)}`,
      "--iterations 40": "10",
      "--uri https://…/model-card": "https://example.org/model-card",
    };
    const blocks = [
      blockAfter(doc, "## 0. What you need", 1),
      blockAfter(doc, "## 1a. One contract per model (the wrapper)"),
      blockAfter(doc, "## 1b. Or through the model registry (one per chain, any number of models)"),
    ];
    const ran: string[] = [];
    for (const { args } of blocks.flatMap(zkmlCommands)) {
      const r = await runCli(fillPlaceholders(args, table), { ZKML_PRIVATE_KEY: ANVIL_KEY }, work);
      expect(r.code, `zkml ${args.join(" ")}\n${r.stdout}${r.stderr}`).toBe(0);
      ran.push(args[0]!);
      const address = /(0x[0-9a-fA-F]{40})/.exec(r.stdout)?.[1];
      if (args[0] === "deploy") table.ADDR = address!;
      if (args[0] === "deploy-registry") table.REGISTRY = address!;
      if (args[0] === "setup" && args.includes("--verify")) expect(r.stdout).toMatch(/DEVELOPMENT ONLY/);
      if (args[0] === "verify-onchain") expect(r.stdout).toMatch(/^accepted on chain 31337/m);
    }
    expect(ran).toEqual([
      "compile",
      "setup",
      "contribute",
      "contribute",
      "setup",
      "deploy",
      "prove",
      "verify-onchain",
      "deploy-registry",
      "register",
      "prove",
      "verify-onchain",
    ]);
  }, 600_000);
});
