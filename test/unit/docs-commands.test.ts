/**
 * Every `zkml` command written in README.md and docs/*.md names a verb the CLI has and only
 * flags that verb takes, and every `npx hardhat zkml` task is one the plugin defines: a
 * renamed flag or verb fails here, not in a reader's terminal.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { COMMON_OPTIONS } from "../../cli/io.js";
import { VERBS } from "../../cli/verbs/index.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const DOCS = ["README.md", ...readdirSync(path.join(ROOT, "docs")).map((f) => `docs/${f}`)].filter((f) => f.endsWith(".md"));

/** Each `npx zkml …` / `zkml …` invocation inside the docs' code (blocks and inline), with where it is. */
function documentedCommands(): { where: string; words: string[] }[] {
  const out: { where: string; words: string[] }[] = [];
  for (const file of DOCS) {
    const text = readFileSync(path.join(ROOT, file), "utf8");
    const code =
      [...text.matchAll(/```(?:sh|bash)?\n([\s\S]*?)```/g)].map((m) => m[1]!).join("\n") +
      "\n" +
      [...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]).join("\n");
    code.split("\n").forEach((line) => {
      for (const m of line.matchAll(/(?:^|[\s;&|(])(?:npx )?zkml ([a-z][a-z-]*)((?: +(?!#|&&|\||;|\)|→)[^\s]+)*)/g)) {
        out.push({ where: `${file}: ${line.trim().slice(0, 80)}`, words: [m[1]!, ...m[2]!.trim().split(/\s+/).filter(Boolean)] });
      }
    });
  }
  return out;
}

describe("commands in the docs", () => {
  it("name a verb the CLI has, with only that verb's flags", async () => {
    const commands = documentedCommands();
    expect(commands.length).toBeGreaterThan(40);
    const verbs = new Map(VERBS.map((v) => [v.name, v]));
    const problems: string[] = [];
    for (const { where, words } of commands) {
      const [name, ...rest] = words;
      const entry = verbs.get(name!);
      if (!entry) {
        // Prose such as "zkml compiles …" is not a command; a verb-like word that is one is checked.
        if (
          /^(compile|setup|prove|verify|deploy|register|serve|worker|token|bench|demo|check|calldata|publish|init|contribute)s?$/.test(name!) &&
          !verbs.has(name!.replace(/s$/, ""))
        )
          problems.push(`${where}: no verb ${name}`);
        continue;
      }
      const verb = await entry.load().catch(() => undefined);
      if (!verb) continue; // an optional peer's verb (serve, worker, token) not installed here
      // --backend is global: cli/main.ts takes it out of any verb's arguments.
      const flags = new Set(["backend", ...Object.keys(COMMON_OPTIONS), ...Object.keys(verb.options)]);
      for (const w of rest) {
        const flag = /^--([a-z][a-z-]*)/.exec(w)?.[1];
        if (flag && !flags.has(flag)) problems.push(`${where}: ${name} has no --${flag}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("name only Hardhat tasks the plugin defines", async () => {
    const plugin = readFileSync(path.join(ROOT, "hardhat-plugin/index.ts"), "utf8");
    const tasks = new Set([...plugin.matchAll(/task\(\["zkml", "([a-z-]+)"\]/g)].map((m) => m[1]));
    expect(tasks.size).toBeGreaterThanOrEqual(8);
    const problems: string[] = [];
    for (const file of DOCS) {
      for (const m of readFileSync(path.join(ROOT, file), "utf8").matchAll(/hardhat zkml ([a-z][a-z-]*)/g)) {
        if (!tasks.has(m[1]!)) problems.push(`${file}: npx hardhat zkml ${m[1]}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
