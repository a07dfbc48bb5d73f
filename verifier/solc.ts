/** Solidity compiled offline with the npm solc (no download): zkml's generated verifiers and the project's own contracts. */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { InterfaceAbi } from "ethers";
import { ZkmlError } from "../core/errors.js";
import { packageFile } from "../core/package_files.js";

const require = createRequire(import.meta.url);
export const CONTRACTS_DIR = packageFile("contracts");
export const SOLC_VERSION: string = require("solc/package.json").version;
export const EVM_VERSION = "cancun";

export interface CompiledContract {
  contractName: string;
  abi: InterfaceAbi;
  bytecode: string;
  deployedBytecodeSize: number;
  /** The runtime code (0x hex) a deployment must leave at its address. */
  deployedBytecode: string;
  solcVersion: string;
  evmVersion: string;
}

export { EIP170_LIMIT } from "./chain.js";

/** Compiles Solidity sources with the npm solc (optimizer on, cancun) and returns one contract's ABI and bytecode. */
export async function compileSolidity(sources: Record<string, string>, file: string, contractName: string): Promise<CompiledContract> {
  const solc = (await import("solc")).default;
  const input = {
    language: "Solidity",
    sources: Object.fromEntries(Object.entries(sources).map(([k, v]) => [k, { content: v }])),
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: EVM_VERSION,
      outputSelection: { [file]: { [contractName]: ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (output.errors ?? []).filter((e: { severity: string }) => e.severity === "error");
  if (errors.length) {
    throw new ZkmlError("SOLC_FAILED", `solc ${SOLC_VERSION} failed: ${errors.map((e: { formattedMessage: string }) => e.formattedMessage).join("\n")}`);
  }
  const c = output.contracts[file][contractName];
  return {
    contractName,
    abi: c.abi,
    bytecode: "0x" + c.evm.bytecode.object,
    deployedBytecodeSize: c.evm.deployedBytecode.object.length / 2,
    deployedBytecode: "0x" + c.evm.deployedBytecode.object,
    solcVersion: SOLC_VERSION,
    evmVersion: EVM_VERSION,
  };
}

/** Every .sol file under contracts/, keyed by its path there (how the files import each other). */
export function projectSources(): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(CONTRACTS_DIR, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (e.name.endsWith(".sol")) out[r] = readFileSync(path.join(CONTRACTS_DIR, r), "utf8");
    }
  };
  walk("");
  return out;
}

/** A contract of the project's contracts/ folder (e.g. "examples/ClassBounty.sol", "ClassBounty"). */
export function compileProjectContract(file: string, contractName: string): Promise<CompiledContract> {
  return compileSolidity(projectSources(), file, contractName);
}
