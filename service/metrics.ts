/**
 * Service metrics kept in Redis, so that every API instance reports the whole cluster's
 * figures, and rendered as Prometheus text. Workers add to them as jobs end.
 */
import type { Redis } from "ioredis";
import type { Queue } from "bullmq";
import { KEY_PREFIX } from "./queue.js";

const HASH = `${KEY_PREFIX}metrics`;
const DONE = `${KEY_PREFIX}done`;
/** Histogram bucket bounds, seconds. */
export const BUCKETS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300] as const;
const HISTOGRAMS = {
  latency: { name: "zkml_proof_latency_seconds", help: "from submission to a verified proof" },
  prove: { name: "zkml_prove_seconds", help: "a worker's time on one proof: load, witness, prove, verify" },
} as const;
type Histogram = keyof typeof HISTOGRAMS;

function observe(multi: ReturnType<Redis["multi"]>, h: Histogram, seconds: number): void {
  for (const le of BUCKETS) if (seconds <= le) multi.hincrby(HASH, `${h}_le_${le}`, 1);
  multi.hincrby(HASH, `${h}_count`, 1);
  multi.hincrbyfloat(HASH, `${h}_sum`, seconds);
}

/** Counts a finished proof job and its latency and proving time in Redis (for /metrics). */
export async function recordCompleted(redis: Redis, jobId: string, latencySeconds: number, proveSeconds: number): Promise<void> {
  const now = Date.now();
  const multi = redis.multi();
  multi.hincrby(HASH, "proofs_completed", 1);
  observe(multi, "latency", latencySeconds);
  observe(multi, "prove", proveSeconds);
  multi.zadd(DONE, now, `${now}:${jobId}`);
  multi.zremrangebyscore(DONE, 0, now - 60_000);
  await multi.exec();
}

/** Counts a failed proof job in Redis. */
export async function recordFailed(redis: Redis): Promise<void> {
  await redis.hincrby(HASH, "proofs_failed", 1);
}

/** Mean seconds per proof so far (for Retry-After), or undefined before the first. */
export async function meanProveSeconds(redis: Redis): Promise<number | undefined> {
  const [count, sum] = await redis.hmget(HASH, "prove_count", "prove_sum");
  return count && Number(count) > 0 ? Number(sum) / Number(count) : undefined;
}

/** The service's metrics in Prometheus text format. */
export async function renderMetrics(redis: Redis, queue: Queue): Promise<string> {
  const counts = await queue.getJobCounts("waiting", "active", "delayed", "prioritized", "completed", "failed");
  const workers = await queue.getWorkersCount();
  const h = await redis.hgetall(HASH);
  const now = Date.now();
  const lastMinute = await redis.zcount(DONE, now - 60_000, now);
  const num = (k: string) => Number(h[k] ?? 0);
  const lines = [
    "# HELP zkml_queue_jobs Proof jobs in the queue by state.",
    "# TYPE zkml_queue_jobs gauge",
    ...Object.entries(counts).map(([state, n]) => `zkml_queue_jobs{state="${state}"} ${n}`),
    "# HELP zkml_workers Worker connections on the proof queue.",
    "# TYPE zkml_workers gauge",
    `zkml_workers ${workers}`,
    "# HELP zkml_proofs_total Proof jobs ended, by result.",
    "# TYPE zkml_proofs_total counter",
    `zkml_proofs_total{result="completed"} ${num("proofs_completed")}`,
    `zkml_proofs_total{result="failed"} ${num("proofs_failed")}`,
    "# HELP zkml_proofs_per_second Proofs completed per second over the last minute.",
    "# TYPE zkml_proofs_per_second gauge",
    `zkml_proofs_per_second ${(lastMinute / 60).toFixed(4)}`,
  ];
  for (const [key, { name, help }] of Object.entries(HISTOGRAMS)) {
    lines.push(`# HELP ${name} Seconds ${help}.`, `# TYPE ${name} histogram`);
    for (const le of BUCKETS) lines.push(`${name}_bucket{le="${le}"} ${num(`${key}_le_${le}`)}`);
    lines.push(`${name}_bucket{le="+Inf"} ${num(`${key}_count`)}`, `${name}_sum ${num(`${key}_sum`)}`, `${name}_count ${num(`${key}_count`)}`);
  }
  return lines.join("\n") + "\n";
}
