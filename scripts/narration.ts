/**
 * Docs and code state the present; history lives in git. This lists lines that narrate numbered
 * history (the word round, issue, session or stop followed by a number, or a bare #number) in
 * README.md, docs/, and every TypeScript file's text (comments, help, messages). `npm run lint`
 * runs it.
 * Usage: node --import tsx scripts/narration.ts
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const NARRATION = /\b(rounds?|issues?|sessions?|stops?|sprints?|milestones?)\s+(#\s?)?\d+\b|#\d{1,4}\b(?=\s*(?:\)|,|:|$))/i;
const SKIP = new Set(["node_modules", "dist", ".git", "test-results", "artifacts", "cache", "build"]);

export interface Narration {
  file: string;
  line: number;
  text: string;
}

function walk(root: string, dir: string, out: string[]): void {
  for (const e of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    if (SKIP.has(e.name) || e.name.startsWith(".")) continue;
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) walk(root, rel, out);
    else if (/\.(ts|md)$/.test(e.name)) out.push(rel);
  }
}

/** Every line of the project's own text files that narrates numbered history. */
export function narratingLines(root: string): Narration[] {
  const files: string[] = [];
  walk(root, ".", files);
  const found: Narration[] = [];
  for (const file of files) {
    readFileSync(path.join(root, file), "utf8")
      .split("\n")
      .forEach((text, i) => {
        if (NARRATION.test(text)) found.push({ file, line: i + 1, text: text.trim().slice(0, 120) });
      });
  }
  return found;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  const found = narratingLines(root);
  for (const n of found) process.stderr.write(`${n.file}:${n.line}: ${n.text}\n`);
  if (found.length) {
    process.stderr.write(`${found.length} line(s) narrate numbered history: state the present (git keeps the history)\n`);
    process.exit(1);
  }
  process.stdout.write("no narration of numbered rounds, issues or sessions\n");
}
