/** The narration check of `npm run lint`: numbered history in docs or code is found, the present is not. */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { narratingLines } from "../../scripts/narration.js";

describe("narration check", () => {
  it("finds numbered rounds, issues and sessions in docs and code, and nothing in present-tense text", async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), "zkml-narration-"));
    try {
      await mkdir(path.join(root, "docs"));
      // Put together here, so that this file itself narrates nothing.
      const [round, issue, session] = ["Round", "issue #", "session"].map((w) => `${w}${w.endsWith("#") ? "" : " "}`);
      await writeFile(path.join(root, "docs", "RESULTS.md"), `## ${round}3\nMeasured 2026-12-06: 8,734 constraints.\n`);
      await writeFile(path.join(root, "a.ts"), `// fixed in ${issue}27\nconst rounds = 3; // three rounds of Poseidon\n// see ${session}2 for why\n`);
      await writeFile(path.join(root, "README.md"), "Two issues remain open: none named here.\n");
      const found = narratingLines(root).map((n) => `${n.file}:${n.line}`);
      expect(found.sort()).toEqual(["a.ts:1", "a.ts:3", "docs/RESULTS.md:1"]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it("finds none in this project", () => {
    expect(narratingLines(path.resolve(import.meta.dirname, "../.."))).toEqual([]);
  });
});
