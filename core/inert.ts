/**
 * The one way a byte of an untrusted file (an ONNX node or model name, a build folder's JSON)
 * reaches generated code or a terminal: made inert first. Generated circom and Solidity only
 * ever carry such text inside a `//` comment, and a comment that cannot hold a line break,
 * `/*` or `*\/` cannot end early. Terminal text loses control characters, so a name cannot move
 * the cursor, recolour the screen or forge a second line of output.
 */

/** Longest untrusted text kept in a generated comment or an error message. */
export const MAX_UNTRUSTED_TEXT = 80;

/** Printable ASCII (0x20..0x7e) only, no comment delimiters, at most `max` characters. */
export function commentText(text: unknown, max = MAX_UNTRUSTED_TEXT): string {
  const s = String(text)
    .replace(/[^\x20-\x7e]/g, "?")
    .replace(/\/\*|\*\//g, "??");
  return s.length > max ? s.slice(0, max - 3) + "..." : s;
}

/** An identifier of circom and Solidity: [A-Za-z0-9_], not starting with a digit, never empty. */
export function identifierText(text: unknown, max = 40): string {
  const s = String(text)
    .replace(/[^A-Za-z0-9_]/g, "_")
    .slice(0, max);
  return s === "" ? "_" : /^[0-9]/.test(s) ? `_${s}` : s;
}

/** Text for a terminal or an error message: one line, no control characters, length-capped. */
export function terminalText(text: unknown, max = 4096): string {
  // C0, DEL, C1 and the Unicode line/paragraph separators and bidi overrides.
  const s = String(text)
    .replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, "") // ANSI colour and cursor sequences (circom's error dump)
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, "?");
  return s.length > max ? s.slice(0, max - 3) + "..." : s;
}
