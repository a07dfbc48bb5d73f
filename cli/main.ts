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

--backend native|wasm|auto (any verb; or ZKML_BACKEND): the curve backend for keys and proofs.
auto (the default) runs the native addon where it was built, WebAssembly elsewhere; both give
the same proofs. \`zkml --version\` says which one runs.

Exit codes: 0 done (valid, accepted), 1 invalid, rejected or refused, 2 usage, 3 could not
check (a file or a node that is not there), 70 a bug in zkml.`;
}

/** zkml's version, the versions of the tools that make its circuits, keys and verifiers, and the curve backend. */
async function versionInfo(): Promise<{ line: string; json: Record<string, unknown> }> {
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
  const tools = { snarkjs: version("snarkjs"), circom2: version("circom2"), circomlib: version("circomlib"), solc: version("solc") };
  const curve = (await import("../core/native.js")).curveBackendInfo();
  const backendLine =
    curve.backend === "native" ? `curve backend: native (C++ addon, ${curve.threads} threads)` : `curve backend: WebAssembly (ffjavascript): ${curve.note}`;
  return {
    line: `zkml ${zkmlVersion()} (${Object.entries(tools)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")})\n${backendLine}`,
    json: { zkml: zkmlVersion(), ...tools, curveBackend: curve },
  };
}

/** Takes the global `--backend X` (or `--backend=X`) out of a verb's arguments and applies it. */
async function takeBackend(args: string[]): Promise<string[]> {
  const i = args.findIndex((a) => a === "--backend" || a.startsWith("--backend="));
  if (i < 0) return args;
  const inline = args[i]!.startsWith("--backend=");
  const value = inline ? args[i]!.slice("--backend=".length) : args[i + 1];
  if (!value || value.startsWith("-")) throw new ZkmlError("USAGE", "--backend needs a value", "native, wasm or auto");
  (await import("../core/native.js")).setCurveBackend(value);
  return [...args.slice(0, i), ...args.slice(i + (inline ? 1 : 2))];
}

/** Runs the CLI on argv (without node and the script); resolves to the exit code (a user mistake is a one-line error and 1, never a stack trace). */
export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === "--version" || name === "-V" || name === "-v" || name === "version") {
    try {
      await takeBackend(args);
      const info = await versionInfo();
      process.stdout.write((args.includes("--json") ? toJson(info.json) : info.line) + "\n");
      return 0;
    } catch (e) {
      if (!isZkmlError(e)) throw e;
      process.stderr.write(`zkml: error: ${e.oneLine()}\n`);
      return exitCodeOf(e.code);
    }
  }
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(mainHelp() + "\n");
    return name ? 0 : 2;
  }
  const entry = VERBS.find((v) => v.name === name);
  const json = args.includes("--json");
  try {
    const rest = await takeBackend(args);
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
