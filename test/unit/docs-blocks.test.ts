/**
 * Every code block of README.md and docs/*.md is checked one of the ways test/helpers/doc_checks.ts
 * names: a block without an entry, an entry without a block, or an excerpt that has drifted from
 * the file it is taken from fails here.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DOC_CHECKS } from "../helpers/doc_checks.js";
import { blockName, commandsOf, docBlocks, fillPlaceholders } from "../helpers/doc_commands.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const DOCS = ["README.md", ...readdirSync(path.join(ROOT, "docs")).map((f) => `docs/${f}`)].filter((f) => f.endsWith(".md"));
const blocks = DOCS.flatMap((doc) => docBlocks(doc, readFileSync(path.join(ROOT, doc), "utf8")));

/** A source's words and symbols, comments dropped: spacing and line breaks do not count. */
function tokens(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/\/\/.*$/gm, " ");
  return code.match(/[A-Za-z_$][\w$]*|\d[\w.]*|"(?:[^"\\]|\\.)*"|\S/g) ?? [];
}

/**
 * The first of the block's lines that does not occur in the file after the line before it. An
 * `import` line is skipped: a user imports from the package (`zkml/contracts/…`) what the
 * checkout's file imports by a relative path.
 */
function missingLine(excerpt: string, file: string): string | undefined {
  const all = tokens(file);
  let at = 0;
  for (const line of excerpt.split("\n")) {
    const want = tokens(line);
    if (want.length === 0 || want[0] === "import") continue;
    let found = -1;
    for (let i = at; i + want.length <= all.length && found < 0; i++) if (want.every((t, k) => all[i + k] === t)) found = i;
    if (found < 0) return line.trim();
    at = found + want.length;
  }
  return undefined;
}

describe("the docs' code blocks", () => {
  it("each has a check, and each check names a block that exists", () => {
    const names = blocks.map(blockName);
    expect(names.length).toBeGreaterThan(25);
    expect(
      names.filter((n) => !Object.hasOwn(DOC_CHECKS, n)),
      "blocks with no entry in test/helpers/doc_checks.ts",
    ).toEqual([]);
    expect(
      Object.keys(DOC_CHECKS).filter((n) => !names.includes(n)),
      "entries whose block is gone (renamed heading?)",
    ).toEqual([]);
  });

  it("an excerpt's lines occur, in order, in the file it is taken from", () => {
    const drifted: string[] = [];
    for (const b of blocks) {
      const check = DOC_CHECKS[blockName(b)];
      if (!check || !("excerptOf" in check)) continue;
      const line = missingLine(b.body, readFileSync(path.join(ROOT, check.excerptOf), "utf8"));
      if (line !== undefined) drifted.push(`${blockName(b)}: "${line}" is not in ${check.excerptOf}`);
    }
    expect(drifted).toEqual([]);
  });

  it("a block a test runs is read by that test by its heading; shell blocks are run, not shown", () => {
    const problems: string[] = [];
    for (const b of blocks) {
      const check = DOC_CHECKS[blockName(b)];
      if (!check) continue;
      if ("runBy" in check) {
        const file = path.join(ROOT, check.runBy);
        if (!existsSync(file)) problems.push(`${blockName(b)}: ${check.runBy} does not exist`);
        else if (check.runBy === ".ci/run") {
          for (const step of ["npm ci", "npm test"]) if (!readFileSync(file, "utf8").includes(step)) problems.push(`.ci/run does not run ${step}`);
        } else if (!readFileSync(file, "utf8").includes(JSON.stringify(b.heading))) problems.push(`${check.runBy} never names ${JSON.stringify(b.heading)}`);
      }
      if ("shows" in check && b.lang !== "-") problems.push(`${blockName(b)} is ${b.lang}: code, not a figure`);
      if ("typed" in check && b.lang !== "ts") problems.push(`${blockName(b)} is ${b.lang}, not TypeScript`);
    }
    expect(problems).toEqual([]);
  });

  it("the excerpt check fails on a line the file does not have, and on lines out of order", () => {
    const file = "contract A {\n  uint256 x;\n  function f() external { x = 1; }\n}\n";
    expect(missingLine("uint256 x;   // the count\nfunction f() external {\n  x = 1;\n}", file)).toBeUndefined();
    expect(missingLine("uint256 y;", file)).toBe("uint256 y;");
    expect(missingLine("function f() external {\nuint256 x;", file)).toBe("uint256 x;");
  });

  it("reads a shell block's commands as a shell does, and refuses to run one with a placeholder left", () => {
    const block =
      "npx zkml prove build/model --input in.json \\\n    --contract 0x… --nonce 1   # a comment\nnpx hardhat zkml setup [--model m]\nnpx zkml contribute d --beacon <future block hash>";
    expect(commandsOf(block, ["zkml"]).map((c) => c.args)).toEqual([
      ["prove", "build/model", "--input", "in.json", "--contract", "0x…", "--nonce", "1"],
      ["contribute", "d", "--beacon", "<future block hash>"],
    ]);
    expect(commandsOf(block, ["zkml"])[0]!.line).toMatch(/# a comment$/);
    expect(commandsOf(block, ["hardhat", "zkml"]).map((c) => c.args)).toEqual([["setup"]]);
    const [prove, contribute] = commandsOf(block, ["zkml"]).map((c) => c.args);
    expect(fillPlaceholders(prove!, { "--contract 0x…": "0x11" })).toContain("0x11");
    expect(() => fillPlaceholders(prove!, {})).toThrow(/placeholder --contract 0x… not filled/);
    expect(() => fillPlaceholders(contribute!, {})).toThrow(/<future block hash> not filled/);
    expect(() => fillPlaceholders(["--rpc", "$RPC"], {})).toThrow(/\$RPC not filled/);
  });
});
