/**
 * zkml's Solidity glue lives in template files (contracts/templates/*.sol.tmpl), as snarkjs keeps
 * its verifier templates: `{{NAME}}` marks a value. Every value is made by zkml (an identifier
 * from inert.ts, a checked number or hex string, or code generated here), never a byte of an
 * input file; a template with a mark left unfilled, or a value no mark uses, is refused.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { packageFile } from "../core/package_files.js";

const MARK = /\{\{([A-Z][A-Z0-9_]*)\}\}/g;

/** The template `name` (a file of contracts/templates/) with its marks replaced by `values`. */
export function fillTemplate(name: string, values: Readonly<Record<string, string | number | boolean>>): string {
  const text = readFileSync(path.join(packageFile("contracts"), "templates", name), "utf8");
  const used = new Set<string>();
  const filled = text.replace(MARK, (_, key: string) => {
    if (!Object.hasOwn(values, key)) throw new Error(`template ${name}: no value for {{${key}}}`);
    used.add(key);
    return String(values[key]);
  });
  const unused = Object.keys(values).filter((k) => !used.has(k));
  if (unused.length) throw new Error(`template ${name}: no mark for ${unused.join(", ")}`);
  return filled;
}
