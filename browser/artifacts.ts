/**
 * A build folder over HTTP: the manifest first, then each file the browser needs, each checked
 * against the sha256 the manifest records (a tampered or stale artifact is refused, never used).
 * Files are kept in the Cache API under their hash, so a second visit downloads nothing.
 */
import type { InterfaceAbi } from "ethers";
import { BROWSER_FILES } from "../core/build_files.js";
import { ZkmlError } from "../core/errors.js";
import type { StatementLayout } from "../core/statement.js";
import type { QModel } from "../core/qmodel.js";
import type { ProofSystem } from "../core/proof_system.js";

const CACHE = "zkml-artifacts-v1";
/** What the browser reads of a build (the compiler's and setup's other files stay on the server). */
const NEEDED = BROWSER_FILES;
/** Bounds before allocation: a hostile server cannot make the page allocate without limit. */
const MAX_MANIFEST_BYTES = 1 << 20;
const MAX_FILE_BYTES = 1 << 30;

interface ManifestStage {
  outputs: Record<string, string>;
  info: Record<string, unknown>;
}

export interface BrowserBuild {
  baseUrl: string;
  /** sha256 of manifest.json: one exact build (what the proving service calls the model id). */
  manifestSha256: string;
  model: QModel;
  modelId: string;
  /** sha256 of verification_key.json, as the proof file records it. */
  vkeySha256: string;
  system: ProofSystem;
  wasm: Uint8Array;
  zkey: Uint8Array;
  verificationKey: unknown;
  /** The deployable wrapper's ABI (verifier.json), as ethers' Contract and submitInference take it. */
  verifierAbi: InterfaceAbi;
  /** What the commitment packs (for revealing the values to a consumer contract). */
  layout: StatementLayout;
  /** Whether the keys are development keys (forgeable; refused by deploys to public chains). */
  devKeys: boolean;
}

export interface LoadOptions {
  /** Refuse any build but this one (the sha256 of its manifest.json). */
  manifestSha256?: string;
  /** Keep files in the Cache API (default true where it exists: a secure context). */
  cache?: boolean;
  onProgress?: (file: string, loaded: number, total: number | undefined) => void;
}

/** sha256 of bytes with WebCrypto, hex. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function readBody(res: Response, url: string, max: number, onProgress?: (loaded: number, total: number | undefined) => void): Promise<Uint8Array> {
  const length = Number(res.headers.get("content-length") ?? NaN);
  if (length > max) throw new ZkmlError("BAD_INPUT", `${url} is ${length} bytes (at most ${max})`);
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    loaded += value.length;
    if (loaded > max) throw new ZkmlError("BAD_INPUT", `${url} is over ${max} bytes`);
    chunks.push(value);
    onProgress?.(loaded, Number.isFinite(length) ? length : undefined);
  }
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

async function openCache(enabled: boolean | undefined): Promise<Cache | undefined> {
  if (enabled === false || typeof caches === "undefined") return undefined;
  try {
    return await caches.open(CACHE);
  } catch {
    return undefined; // not a secure context, or storage refused: download every time
  }
}

/** A file whose sha256 must be `sha`: from the cache if it holds exactly that, else downloaded. */
async function fetchChecked(
  url: string,
  sha: string,
  cache: Cache | undefined,
  signal: AbortSignal,
  onProgress?: LoadOptions["onProgress"],
): Promise<Uint8Array> {
  const key = `${url}#sha256=${sha}`;
  const hit = await cache?.match(key);
  if (hit) {
    const bytes = new Uint8Array(await hit.arrayBuffer());
    if ((await sha256Hex(bytes)) === sha) return bytes;
    await cache!.delete(key);
  }
  const res = await fetch(url, { cache: "no-store", signal });
  if (!res.ok) throw new ZkmlError("MISSING_ARTIFACT", `${url}: HTTP ${res.status}`);
  const bytes = await readBody(res, url, MAX_FILE_BYTES, (l, t) => void (signal.aborted || onProgress?.(url, l, t)));
  if ((await sha256Hex(bytes)) !== sha) {
    throw new ZkmlError(
      "STALE_ARTIFACT",
      `${url} does not match the build's manifest (sha256 mismatch)`,
      "the server's build folder is tampered with or half-updated: refusing it",
    );
  }
  await cache?.put(key, new Response(bytes as Uint8Array<ArrayBuffer>)).catch(() => {});
  return bytes;
}

/** Open a set-up build folder served at `baseUrl` (ending in "/"), every file checked. */
export async function loadBuild(baseUrl: string, opts: LoadOptions = {}): Promise<BrowserBuild> {
  const base = baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";
  const res = await fetch(base + "manifest.json", { cache: "no-store" });
  if (!res.ok) throw new ZkmlError("MISSING_ARTIFACT", `${base}manifest.json: HTTP ${res.status}`, "is this a zkml build folder?");
  const manifestBytes = await readBody(res, base + "manifest.json", MAX_MANIFEST_BYTES);
  const manifestSha256 = await sha256Hex(manifestBytes);
  if (opts.manifestSha256 && opts.manifestSha256 !== manifestSha256) {
    throw new ZkmlError("STALE_ARTIFACT", `${base}manifest.json is not the build this page expects`, "the keys changed since this page was configured");
  }
  const manifest = JSON.parse(new TextDecoder().decode(manifestBytes)) as { stages?: { compile?: ManifestStage; setup?: ManifestStage } };
  const compile = manifest.stages?.compile;
  const setup = manifest.stages?.setup;
  if (!compile || !setup) throw new ZkmlError("MISSING_ARTIFACT", `${base}: the build is not compiled and set up`);
  const outputs: Record<string, string> = { ...compile.outputs, ...setup.outputs };
  const cache = await openCache(opts.cache);
  // The files load in parallel; once one fails, the others stop (and report no more progress).
  const abort = new AbortController();
  const files = await Promise.all(
    NEEDED.map((name) => {
      const sha = outputs[name];
      if (typeof sha !== "string" || !/^[0-9a-f]{64}$/.test(sha)) throw new ZkmlError("MISSING_ARTIFACT", `${base}: the manifest lists no ${name}`);
      return fetchChecked(base + name, sha, cache, abort.signal, opts.onProgress);
    }),
  ).catch((e: unknown) => {
    abort.abort();
    throw e;
  });
  const [qmodel, wasm, zkey, vkey, verifier] = files as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  const json = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b));
  const ptau = setup.info.ptau as { devOnly?: boolean } | undefined;
  return {
    baseUrl: base,
    manifestSha256,
    model: json(qmodel) as QModel,
    modelId: String(compile.info.modelId),
    vkeySha256: outputs["verification_key.json"]!,
    system: setup.info.system as ProofSystem,
    wasm,
    zkey,
    verificationKey: json(vkey),
    verifierAbi: (json(verifier) as { abi: InterfaceAbi }).abi,
    layout: compile.info.layout as StatementLayout,
    // Direct development keys record a development ptau too (src/setup.ts).
    devKeys: Boolean(ptau?.devOnly),
  };
}
