/**
 * What every route of the API shares: the Redis connection and queues, the model store with its
 * open models, token checks and rate limits, and the reading and re-checking of proof jobs.
 */
import { QueueEvents, type ConnectionOptions, type Job } from "bullmq";
import type { FastifyReply, FastifyRequest } from "fastify";
import { Redis } from "ioredis";
import { openReady, quantizeInput, verifyProofFile, type ReadyModel } from "../src/index.js";
import { meanProveSeconds } from "./metrics.js";
import { sha256Bytes as sha256 } from "../core/manifest.js";
import {
  DEFAULT_QUEUE_EXPIRY_SECONDS,
  DEFAULT_TTL_SECONDS,
  KEY_PREFIX,
  modelQueue,
  proofQueue,
  queuedKey,
  type ProofJobResult,
  type ProofQueueData,
} from "./queue.js";
import type { LocalStore } from "./store.js";
import { bearerToken, roleAllows, tenantOf, type TokenRecord, type TokenRole, type TokenTable } from "./tokens.js";

export type State = "queued" | "active" | "done" | "failed";

/** A refusal with its HTTP status (and headers such as retry-after). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** A BullMQ job state as the API names it (undefined: no such job). */
export function stateOf(s: string): State | undefined {
  switch (s) {
    case "waiting":
    case "delayed":
    case "prioritized":
    case "waiting-children":
      return "queued";
    case "active":
      return "active";
    case "completed":
      return "done";
    case "failed":
      return "failed";
    default:
      return undefined;
  }
}

/** The token a request was authenticated with (set by ApiState.auth's pre-handler). */
export function tokenOf(req: FastifyRequest): TokenRecord {
  return (req as FastifyRequest & { token: TokenRecord }).token;
}

export type ProofJob = { job: Job<ProofQueueData, ProofJobResult>; state: State | undefined };

/** What one tenant (a token) may hold at once; each refusal is a 429 that names the limit. */
export interface TenantLimits {
  /** Proof jobs waiting for a worker (default 100). */
  queued: number;
  /** Open event streams on one API instance (default 8). */
  streams: number;
  /** GET requests a minute, across API instances (default 600). */
  readsPerMinute: number;
}

export const DEFAULT_TENANT_LIMITS: TenantLimits = { queued: 100, streams: 8, readsPerMinute: 600 };

export interface ApiSettings {
  connection: ConnectionOptions;
  store: LocalStore;
  tokens: TokenTable;
  ttlSeconds?: number;
  /** A proof job not started within this many seconds fails as expired (default 3600). */
  queueExpirySeconds?: number;
  maxQueued?: number;
  tenantLimits?: Partial<TenantLimits>;
  maxModelBytes?: number;
  /** Serve /metrics to anyone (default: an admin token is needed). */
  publicMetrics?: boolean;
  log: (line: string) => void;
}

export class ApiState {
  readonly ttl: number;
  readonly queueExpiry: number;
  readonly maxQueued: number;
  readonly limits: TenantLimits;
  readonly maxModelBytes: number;
  readonly redis: Redis;
  readonly proofs: ReturnType<typeof proofQueue>;
  readonly models: ReturnType<typeof modelQueue>;
  readonly events: QueueEvents;
  /** Open server-sent-event streams, ended when the API closes. */
  readonly sse = new Set<FastifyReply>();
  /** Open event streams by tenant, on this instance. */
  private readonly streams = new Map<string, number>();
  /** Open models (for input checks and for checking workers' proofs): a model never changes under its id. */
  private readonly ready = new Map<string, Promise<ReadyModel>>();
  /**
   * Verdicts on workers' proofs, keyed by what was judged (the job's id and creation time, the
   * request and the proof): a job made again under a reused id, or a proof replaced, is judged
   * afresh. Bounded; an evicted verdict is recomputed.
   */
  private readonly verdicts = new Map<string, Promise<string | undefined>>();

  constructor(readonly settings: ApiSettings) {
    this.ttl = settings.ttlSeconds ?? DEFAULT_TTL_SECONDS;
    this.queueExpiry = settings.queueExpirySeconds ?? DEFAULT_QUEUE_EXPIRY_SECONDS;
    this.limits = { ...DEFAULT_TENANT_LIMITS, ...settings.tenantLimits };
    this.maxQueued = settings.maxQueued ?? 1000;
    this.maxModelBytes = settings.maxModelBytes ?? 32 * 1024 * 1024;
    this.redis = new Redis({ ...(settings.connection as object), maxRetriesPerRequest: 3 });
    // While Redis is away, requests fail (503 from /healthz) and ioredis reconnects: not a crash.
    this.redis.on("error", () => {});
    this.proofs = proofQueue(settings.connection);
    this.models = modelQueue(settings.connection);
    this.events = new QueueEvents(this.proofs.name, { connection: settings.connection });
    for (const emitter of [this.proofs, this.models, this.events] as { on(e: "error", f: (e: Error) => void): unknown }[]) {
      emitter.on("error", (e) => settings.log(`redis: ${e.message}`));
    }
  }

  get store(): LocalStore {
    return this.settings.store;
  }

  /** The open model of an id, or 404. */
  openModel(id: string): Promise<ReadyModel> {
    if (!this.store.has(id)) throw new HttpError(404, `no model ${id.slice(0, 64)}`);
    let m = this.ready.get(id);
    if (!m) {
      m = this.store.open(id).then(openReady);
      m.catch(() => this.ready.delete(id));
      this.ready.set(id, m);
    }
    return m;
  }

  /**
   * A pre-handler admitting tokens whose role allows `need` (401 without a known token, 403 below
   * the role); a GET also counts against the token's reads a minute.
   */
  auth(need: TokenRole): (req: FastifyRequest) => Promise<void> {
    return async (req) => {
      const token = this.settings.tokens.lookup(bearerToken(req.headers.authorization));
      if (!token) throw new HttpError(401, "missing or unknown API token (Authorization: Bearer zkml_…)");
      if (!roleAllows(token.role, need)) throw new HttpError(403, `this token's role (${token.role}) may not do this`);
      (req as FastifyRequest & { token: TokenRecord }).token = token;
      if (req.method === "GET") await this.rateLimit(token, "read");
    };
  }

  /**
   * Fixed one-minute windows in Redis, so a limit holds across every API instance: `write`
   * (submissions, uploads) at the token's own rate, `read` (GETs) at the tenant read limit.
   */
  async rateLimit(token: TokenRecord, kind: "write" | "read" = "write"): Promise<void> {
    const minute = Math.floor(Date.now() / 60_000);
    const key = `${KEY_PREFIX}rate:${kind}:${tenantOf(token)}:${minute}`;
    const limit = kind === "write" ? token.ratePerMinute : this.limits.readsPerMinute;
    const [[, n]] = (await this.redis.multi().incr(key).expire(key, 120).exec()) as [[null, number]];
    if (n > limit) {
      const retry = Math.max(1, Math.ceil(60 - (Date.now() / 1000 - minute * 60)));
      const what = kind === "write" ? "requests" : "reads";
      throw new HttpError(429, `rate limit of token ${token.id}: ${limit} ${what} a minute`, { "retry-after": String(retry) });
    }
  }

  /** 429 with a retry-after from the queue's length and the mean proving time when too many jobs wait. */
  async queueRoom(): Promise<void> {
    const c = await this.proofs.getJobCounts("waiting", "prioritized", "delayed");
    const waiting = (c.waiting ?? 0) + (c.prioritized ?? 0) + (c.delayed ?? 0);
    if (waiting >= this.maxQueued) {
      const workers = Math.max(1, await this.proofs.getWorkersCount());
      const per = (await meanProveSeconds(this.redis)) ?? 2;
      const retry = Math.min(600, Math.max(1, Math.ceil((waiting * per) / workers)));
      throw new HttpError(429, `the queue is full (${waiting} jobs waiting, all tenants)`, { "retry-after": String(retry) });
    }
  }

  /**
   * Counts a job against its tenant's queued quota, atomically (expired entries dropped, the job
   * added, the count read, in one MULTI): over the quota, the job is taken out again and 429.
   */
  async admitQueued(token: TokenRecord, jobId: string, expiresAt: number): Promise<void> {
    const key = queuedKey(tenantOf(token));
    const now = Date.now();
    const r = (await this.redis.multi().zremrangebyscore(key, "-inf", now).zadd(key, expiresAt, jobId).zcard(key).pexpireat(key, expiresAt).exec()) as [
      null,
      number,
    ][];
    const count = r[2]![1];
    if (count > this.limits.queued) {
      await this.redis.zrem(key, jobId);
      throw new HttpError(429, `token ${token.id} has ${this.limits.queued} proof jobs queued, its limit: wait for one to start, or cancel one`, {
        "retry-after": "5",
      });
    }
  }

  /** Takes a job off its tenant's queued quota (cancelled, or never queued after all). */
  async releaseQueued(tenant: string, jobId: string): Promise<void> {
    await this.redis.zrem(queuedKey(tenant), jobId);
  }

  /** Counts an event stream against its tenant's limit on this instance; the returned function ends it. */
  openStream(token: TokenRecord): () => void {
    const tenant = tenantOf(token);
    const open = this.streams.get(tenant) ?? 0;
    if (open >= this.limits.streams) throw new HttpError(429, `token ${token.id} holds ${open} event streams on this API, its limit: close one first`);
    this.streams.set(tenant, open + 1);
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      const n = (this.streams.get(tenant) ?? 1) - 1;
      if (n > 0) this.streams.set(tenant, n);
      else this.streams.delete(tenant);
    };
  }

  /**
   * The job and its state, if it exists. The state is read first: BullMQ writes a job's result
   * with its end state, so a job read after an ended state has its result.
   */
  async readJob(id: string): Promise<ProofJob | undefined> {
    const state = stateOf(await this.proofs.getJobState(id));
    const job = await this.proofs.getJob(id);
    return job && { job, state };
  }

  /** The job if it is this request's token's (another token's job is indistinguishable from none), else 404. */
  async ownJob(req: FastifyRequest, id: string): Promise<ProofJob> {
    const found = await this.readJob(id);
    if (!found || found.job.data.tenant !== tenantOf(tokenOf(req))) throw new HttpError(404, `no job ${id}`);
    return found;
  }

  /** A worker's proof checked against the model, the request's input and its context: undefined if sound, else why not. */
  checkProof(job: Job<ProofQueueData, ProofJobResult>): Promise<string | undefined> {
    const judged = sha256(JSON.stringify([job.id, job.timestamp, job.data.requestHash, job.returnvalue?.proof ?? null]));
    let v = this.verdicts.get(judged);
    if (!v) {
      v = this.verdict(job);
      this.verdicts.set(judged, v);
      if (this.verdicts.size > 10_000) this.verdicts.delete(this.verdicts.keys().next().value!);
    }
    return v;
  }

  private async verdict(job: Job<ProofQueueData, ProofJobResult>): Promise<string | undefined> {
    const data = job.data;
    const proof = job.returnvalue?.proof;
    if (data.kind !== "proof") return undefined;
    if (!proof) return "the worker returned no proof";
    const model = await this.openModel(data.modelId);
    const result = await verifyProofFile(model, proof);
    if (!result.valid) return `the worker's proof does not verify: ${result.problems.join("; ")}`;
    const expected = data.quantized ? data.input : quantizeInput(model.model, data.input);
    if (proof.input.values.length !== expected.length || proof.input.values.some((x, i) => x !== expected[i])) return "the worker proved another input";
    if (proof.context.value !== data.context.value) return "the worker bound another context";
    return undefined;
  }

  /** A job as the API reports it; a finished proof only after the API's own check passed. */
  async describeJob({ job, state }: ProofJob) {
    const base = {
      id: job.id,
      state,
      progress: job.progress,
      attempts: job.attemptsMade,
      submittedAt: new Date(job.timestamp).toISOString(),
      ...(job.finishedOn && { finishedAt: new Date(job.finishedOn).toISOString() }),
    };
    if (state === "failed") return { ...base, error: job.failedReason };
    if (state === "queued" && job.data.kind === "proof" && Date.now() > job.data.expiresAt)
      return { ...base, state: "failed" as State, error: "expired: no worker started it in time" };
    if (state !== "done") return base;
    const problem = await this.checkProof(job);
    if (problem) return { ...base, state: "failed" as State, error: `refused by the API: ${problem}` };
    return { ...base, timingsMs: job.returnvalue.timingsMs, worker: job.returnvalue.worker, proof: job.returnvalue.proof };
  }

  /** Closes the queues and Redis (after the HTTP server has closed). */
  async close(): Promise<void> {
    await Promise.all([this.events.close(), this.proofs.close(), this.models.close()]);
    await this.redis.quit().catch(() => {});
  }
}
