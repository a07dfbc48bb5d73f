/**
 * zkml: prove ML inference in zero knowledge and verify it on Ethereum.
 * A thin layer over the SDK (src/index.ts): parse, call, print.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { zkmlVersion } from "../core/package_files.js";
import { exitCodeOf, isZkmlError, ZkmlError } from "../core/errors.js";
import { loadOptional, makeContext, nearestName, parseVerbArgs, toJson, type Verb } from "./io.js";

/** Each verb's module is loaded only when it runs: `zkml --help` and `--version` load no SDK. */
interface VerbEntry {
  name: string;
  summary: string;
  load(): Promise<Verb>;
}

const VERBS: VerbEntry[] = [
  {
    name: "init",
    summary: "write a starter project (Hardhat 3 + the plugin, a dApp contract and its test, an SDK script)",
    load: async () => (await import("./verbs/init.js")).initVerb,
  },
  {
    name: "compile",
    summary: "ONNX model → quantized model + circom circuit (r1cs, witness wasm)",
    load: async () => (await import("./verbs/compile.js")).compileVerb,
  },
  {
    name: "check",
    summary: "check that every wire of a compiled circuit is pinned (exit 0 sound, 1 not)",
    load: async () => (await import("./verbs/check.js")).checkVerb,
  },
  {
    name: "setup",
    summary: "proving/verifying keys (Groth16, PLONK or FFLONK) and the Solidity verifier for a build folder",
    load: async () => (await import("./verbs/setup.js")).setupVerb,
  },
  {
    name: "contribute",
    summary: "add a Groth16 phase-2 contribution (or a closing random beacon) to a build folder's key",
    load: async () => (await import("./verbs/setup.js")).contributeVerb,
  },
  {
    name: "prove",
    summary: "prove one inference: proof + public signals + the decoded result",
    load: async () => (await import("./verbs/prove.js")).proveVerb,
  },
  { name: "verify", summary: "verify a proof off-chain (exit 0 valid, 1 invalid)", load: async () => (await import("./verbs/verify.js")).verifyVerb },
  { name: "deploy", summary: "deploy the model's verifier contract to a JSON-RPC chain", load: async () => (await import("./verbs/chain.js")).deployVerb },
  {
    name: "deploy-registry",
    summary: "deploy a zkml model registry (one per chain serves every model)",
    load: async () => (await import("./verbs/chain.js")).deployRegistryVerb,
  },
  {
    name: "register",
    summary: "deploy a model's snarkjs verifier and register the model in a registry",
    load: async () => (await import("./verbs/chain.js")).registerVerb,
  },
  {
    name: "verify-onchain",
    summary: "submit a proof (or a batch: --batch) to a deployed verifier or the registry (exit 0 accepted, 1 rejected)",
    load: async () => (await import("./verbs/chain.js")).verifyOnchainVerb,
  },
  {
    name: "calldata",
    summary: "print the calldata of a proof's verifyInference transaction (for a wallet, multisig or cast)",
    load: async () => (await import("./verbs/calldata.js")).calldataVerb,
  },
  {
    name: "publish",
    summary: "copy what a web page needs to prove with a build (and nothing else) to a folder to serve",
    load: async () => (await import("./verbs/publish.js")).publishVerb,
  },
  {
    name: "demo",
    summary: "the whole pipeline on the bundled MNIST model, verified off-chain and on an in-process chain",
    load: async () => (await import("./verbs/demo.js")).demoVerb,
  },
  {
    name: "bench",
    summary: "measure cost and latency (constraints, times, memory, sizes, gas) for models × proof systems",
    load: async () => (await import("./verbs/bench.js")).benchVerb,
  },
  {
    name: "serve",
    summary: "run the proving service's HTTP API (jobs go to `zkml worker` processes through Redis)",
    load: async () => (await loadOptional("zkml serve", () => import("./verbs/service.js"))).serveVerb,
  },
  {
    name: "worker",
    summary: "prove jobs from the service's queue (run any number, on any number of machines)",
    load: async () => (await loadOptional("zkml worker", () => import("./verbs/service.js"))).workerVerb,
  },
  {
    name: "token",
    summary: "make an API token for `zkml serve` (its hash is stored; the token is shown once)",
    load: async () => (await loadOptional("zkml token", () => import("./verbs/service.js"))).tokenVerb,
  },
];

function mainHelp(): string {
  const width = Math.max(...VERBS.map((v) => v.name.length));
  return `zkml — prove quantized ONNX inference with circom + snarkjs (Groth16, PLONK, FFLONK) and verify it on Ethereum

Usage: zkml <verb> [options]     zkml <verb> --help for each verb's options     zkml --version

${VERBS.map((v) => `  ${v.name.padEnd(width)}  ${v.summary}`).join("\n")}

Typical flow:
  zkml compile model.onnx --calibration samples.json   # → build/model/
  zkml setup build/model [--system plonk]               # keys + Solidity verifier
  zkml prove build/model --input input.json             # → build/model/proof.json
  zkml verify build/model build/model/proof.json

Every verb takes --json: one JSON object on stdout, human lines on stderr.

Exit codes: 0 done (valid, accepted), 1 invalid, rejected or refused, 2 usage, 3 could not
check (a file or a node that is not there), 70 a bug in zkml.`;
}

/** zkml's version and the versions of the tools that make its circuits, keys and verifiers. */
function versionLine(): string {
  const require = createRequire(import.meta.url);
  // Some packages do not export their package.json: walk up from their entry to it.
  const version = (pkg: string) => {
    for (let dir = path.dirname(require.resolve(pkg)); dir !== path.dirname(dir); dir = path.dirname(dir)) {
      const file = path.join(dir, "package.json");
      if (existsSync(file)) {
        const json = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
        if (json.name === pkg) return json.version ?? "?";
      }
    }
    return "?";
  };
  return `zkml ${zkmlVersion()} (snarkjs ${version("snarkjs")}, circom2 ${version("circom2")}, circomlib ${version("circomlib")}, solc ${version("solc")})`;
}

/** Runs the CLI on argv (without node and the script); resolves to the exit code (a user mistake is a one-line error and 1, never a stack trace). */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === "--version" || name === "-V" || name === "-v" || name === "version") {
    process.stdout.write(versionLine() + "\n");
    return 0;
  }
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(mainHelp() + "\n");
    return name ? 0 : 2;
  }
  const entry = VERBS.find((v) => v.name === name);
  const json = rest.includes("--json");
  try {
    if (!entry) {
      const near = nearestName(
        name,
        VERBS.map((v) => v.name),
      );
      throw new ZkmlError(
        "USAGE",
        `unknown verb "${name}"`,
        near ? `did you mean \`zkml ${near}\`? \`zkml --help\` lists them` : "run `zkml --help` for the list",
      );
    }
    const verb = await entry.load();
    const { values, positionals } = parseVerbArgs(verb, rest);
    if (values.help) {
      process.stdout.write(`Usage: ${verb.usage}\n\n${verb.help}\n`);
      return 0;
    }
    return await verb.run(makeContext(positionals, values as Record<string, string | boolean | undefined>));
  } catch (e) {
    if (isZkmlError(e)) {
      if (json) process.stdout.write(toJson({ error: { code: e.code, message: e.message, hint: e.hint ?? null } }) + "\n");
      process.stderr.write(`zkml ${name}: error: ${e.oneLine()}\n`);
      return exitCodeOf(e.code);
    }
    process.stderr.write(`zkml ${name}: internal error (a bug in zkml, please report it):\n${(e as Error).stack ?? String(e)}\n`);
    return 70;
  } finally {
    // Worker threads of the curves (if the verb built them) would keep the process alive.
    if (entry) await (await import("../core/curve.js")).releaseCurves();
  }
}

// Piped into `head` or a closed pager: stop quietly, as Unix tools do, not with a stack trace.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

const code = await main(process.argv.slice(2));
process.exitCode = code;
