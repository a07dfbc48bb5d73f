/** Foundry's anvil (npm @foundry-rs/anvil) on loopback: a second EVM, independent of Hardhat's. */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { computeAddress } from "ethers";
import { freePort } from "../../service/redis_server.js";
import { stopChild, untilReady } from "./child.js";

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../node_modules/.bin/anvil");

/** anvil's first development account (its well-known key): the signer the docs' commands use through ZKML_PRIVATE_KEY. */
export const ANVIL_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
export const ANVIL_ADDRESS = computeAddress(ANVIL_KEY);

export function anvilAvailable(): boolean {
  return existsSync(BIN);
}

export interface Anvil {
  url: string;
  stop(): Promise<void>;
}

/** anvil on `port` (a free one when not given; a documented command may name 8545). */
export async function startAnvil(port?: number): Promise<Anvil> {
  port ??= await freePort();
  const child = spawn(BIN, ["--host", "127.0.0.1", "--port", String(port)], { stdio: ["ignore", "pipe", "pipe"] });
  await untilReady(child, /Listening on/, "anvil", 60_000);
  return { url: `http://127.0.0.1:${port}`, stop: () => stopChild(child) };
}
