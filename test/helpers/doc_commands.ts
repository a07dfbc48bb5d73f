/**
 * The code blocks of the docs and the commands in them as a reader runs them. A shell block's
 * commands are one a line (a trailing `\` continues it; two joined by ` ; ` are two), comments
 * and optional `[…]` groups dropped, placeholders filled from a table the test declares. A
 * placeholder the table does not fill fails the test, so a new one in a doc is either filled or
 * named as not run here.
 */

/** One fenced block of a doc: its language (`-` for none), the heading above it, its body. */
export interface DocBlock {
  doc: string;
  heading: string;
  /** Which block under that heading, from 1. */
  n: number;
  lang: string;
  body: string;
}

/** Every fenced code block of a Markdown text, in order. */
export function docBlocks(doc: string, text: string): DocBlock[] {
  const out: DocBlock[] = [];
  const lines = text.split("\n");
  let heading = "";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^#{1,6} /.test(line)) heading = line;
    const open = /^```(\S*)\s*$/.exec(line);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith("```"));
    if (end < 0) throw new Error(`${doc}: a code block under "${heading}" is not closed`);
    const n = out.filter((b) => b.heading === heading).length + 1;
    out.push({ doc, heading, n, lang: open[1] || "-", body: lines.slice(i + 1, end).join("\n") });
    i = end;
  }
  return out;
}

/** The name a test and the docs' table give a block: `docs/SDK.md ## Install #1`. */
export function blockName(b: Pick<DocBlock, "doc" | "heading" | "n">): string {
  return `${b.doc} ${b.heading} #${b.n}`;
}

/** The body of the `n`th block under a heading (`## The CLI`), as written. */
export function blockAfter(text: string, heading: string, n = 1, lang = "sh"): string {
  const block = docBlocks("", text).find((b) => b.heading === heading && b.n === n);
  if (!block) throw new Error(`no block #${n} under "${heading}"`);
  if (block.lang !== lang) throw new Error(`block #${n} under "${heading}" is ${block.lang}, not ${lang}`);
  return block.body;
}

/** A shell block's lines as a reader's shell reads them: continuations joined, comments kept. */
function joinedLines(block: string): string[] {
  return block.replace(/\\\n\s*/g, " ").split("\n");
}

/** A line without its comment. */
function uncommented(line: string): string {
  return line.replace(/(^|\s)#.*$/, "").trim();
}

/** A shell block's commands: continuations joined, comments and blank lines dropped. */
export function shellLines(block: string): string[] {
  return joinedLines(block).map(uncommented).filter(Boolean);
}

/** A line's words: `<a future block hash>` is one word, `[…]` groups are dropped. */
export function shellWords(line: string): string[] {
  return line.replace(/\[[^\]]*\]/g, " ").match(/<[^>]*>|\S+/g) ?? [];
}

/** Each `npx <bin>` command of a block (`zkml`, or `hardhat zkml`): its arguments after the prefix, and its line with the comment. */
export function commandsOf(block: string, prefix: readonly string[]): { line: string; args: string[] }[] {
  const out: { line: string; args: string[] }[] = [];
  const lead = ["npx", ...prefix];
  for (const raw of joinedLines(block)) {
    const line = raw.trim();
    for (const part of uncommented(line).split(/\s;\s/)) {
      const words = shellWords(part);
      if (lead.some((w, i) => words[i] !== w)) continue;
      out.push({ line, args: words.slice(lead.length) });
    }
  }
  return out;
}

/** Each `npx zkml` command of a block. */
export function zkmlCommands(block: string): { line: string; args: string[] }[] {
  return commandsOf(block, ["zkml"]);
}

/**
 * The arguments with placeholders filled: a word the table names is replaced; a word with `…`,
 * a `<…>` or a `$VAR` is looked up by itself or with the flag before it (`--contract 0x…`).
 * Throws on one left unfilled.
 */
export function fillPlaceholders(args: readonly string[], table: Readonly<Record<string, string>>): string[] {
  return args.map((word, i) => {
    const keyed = `${args[i - 1]} ${word}`;
    if (Object.hasOwn(table, keyed)) return table[keyed]!;
    if (Object.hasOwn(table, word)) return table[word]!;
    if (word.includes("…") || /^<.*>$/.test(word) || word.includes("$")) throw new Error(`placeholder ${keyed} not filled`);
    return word;
  });
}
