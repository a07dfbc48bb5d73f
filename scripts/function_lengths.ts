/**
 * Functions longer than a limit in zkml's production code (`npm run lint` runs it with 80): a
 * long function is where several jobs hide. Generated code (verifier/abi.ts) is left out.
 * Usage: node --import tsx scripts/function_lengths.ts [--max N]
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

const ROOTS = ["core", "circuits", "prover", "verifier", "src", "cli", "bench", "service", "browser", "hardhat-plugin", "viem", "scripts"];
const GENERATED = new Set(["verifier/abi.ts"]);

export interface LongFunction {
  file: string;
  line: number;
  name: string;
  lines: number;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    if (statSync(p).isDirectory()) return f === "node_modules" || f === "dist" ? [] : sourceFiles(p);
    return /\.ts$/.test(f) && !f.endsWith(".d.ts") ? [p] : [];
  });
}

function nameOf(node: ts.Node): string {
  if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name) return node.name.getText();
  const parent = node.parent;
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) && parent.name) return parent.name.getText();
  return "(anonymous)";
}

/** The production TypeScript files (relative to root), generated ones left out. */
export function productionFiles(root: string): string[] {
  return ROOTS.flatMap((r) => sourceFiles(path.join(root, r)))
    .map((f) => path.relative(root, f))
    .filter((rel) => !GENERATED.has(rel));
}

/** Every function-like node spanning more than `max` lines, longest first. */
export function longFunctions(root: string, max: number): LongFunction[] {
  const found: LongFunction[] = [];
  for (const rel of productionFiles(root)) {
    const sf = ts.createSourceFile(rel, readFileSync(path.join(root, rel), "utf8"), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node) => {
      if (ts.isFunctionLike(node) && "body" in node && node.body) {
        const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
        const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
        if (end - start + 1 > max) found.push({ file: rel, line: start + 1, name: nameOf(node), lines: end - start + 1 });
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return found.sort((a, b) => b.lines - a.lines);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf("--max");
  const max = at > 0 ? Number(process.argv[at + 1]) : 80;
  const long = longFunctions(process.cwd(), max);
  for (const f of long) console.log(`${f.file}:${f.line}  ${f.name}  ${f.lines} lines`);
  console.log(long.length ? `${long.length} function(s) over ${max} lines` : `no function over ${max} lines`);
  process.exitCode = long.length ? 1 : 0;
}
