/**
 * The CLI's on-chain path on a second, independent EVM: Foundry's anvil (not Hardhat's EDR).
 * deploy → prove --rpc → verify-onchain accepted with the class the proof shows → the replay
 * refused by the contract.
 */
import { cp, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { anvilAvailable, startAnvil, type Anvil } from "./helpers/anvil.js";
import { runCli } from "./helpers/cli.js";

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
});
