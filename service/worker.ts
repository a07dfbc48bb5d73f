/**
 * A proving worker: takes proof jobs from the shared queue, keeps each model's keys warm, proves,
 * and checks its own proof before it is stored (a worker's bug must not reach a client). With a
 * local store it also builds uploaded models (compile + setup). Any number of these may run on
 * any number of machines against one Redis.
 */
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from "bullmq";
import { Redis } from "ioredis";
import { InferenceProver, isZkmlError, releaseCurves, verifyProofFile, type ContextDetails } from "../src/index.js";
import { buildInChildProcess, ModelBuildRefused } from "./model_build.js";
import { recordCompleted, recordFailed } from "./metrics.js";
import {
  DEFAULT_LOCK,
  KEY_PREFIX,
  MODEL_QUEUE,
  PROOF_QUEUE,
  queuedKey,
  type ContextRequest,
  type LockTiming,
  type ModelJobData,
  type ModelJobResult,
  type ProofJobResult,
  type ProofQueueData,
} from "./queue.js";
import type { LocalStore, ModelStore } from "./store.js";

export interface WorkerOptions {
  connection: ConnectionOptions;
  /** Where proof jobs' models come from. */
  store: ModelStore;
  /** A store on this machine's disk: with it, this worker also builds uploaded models. */
  buildStore?: LocalStore;
  lock?: LockTiming;
  /** Models whose keys stay in memory (least recently used goes first). */
  maxWarmModels?: number;
  name?: string;
  log?: (line: string) => void;
}

export interface RunningWorker {
  name: string;
  /** Stop taking jobs, finish the one in hand, then disconnect. */
  close(): Promise<void>;
}

/** The Redis key that marks a proof job as cancelled. */
export function cancelKey(jobId: string): string {
  return `${KEY_PREFIX}cancel:${jobId}`;
}

/**
 * A user's mistake (a bad ONNX or calibration, a model not in the store or failing its hashes, an
 * input the circuit refuses) will not get better on retry: no second attempt, and its message
 * becomes the job's failedReason. Anything else is retried.
 */
function failFast<T>(work: Promise<T>): Promise<T> {
  return work.catch((e: unknown) => {
    throw isZkmlError(e) ? new UnrecoverableError(e.oneLine()) : e;
  });
}

function contextDetails(c: ContextRequest): ContextDetails {
  return {
    value: BigInt(c.value),
    ...(c.chainId !== undefined && { chainId: BigInt(c.chainId) }),
    ...(c.contract !== undefined && { contract: c.contract }),
    ...(c.sender !== undefined && { sender: c.sender }),
    ...(c.beneficiary !== undefined && { beneficiary: c.beneficiary }),
    ...(c.nonce !== undefined && { nonce: BigInt(c.nonce) }),
    ...(c.snapshot !== undefined && { snapshot: BigInt(c.snapshot) }),
  };
}

/** Provers by model id, least recently used first. */
class WarmProvers {
  private readonly provers = new Map<string, Promise<InferenceProver>>();
  constructor(
    private readonly store: ModelStore,
    private readonly max: number,
  ) {}
  async get(modelId: string): Promise<InferenceProver> {
    let p = this.provers.get(modelId);
    if (p) this.provers.delete(modelId);
    else p = this.store.open(modelId).then((dir) => InferenceProver.open(dir));
    this.provers.set(modelId, p);
    p.catch(() => this.provers.delete(modelId));
    while (this.provers.size > this.max) this.provers.delete(this.provers.keys().next().value!);
    return p;
  }
}

/** What a proof job needs of its worker: its name (in results), Redis (cancel flags) and the warm provers. */
interface JobContext {
  name: string;
  redis: Redis;
  warm: WarmProvers;
}

/** Gives up (without retry) when the client cancelled the job. */
async function throwIfCancelled(redis: Redis, job: Job): Promise<void> {
  if (job.id && (await redis.exists(cancelKey(job.id)))) throw new UnrecoverableError("cancelled by the client");
}

/** One proof job: the warm prover, witness and proof, then the proof checked before it is handed back; cancel checked between steps. */
async function proveOne(job: Job<ProofQueueData, ProofJobResult>, { name, redis, warm }: JobContext): Promise<ProofJobResult> {
  const queued = Date.now() - job.timestamp;
  if (job.data.kind === "noop") return { kind: "noop", timingsMs: { load: 0, witness: 0, prove: 0, verify: 0, queued }, worker: name };
  const data = job.data;
  // Started: the job no longer counts against its tenant's queued quota.
  await redis.zrem(queuedKey(data.tenant), job.id!);
  // Only a first start expires: a job taken over from a dead worker was started in time.
  if (job.attemptsStarted <= 1 && Date.now() > data.expiresAt) throw new UnrecoverableError("expired: no worker started it in time");
  await throwIfCancelled(redis, job);
  await job.updateProgress({ stage: "loading" });
  const t0 = performance.now();
  const prover = await warm.get(data.modelId);
  const load = performance.now() - t0;
  await job.updateProgress({ stage: "witness+prove" });
  const r = data.quantized
    ? await prover.proveQuantized(data.input, contextDetails(data.context))
    : await prover.prove(data.input, contextDetails(data.context));
  await throwIfCancelled(redis, job);
  await job.updateProgress({ stage: "verifying" });
  const t1 = performance.now();
  const check = await verifyProofFile(prover.model, r.proof);
  if (!check.valid) throw new Error(`worker ${name} made a proof that does not verify: ${check.problems.join("; ")}`);
  const verify = performance.now() - t1;
  return { kind: "proof", proof: r.proof, timingsMs: { load, witness: r.timingsMs.witness, prove: r.timingsMs.prove, verify, queued }, worker: name };
}

/** Starts a worker on the proof and model queues: one job at a time, provers kept warm for the most recent models. */
export async function startWorker(opts: WorkerOptions): Promise<RunningWorker> {
  const name = opts.name ?? `${os.hostname()}:${process.pid}`;
  const log = opts.log ?? (() => {});
  const lock = opts.lock ?? DEFAULT_LOCK;
  const redis = new Redis({ ...(opts.connection as object), maxRetriesPerRequest: null });
  redis.on("error", (e) => log(`redis: ${e.message}`));
  const warm = new WarmProvers(opts.store, opts.maxWarmModels ?? 4);

  const proveJob = (job: Job<ProofQueueData, ProofJobResult>) => proveOne(job, { name, redis, warm });

  const proofWorker = new Worker<ProofQueueData, ProofJobResult>(PROOF_QUEUE, (job) => failFast(proveJob(job)), {
    connection: opts.connection,
    name,
    // One proof at a time: snarkjs already spreads a proof over every core.
    concurrency: 1,
    lockDuration: lock.lockMs,
    stalledInterval: lock.stalledCheckMs,
    // A job whose worker died twice is given up rather than killing a third.
    maxStalledCount: 2,
  });
  proofWorker.on("completed", (job, result) => {
    const latency = ((job.finishedOn ?? Date.now()) - job.timestamp) / 1000;
    const t = result.timingsMs;
    const busy = (t.load + t.witness + t.prove + t.verify) / 1000;
    log(`${job.id}: ${result.kind} done in ${busy.toFixed(2)} s (queued ${(t.queued / 1000).toFixed(2)} s)`);
    if (result.kind === "proof") void recordCompleted(redis, job.id!, latency, busy).catch(() => {});
  });
  proofWorker.on("failed", (job, err) => {
    log(`${job?.id}: failed (attempt ${job?.attemptsMade}): ${err.message}`);
    if (job && (err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1))) void recordFailed(redis).catch(() => {});
  });
  proofWorker.on("error", (err) => log(`queue error: ${err.message}`));

  let modelWorker: Worker<ModelJobData, ModelJobResult> | undefined;
  if (opts.buildStore) {
    const store = opts.buildStore;
    modelWorker = new Worker<ModelJobData, ModelJobResult>(MODEL_QUEUE, (job) => failFast(buildModel(job, store, log)), {
      connection: opts.connection,
      name,
      concurrency: 1,
      // A build runs for minutes in its own process (service/model_build.ts); this process renews the lock meanwhile.
      lockDuration: Math.max(lock.lockMs, 600_000),
      stalledInterval: Math.max(lock.stalledCheckMs, 60_000),
      maxStalledCount: 1,
    });
    modelWorker.on("error", (err) => log(`model queue error: ${err.message}`));
  }

  await proofWorker.waitUntilReady();
  await modelWorker?.waitUntilReady();
  return {
    name,
    async close() {
      await Promise.all([proofWorker.close(), modelWorker?.close()]);
      await redis.quit().catch(() => {});
      await releaseCurves();
    },
  };
}

async function buildModel(job: Job<ModelJobData, ModelJobResult>, store: LocalStore, log: (line: string) => void): Promise<ModelJobResult> {
  const d = job.data;
  const tmp = await mkdtemp(path.join(os.tmpdir(), "zkml-service-build-"));
  try {
    const dir = path.join(tmp, "build");
    // The model's name comes from its file's; the API allowed only [A-Za-z0-9_-] in it.
    const onnx = path.join(tmp, `${d.name}.onnx`);
    await copyFile(store.uploadFile(d.onnxSha256, "onnx"), onnx);
    const request = { onnx, outDir: dir, system: d.system, ...(d.calibrationSha256 && { calibrationFile: store.uploadFile(d.calibrationSha256, "json") }) };
    const timingsMs = await buildInChildProcess(request, (stage) => void job.updateProgress({ stage })).catch((e: unknown) => {
      throw e instanceof ModelBuildRefused ? new UnrecoverableError(e.message) : e;
    });
    const modelId = await store.add(dir);
    log(`model job ${job.id}: ${d.name} → ${modelId}`);
    return { modelId, timingsMs };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
