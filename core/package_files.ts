/**
 * Where zkml's own files are, whether it runs from its TypeScript source (a checkout, through
 * tsx) or from the compiled `dist/` of an installed package: the Solidity, circom gadgets and
 * bundled examples sit at the package root in both, and a module zkml starts as a child process
 * is a .ts file run through tsx in the first case and plain JavaScript in the second.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = fileURLToPath(import.meta.url);
/** True when this module is compiled JavaScript (dist/core/package_files.js). */
const COMPILED = HERE.endsWith(".js");

function findRoot(from: string): string {
  for (let dir = path.dirname(from); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (existsSync(file) && (JSON.parse(readFileSync(file, "utf8")) as { name?: string }).name === "zkml") return dir;
  }
  throw new Error(`zkml: no package.json of zkml above ${from}`);
}

/** The package root: package.json, contracts/, circuits/lib/, examples/. */
export const PACKAGE_ROOT = findRoot(HERE);

/** A file shipped with the package (not compiled): contracts/IZkmlVerifier.sol, examples/mnist/… */
export function packageFile(...parts: string[]): string {
  return path.join(PACKAGE_ROOT, ...parts);
}

/**
 * How to run one of zkml's own modules as a script in a child process: `module` is its path
 * from the package root without extension ("cli/main"). From source it goes through tsx
 * (resolved from zkml, not from the working directory); compiled, node runs it as it is.
 */
export function ownScript(module: string): { args: string[] } {
  if (COMPILED) return { args: [path.join(PACKAGE_ROOT, "dist", `${module}.js`)] };
  return { args: ["--import", import.meta.resolve("tsx"), path.join(PACKAGE_ROOT, `${module}.ts`)] };
}

/** zkml's version, from its package.json. */
export function zkmlVersion(): string {
  return (JSON.parse(readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }).version;
}
