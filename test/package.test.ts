/**
 * zkml as others install it: the tarball `npm pack` makes, installed into a fresh project with
 * only the npm registry and no environment variables, then used the ways a dApp developer does:
 * plain `node` imports, a strict `tsc`, the CLI end to end on the bundled tiny model, and the
 * example Hardhat 3 consumer project's own tests (which must pass and exit).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FORGE_DEPLOYED, FORGE_TEST } from "../src/foundry.js";
import { abiModuleSource } from "../verifier/abi_source.js";
import { ANVIL_ADDRESS, ANVIL_KEY, anvilAvailable, startAnvil } from "./helpers/anvil.js";
import { bundleWithEsbuild, bundleWithWebpack } from "./helpers/bundlers.js";
import { forgeBinary } from "./helpers/forge.js";
import { typedBlocks } from "./helpers/doc_checks.js";
import { blockAfter, blockName, commandsOf, docBlocks, fillPlaceholders, zkmlCommands } from "./helpers/doc_commands.js";
import { chromiumAvailable, launchChromium, serveStatic } from "./helpers/web.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const require = createRequire(import.meta.url);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The environment a user's shell would have: none of npm's lifecycle variables, no ONNXRUNTIME_NODE_INSTALL. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) || k === "ONNXRUNTIME_NODE_INSTALL" || k === "INIT_CWD" || k.startsWith("VITEST") || k === "NODE_OPTIONS") continue;
    env[k] = v;
  }
  // Hardhat 3 needs Node >= 22: the node running this suite (the project's node@22) comes first.
  env.PATH = `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}`;
  return env;
}

/** cleanEnv() without the variables that tell a tool it runs in CI (Hardhat then prints every error's stack): a user's terminal. */
function terminalEnv(): NodeJS.ProcessEnv {
  const env = cleanEnv();
  for (const k of ["CI", "CONTINUOUS_INTEGRATION", "GITHUB_ACTIONS", "BUILD_NUMBER", "RUN_ID", "NOW", "DEPLOYMENT_ID", "CODEBUILD_BUILD_NUMBER"]) delete env[k];
  return env;
}

function run(cmd: string, args: string[], cwd: string, timeoutMs = 300_000, env = cleanEnv()): Promise<Run> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env, timeout: timeoutMs, maxBuffer: 64 << 20 }, (e, stdout, stderr) => {
      const code = e ? (typeof e.code === "number" ? e.code : 1) : 0;
      resolve({ code, stdout, stderr: stderr + (e && typeof e.code !== "number" ? `\n${e.message}` : ""), ms: performance.now() - t0 });
    });
  });
}

/** The zkml CLI a project installed, run in that project (as `npx zkml` would, without npm's start-up). */
function installedZkml(dir: string, args: string[], env = cleanEnv()): Promise<Run> {
  return run(process.execPath, [path.join(dir, "node_modules/.bin/zkml"), ...args], dir, 300_000, env);
}

/** A static site served and a Chromium to open it, both closed after `use`. */
async function inChromium<T>(site: string, use: (browser: Browser, url: string) => Promise<T>): Promise<T> {
  const server = await serveStatic(site, {});
  const browser = await launchChromium();
  try {
    return await use(browser, server.url);
  } finally {
    await browser.close();
    await server.close();
  }
}

/** Strict tsc (no skipLibCheck) over `files` of `dir`, with the module settings given, through a tsconfig named `name`. */
async function strictTsc(dir: string, name: string, options: Record<string, unknown>, files: string[]): Promise<Run> {
  const compilerOptions = { target: "ES2022", strict: true, noEmit: true, skipLibCheck: false, ...options };
  await writeFile(path.join(dir, name), JSON.stringify({ compilerOptions, files }));
  return run(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", name], dir);
}

/** The docs' blocks held to strict tsc (test/helpers/doc_checks.ts), each as a file of `dir` after the context it leaves to the reader. */
async function writeTypedBlocks(dir: string, dom: boolean): Promise<string[]> {
  const docs = ["README.md", ...(await readdir(path.join(ROOT, "docs"))).map((f) => `docs/${f}`)];
  const all = await Promise.all(docs.map(async (doc) => docBlocks(doc, await readFile(path.join(ROOT, doc), "utf8"))));
  const files: string[] = [];
  for (const { name, context } of typedBlocks().filter((t) => t.dom === dom)) {
    const block = all.flat().find((b) => blockName(b) === name);
    if (!block) throw new Error(`no block ${name}`);
    const file = `doc-blocks/${files.length}${dom ? "-dom" : ""}.ts`;
    await mkdir(path.join(dir, "doc-blocks"), { recursive: true });
    await writeFile(path.join(dir, file), `// ${name}\n${block.body}\n\n${context}\nexport {};\n`);
    files.push(file);
  }
  expect(files.length).toBeGreaterThan(0);
  return files;
}

async function duMb(dir: string): Promise<number> {
  let bytes = 0;
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) bytes += (await stat(p)).size;
    }
  };
  await walk(dir);
  return bytes / 2 ** 20;
}

describe("verifier/abi.ts", () => {
  it("is what scripts/abi.ts makes from contracts/ (run it after changing an interface)", async () => {
    expect(await readFile(path.join(ROOT, "verifier/abi.ts"), "utf8")).toBe(await abiModuleSource());
  });
});

/** A dApp's page as its developer writes it: prove the input served beside it, leave the outcome for the test. */
const PAGE_SCRIPT = `import { BrowserProver } from "zkml/browser";

async function main() {
  try {
    const workerUrl = document.body.dataset.worker || undefined;
    const prover = await BrowserProver.open(new URL("/models/tiny/", location.href).href, workerUrl ? { workerUrl } : {});
    const values = await (await fetch("/input.json")).json();
    const { proof, verified } = await prover.prove(values);
    prover.close();
    window.zkmlResult = { verified, class: proof.output.class };
  } catch (e) {
    window.zkmlResult = { error: String((e && e.message) || e) };
  }
}
main();
`;

/**
 * What source verification (hardhat-verify, Etherscan, Sourcify) does with a deployed contract:
 * compile the standard-JSON input of its build info with the same solc and compare with the code
 * on chain, the immutables' slots (the model id) blanked as the verifiers blank them.
 */
const VERIFY_SOURCE_SCRIPT = `import hre from "hardhat";
import { readFile } from "node:fs/promises";
import solc from "solc";

const manifest = JSON.parse(await readFile("zkml/tiny/manifest.json", "utf8"));
const name = manifest.stages.setup.info.contract.name;
const artifact = JSON.parse(await readFile(\`artifacts/zkml/tiny/contracts/\${name}.sol/\${name}.json\`, "utf8"));
const buildInfo = JSON.parse(await readFile(\`artifacts/build-info/\${artifact.buildInfoId}.json\`, "utf8"));
const { ethers } = await hre.network.create();
const deployed = await ethers.deployContract(name);
const modelId = (await deployed.getFunction("modelId")()) === manifest.stages.compile.info.modelId ? "modelId matches" : "modelId differs";
let onchain = (await ethers.provider.getCode(await deployed.getAddress())).slice(2);
const slots = Object.values(artifact.immutableReferences).flat();
for (const { start, length } of slots) onchain = onchain.slice(0, start * 2) + "0".repeat(length * 2) + onchain.slice((start + length) * 2);
const input = { ...buildInfo.input, settings: { ...buildInfo.input.settings, outputSelection: { "*": { "*": ["evm.deployedBytecode.object"] } } } };
const out = JSON.parse(solc.compile(JSON.stringify(input)));
const recompiled = out.contracts[artifact.inputSourceName][name].evm.deployedBytecode.object;
const verdict = recompiled === onchain ? "recompiles to the deployed code" : "recompiles to other code";
console.log(\`\${name} \${modelId}; \${verdict} (solc \${buildInfo.solcLongVersion}, \${slots.length} immutable slots)\`);
`;

describe("the installed package (npm pack → npm install in a blank project → zkml init → npm install, npm test)", () => {
  let tmp: string;
  let project: string;
  let installMs: number;
  let tarball: string;
  let blank: string;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "zkml-package-"));
    const pack = await run("npm", ["pack", "--pack-destination", tmp, "--json"], ROOT);
    expect(pack.code, pack.stderr).toBe(0);
    const packed = (JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[])[0]!;
    // The licence and what applies to the generated circuits and contracts travel with it.
    expect(packed.files.map((f) => f.path)).toEqual(expect.arrayContaining(["LICENSE", "THIRD_PARTY_NOTICES.md"]));
    tarball = path.join(tmp, packed.filename);
    // zkml alone in a blank project, as `npm install zkml` makes it.
    blank = path.join(tmp, "blank");
    await mkdir(blank);
    await writeFile(path.join(blank, "package.json"), JSON.stringify({ name: "blank", version: "1.0.0", type: "module", private: true }));
    const bare = await run("npm", ["install", tarball, "--no-audit", "--no-fund"], blank, 600_000);
    expect(bare.code, bare.stderr).toBe(0);
    // The starter project its `zkml init` writes, depending on the tarball as a user's would on the registry.
    project = path.join(tmp, "consumer");
    const init = await run("npx", ["zkml", "init", project, "--zkml", `file:${tarball}`], blank, 120_000);
    expect(init.code, init.stderr).toBe(0);
    // viem: an optional peer the viem snippet of docs/SDK.md is type-checked against.
    const install = await run("npm", ["install", "@types/node@22", "viem@2", "--no-audit", "--no-fund"], project, 600_000);
    installMs = install.ms;
    expect(install.code, install.stderr).toBe(0);
  }, 900_000);

  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it("ships what a user needs and nothing of the checkout; the optional peers are not installed", async () => {
    const pkg = path.join(project, "node_modules/zkml");
    for (const f of [
      "dist/src/index.js",
      "dist/src/index.d.ts",
      "dist/cli/main.js",
      "dist/hardhat-plugin/index.js",
      "contracts/IZkmlVerifier.sol",
      "circuits/lib/requant.circom",
      "examples/tiny-mlp/tiny-mlp.onnx",
      "native/binding.gyp",
      "native/src/msm.h",
      "scripts/build_native.mjs",
    ]) {
      expect(existsSync(path.join(pkg, f)), f).toBe(true);
    }
    for (const f of ["test", ".ci", "bench/results", "cli/main.ts", "src/index.ts", "tsconfig.json"]) expect(existsSync(path.join(pkg, f)), f).toBe(false);
    for (const optional of ["onnxruntime-node", "fastify", "bullmq", "ioredis", "circomlibjs"])
      expect(existsSync(path.join(project, "node_modules", optional)), optional).toBe(false);
    const mb = await duMb(path.join(project, "node_modules"));
    console.log(
      `package: installed in ${(installMs / 1000).toFixed(1)} s; node_modules ${mb.toFixed(0)} MB (zkml + hardhat + hardhat-ethers + node-test-runner + @types/node)`,
    );
  });

  it("builds the native curve backend on install where g++ is, from the sources it ships (zkml --version names it)", async () => {
    const hasCompiler = (await run("g++", ["--version"], blank)).code === 0;
    const version = await run("npx", ["zkml", "--version", "--json"], blank);
    expect(version.code, version.stderr).toBe(0);
    const curve = JSON.parse(version.stdout).curveBackend;
    if (!hasCompiler) {
      console.warn("package: no g++ here; the installed zkml runs on WebAssembly");
      expect(curve.backend).toBe("wasm");
      return;
    }
    expect(curve, JSON.stringify(curve)).toMatchObject({ backend: "native" });
    expect(existsSync(path.join(blank, "node_modules/zkml/native/build/Release/zkml_native.node"))).toBe(true);
  });

  it("installs into a blank project without Hardhat in at most 150 MB; what needs Hardhat says so at once", async () => {
    expect(existsSync(path.join(blank, "node_modules/hardhat"))).toBe(false);
    const mb = await duMb(path.join(blank, "node_modules"));
    console.log(`package: a blank project's node_modules ${mb.toFixed(0)} MB (zkml alone, no optional peer)`);
    expect(mb).toBeLessThanOrEqual(150);
    const demo = await run("npx", ["zkml", "demo", "--out", "build/demo"], blank, 120_000);
    expect(demo.code).toBe(1);
    expect(demo.stderr).toMatch(/needs hardhat 3 \(an optional peer of zkml\).*npm install hardhat@3/);
    expect(existsSync(path.join(blank, "build/demo"))).toBe(false);
  }, 700_000);

  it("imports with plain node (ESM), and require()s on Node >= 22", async () => {
    const stages = [
      "compileModel",
      "setupModel",
      "InferenceProver",
      "verifyProofFile",
      "deployRegistry",
      "registerModel",
      "submitToRegistry",
      "encodeProof",
      "contribute",
      "computeContext",
    ];
    const esm = await run(
      process.execPath,
      ["--input-type=module", "-e", `const z = await import("zkml"); console.log(${JSON.stringify(stages)}.map((n) => typeof z[n]).join(" "))`],
      project,
    );
    expect(esm.code, esm.stderr).toBe(0);
    expect(esm.stdout.trim()).toBe(stages.map(() => "function").join(" "));
    const cjs = await run(process.execPath, ["-e", 'const z = require("zkml"); console.log(typeof z.verifyProofFile)'], project);
    expect(cjs.code, cjs.stderr).toBe(0);
    expect(cjs.stdout.trim()).toBe("function");
    // The system's Node (20 on this machine), if there is one: the SDK needs no Node 22.
    if (existsSync("/usr/bin/node")) {
      const node20 = await run("/usr/bin/node", ["--input-type=module", "-e", 'const z = await import("zkml"); console.log(typeof z.compileModel)'], project);
      expect(node20.code, node20.stderr).toBe(0);
      expect(node20.stdout.trim()).toBe("function");
    }
  });

  it("type-checks a consumer's code and the starter's SDK script with strict tsc (no skipLibCheck, no shims)", async () => {
    await writeFile(
      path.join(project, "consumer.ts"),
      `import { compileModel, setupModel, InferenceProver, computeContext, verifyProofFile, inferenceCalldata, type ProofFile } from "zkml";
import { IZKML_VERIFIER_ABI, type ZkmlUserConfig } from "zkml/hardhat";

const config: ZkmlUserConfig = { models: { tiny: { onnx: "tiny.onnx", system: "groth16" } } };
export async function proveOnce(onnx: string, input: number[]): Promise<ProofFile> {
  const c = await compileModel(onnx, { outDir: "build/x" });
  await setupModel(c.outDir);
  const prover = await InferenceProver.open(c.outDir);
  const context = computeContext({ chainId: 31337n, contract: "0x" + "11".repeat(20), sender: "0x" + "22".repeat(20), nonce: 0n });
  const { proof } = await prover.prove(input, { value: context });
  const check = await verifyProofFile(c.outDir, proof);
  const [bytes, signals, nonce]: [string, bigint[], bigint] = await inferenceCalldata(proof, 0n);
  const event: string = IZKML_VERIFIER_ABI.filter((e) => e.type === "event")[0]!.name;
  return check.valid && bytes && signals.length && nonce === 0n && event && config ? proof : proof;
}
`,
    );
    const snippets = await writeTypedBlocks(project, false);
    const tsc = await strictTsc(
      project,
      "tsconfig.json",
      { module: "NodeNext", moduleResolution: "NodeNext", types: ["node"], allowImportingTsExtensions: true },
      ["consumer.ts", "scripts/prove-and-verify.ts", "hardhat.config.ts", ...snippets],
    );
    expect(tsc.code, tsc.stdout + tsc.stderr).toBe(0);
  }, 120_000);

  it("runs the CLI: --version, and compile, setup, prove, verify of the bundled tiny model", async () => {
    const zkml = (args: string[]) => installedZkml(project, args);
    const version = await zkml(["--version"]);
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout).toMatch(/^zkml 0\.1\.0 \(snarkjs /);
    const ex = "node_modules/zkml/examples/tiny-mlp";
    const compile = await zkml(["compile", `${ex}/tiny-mlp.onnx`, "--calibration", `${ex}/calibration.json`, "--out", "build/tiny"]);
    expect(compile.code, compile.stderr).toBe(0);
    // No onnxruntime-node: the fidelity report says so and how to get it, and nothing fails.
    expect(compile.stdout).toMatch(/fidelity vs float: skipped: .*onnxruntime-node.*npm install onnxruntime-node/);
    const setup = await zkml(["setup", "build/tiny"]);
    expect(setup.code, setup.stderr).toBe(0);
    const prove = await zkml(["prove", "build/tiny", "--input", `${ex}/input.json`]);
    expect(prove.code, prove.stderr).toBe(0);
    const verify = await zkml(["verify", "build/tiny", "build/tiny/proof.json", "--json"]);
    expect(verify.code, verify.stderr).toBe(0);
    expect(JSON.parse(verify.stdout).valid).toBe(true);
    // A forged proof file: the installed CLI refuses it (exit 1, no stack trace).
    const proof = JSON.parse(await readFile(path.join(project, "build/tiny/proof.json"), "utf8"));
    proof.output.class = (proof.output.class + 1) % 3;
    await writeFile(path.join(project, "build/tiny/forged.json"), JSON.stringify(proof));
    const forged = await zkml(["verify", "build/tiny", "build/tiny/forged.json"]);
    expect(forged.code).toBe(1);
    expect(forged.stderr).not.toMatch(/\n\s+at /);
    // The proving service's packages are optional peers: asked for, they are named.
    const serve = await zkml(["serve"]);
    expect(serve.code).toBe(1);
    expect(serve.stderr).toMatch(/zkml serve needs the npm package (fastify|bullmq|ioredis).*npm install fastify@5 bullmq@5 ioredis@5/);
    expect(serve.stderr).not.toMatch(/\n\s+at /);
  }, 300_000);

  // README's CLI block as written, in order, from the installed package, against anvil: each
  // placeholder filled from the table below; a command that needs more than the block gives is
  // prepared by the step named for it, or not run, with the reason.
  it.skipIf(!anvilAvailable())(
    "runs README's CLI block from the installed package (placeholders filled, against anvil)",
    async () => {
      const anvil = await startAnvil();
      const env = { ...cleanEnv(), ZKML_PRIVATE_KEY: ANVIL_KEY };
      const zkml = async (args: string[]) => {
        const r = await installedZkml(blank, args, env);
        expect(r.code, `zkml ${args.join(" ")}\n${r.stdout}${r.stderr}`).toBe(0);
        return r.stdout;
      };
      // The reader's files, under the names the block gives them: the bundled tiny MLP's.
      const ex = path.join(blank, "node_modules/zkml/examples/tiny-mlp");
      await cp(path.join(ex, "tiny-mlp.onnx"), path.join(blank, "model.onnx"));
      await cp(path.join(ex, "calibration.json"), path.join(blank, "samples.json"));
      await cp(path.join(ex, "input.json"), path.join(blank, "input.json"));
      const table: Record<string, string> = {
        "http://127.0.0.1:8545": anvil.url,
        "--rpc …": anvil.url,
        "--sender 0x…": ANVIL_ADDRESS,
        "p2.json …": "",
      };
      const address = (out: string) => /deployed \S+ at (0x[0-9a-fA-F]{40})/.exec(out)?.[1] ?? "none";
      const prove = (...how: string[]) => zkml(["prove", "build/model", "--input", "input.json", ...how]);
      /** What a line needs beyond the block, as its comment says: the proof it names, made for its contract. */
      const before: [RegExp, () => Promise<unknown>][] = [
        [/^npx zkml contribute .*# .*keys from --ceremony/, () => zkml(["setup", "build/model", "--ceremony"])],
        [
          /^npx zkml foundry build\/model proof\.json .*made for forge's addresses/,
          () => prove("--chain-id", "31337", "--contract", FORGE_DEPLOYED, "--sender", FORGE_TEST, "--nonce", "0", "--out", "proof.json"),
        ],
        [/# proof made with --contract <registry>/, () => prove("--rpc", anvil.url, "--contract", table["--registry 0x…"]!, "--out", "proof.json")],
        [
          /--batch p1\.json p2\.json/,
          async () => {
            const signed = ["--chain-id", "31337", "--contract", table["--address 0x…"]!, "--sender", ANVIL_ADDRESS];
            await prove(...signed, "--nonce", "7", "--out", "p1.json");
            await prove(...signed, "--nonce", "8", "--out", "p2.json");
          },
        ],
      ];
      const notRun: [RegExp, string][] = [[/--from-chain/, "needs a consumer contract with modelInput(): test/onchain-data.test.ts runs it"]];
      const ran: string[] = [];
      try {
        for (const { line, args } of zkmlCommands(blockAfter(await readFile(path.join(ROOT, "README.md"), "utf8"), "## The CLI"))) {
          if (notRun.some(([re]) => re.test(line))) continue;
          for (const [re, prepare] of before) if (re.test(line)) await prepare();
          const out = await zkml(fillPlaceholders(args, table).filter(Boolean));
          ran.push(args[0]!);
          if (args[0] === "deploy") table["--contract 0x…"] = table["--address 0x…"] = address(out);
          if (args[0] === "deploy-registry") table["--registry 0x…"] = address(out);
          if (args[0] === "verify-onchain") expect(out).toMatch(/^accepted on chain 31337/m);
        }
        // The Foundry project the installed CLI wrote: forge (npm's @foundry-rs/forge, as a user
        // installs it) tests it offline over the solc the project's script finds.
        const forgeBin = forgeBinary();
        if (forgeBin) {
          const forge = await run(forgeBin, ["test", "--offline", "--use", "./solc"], path.join(blank, "zkml-forge"));
          expect(forge.code, forge.stdout + forge.stderr).toBe(0);
          expect(forge.stdout).toMatch(/3 tests passed, 0 failed/);
        }
        // docs/SDK.md's real-chain block on the build README's made: the key from the variable it exports.
        const sdk = blockAfter(await readFile(path.join(ROOT, "docs/SDK.md"), "utf8"), "## The CLI on a real chain");
        expect(sdk).toMatch(/^export ZKML_PRIVATE_KEY=/m);
        const onChain = zkmlCommands(sdk);
        expect(onChain.map((c) => c.args[0])).toEqual(["deploy", "prove", "calldata", "verify-onchain"]);
        for (const { args } of onChain) {
          const out = await zkml(fillPlaceholders(args, { $RPC: anvil.url }));
          if (args[0] === "verify-onchain") expect(out).toMatch(/^accepted on chain 31337/m);
        }
      } finally {
        await anvil.stop();
      }
      // Every verb of the block ran but the one named above.
      expect(ran).toEqual(
        expect.arrayContaining([
          "compile",
          "setup",
          "contribute",
          "check",
          "prove",
          "verify",
          "deploy",
          "verify-onchain",
          "calldata",
          "publish",
          "foundry",
          "init",
          "deploy-registry",
          "register",
        ]),
      );
      expect(ran.filter((v) => v === "verify-onchain")).toHaveLength(3);
    },
    600_000,
  );

  // After the CLI test: the page proves the tiny model that test built and proved in Node.
  it.skipIf(!chromiumAvailable())(
    "bundles a page with esbuild and with webpack 5 from the installed zkml/browser; each proves in Chromium as Node did",
    async () => {
      const pub = path.join(project, "public");
      const published = await installedZkml(project, ["publish", "build/tiny", "--out", "public/models/tiny"]);
      expect(published.code, published.stderr).toBe(0);
      const ex = JSON.parse(await readFile(path.join(project, "node_modules/zkml/examples/tiny-mlp/input.json"), "utf8")) as { input: number[] };
      await writeFile(path.join(pub, "input.json"), JSON.stringify(ex.input));
      await mkdir(path.join(project, "web"), { recursive: true });
      await writeFile(path.join(project, "web/main.js"), PAGE_SCRIPT);
      const bundles = {
        esbuild: await bundleWithEsbuild(project, "./web/main.js", path.join(pub, "esbuild"), "esbuild"),
        webpack: await bundleWithWebpack(project, "./web/main.js", path.join(pub, "webpack"), "webpack"),
        // esbuild's page given a worker URL where nothing is served: the error names it.
        missing: { script: "/esbuild/main.js", workerUrl: "/nowhere/prove_worker.js" },
      };
      for (const [name, b] of Object.entries(bundles)) {
        const worker = b.workerUrl ? ` data-worker="${b.workerUrl}"` : "";
        await writeFile(path.join(pub, `${name}.html`), `<!doctype html><html><body${worker}><script type="module" src="${b.script}"></script></body></html>`);
      }
      const nodeClass = JSON.parse(await readFile(path.join(project, "build/tiny/proof.json"), "utf8")).output.class;
      type PageResult = { verified?: boolean; class?: number; error?: string };
      const results = await inChromium(pub, async (browser, url) => {
        const out: Record<string, PageResult> = {};
        for (const name of Object.keys(bundles)) {
          const page = await browser.newPage();
          await page.goto(`${url}/${name}.html`);
          await page.waitForFunction(() => (window as { zkmlResult?: unknown }).zkmlResult !== undefined, undefined, { timeout: 60_000 });
          out[name] = await page.evaluate(() => (window as unknown as { zkmlResult: PageResult }).zkmlResult);
          await page.close();
        }
        return out;
      });
      expect(results.esbuild).toEqual({ verified: true, class: nodeClass });
      expect(results.webpack).toEqual({ verified: true, class: nodeClass });
      expect(results.missing!.error).toMatch(/proving worker did not load from \/nowhere\/prove_worker\.js/);
    },
    300_000,
  );

  it("runs docs/SDK.md's Node script as written, in the starter project", async () => {
    const block = blockAfter(await readFile(path.join(ROOT, "docs/SDK.md"), "utf8"), "## A Node script", 1, "ts");
    await writeFile(path.join(project, "sdk-block.ts"), block);
    const script = await run(process.execPath, ["sdk-block.ts"], project);
    expect(script.code, script.stdout + script.stderr).toBe(0);
    expect(script.stdout).toMatch(/^class \d+: off-chain valid; on-chain accepted, gas \d+$/m);
  }, 300_000);

  it("runs the starter project's SDK script (examples/sdk/prove-and-verify.ts) against the installed package", async () => {
    const script = await run("npm", ["run", "prove-and-verify"], project);
    expect(script.code, script.stdout + script.stderr).toBe(0);
    expect(script.stdout).toMatch(/class \d+; off-chain valid; on-chain accepted \(gas \d+\)/);
  }, 300_000);

  it("runs the starter project's own tests (npm test: the example Hardhat consumer's), which pass and exit", async () => {
    const test = await run("npm", ["test"], project, 400_000);
    expect(test.code, test.stdout + test.stderr).toBe(0);
    expect(test.stdout).toMatch(/2 passing/);
    expect(test.stdout).not.toMatch(/failing/);
    console.log(`package: the Hardhat consumer's tests (model build included) ran in ${(test.ms / 1000).toFixed(1)} s`);
    // The built model's verifier is a source of the project: `hardhat build` makes it an artifact,
    // which hardhat-ethers deploys by name, and whose build info is what source verification
    // (hardhat-verify, Etherscan, Sourcify) submits: it must recompile to the code on chain.
    const built = await run("npx", ["hardhat", "build"], project, 300_000);
    expect(built.code, built.stdout + built.stderr).toBe(0);
    await writeFile(path.join(project, "verify-source.ts"), VERIFY_SOURCE_SCRIPT);
    const source = await run("npx", ["hardhat", "run", "verify-source.ts"], project, 300_000);
    expect(source.code, source.stdout + source.stderr).toBe(0);
    expect(source.stdout).toMatch(/^ZkmlVerifier_tiny\S* modelId matches; recompiles to the deployed code \(solc 0\.8\.37\S*, \d+ immutable slots\)$/m);
    // The starter's Ignition module deploys the verifier and the ClassGate on it.
    const ignition = await run("npx", ["hardhat", "ignition", "deploy", "ignition/modules/ClassGate.ts"], project, 300_000);
    expect(ignition.code, ignition.stdout + ignition.stderr).toBe(0);
    expect(ignition.stdout).toMatch(/ClassGate#ZkmlVerifier_tiny\S* - 0x[0-9a-fA-F]{40}/);
    expect(ignition.stdout).toMatch(/ClassGate#ClassGate - 0x[0-9a-fA-F]{40}/);
    // As a user's terminal shows it (in CI, Hardhat prints every error's stack on purpose).
    const unknown = await run("npx", ["hardhat", "zkml", "prove", "--model", "nope", "--input", "x.json"], project, 120_000, terminalEnv());
    expect(unknown.code).not.toBe(0);
    expect(unknown.stdout + unknown.stderr).toMatch(/no model "nope" in the config's zkml.models \(tiny\)/);
    // Shown as a plugin's error: one line, no stack, not "a bug in Hardhat".
    expect(unknown.stdout + unknown.stderr).toMatch(/Error in community plugin zkml/);
    expect(unknown.stdout + unknown.stderr).not.toMatch(/unexpected error|bug in Hardhat|\n\s+at /);
    // Deploying to the chain simulated in-process would record an address that is gone with it,
    // and proving there would look for a verifier it cannot have. (The tasks on a real node:
    // the docs' Hardhat test below.)
    const recorded = () => readFile(path.join(project, "zkml/tiny/deployments.json"), "utf8").catch(() => "none");
    const before = await recorded();
    const deploy = await run("npx", ["hardhat", "zkml", "deploy", "--model", "tiny"], project, 120_000);
    expect(deploy.code).not.toBe(0);
    expect(deploy.stdout + deploy.stderr).toMatch(/simulated in this process.*pass --network/);
    expect(await recorded()).toBe(before);
    const prove = await run(
      "npx",
      ["hardhat", "zkml", "prove", "--model", "tiny", "--input", "node_modules/zkml/examples/tiny-mlp/input.json"],
      project,
      120_000,
    );
    expect(prove.code).not.toBe(0);
    expect(prove.stdout + prove.stderr).toMatch(/simulated in this process, where no verifier is deployed: pass the --network/);
  }, 420_000);

  // The config's models/ are the reader's files: the bundled MNIST model's, under the names the
  // block gives them. `--network localhost` is Hardhat's http://localhost:8545, where anvil runs.
  it.skipIf(!anvilAvailable())(
    "runs docs/SDK.md's Hardhat config and every task of its block as written, against a node on localhost:8545",
    async () => {
      const sdk = await readFile(path.join(ROOT, "docs/SDK.md"), "utf8");
      const heading = "## The Hardhat 3 plugin: `zkml/hardhat`";
      const dir = path.join(project, "docs-hardhat");
      await mkdir(path.join(dir, "models"), { recursive: true });
      await writeFile(path.join(dir, "package.json"), JSON.stringify({ name: "docs-hardhat", private: true, type: "module" }));
      await writeFile(path.join(dir, "hardhat.config.ts"), blockAfter(sdk, heading, 1, "ts"));
      const mnist = path.join(project, "node_modules/zkml/examples/mnist");
      await cp(path.join(mnist, "mnist-mlp.onnx"), path.join(dir, "models/mnist.onnx"));
      await cp(path.join(mnist, "calibration.json"), path.join(dir, "models/calibration.json"));
      await cp(path.join(mnist, "digits/digit-7.json"), path.join(dir, "input.json"));
      const tasks = commandsOf(blockAfter(sdk, heading, 2), ["hardhat", "zkml"]);
      expect(tasks.map((t) => t.args[0])).toEqual(["compile", "setup", "deploy", "prove", "verify", "verify-onchain", "calldata", "check"]);
      const anvil = await startAnvil(8545);
      const outputs: Record<string, string> = {};
      try {
        for (const { args } of tasks) {
          const r = await run(process.execPath, [path.join(project, "node_modules/.bin/hardhat"), "zkml", ...fillPlaceholders(args, {})], dir, 300_000);
          expect(r.code, `hardhat zkml ${args.join(" ")}\n${r.stdout}${r.stderr}`).toBe(0);
          outputs[args[0]!] = r.stdout + r.stderr;
        }
        // A forged class is refused by the verify task (exit 1), as by the CLI.
        const forged = JSON.parse(await readFile(path.join(dir, "zkml/digits/proof.json"), "utf8"));
        forged.output.class = (forged.output.class + 1) % 10;
        await writeFile(path.join(dir, "forged.json"), JSON.stringify(forged));
        const refused = await run(
          process.execPath,
          [path.join(project, "node_modules/.bin/hardhat"), "zkml", "verify", "--model", "digits", "--proof", "forged.json"],
          dir,
        );
        expect(refused.code).toBe(1);
        expect(refused.stdout + refused.stderr).toMatch(/INVALID[\s\S]*output\.class/);
      } finally {
        await anvil.stop();
      }
      expect(outputs.setup).toMatch(/zkml: digits: keys and verifier ready in .*zkml[/\\]digits/);
      expect(outputs.setup, "setup after compile: the build is current").not.toMatch(/compiling/);
      expect(JSON.parse(await readFile(path.join(dir, "zkml/digits/deployments.json"), "utf8"))).toHaveProperty("31337");
      expect(outputs.verify).toMatch(/valid, class \d/);
      expect(outputs["verify-onchain"]).toMatch(/accepted/);
      expect(outputs.check).toMatch(/zkml: digits: pinned/);
    },
    600_000,
  );

  // After the starter's tests, which built zkml/tiny.
  it.skipIf(!chromiumAvailable())(
    "builds the starter's web page with Vite (npm run web:build); typed with the DOM, it proves in Chromium as Node did",
    async () => {
      const built = await run("npm", ["run", "web:build"], project, 300_000);
      expect(built.code, built.stdout + built.stderr).toBe(0);
      const snippets = await writeTypedBlocks(project, true);
      const tsc = await strictTsc(project, "tsconfig.web.json", { module: "ESNext", moduleResolution: "Bundler", lib: ["ES2022", "DOM"], types: [] }, [
        "web/main.ts",
        ...snippets,
      ]);
      expect(tsc.code, tsc.stdout + tsc.stderr).toBe(0);
      const nodeClass = JSON.parse(await readFile(path.join(project, "build/tiny/proof.json"), "utf8")).output.class;
      const shown = await inChromium(path.join(project, "web/dist"), async (browser, url) => {
        const page = await browser.newPage();
        await page.goto(`${url}/index.html`);
        await page.click("#prove");
        await page.waitForSelector("#result[data-class], #result[data-error]", { timeout: 60_000 });
        return page.evaluate(() => ({ ...(document.getElementById("result") as HTMLElement).dataset }));
      });
      expect(shown).toEqual({ class: String(nodeClass), verified: "true" });
    },
    420_000,
  );
});
