/**
 * zkml: prove ML inference in zero knowledge and verify it on Ethereum.
 * A thin layer over the SDK (src/index.ts): parse, call, print.
 */
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

const VERBS: Verb[] = [
  compileVerb, checkVerb, setupVerb, contributeVerb, proveVerb, verifyVerb, deployVerb, deployRegistryVerb, registerVerb, verifyOnchainVerb, demoVerb, benchVerb,
];

function mainHelp(): string {
  const width = Math.max(...VERBS.map((v) => v.name.length));
  return `zkml — prove quantized ONNX inference with circom + snarkjs (Groth16, PLONK, FFLONK) and verify it on Ethereum

Usage: zkml <verb> [options]     zkml <verb> --help for each verb's options

${VERBS.map((v) => `  ${v.name.padEnd(width)}  ${v.summary}`).join("\n")}

Typical flow:
  zkml compile model.onnx --calibration samples.json   # → build/model/
  zkml setup build/model [--system plonk]               # keys + Solidity verifier
  zkml prove build/model --input input.json             # → build/model/proof.json
  zkml verify build/model build/model/proof.json

Every verb takes --json: one JSON object on stdout, human lines on stderr.`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
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

const code = await main(process.argv.slice(2));
process.exitCode = code;
