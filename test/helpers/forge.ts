/** Foundry's forge as npm installs it (@foundry-rs/forge). */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const FOUNDRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../node_modules/@foundry-rs");

/**
 * The platform package's forge binary, or undefined where npm did not install one. Not the
 * `.bin/forge` wrapper: it always exits 0, so a failed `forge test` would look like a pass.
 */
export function forgeBinary(): string | undefined {
  const dirs = existsSync(FOUNDRY) ? readdirSync(FOUNDRY).filter((d) => d.startsWith("forge-")) : [];
  return dirs.map((d) => path.join(FOUNDRY, d, "bin", "forge")).find((f) => existsSync(f));
}
