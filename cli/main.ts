/**
 * zkml: prove ML inference in zero knowledge and verify it on Ethereum.
 * A thin layer over the SDK (src/index.ts): parse, call, print.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { zkmlVersion } from "../core/package_files.js";
import { exitCodeOf, isZkmlError, ZkmlError } from "../core/errors.js";
import { makeContext, nearestName, parseVerbArgs, toJson } from "./io.js";
import { VERBS } from "./verbs/index.js";

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
