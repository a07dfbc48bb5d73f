/**
 * A `zkml worker` as a child process: what `zkml serve --workers N`, the service tests and the
 * service bench start. `ready` resolves once the worker is connected and taking jobs.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { ownScript } from "../core/package_files.js";

export interface WorkerProcessOptions {
  redis: string;
  name: string;
  /** The API's store on this disk, or the API to fetch models from (with a worker token) and a cache. */
  source: { store: string } | { api: string; cache: string; token: string };
  lockMs?: number;
  /** Each line the worker prints (default: kept in `output()` only). */
  onOutput?: (text: string) => void;
}

export interface WorkerProcess {
  name: string;
  child: ChildProcess;
  output(): string;
  ready: Promise<void>;
  /** Its exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/** A `zkml worker` in a child process of this one (compiled JS, or the TS source through tsx in a checkout). */
export function spawnWorkerProcess(o: WorkerProcessOptions): WorkerProcess {
  const source = "store" in o.source ? ["--store", o.source.store] : ["--api", o.source.api, "--cache", o.source.cache];
  const child = spawn(
    process.execPath,
    [...ownScript("cli/main").args, "worker", "--redis", o.redis, ...source, "--name", o.name, ...(o.lockMs ? ["--lock-ms", String(o.lockMs)] : [])],
    { env: { ...process.env, ...("token" in o.source && { ZKML_WORKER_TOKEN: o.source.token }) }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const on = (d: Buffer) => {
      output += d;
      o.onOutput?.(d.toString());
      if (output.includes(`worker ${o.name} ready`)) resolve();
    };
    child.stdout!.on("data", on);
    child.stderr!.on("data", on);
    void exited.then((code) => reject(new Error(`worker ${o.name} exited (${code}): ${output.slice(-500)}`)));
  });
  ready.catch(() => {}); // a worker that exits after it was ready is reported through `exited`
  return { name: o.name, child, output: () => output, ready, exited };
}

/** SIGTERM (the job in hand is finished) and wait for the exit; a worker already gone is fine. */
export async function stopWorkerProcess(w: WorkerProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
  if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill(signal);
  return w.exited;
}
