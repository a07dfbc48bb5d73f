/**
 * The proving service's HTTP API (Fastify: JSON-schema validation of every body and parameter
 * compiled ahead by Ajv, body-size limits per route, and a clean close that drains requests).
 * It validates and enqueues; workers prove; the API checks each proof again before handing it
 * out. All state is in Redis, so API instances are interchangeable and a restarted one answers
 * for jobs an earlier one accepted.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { ConnectionOptions } from "bullmq";
import Fastify from "fastify";
import { isZkmlError } from "../src/index.js";
import { ApiState, HttpError, type TenantLimits } from "./api_state.js";
import { healthRoutes, modelRoutes, proofRoutes, streamRoutes } from "./api_routes.js";
import type { LocalStore } from "./store.js";
import type { TokenTable } from "./tokens.js";

export interface ApiOptions {
  connection: ConnectionOptions;
  store: LocalStore;
  tokens: TokenTable;
  host?: string;
  port?: number;
  /** Build folders an admin may add by name (POST /v1/models {"build": NAME}): NAME is a folder in here. */
  buildsRoot?: string;
  /** Proof jobs waiting beyond this, all tenants together, get 429 (default 1000). */
  maxQueued?: number;
  /** What one token may hold: queued jobs, event streams, reads a minute (api_state.ts DEFAULT_TENANT_LIMITS). */
  tenantLimits?: Partial<TenantLimits>;
  /** A proof job not started within this many seconds fails as expired (default 3600). */
  queueExpirySeconds?: number;
  ttlSeconds?: number;
  /** Serve GET /metrics without a token (default: an admin token). */
  publicMetrics?: boolean;
  /** Largest model upload, bytes of ONNX (default 32 MiB). */
  maxModelBytes?: number;
  /** Accept no-op jobs (POST /v1/noop), with which the bench measures the queue's own cost. */
  benchJobs?: boolean;
  log?: (line: string) => void;
}

export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

/** An HTTP status and a one-line body for any error: a refusal says why, an internal error says nothing of it. */
function errorReply(err: unknown, log: (line: string) => void): { status: number; headers?: Record<string, string>; body: Record<string, unknown> } {
  if (err instanceof HttpError) return { status: err.status, headers: err.headers, body: { error: err.message } };
  if (isZkmlError(err)) return { status: err.code === "MISSING_ARTIFACT" ? 404 : 400, body: { error: err.oneLine(), code: err.code } };
  const e = err as { validation?: unknown; statusCode?: number; message?: string };
  if (e.validation || (e.statusCode && e.statusCode < 500)) return { status: e.statusCode ?? 400, body: { error: e.message } };
  log(`internal error: ${(err as Error).stack ?? String(err)}`);
  return { status: 500, body: { error: "internal error" } };
}

/** Starts the proving service's HTTP API (fastify) on the queue; resolves when it listens. */
export async function startApi(opts: ApiOptions): Promise<RunningApi> {
  const log = opts.log ?? (() => {});
  const s = new ApiState({ ...opts, log });
  await mkdir(path.join(opts.store.root, "models"), { recursive: true });
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024, ajv: { customOptions: { allErrors: false, removeAdditional: false, coerceTypes: false } } });
  app.decorateRequest("token", null);
  app.addHook("onResponse", async (req, reply) => {
    // Method, route and status only: never a header (tokens), a body (private inputs) or a query.
    log(`${req.method} ${req.routeOptions.url ?? "?"} ${reply.statusCode} ${reply.elapsedTime.toFixed(0)} ms`);
  });
  app.setErrorHandler((err: unknown, _req, reply) => {
    const r = errorReply(err, log);
    return reply
      .code(r.status)
      .headers(r.headers ?? {})
      .send(r.body);
  });
  healthRoutes(app, s);
  modelRoutes(app, s, opts.buildsRoot);
  proofRoutes(app, s, opts.benchJobs === true);
  streamRoutes(app, s);
  await s.events.waitUntilReady();
  const address = await app.listen({ host: opts.host ?? "127.0.0.1", port: opts.port ?? 0 });
  log(`zkml API listening on ${address}`);
  return {
    url: address,
    async close() {
      for (const r of s.sse) r.raw.end();
      await app.close();
      await s.close();
    },
  };
}
