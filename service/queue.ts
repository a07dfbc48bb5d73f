/**
 * What the API and the workers agree on: the queues' names, the jobs' data, and how long a
 * job may hold a worker before another takes it over. Both sides import this and nothing of
 * each other.
 */
import { Queue, type ConnectionOptions, type JobsOptions } from "bullmq";
import { ZkmlError } from "../core/errors.js";
import type { ProofFile } from "../core/proof_file.js";
import type { ProofSystem } from "../core/proof_system.js";

export const PROOF_QUEUE = "zkml-proofs";
export const MODEL_QUEUE = "zkml-models";
/** Redis keys of zkml's own (BullMQ keeps its under "bull:"). */
export const KEY_PREFIX = "zkml:";

export interface ContextRequest {
  value: string;
  chainId?: string;
  contract?: string;
  sender?: string;
  beneficiary?: string;
  nonce?: string;
  snapshot?: string;
}

export interface ProofJobData {
  kind: "proof";
  modelId: string;
  /** The tenant (tokens.ts tenantOf): whose job this is. */
  tenant: string;
  input: number[];
  /** `input` holds the model's int8 values already (a contract's modelInput()), not floats. */
  quantized?: true;
  context: ContextRequest;
  /** sha256 of the request body: an Idempotency-Key reused with another body is refused. */
  requestHash: string;
  /** A job no worker has started by this time (ms since the epoch) fails as expired. */
  expiresAt: number;
}

/** A job that does nothing: the bench measures the queue's own cost per job with it. */
export interface NoopJobData {
  kind: "noop";
  tenant: string;
  requestHash: string;
}

export type ProofQueueData = ProofJobData | NoopJobData;

export interface ProofJobResult {
  kind: "proof" | "noop";
  proof?: ProofFile;
  timingsMs: { load: number; witness: number; prove: number; verify: number; queued: number };
  worker: string;
}

export interface ModelJobData {
  kind: "model";
  tenant: string;
  name: string;
  /** sha256 of the uploaded ONNX, which the API wrote into the store's uploads. */
  onnxSha256: string;
  calibrationSha256?: string;
  system: ProofSystem;
}

export interface ModelJobResult {
  modelId: string;
  timingsMs: { compile: number; setup: number };
}

/**
 * How long a proof may hold its lock before the job counts as stalled and another worker takes
 * it. A killed worker's job is retried after about lockMs + stalledCheckMs.
 */
export interface LockTiming {
  lockMs: number;
  stalledCheckMs: number;
}

export const DEFAULT_LOCK: LockTiming = { lockMs: 30_000, stalledCheckMs: 15_000 };

/** Finished jobs (and the private input and proof they hold) are deleted after this long. */
export const DEFAULT_TTL_SECONDS = 3600;

/** A proof job not started within this long fails as expired (it no longer holds a tenant's quota). */
export const DEFAULT_QUEUE_EXPIRY_SECONDS = 3600;

/**
 * The sorted set of a tenant's queued proof jobs (member: job id, score: its expiry). The API
 * adds a job when it queues it; a worker removes it when it starts it, the API when it is
 * cancelled; expired members are dropped as the set is read.
 */
export function queuedKey(tenant: string): string {
  return `${KEY_PREFIX}queued:${tenant}`;
}

/** BullMQ options of a job: up to 3 attempts with exponential backoff, finished jobs kept `ttlSeconds`. */
export function jobOptions(ttlSeconds: number): JobsOptions {
  return {
    // A proof that throws is retried twice (a worker short of memory, a model not yet cached);
    // a stalled job (its worker died) is retried by BullMQ's stall check, not counted here.
    attempts: 3,
    backoff: { type: "exponential", delay: 500 },
    removeOnComplete: { age: ttlSeconds },
    removeOnFail: { age: ttlSeconds },
  };
}

/** A redis:// URL as BullMQ connection options; a USAGE error otherwise. */
export function parseRedisUrl(url: string): ConnectionOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ZkmlError("USAGE", `--redis ${url} is not a URL (redis://host:port)`);
  }
  if (u.protocol !== "redis:") throw new ZkmlError("USAGE", `--redis ${url}: expected redis://host:port`);
  return {
    host: u.hostname || "127.0.0.1",
    port: u.port ? Number(u.port) : 6379,
    ...(u.password && { password: decodeURIComponent(u.password) }),
    ...(u.username && { username: decodeURIComponent(u.username) }),
    ...(u.pathname.length > 1 && { db: Number(u.pathname.slice(1)) }),
    // BullMQ's workers block on Redis; a retry forever (not a thrown error) lets them ride out a restart.
    maxRetriesPerRequest: null,
  };
}

/** The queue of proof jobs. */
export function proofQueue(connection: ConnectionOptions): Queue<ProofQueueData, ProofJobResult> {
  return new Queue<ProofQueueData, ProofJobResult>(PROOF_QUEUE, { connection });
}

/** The queue of model (compile + setup) jobs. */
export function modelQueue(connection: ConnectionOptions): Queue<ModelJobData, ModelJobResult> {
  return new Queue<ModelJobData, ModelJobResult>(MODEL_QUEUE, { connection });
}
