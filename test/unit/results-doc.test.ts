import { readdirSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { newestFile, RESULT_SOURCES, resultsMarkdown } from "../../scripts/results_doc.js";

const RESULTS = path.join(import.meta.dirname, "..", "..", "bench", "results");

describe("docs/RESULTS.md from bench/results (scripts/results_doc.ts)", () => {
  it("takes a bench's newest file by its date, and never another bench whose name it begins", () => {
    const files = [
      "lenet5-2026-11-25-x.json",
      "lenet5sq-2026-11-30-vm.json",
      "lenet5-2026-12-01-y.json",
      "lenet5-2026-12-01-y.md",
      "2026-11-25-amd.json",
      "2026-12-02-amd.json",
    ];
    expect(newestFile(files, "lenet5")).toBe("lenet5-2026-12-01-y.json");
    expect(newestFile(files, "lenet5sq")).toBe("lenet5sq-2026-11-30-vm.json");
    expect(newestFile(files, "")).toBe("2026-12-02-amd.json");
    expect(newestFile(files, "native")).toBeUndefined();
  });

  it("knows every bench that wrote a result: each JSON file is some bench's (no figure left out of the doc)", () => {
    const known = (f: string) =>
      RESULT_SOURCES.some((s) => {
        const prefix = s.name ? `${s.name}-` : "";
        return f.startsWith(prefix) && /^\d{4}-\d{2}-\d{2}/.test(f.slice(prefix.length));
      });
    const unknown = readdirSync(RESULTS).filter((f) => f.endsWith(".json") && !known(f));
    expect(unknown).toEqual([]);
  });

  it("refuses to make the doc when a bench has no result, naming the command that makes one", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "zkml-results-"));
    try {
      await writeFile(path.join(dir, "lenet5-2026-11-25-x.json"), "{}");
      expect(() => resultsMarkdown(dir)).toThrow(/no zkml bench result \(npx zkml bench\)/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("writes each figure with the machine and date of the run that measured it", () => {
    const doc = resultsMarkdown(RESULTS);
    const native = doc.split("\n").find((l) => l.startsWith("| native curve backend vs WebAssembly, warm"));
    // The date is the newest native run's, as its file name says.
    const newest = readdirSync(RESULTS)
      .filter((f) => /^native-\d{4}-\d{2}-\d{2}.*\.json$/.test(f))
      .sort()
      .at(-1)!;
    const date = newest.slice("native-".length, "native-".length + 10);
    expect(native).toMatch(new RegExp(`\\(\\d+\\.\\d\\d× faster\\).*\\| AMD EPYC, 2 cores, Node [\\d.]+; ${date} \\| \`npm run bench:native\``));
    expect(doc).not.toMatch(/NaN|undefined/);
  });
});
