/**
 * `zkml foundry`: a Foundry project whose forge test checks the MNIST verifier with one of its
 * proofs, run with npm's forge (@foundry-rs/forge) offline, over npm's solc.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { computeContext, FORGE_DEPLOYED, FORGE_TEST, InferenceProver, readInputFile, releaseCurves } from "../src/index.js";
import { runCli } from "./helpers/cli.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const FORGE = path.join(ROOT, "node_modules/.bin/forge");
const haveForge = existsSync(FORGE);
if (!haveForge) console.warn("SKIPPED: test/foundry.test.ts needs forge (npm @foundry-rs/forge, a devDependency: npm ci installs it)");

describe.skipIf(!haveForge)("zkml foundry: forge tests the generated verifier with a proof", () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "zkml-foundry-"));
  });
  afterAll(async () => {
    await releaseCurves();
    await rm(tmp, { recursive: true, force: true });
  });

  it("writes a project whose forge test accepts the proof and refuses its replay and a forged class", async () => {
    const dir = inject("mnistDir");
    const prover = await InferenceProver.open(dir);
    const parts = { chainId: 31337n, contract: FORGE_DEPLOYED, sender: FORGE_TEST, nonce: 0n };
    const { proof } = await prover.prove(await readInputFile("examples/mnist/digits/digit-5.json"), { value: computeContext(parts), ...parts });
    const proofFile = path.join(tmp, "proof.json");
    await writeFile(proofFile, JSON.stringify(proof));
    const project = path.join(tmp, "forge");
    const written = await runCli(["foundry", dir, proofFile, "--out", project, "--json"]);
    expect(written.code, written.stderr).toBe(0);
    const forge = spawnSync(FORGE, ["test", "--offline", "--use", "./solc"], {
      cwd: project,
      encoding: "utf8",
      env: { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}` },
      timeout: 300_000,
    });
    expect(forge.status, forge.stdout + forge.stderr).toBe(0);
    expect(forge.stdout).toMatch(/\[PASS\] testAcceptsTheProof\(\)/);
    expect(forge.stdout).toMatch(/\[PASS\] testRefusesTheReplay\(\)/);
    expect(forge.stdout).toMatch(/\[PASS\] testRefusesAnotherClass\(\)/);
    expect(forge.stdout).toMatch(/3 tests passed, 0 failed/);

    // A proof bound to other addresses would fail in forge: refused here, with the command that makes the right one.
    const other = await prover.prove(await readInputFile("examples/mnist/digits/digit-5.json"), { value: 0n });
    await writeFile(proofFile, JSON.stringify(other.proof));
    const refused = await runCli(["foundry", dir, proofFile, "--out", path.join(tmp, "forge2")]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/not bound to the addresses forge's test uses.*--contract 0x5615dEB798BB3E4dFa0139dFa1b3D433Cc23b72f/);
  }, 300_000);
});
