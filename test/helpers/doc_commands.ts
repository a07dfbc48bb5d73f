/**
 * The commands of a doc's code block as a reader runs them: one `npx zkml …` a line (or two
 * joined by ` ; `), comments and optional `[…]` groups dropped, placeholders filled from a
 * table the test declares. A placeholder the table does not fill fails the test, so a new one in
 * the doc is either filled or named as not run here.
 */

/** The shell block that follows a heading (`## The CLI`), as written. */
export function blockAfter(doc: string, heading: string): string {
  const at = doc.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`no heading "${heading}"`);
  const m = /```sh\n([\s\S]*?)```/.exec(doc.slice(at));
  if (!m) throw new Error(`no sh block after "${heading}"`);
  return m[1]!;
}

/** Each `npx zkml` command of a block: its arguments after `zkml`, and the line it came from. */
export function zkmlCommands(block: string): { line: string; args: string[] }[] {
  const out: { line: string; args: string[] }[] = [];
  for (const raw of block.split("\n")) {
    const line = raw.replace(/\s+#.*$/, "").trim();
    if (!line.startsWith("npx zkml ")) continue;
    for (const part of line.split(/\s;\s/)) {
      const args = part
        .replace(/\[[^\]]*\]/g, " ")
        .trim()
        .split(/\s+/);
      if (args[0] !== "npx" || args[1] !== "zkml") throw new Error(`not a zkml command: ${part}`);
      out.push({ line: raw.trim(), args: args.slice(2) });
    }
  }
  return out;
}

/**
 * The arguments with placeholders filled: a word the table names is replaced; `0x…` and `…` by
 * the flag before them (`--contract 0x…` looks up `--contract 0x…`). Throws on one left unfilled.
 */
export function fillPlaceholders(args: readonly string[], table: Readonly<Record<string, string>>): string[] {
  return args.map((word, i) => {
    const keyed = `${args[i - 1]} ${word}`;
    if (Object.hasOwn(table, keyed)) return table[keyed]!;
    if (Object.hasOwn(table, word)) return table[word]!;
    if (word.includes("…")) throw new Error(`placeholder ${keyed} not filled`);
    return word;
  });
}
