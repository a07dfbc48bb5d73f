/** src/index.ts exports exactly what docs/SDK.md's "The SDK's surface" lists. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Every name an `export { … } from` (or `export type { … }`) of the module gives. */
function exportedNames(source: string): string[] {
  return [...source.matchAll(/export\s*(?:type\s*)?\{([^}]*)\}\s*from/g)].flatMap((m) =>
    m[1]!
      .split(",")
      .map((part) => part.trim().replace(/^type\s+/, ""))
      .filter(Boolean)
      .map((part) =>
        part
          .split(/\s+as\s+/)
          .at(-1)!
          .trim(),
      ),
  );
}

/** The backticked identifiers of the section "## The SDK's surface", up to the next heading. */
function documentedNames(markdown: string): string[] {
  const start = markdown.indexOf("## The SDK's surface");
  if (start < 0) throw new Error('docs/SDK.md has no section "The SDK\'s surface"');
  const end = markdown.indexOf("\n## ", start + 1);
  const section = markdown.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/^- \*\*[^*]+\*\*: (.*)$/gm)].flatMap((m) => [...m[1]!.matchAll(/`([A-Za-z_$][\w$]*)`/g)].map((n) => n[1]!));
}

describe("the SDK's surface", () => {
  const exported = exportedNames(readFileSync(path.join(ROOT, "src/index.ts"), "utf8"));
  const documented = documentedNames(readFileSync(path.join(ROOT, "docs/SDK.md"), "utf8"));

  it("lists each exported name once, and nothing the module does not export", () => {
    expect(exported.length).toBeGreaterThan(100);
    expect(new Set(exported).size).toBe(exported.length);
    expect(new Set(documented).size, "a name listed twice in docs/SDK.md").toBe(documented.length);
    expect([...documented].sort()).toEqual([...exported].sort());
  });

  it("the parser sees renames, type-only names and every line of the list", () => {
    expect(exportedNames('export { a, type B, c as d } from "./x.js";\nexport type { E } from "./y.js";')).toEqual(["a", "B", "d", "E"]);
    expect(documentedNames("## The SDK's surface\n\n- **One**: `a`, `b`.\n- **Two**: `c`.\n\n## Next\n- **Three**: `z`.")).toEqual(["a", "b", "c"]);
  });
});
