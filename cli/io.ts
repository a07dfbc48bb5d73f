/** What every verb shares: argument parsing, JSON-or-human output, progress on stderr. */
import { terminalText } from "../core/inert.js";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { getAddress } from "ethers/address";
import { ZkmlError } from "../core/errors.js";

export interface Verb {
  name: string;
  usage: string;
  help: string;
  options: NonNullable<ParseArgsConfig["options"]>;
  run(ctx: VerbContext): Promise<number>;
}

export interface VerbContext {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
  /** Human-readable lines, to stdout (or stderr under --json, keeping stdout one JSON object). */
  say(line: string): void;
  progress(line: string): void;
  result(obj: Record<string, unknown>): void;
}

/** A verb's options table: flags that take a value (`--name VALUE`), then boolean ones (`--name`). */
export function options(values: readonly string[], booleans: readonly string[] = []): Verb["options"] {
  return Object.fromEntries([...values.map((n) => [n, { type: "string" as const }]), ...booleans.map((n) => [n, { type: "boolean" as const }])]);
}

export const COMMON_OPTIONS = {
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length]!;
}

/** The known name closest to `typed`, if it is near enough to be a typo. */
export function nearestName(typed: string, known: readonly string[]): string | undefined {
  const best = known.map((k) => [k, distance(typed, k)] as const).sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= Math.max(1, Math.floor(typed.length / 3)) ? best[0] : undefined;
}

/** A verb's argv parsed by its options table: unknown flags are a USAGE error naming the verb. */
export function parseVerbArgs(verb: Verb, argv: string[]) {
  try {
    return parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...verb.options }, allowPositionals: true, strict: true });
  } catch (e) {
    const message = (e as Error).message;
    // Node's text names the flag; a typo'd one gets the nearest this verb has.
    const flag = /Unknown option '--([^']+)'/.exec(message)?.[1];
    const known = Object.keys({ ...COMMON_OPTIONS, ...verb.options });
    const near = flag === undefined ? undefined : nearestName(flag, known);
    throw new ZkmlError(
      "USAGE",
      flag === undefined ? message.split(". ")[0]! : `unknown option --${flag}`,
      near ? `did you mean --${near}? \`zkml ${verb.name} --help\` lists them` : `see \`zkml ${verb.name} --help\``,
    );
  }
}

/** JSON.stringify that writes bigints as decimal strings. */
export function toJson(obj: unknown): string {
  return JSON.stringify(obj, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2);
}

/** What a verb's run is given: its positionals and parsed flags. */
export function makeContext(positionals: string[], values: VerbContext["values"]): VerbContext {
  const json = Boolean(values.json);
  let lastProgress = 0;
  return {
    positionals,
    values,
    // One line each, with no control character: no name from a model or proof file can
    // recolour the terminal or forge a line of output.
    say: (line) => (json ? process.stderr : process.stdout).write(terminalText(line) + "\n"),
    progress: (line) => {
      // Throttle: one progress line per 2 s unless it is a new phase.
      const now = Date.now();
      if (now - lastProgress < 2000 && !line.endsWith(":")) return;
      lastProgress = now;
      process.stderr.write(`  … ${terminalText(line)}\n`);
    },
    result: (obj) => {
      if (json) process.stdout.write(toJson(obj) + "\n");
    },
  };
}

/** The positional at `index`, or a USAGE error that names what is missing and the verb's usage. */
export function requirePositional(ctx: VerbContext, index: number, what: string, verb: string): string {
  const v = ctx.positionals[index];
  if (!v) throw new ZkmlError("USAGE", `${verb}: missing ${what}`, `see \`zkml ${verb} --help\``);
  return v;
}

/** A string flag's value, or undefined when absent. */
export function str(ctx: VerbContext, key: string): string | undefined {
  const v = ctx.values[key];
  return typeof v === "string" ? v : undefined;
}

/** An Ethereum address flag, checksummed; a USAGE error naming the flag otherwise. */
export function addressArg(v: string, flag: string): string {
  try {
    return getAddress(v);
  } catch {
    throw new ZkmlError("USAGE", `${flag} ${v} is not an Ethereum address`);
  }
}

/** A non-negative integer flag (decimal or 0x hex) as a bigint; a USAGE error naming the flag otherwise. */
export function bigintArg(v: string, flag: string): bigint {
  let b: bigint;
  try {
    b = BigInt(v);
  } catch {
    b = -1n;
  }
  if (b < 0n) throw new ZkmlError("USAGE", `${flag} ${v} is not a non-negative integer`);
  return b;
}

/** --key as a whole number ≥ min (default 0), or the fallback when absent. */
export function intArg(ctx: VerbContext, key: string, fallback: number, min = 0): number {
  const v = str(ctx, key);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!/^[0-9]+$/.test(v) || !Number.isSafeInteger(n) || n < min)
    throw new ZkmlError("USAGE", `--${key} ${v}: expected a whole number${min > 0 ? ` of at least ${min}` : ""}`);
  return n;
}

/** Milliseconds for people: 840 ms, 3.24 s, 12.5 s. */
export function ms(v: number): string {
  return v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(0)} ms`;
}

export { peakRssMb } from "../core/memory.js";

/** Milliseconds since it was made, each time it is called. */
export function timer() {
  const t0 = performance.now();
  return () => performance.now() - t0;
}

/**
 * A module that needs optional peer dependencies (the service's fastify, bullmq, ioredis):
 * when one is not installed, a MISSING_DEPENDENCY error naming it and the install command.
 */
export async function loadOptional<T>(what: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const pkg = err.code === "ERR_MODULE_NOT_FOUND" ? /Cannot find package '([^']+)'/.exec(err.message)?.[1] : undefined;
    if (!pkg) throw e;
    throw new ZkmlError(
      "MISSING_DEPENDENCY",
      `${what} needs the npm package ${pkg}, which is not installed (the proving service's packages are optional peers of zkml)`,
      "npm install fastify@5 bullmq@5 ioredis@5",
    );
  }
}
