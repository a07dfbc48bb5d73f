/** A real `hardhat node` process on loopback, for the same JSON-RPC path a testnet takes. */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { freePort } from "../../service/redis_server.js";
import { stopChild, untilReady } from "./child.js";

const require = createRequire(import.meta.url);

export interface HardhatNode {
  url: string;
  stop(): Promise<void>;
}

export async function startHardhatNode(): Promise<HardhatNode> {
  const port = await freePort();
  const cli = path.join(path.dirname(require.resolve("hardhat/package.json")), "dist/src/cli.js");
  // --hostname: without it the node binds 0.0.0.0 on this machine.
  const child: ChildProcess = spawn(process.execPath, [cli, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  await untilReady(child, /Started HTTP and WebSocket JSON-RPC server/, "hardhat node", 120_000);
  return { url: `http://127.0.0.1:${port}`, stop: () => stopChild(child) };
}
