/**
 * Exported functions of zkml's production code without a doc comment (`npm run lint` runs it):
 * an export is a promise to its users, and its comment says what it promises.
 * Usage: node --import tsx scripts/doc_comments.ts
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { productionFiles } from "./function_lengths.js";

export interface Undocumented {
  file: string;
  line: number;
  name: string;
}

function hasDoc(node: ts.Node): boolean {
  return ts.getJSDocCommentsAndTags(node).length > 0;
}

/** Exported function declarations, and exported consts holding a function, that have no /** comment. */
export function undocumentedExports(root: string): Undocumented[] {
  const found: Undocumented[] = [];
  for (const rel of productionFiles(root)) {
    const sf = ts.createSourceFile(rel, readFileSync(path.join(root, rel), "utf8"), ts.ScriptTarget.Latest, true);
    const exported = (n: ts.Node) => ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    const report = (node: ts.Node, name: string) => found.push({ file: rel, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, name });
    for (const st of sf.statements) {
      if (!exported(st)) continue;
      if (ts.isFunctionDeclaration(st) && !hasDoc(st)) report(st, st.name?.text ?? "(default)");
      if (ts.isVariableStatement(st) && !hasDoc(st)) {
        for (const d of st.declarationList.declarations) {
          const init = d.initializer;
          if (init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) report(st, d.name.getText(sf));
        }
      }
    }
  }
  return found;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const missing = undocumentedExports(process.cwd());
  for (const m of missing) console.log(`${m.file}:${m.line}  ${m.name}`);
  console.log(missing.length ? `${missing.length} exported function(s) without a doc comment` : "every exported function has a doc comment");
  process.exitCode = missing.length ? 1 : 0;
}
