/**
 * Writes verifier/abi.ts: the ABIs of zkml's Solidity interfaces as `as const` literals, which
 * ethers v6 (and viem, abitype) type calls and events from. Run after changing an interface:
 *   node --import tsx scripts/abi.ts
 * test/package.test.ts fails while the file differs from what this script writes.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { abiModuleSource } from "../verifier/abi_source.js";
import { PACKAGE_ROOT } from "../core/package_files.js";

await writeFile(path.join(PACKAGE_ROOT, "verifier/abi.ts"), await abiModuleSource());
console.log("wrote verifier/abi.ts");
