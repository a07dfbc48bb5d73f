/**
 * A redis-server of the project's own, on a loopback port, with an append-only file fsynced on
 * every write: what the tests and the service bench run against (and what `zkml serve
 * --redis-dir` starts for a one-machine setup). Nothing here is used when --redis names a
 * server someone else runs.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import net from "node:net";
import { ZkmlError } from "../core/errors.js";

export interface LocalRedis {
  url: string;
  port: number;
  dir: string;
  /** SHUTDOWN (the AOF is flushed), then start again on the same port and files. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export const REDIS_SERVER = process.env.ZKML_REDIS_SERVER ?? "redis-server";

/** Whether a redis-server binary is on the PATH. */
export function redisServerAvailable(): boolean {
  return REDIS_SERVER.includes("/") ? existsSync(REDIS_SERVER) : (process.env.PATH ?? "").split(":").some((d) => existsSync(`${d}/${REDIS_SERVER}`));
}

/** A TCP port free on localhost now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function launch(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    REDIS_SERVER,
    ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--protected-mode", "yes"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new ZkmlError("USAGE", `redis-server did not start on port ${port} within 10 s: ${out.slice(-400)}`)), 10_000);
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(
        new ZkmlError(
          "USAGE",
          `cannot start ${REDIS_SERVER}: ${e.message}`,
          "install it (Debian: apt-get install redis-server) or pass --redis URL of a running one",
        ),
      );
    });
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (/Ready to accept connections/.test(out)) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new ZkmlError("USAGE", `redis-server exited (${code}) on port ${port}: ${out.slice(-400)}`));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** A private redis-server with its data in `dir`, for tests and the local service. */
export async function startRedisServer(dir: string, port?: number): Promise<LocalRedis> {
  await mkdir(dir, { recursive: true });
  const p = port ?? (await freePort());
  let child = await launch(p, dir);
  const stop = async () => {
    child.kill("SIGTERM"); // redis-server shuts down cleanly on SIGTERM, flushing the AOF
    await exited(child);
  };
  return {
    url: `redis://127.0.0.1:${p}`,
    port: p,
    dir,
    stop,
    async restart() {
      await stop();
      child = await launch(p, dir);
    },
  };
}
