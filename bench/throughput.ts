/**
 * Many inferences: proofs per minute from a pool of worker processes on this machine, each with
 * its keys in memory, all released at the same moment once every worker is warm.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { ownScript } from "../core/package_files.js";

export interface ThroughputPoint {
  workers: number;
  proofs: number;
  wallMs: number;
  proofsPerMinute: number;
}

function startWorker(dir: string, input: string, count: number) {
  const child: ChildProcess = spawn(process.execPath, [...ownScript("bench/throughput_worker").args, dir, input, String(count)], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let buffer = "";
  let err = "";
  const messages: Record<string, number | boolean>[] = [];
  const waiters: (() => void)[] = [];
  child.stdout!.on("data", (d) => {
    buffer += d;
    for (let i = buffer.indexOf("\n"); i >= 0; i = buffer.indexOf("\n")) {
      messages.push(JSON.parse(buffer.slice(0, i)));
      buffer = buffer.slice(i + 1);
      waiters.splice(0).forEach((w) => w());
    }
  });
  child.stderr!.on("data", (d) => (err += d));
  const exited = new Promise<void>((resolve, reject) =>
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`throughput worker failed (${code}): ${err}`)))),
  );
  const next = async (n: number) => {
    while (messages.length < n)
      await Promise.race([
        new Promise<void>((r) => waiters.push(r)),
        exited.then(() => {
          throw new Error(`throughput worker ended early: ${err}`);
        }),
      ]);
    return messages[n - 1]!;
  };
  return { child, next, exited };
}

/** Proofs per second with 1, 2, ... worker processes proving the same model. */
export async function measureThroughput(
  dir: string,
  input: string,
  workerCounts: number[],
  proofsPerWorker: number,
  progress: (m: string) => void,
): Promise<ThroughputPoint[]> {
  const points: ThroughputPoint[] = [];
  for (const w of workerCounts) {
    progress(`throughput: ${w} worker(s) × ${proofsPerWorker} proofs`);
    const workers = Array.from({ length: w }, () => startWorker(dir, input, proofsPerWorker));
    await Promise.all(workers.map((x) => x.next(1)));
    workers.forEach((x) => x.child.stdin!.end("go\n"));
    const done = (await Promise.all(workers.map((x) => x.next(2)))) as { start: number; end: number; proofs: number }[];
    await Promise.all(workers.map((x) => x.exited));
    const wallMs = Math.max(...done.map((d) => d.end)) - Math.min(...done.map((d) => d.start));
    const proofs = done.reduce((n, d) => n + d.proofs, 0);
    points.push({ workers: w, proofs, wallMs, proofsPerMinute: (proofs / wallMs) * 60_000 });
  }
  return points;
}
