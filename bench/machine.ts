/** What a benchmark ran on: results are only comparable with the machine named. */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import os from "node:os";

const require = createRequire(import.meta.url);

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  platform: string;
  node: string;
  packages: Record<string, string>;
}

const PACKAGES = ["snarkjs", "circom2", "circomlib", "poseidon-lite", "solc", "hardhat", "ethers", "onnxruntime-node"];

/** The installed version; packages whose `exports` hide package.json are found from their entry. */
function version(pkg: string): string {
  try {
    return require(`${pkg}/package.json`).version;
  } catch {
    try {
      let dir = path.dirname(require.resolve(pkg));
      while (dir !== path.dirname(dir)) {
        const file = path.join(dir, "package.json");
        if (existsSync(file)) {
          const p = JSON.parse(readFileSync(file, "utf8"));
          if (p.name === pkg) return p.version;
        }
        dir = path.dirname(dir);
      }
    } catch {
      /* not installed */
    }
    return "unknown";
  }
}

/** The machine the bench ran on (CPU, cores, memory, Node), as reports name it. */
export function machineInfo(): MachineInfo {
  return {
    cpu: os.cpus()[0]?.model.trim() ?? "unknown",
    cores: os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    packages: Object.fromEntries(PACKAGES.map((p) => [p, version(p)])),
  };
}

/** A short file-name-safe label for the machine. */
export function machineLabel(m: MachineInfo): string {
  return `${m.cpu
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .toLowerCase()}-${m.cores}c`;
}
