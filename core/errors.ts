/**
 * Every failure a user can cause is a ZkmlError: a code a program can switch on, a one-line
 * message that names the model/node/op at fault, and a hint that says what to do about it.
 * Anything else that escapes is a bug in zkml, and the CLI says so.
 */
import { terminalText } from "./inert.js";

export type ZkmlErrorCode =
  | "USAGE"
  | "FILE_NOT_FOUND"
  | "BAD_ONNX"
  | "UNSUPPORTED_OP"
  | "BAD_MODEL"
  | "BAD_INPUT"
  | "BAD_PTAU"
  | "STALE_ARTIFACT"
  | "MISSING_ARTIFACT"
  | "CIRCOM_FAILED"
  | "SOLC_FAILED"
  | "PROOF_INVALID"
  | "CHAIN"
  /** No verifier where one was looked for: none recorded for the chain, or no contract at the address. */
  | "NO_VERIFIER"
  | "CONTRACT_TOO_LARGE"
  | "MISSING_DEPENDENCY"
  /** A node or service that did not answer: nothing was checked. */
  | "UNREACHABLE";

function oneInertLine(text: string): string {
  return terminalText(String(text).replace(/\s*\r?\n\s*/g, " | "));
}

/**
 * A failure the user can act on (a bad file, an unsupported op, a stale key, a chain that
 * refused): `code` classifies it, the message names the model, node or file at fault, `hint`
 * says what to do. The CLI prints it on one line; anything that is not a ZkmlError is a bug.
 */
export class ZkmlError extends Error {
  readonly code: ZkmlErrorCode;
  readonly hint?: string;
  /** `cause`: the underlying error (a parser's, a node's), kept for debugging; never printed to users. */
  constructor(code: ZkmlErrorCode, message: string, hint?: string, options?: { cause?: unknown }) {
    // Messages quote names from files a user was handed: kept to one inert line here, once.
    super(oneInertLine(message), options);
    this.name = "ZkmlError";
    this.code = code;
    this.hint = hint === undefined ? undefined : oneInertLine(hint);
  }
  /** One line for a terminal: the message, then what to do. */
  oneLine(): string {
    return this.hint ? `${this.message} (${this.hint})` : this.message;
  }
}

/** True for a ZkmlError: an error the user can act on, printed without a stack trace. */
export function isZkmlError(e: unknown): e is ZkmlError {
  return e instanceof ZkmlError;
}

/**
 * The CLI's exit code for an error: 2 a usage mistake, 3 nothing could be checked (a file or a
 * node that is not there), 1 anything else the user can act on (invalid, rejected, refused).
 * 0 is success and 70 a bug in zkml (EX_SOFTWARE), set by the CLI itself.
 */
export function exitCodeOf(code: ZkmlErrorCode): 1 | 2 | 3 {
  if (code === "USAGE" || code === "NO_VERIFIER") return 2;
  if (code === "FILE_NOT_FOUND" || code === "UNREACHABLE") return 3;
  return 1;
}
