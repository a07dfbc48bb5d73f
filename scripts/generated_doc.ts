/** The one way a generated doc is written or checked: `--check` exits 1 when the doc is not what its source makes. */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Writes `next` to the doc at `file` (docs/OPS.md, docs/RESULTS.md), or with --check only says whether it is current. */
export function writeOrCheckDoc(file: string, next: string, command: string): void {
  const name = path.relative(path.join(import.meta.dirname, ".."), file);
  const doc = readFileSync(file, "utf8");
  if (next === doc) console.log(`${name} is current`);
  else if (process.argv.includes("--check")) {
    console.error(`${name} is stale: run ${command}`);
    process.exitCode = 1;
  } else {
    writeFileSync(file, next);
    console.log(`${name} rewritten`);
  }
}
