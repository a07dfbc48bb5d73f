/**
 * An uploaded model's compile and setup, in a child process. A compile holds its thread for
 * seconds to minutes (circom in WebAssembly, then the key points); in the worker's own process
 * that would starve the event loop that renews its proof jobs' locks, and a proof would be
 * taken over by another worker while this one still works on it. The child reports its stages
 * on stdout, one JSON line each; a user's mistake (a bad ONNX or calibration) ends it with exit
 * code 2 and the error's one line on stderr.
 */
import { spawn } from "node:child_process";
import { ownScript } from "../core/package_files.js";
import type { ProofSystem } from "../core/proof_system.js";

export interface ModelBuildRequest {
  onnx: string;
  outDir: string;
  calibrationFile?: string;
  system: ProofSystem;
}

export type ModelBuildLine = { stage: "compile" | "setup" } | { done: { compile: number; setup: number } };

/** A build the child refused as the user's mistake (exit 2): not worth a retry. */
export class ModelBuildRefused extends Error {}

/** Runs service/model_build_child.ts on `req`; resolves with its stage timings (ms). */
export function buildInChildProcess(req: ModelBuildRequest, onStage: (stage: "compile" | "setup") => void): Promise<{ compile: number; setup: number }> {
  const child = spawn(process.execPath, [...ownScript("service/model_build_child").args, JSON.stringify(req)], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let done: { compile: number; setup: number } | undefined;
  child.stdout.on("data", (d: Buffer) => {
    stdout += d;
    const lines = stdout.split("\n");
    stdout = lines.pop()!;
    for (const text of lines) {
      const line = JSON.parse(text) as ModelBuildLine;
      if ("stage" in line) onStage(line.stage);
      else done = line.done;
    }
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr = (stderr + d).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (code === 0 && done) return resolve(done);
      const why = stderr.trim().split("\n").at(-1) ?? "";
      if (code === 2) return reject(new ModelBuildRefused(why));
      reject(new Error(`the model build process ended with ${signal ?? `exit code ${code}`}: ${why}`));
    });
  });
}
