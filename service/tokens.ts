/**
 * API tokens. The file keeps only each token's sha256: a token is 32 random bytes, so a fast
 * hash is enough (there is nothing to brute-force), and a leaked tokens file grants nothing.
 * A token is shown once, when it is made, and never logged.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { ZkmlError } from "../core/errors.js";
import { writeFileAtomic } from "../core/manifest.js";

export const TOKENS_FORMAT = "zkml-tokens/1";
const TOKEN_PREFIX = "zkml_";
const TOKEN_NAME = /^[A-Za-z0-9_-]{1,40}$/;

/** client: submits and reads its own jobs. worker: also fetches model files from the store. admin: also adds models. */
export type TokenRole = "client" | "worker" | "admin";
const ROLES: readonly TokenRole[] = ["client", "worker", "admin"];

export interface TokenRecord {
  id: string;
  sha256: string;
  role: TokenRole;
  /** Requests per minute this token may make (proof submissions and model uploads). */
  ratePerMinute: number;
  created: string;
}

interface TokensFile {
  format: typeof TOKENS_FORMAT;
  tokens: TokenRecord[];
}

/** sha256 of an API token, hex: the token file stores only this. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** The token of an `Authorization: Bearer …` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer ([A-Za-z0-9_-]{8,128})$/.exec(header ?? "");
  return m?.[1];
}

export class TokenTable {
  private readonly byHash: Map<string, TokenRecord>;
  constructor(readonly records: readonly TokenRecord[]) {
    this.byHash = new Map(records.map((r) => [r.sha256, r]));
  }
  lookup(token: string | undefined): TokenRecord | undefined {
    return token === undefined ? undefined : this.byHash.get(hashToken(token));
  }
}

/** The API's token table from its JSON file (hashed tokens and their roles), checked for shape. */
export async function readTokens(file: string): Promise<TokenTable> {
  if (!existsSync(file)) return new TokenTable([]);
  let doc: TokensFile;
  try {
    doc = JSON.parse(await readFile(file, "utf8")) as TokensFile;
  } catch (e) {
    throw new ZkmlError("BAD_INPUT", `${file} is not a tokens file: ${(e as Error).message}`);
  }
  if (doc.format !== TOKENS_FORMAT || !Array.isArray(doc.tokens)) throw new ZkmlError("BAD_INPUT", `${file} is not a ${TOKENS_FORMAT} file`);
  for (const t of doc.tokens) {
    if (!TOKEN_NAME.test(t.id) || !/^[0-9a-f]{64}$/.test(t.sha256) || !ROLES.includes(t.role) || !(t.ratePerMinute > 0)) {
      throw new ZkmlError("BAD_INPUT", `${file}: a token entry is malformed`, "recreate it with `zkml token`");
    }
  }
  return new TokenTable(doc.tokens);
}

/** Make a token, record its hash in the file, and return the token (shown once). */
export async function addToken(file: string, id: string, role: TokenRole, ratePerMinute: number): Promise<string> {
  if (!TOKEN_NAME.test(id)) throw new ZkmlError("USAGE", `token name ${JSON.stringify(id).slice(0, 50)}: use 1–40 letters, digits, _ or -`);
  if (!ROLES.includes(role)) throw new ZkmlError("USAGE", `--role ${role}: expected one of ${ROLES.join(", ")}`);
  if (!Number.isSafeInteger(ratePerMinute) || ratePerMinute < 1) throw new ZkmlError("USAGE", "--rate: a positive whole number of requests per minute");
  const table = await readTokens(file);
  if (table.records.some((r) => r.id === id))
    throw new ZkmlError("USAGE", `a token named ${id} exists in ${file}`, "pick another name, or remove that entry first");
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  const doc: TokensFile = {
    format: TOKENS_FORMAT,
    tokens: [...table.records, { id, sha256: hashToken(token), role, ratePerMinute, created: new Date().toISOString() }],
  };
  await writeFileAtomic(file, JSON.stringify(doc, null, 2) + "\n");
  return token;
}

/**
 * Who owns a job: the token's name and a prefix of its hash. A token made again under a name
 * that was used before is another tenant and sees none of the old token's jobs.
 */
export function tenantOf(token: TokenRecord): string {
  return `${token.id}.${token.sha256.slice(0, 16)}`;
}

/** Whether a token of `role` may do what needs `need`: roles are ordered client < worker < admin, each allowed what those below it are. */
export function roleAllows(role: TokenRole, need: TokenRole): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(need);
}
