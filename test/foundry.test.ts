/**
 * `zkml foundry`: a Foundry project whose forge test checks the MNIST verifier with one of its
 * proofs, run with npm's forge (@foundry-rs/forge) offline, over npm's solc: docs/SDK.md's
 * commands as written.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { FORGE_DEPLOYED, FORGE_TEST, InferenceProver, readInputFile, releaseCurves } from "../src/index.js";
import { runCli } from "./helpers/cli.js";
import { forgeBinary } from "./helpers/forge.js";
import { blockAfter, fillPlaceholders, shellLines, zkmlCommands } from "./helpers/doc_commands.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const FORGE = forgeBinary();
const haveForge = FORGE !== undefined;
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

  // docs/SDK.md's block as written: the reader's build folder and input are the suite's MNIST build and a digit.
  it("runs docs/SDK.md's Foundry block: prove for forge's addresses, write the project, forge test accepts the proof and refuses its replay and a forged class", async () => {
    const dir = inject("mnistDir");
    const block = blockAfter(await readFile(path.join(ROOT, "docs/SDK.md"), "utf8"), "## With Foundry: `zkml foundry`");
    const table = { "build/model": dir, "--input input.json": path.join(ROOT, "examples/mnist/digits/digit-5.json") };
    const commands = zkmlCommands(block);
    expect(commands.map((c) => c.args[0])).toEqual(["prove", "foundry"]);
    for (const { args } of commands) {
      const r = await runCli(fillPlaceholders(args, table), {}, tmp);
      expect(r.code, r.stderr).toBe(0);
    }
    const proof = JSON.parse(await readFile(path.join(tmp, "forge-proof.json"), "utf8"));
    expect(proof.context).toMatchObject({ contract: FORGE_DEPLOYED, sender: FORGE_TEST });
    const [forgeLine, ...more] = shellLines(block).filter((l) => !l.startsWith("npx zkml"));
    expect(more).toEqual([]);
    expect(forgeLine).toBe("cd zkml-forge && forge test --offline --use ./solc");
    const forge = spawnSync("bash", ["-c", forgeLine!], {
      cwd: tmp,
      encoding: "utf8",
      env: { ...process.env, PATH: [path.dirname(FORGE!), path.dirname(process.execPath), process.env.PATH].join(path.delimiter) },
      timeout: 300_000,
    });
    expect(forge.status, forge.stdout + forge.stderr).toBe(0);
    expect(forge.stdout).toMatch(/\[PASS\] testAcceptsTheProof\(\)/);
    expect(forge.stdout).toMatch(/\[PASS\] testRefusesTheReplay\(\)/);
    expect(forge.stdout).toMatch(/\[PASS\] testRefusesAnotherClass\(\)/);
    expect(forge.stdout).toMatch(/3 tests passed, 0 failed/);
  }, 300_000);

  it("refuses a proof bound to other addresses, with the command that makes the right one", async () => {
    const dir = inject("mnistDir");
    const prover = await InferenceProver.open(dir);
    const proofFile = path.join(tmp, "proof.json");
    const other = await prover.prove(await readInputFile("examples/mnist/digits/digit-5.json"), { value: 0n });
    await writeFile(proofFile, JSON.stringify(other.proof));
    const refused = await runCli(["foundry", dir, proofFile, "--out", path.join(tmp, "forge2")]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/not bound to the addresses forge's test uses.*--contract 0x5615dEB798BB3E4dFa0139dFa1b3D433Cc23b72f/);
  }, 300_000);
});
