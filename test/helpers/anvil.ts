/** Foundry's anvil (npm @foundry-rs/anvil) on loopback: a second EVM, independent of Hardhat's. */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../../service/redis_server.js";
import { stopChild, untilReady } from "./child.js";

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../node_modules/.bin/anvil");

export function anvilAvailable(): boolean {
  return existsSync(BIN);
}

export interface Anvil {
  url: string;
  stop(): Promise<void>;
}

export async function startAnvil(): Promise<Anvil> {
  const port = await freePort();
  const child = spawn(BIN, ["--host", "127.0.0.1", "--port", String(port)], { stdio: ["ignore", "pipe", "pipe"] });
  await untilReady(child, /Listening on/, "anvil", 60_000);
  return { url: `http://127.0.0.1:${port}`, stop: () => stopChild(child) };
}
