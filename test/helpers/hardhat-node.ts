/** A real `hardhat node` process on loopback, for the same JSON-RPC path a testnet takes. */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { freePort } from "../../service/redis_server.js";

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
  let log = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hardhat node did not start in 120 s:\n${log}`)), 120_000);
    const onData = (d: Buffer) => {
      log += d.toString();
      if (/Started HTTP and WebSocket JSON-RPC server/.test(log)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`hardhat node exited with ${code}:\n${log}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        child.removeAllListeners("exit");
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5000).unref();
      }),
  };
}
