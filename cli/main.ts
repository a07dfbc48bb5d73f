/**
 * zkml: prove ML inference in zero knowledge and verify it on Ethereum.
 * A thin layer over the SDK (src/index.ts): parse, call, print.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isZkmlError, releaseCurves, ZkmlError } from "../src/index.js";
import { makeContext, parseVerbArgs, toJson, type Verb } from "./io.js";
import { compileVerb } from "./verbs/compile.js";
import { contributeVerb, setupVerb } from "./verbs/setup.js";
import { proveVerb } from "./verbs/prove.js";
import { verifyVerb } from "./verbs/verify.js";
import { checkVerb } from "./verbs/check.js";
import { deployRegistryVerb, deployVerb, registerVerb, verifyOnchainVerb } from "./verbs/chain.js";
import { demoVerb } from "./verbs/demo.js";
import { benchVerb } from "./verbs/bench.js";
import { serveVerb, tokenVerb, workerVerb } from "./verbs/service.js";

const VERBS: Verb[] = [
  compileVerb, checkVerb, setupVerb, contributeVerb, proveVerb, verifyVerb, deployVerb, deployRegistryVerb, registerVerb, verifyOnchainVerb, demoVerb, benchVerb,
  serveVerb, workerVerb, tokenVerb,
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

Every verb takes --json: one JSON object on stdout, human lines on stderr.`;
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
  const own = JSON.parse(readFileSync(fileURLToPath(new URL("../package.json", import.meta.url)), "utf8")) as { version: string };
  return `zkml ${own.version} (snarkjs ${version("snarkjs")}, circom2 ${version("circom2")}, circomlib ${version("circomlib")}, solc ${version("solc")})`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === "--version" || name === "-V" || name === "version") {
    process.stdout.write(versionLine() + "\n");
    return 0;
  }
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(mainHelp() + "\n");
    return name ? 0 : 2;
  }
  const verb = VERBS.find((v) => v.name === name);
  const json = rest.includes("--json");
  try {
    if (!verb) {
      throw new ZkmlError("USAGE", `unknown verb "${name}"`, "run `zkml --help` for the list");
    }
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
      return e.code === "USAGE" ? 2 : 1;
    }
    process.stderr.write(`zkml ${name}: internal error (a bug in zkml, please report it):\n${(e as Error).stack ?? String(e)}\n`);
    return 70;
  } finally {
    await releaseCurves();
  }
}

// Piped into `head` or a closed pager: stop quietly, as Unix tools do, not with a stack trace.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

const code = await main(process.argv.slice(2));
process.exitCode = code;
