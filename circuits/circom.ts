/** Runs the circom compiler (circom2: circom in WebAssembly, no native binary). */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { ZkmlError } from "../core/errors.js";
import { packageFile } from "../core/package_files.js";

const require = createRequire(import.meta.url);
/** Folder holding lib/, for `include "lib/..."`. */
export const GADGET_LIB_DIR = packageFile("circuits");
/** Folder holding circomlib/, for `include "circomlib/circuits/..."`. */
export const CIRCOMLIB_PARENT = path.dirname(path.dirname(require.resolve("circomlib/package.json")));

export interface CircomOptions {
  /** --O1 keeps every named signal (handy for tests); --O2 substitutes linear constraints away. */
  optimize?: "O0" | "O1" | "O2";
  /**
   * circom's older linear-simplification heuristics: on a LeNet-5-size circuit (212,647
   * constraints) --O2 takes 587 s with the new ones and 93 s with these, for the same constraint
   * count (the new ones grow superlinearly with the large clusters convolutions create); on
   * small circuits the new ones are ~25% faster.
   */
  oldSimplification?: boolean;
  outputs?: ("r1cs" | "wasm" | "sym")[];
}

export interface CircomResult {
  stdout: string;
  ms: number;
}

/** Compiles a circom file with circom2 (WebAssembly) into r1cs, wasm and sym in outDir; a failure is a CIRCOM_FAILED ZkmlError with circom's message. */
export async function runCircom(circuitFile: string, outDir: string, opts: CircomOptions = {}): Promise<CircomResult> {
  const cli = require.resolve("circom2/cli.js");
  const outputs = opts.outputs ?? ["r1cs", "wasm", "sym"];
  const args = [
    cli,
    path.resolve(circuitFile),
    ...outputs.map((o) => `--${o}`),
    `--${opts.optimize ?? "O2"}`,
    ...(opts.oldSimplification ? ["--use_old_simplification_heuristics"] : []),
    "-l",
    GADGET_LIB_DIR,
    "-l",
    CIRCOMLIB_PARENT,
    "-o",
    path.resolve(outDir),
  ];
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    // circom2 relativises paths to its cwd and can only open files below it (WASI preopens).
    const child = spawn(process.execPath, args, { cwd: path.parse(path.resolve(outDir)).root, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", (e) => reject(new ZkmlError("CIRCOM_FAILED", `could not start circom2: ${e.message}`)));
    child.on("close", (code) => {
      if (code === 0 && !/error\[/i.test(stderr + stdout)) {
        resolve({ stdout, ms: performance.now() - t0 });
      } else {
        const detail = (stderr + stdout).trim().split("\n").slice(-15).join("\n");
        reject(
          new ZkmlError(
            "CIRCOM_FAILED",
            `circom2 failed on ${path.basename(circuitFile)} (exit ${code}):\n${detail}`,
            "this is a zkml bug if the circuit was generated; please report it",
          ),
        );
      }
    });
  });
}

/** "non-linear constraints: N" etc. from circom's summary. */
export function parseCircomStats(stdout: string): Record<string, number> {
  const stats: Record<string, number> = {};
  for (const m of stdout.matchAll(
    /^(template instances|non-linear constraints|linear constraints|public inputs|private inputs|public outputs|wires|labels):\s*(\d+)/gim,
  )) {
    stats[m[1]!.toLowerCase()] = Number(m[2]);
  }
  return stats;
}
