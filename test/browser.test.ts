/**
 * The web dApp in a real Chromium (Debian's, driven by playwright-core): the Vite build of
 * examples/web, a build folder served over HTTP, a local `hardhat node`. A held-out MNIST digit
 * is painted on the page's canvas, proved in the page's Web Worker, submitted to the model's
 * verifier, and compared with Node's prover on the same pixels.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { poseidonContract } from "circomlibjs";
import { type Contract, ContractFactory } from "ethers";
import {
  compileModel,
  compileProjectContract,
  connectRpc,
  deployAndRegister,
  deployRegistry,
  deployVerifier,
  InferenceProver,
  layoutTag,
  publishBuild,
  readInputFile,
  readVerifierArtifact,
  releaseCurves,
  revealedValues,
  setupModel,
  verifyProofFile,
  type ChainConnection,
  type CommitmentLayout,
} from "../src/index.js";

import { freePort } from "../service/redis_server.js";
import { blockAfter, fillPlaceholders, shellLines, shellWords } from "./helpers/doc_commands.js";
import { stopChild, untilReady } from "./helpers/child.js";
import { startHardhatNode, type HardhatNode } from "./helpers/hardhat-node.js";
import { buildWebExample, chromiumAvailable, launchChromium, PAINT_DIGIT, serveStatic, type StaticServer } from "./helpers/web.js";

/** The compile stage's layout, as the build folder's manifest records it. */
async function readManifestInfo(dir: string): Promise<{ layout: CommitmentLayout }> {
  return JSON.parse(await readFile(path.join(dir, "manifest.json"), "utf8")).stages.compile.info;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const OUT = path.join(ROOT, "test-results", "browser");
const haveChromium = chromiumAvailable();
if (!haveChromium) console.warn("SKIPPED: test/browser.test.ts needs Chromium (Debian: apt-get install chromium; .ci/run installs it)");

describe.skipIf(!haveChromium)("web dApp in Chromium: prove in the page, verify on-chain", () => {
  let tmp: string;
  let server: StaticServer;
  let node: HardhatNode;
  let chain: ChainConnection;
  let browser: Browser;
  let address: string;
  let appraisalDir: string;
  let oracle: Contract;
  let salesDir: string;
  let sales: Contract;
  let ledger: Contract;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "zkml-web-"));
    const site = path.join(tmp, "site");
    await buildWebExample(site);
    appraisalDir = path.join(tmp, "appraisal");
    const appraisal = await compileModel(path.join(ROOT, "examples/appraisal/appraisal.onnx"), {
      outDir: appraisalDir,
      calibrationFile: path.join(ROOT, "examples/appraisal/calibration.json"),
      fidelity: false,
    });
    await setupModel(appraisalDir);
    // The on-chain data example: its input and output hashed.
    salesDir = path.join(tmp, "sales");
    await compileModel(path.join(ROOT, "examples/sales-appraisal/sales-appraisal.onnx"), {
      outDir: salesDir,
      calibrationFile: path.join(ROOT, "examples/sales-appraisal/calibration.json"),
      fidelity: false,
      inputVisibility: "hashed",
      outputVisibility: "hashed",
    });
    await setupModel(salesDir);
    // /model/ is the build as made; /tampered/ flips one byte of its proving key.
    server = await serveStatic(
      site,
      { model: inject("mnistDir"), tampered: inject("mnistDir"), appraisal: appraisalDir, sales: salesDir },
      (build, file, bytes) => {
        if (build !== "tampered" || file !== "circuit.zkey") return bytes;
        const copy = Buffer.from(bytes);
        copy[copy.length - 100]! ^= 1;
        return copy;
      },
    );
    node = await startHardhatNode();
    chain = await connectRpc(node.url);
    address = (await deployVerifier(chain.signer, await readVerifierArtifact(inject("mnistDir")))).address;
    // The appraisal oracle example: a registry, the model registered, Poseidon, the oracle.
    const registry = (await deployRegistry(chain.signer)).address;
    const { modelId } = await deployAndRegister(chain.signer, registry, appraisalDir, "zkml:examples/appraisal");
    const poseidon = await new ContractFactory(poseidonContract.generateABI(5), poseidonContract.createCode(5), chain.signer).deploy();
    await poseidon.waitForDeployment();
    const a = await compileProjectContract("examples/AppraisalOracle.sol", "AppraisalOracle");
    const layout = appraisal.info.layout;
    oracle = (await new ContractFactory(a.abi, a.bytecode, chain.signer).deploy(
      registry,
      modelId,
      await poseidon.getAddress(),
      layoutTag(layout),
      layout.outputBits,
      appraisal.model.output.frac,
    )) as Contract;
    await oracle.waitForDeployment();
    const salesVerifier = (await deployVerifier(chain.signer, await readVerifierArtifact(salesDir))).address;
    const deployProject = async (file: string, name: string, args: unknown[]) => {
      const c = await compileProjectContract(file, name);
      const deployed = (await new ContractFactory(c.abi, c.bytecode, chain.signer).deploy(...args)) as Contract;
      await deployed.waitForDeployment();
      return deployed;
    };
    ledger = await deployProject("examples/SalesLedger.sol", "SalesLedger", []);
    sales = await deployProject("examples/SalesAppraisal.sol", "SalesAppraisal", [await ledger.getAddress(), salesVerifier]);
    for (const e of [150, 160, 155, 170, 180, 175, 190, 200]) await (await ledger.getFunction("recordSale")(BigInt(e) * 10n ** 16n)).wait();
    browser = await launchChromium();
    await mkdir(OUT, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await chain?.close();
    await node?.stop();
    await server?.close();
    await releaseCurves();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it("draws a held-out digit, proves it in the page, and the contract records the class Node's prover gives", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const zkeyDownloads: string[] = [];
    page.on("request", (r) => void (r.url().endsWith("circuit.zkey") && zkeyDownloads.push(r.url())));
    await page.goto(`${server.url}/?build=/model/&address=${address}&rpc=${encodeURIComponent(node.url)}`);
    await page.locator("#status", { hasText: "draw a digit" }).waitFor({ timeout: 120_000 });
    const firstLoadMs = Number(await page.locator("#model").getAttribute("data-load-ms"));

    const digit = await readInputFile(path.join(ROOT, "examples/mnist/digits/digit-7.json"));
    await page.evaluate(PAINT_DIGIT, digit);
    await page.click("#prove");
    await page.locator("#status", { hasText: "proved" }).waitFor({ timeout: 120_000 });
    expect(await page.locator("#verified").textContent()).toBe("valid");

    // The same pixels through Node's prover: the same quantized input, output and class.
    const input = JSON.parse((await page.locator("#pad").getAttribute("data-input"))!) as number[];
    const browserProof = JSON.parse((await page.locator("#verified").getAttribute("data-proof"))!);
    const nodeProof = (await (await InferenceProver.open(inject("mnistDir"))).prove(input)).proof;
    expect(browserProof.input.values).toEqual(nodeProof.input.values);
    expect(browserProof.output).toEqual(nodeProof.output);
    // The browser's proof file is a Node proof file: `zkml verify` accepts it.
    const check = await verifyProofFile(inject("mnistDir"), browserProof);
    expect(check.problems).toEqual([]);
    expect(check.valid).toBe(true);
    expect(Object.keys(browserProof)).toEqual(Object.keys(nodeProof));

    await page.click("#submit");
    await page.locator("#status", { hasText: /verified on-chain|rejected|could not/ }).waitFor({ timeout: 60_000 });
    expect(await page.locator("#status").textContent()).toBe("verified on-chain");
    expect(await page.locator("#onchain").getAttribute("data-class")).toBe(String(nodeProof.output.class));
    expect(Number(await page.locator("#gas").textContent())).toBeGreaterThan(200_000);

    // Replayed: the same proof and nonce again is refused by the contract.
    await page.click("#submit");
    await page.locator("#status", { hasText: "rejected" }).waitFor({ timeout: 60_000 });
    expect(await page.locator("#status").getAttribute("data-reason")).toMatch(/^NonceAlreadyUsed\(/);
    expect(await page.locator("#onchain").getAttribute("data-class")).toBe(String(nodeProof.output.class));

    const shot = path.join(OUT, "mnist-proved.png");
    await page.screenshot({ path: shot, fullPage: true });
    expect((await stat(shot)).size).toBeGreaterThan(10_000);
    expect(errors).toEqual([]);
    console.log(`[browser] first load ${firstLoadMs.toFixed(0)} ms; ${await page.locator("#timings").textContent()}`);

    // A second visit takes the proving key from the Cache API (checked again), not the network.
    expect(zkeyDownloads).toHaveLength(1);
    await page.reload();
    await page.locator("#status", { hasText: "draw a digit" }).waitFor({ timeout: 120_000 });
    expect(zkeyDownloads).toHaveLength(1);
    await context.close();
  });

  it("refuses a tampered proving key before proving anything", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/?build=/tampered/`);
    await page.locator("#status.error").waitFor({ timeout: 60_000 });
    expect(await page.locator("#status").textContent()).toMatch(/circuit\.zkey does not match the build's manifest/);
    expect(await page.locator("#prove").isDisabled()).toBe(true);
    await page.close();
  });

  it("a page pinned to one build and verifier refuses a link to another build or another contract", async () => {
    const site = path.join(tmp, "site-pinned");
    // The build as `zkml publish` writes it: exactly what the page needs, and the hash to pin.
    const published = await publishBuild(inject("mnistDir"), path.join(tmp, "published"));
    const manifestSha256 = createHash("sha256")
      .update(await readFile(path.join(published.dir, "manifest.json")))
      .digest("hex");
    expect(published.manifestSha256).toBe(manifestSha256);
    const verifier = "0x" + "ab".repeat(20);
    await buildWebExample(site, { manifestSha256, verifier });
    const pinned = await serveStatic(site, { model: published.dir, appraisal: appraisalDir });
    const page = await browser.newPage();
    try {
      await page.goto(`${pinned.url}/?build=/appraisal/`);
      await page.locator("#status.error").waitFor({ timeout: 60_000 });
      expect(await page.locator("#status").textContent()).toMatch(/manifest\.json is not the build this page expects/);
      await page.goto(`${pinned.url}/?build=/model/&address=0x${"cd".repeat(20)}`);
      await page.locator("#status.error").waitFor({ timeout: 60_000 });
      expect(await page.locator("#status").textContent()).toMatch(new RegExp(`built for the verifier ${verifier}: \\?address=0x(cd){20} is refused`));
      expect(await page.locator("#prove").isDisabled()).toBe(true);
      // Its own build loads (and says nothing of being unpinned).
      await page.goto(`${pinned.url}/?build=/model/`);
      await page.locator("#status", { hasText: "draw a digit" }).waitFor({ timeout: 120_000 });
      expect(await page.locator("#model").textContent()).not.toMatch(/unpinned/);
    } finally {
      await page.close();
      await pinned.close();
    }
  });

  // README's "## In the browser" commands, as written: the node is this suite's `hardhat node
  // --hostname 127.0.0.1` (on a free port), the build the suite's MNIST build, and the page's
  // port a free one (--port, where 5173 may be taken).
  it("runs README's web commands: npm run web -- build/mnist-mlp --rpc … deploys the verifier and serves the page pinned to both", async () => {
    const [nodeLine, webLine, ...more] = shellLines(blockAfter(await readFile(path.join(ROOT, "README.md"), "utf8"), "## In the browser"));
    expect(more).toEqual([]);
    expect(nodeLine).toBe("npx hardhat node --hostname 127.0.0.1 &");
    const words = fillPlaceholders(shellWords(webLine!), { "build/mnist-mlp": inject("mnistDir"), "http://127.0.0.1:8545": node.url });
    expect(words.slice(0, 4)).toEqual(["npm", "run", "web", "--"]);
    // What npm runs: the package's script, the words after `--` appended.
    const script = (JSON.parse(await readFile(path.join(ROOT, "package.json"), "utf8")).scripts.web as string).split(" ");
    expect(script[0]).toBe("node");
    const { spawn } = await import("node:child_process");
    const child = spawn(process.execPath, [...script.slice(1), ...words.slice(4), "--port", String(await freePort())], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const page = await browser.newPage();
    try {
      const out = await untilReady(child, /^open \S+/m, "npm run web", 180_000);
      const url = /^open (\S+)/m.exec(out)![1]!;
      const deployed = /deployed the verifier of .* at (0x[0-9a-fA-F]{40})/.exec(out)![1]!;
      expect(await chain.provider.getCode(deployed)).not.toBe("0x");
      expect(url).toContain(`address=${deployed}`);
      await page.goto(url);
      await page.locator("#status", { hasText: "draw a digit" }).waitFor({ timeout: 120_000 });
      expect(await page.locator("#model").textContent()).not.toMatch(/unpinned/);
      // Pinned to that verifier: a link naming another contract is refused.
      await page.goto(url.replace(deployed, `0x${"cd".repeat(20)}`));
      await page.locator("#status.error").waitFor({ timeout: 60_000 });
      expect(await page.locator("#status").textContent()).toMatch(/is refused/);
    } finally {
      await page.close();
      await stopChild(child);
    }
    // Stopped, it leaves nothing of the page it built behind.
    expect(child.exitCode).toBe(0);
    expect(existsSync(path.join(os.tmpdir(), `zkml-web-${child.pid}`))).toBe(false);
  }, 300_000);

  it("the appraisal page proves a regression output and the oracle stores exactly Node's value", async () => {
    const page = await browser.newPage();
    const oracleAddress = await oracle.getAddress();
    await page.goto(`${server.url}/appraisal.html?build=/appraisal/&oracle=${oracleAddress}&rpc=${encodeURIComponent(node.url)}`);
    await page.locator("#status", { hasText: "set the features" }).waitFor({ timeout: 120_000 });
    const features = [0.3, -0.2, 0.7, 0.1, -0.5, 0.45];
    for (const [i, v] of features.entries()) await page.fill(`#f${i}`, String(v));
    await page.click("#prove");
    await page.locator("#status", { hasText: "proved" }).waitFor({ timeout: 120_000 });
    const q = Number(await page.locator("#value").getAttribute("data-q"));
    const nodeProof = (await (await InferenceProver.open(appraisalDir)).prove(features)).proof;
    expect(q).toBe(nodeProof.output.values[0]);
    await page.click("#post");
    await page.locator("#status", { hasText: /posted on-chain|rejected/ }).waitFor({ timeout: 60_000 });
    expect(await page.locator("#status").textContent()).toBe("posted on-chain");
    expect(Number(await page.locator("#onchain").getAttribute("data-q"))).toBe(q);
    const layout = (await readManifestInfo(appraisalDir)).layout;
    const stored = await oracle.getFunction("appraisals")(revealedValues(layout, nodeProof).packedInput[0]!);
    expect(Number(stored.value)).toBe(q);
    await page.screenshot({ path: path.join(OUT, "appraisal-posted.png"), fullPage: true });
    await page.close();
  });

  it("the sales page proves over the contract's own sales (a hashed input) and the contract stores Node's value", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/sales.html?build=/sales/&oracle=${await sales.getAddress()}&rpc=${encodeURIComponent(node.url)}`);
    await page.locator("#status", { hasText: "ready" }).waitFor({ timeout: 120_000 });
    await page.click("#prove");
    await page.locator("#status", { hasText: /proved|error|not/ }).waitFor({ timeout: 120_000 });
    expect(await page.locator("#status").textContent()).toBe("proved: post it");
    const q = Number(await page.locator("#value").getAttribute("data-q"));
    const [input] = (await sales.getFunction("modelInput")()) as [bigint[], bigint];
    const nodeProof = (await (await InferenceProver.open(salesDir)).proveQuantized(input.map(Number))).proof;
    expect(q).toBe(nodeProof.output.values[0]);
    await page.click("#post");
    await page.locator("#status", { hasText: /posted on-chain|rejected|error/ }).waitFor({ timeout: 60_000 });
    expect(await page.locator("#status").textContent()).toBe("posted on-chain");
    const latest = await sales.getFunction("latest")();
    expect([Number(latest[0]), Number(latest[1])]).toEqual([q, 8]);
    await page.screenshot({ path: path.join(OUT, "sales-posted.png"), fullPage: true });
    await page.close();
  });
});
