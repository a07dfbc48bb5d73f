/**
 * Load test of the proving service on loopback: a redis-server of its own, the API, and 1, 2
 * and 4 `zkml worker` processes; N concurrent clients submit MNIST MLP proofs over HTTP and
 * poll for them. Reports proofs/min, client-observed latency percentiles, the queue's own cost
 * per job (no-op jobs through the same API and queue), and the API's cost of re-checking each
 * proof; then projects throughput for k machines from those measurements.
 *   zkml bench service [--model DIR] [--workers 1,2,4] [--clients 8] [--proofs 24] [--noops 400] [--results DIR]
 * Writes <DIR>/service-<curve backend>-<date>-<host>.json, .md and .svg (default bench/results).
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { curveBackendInfo } from "../core/native.js";
import { PACKAGE_ROOT } from "../core/package_files.js";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compileModel, openReady, readInputFile, releaseCurves, setupModel, verifyProofFile, writeFileAtomic, type ProofFile } from "../src/index.js";
import { startApi } from "../service/api.js";
import { parseRedisUrl } from "../service/queue.js";
import { startRedisServer } from "../service/redis_server.js";
import { LocalStore } from "../service/store.js";
import { spawnWorkerProcess, stopWorkerProcess, type WorkerProcess } from "../service/worker_process.js";
import { addToken, readTokens } from "../service/tokens.js";
import { machineInfo, machineLabel } from "./machine.js";
import { lineChart } from "./svg.js";
import { measureThroughput, type ThroughputPoint } from "./throughput.js";

const ROOT = PACKAGE_ROOT;
const POLL_MS = 25;

export interface ServiceBenchOptions {
  modelDir?: string;
  workerCounts: number[];
  clients: number;
  proofs: number;
  noops: number;
  resultsDir?: string;
  progress: (line: string) => void;
}

interface LoadPoint {
  workers: number;
  jobs: number;
  wallMs: number;
  perMinute: number;
  latencyMs: { p50: number; p95: number; p99: number; mean: number };
}

export interface ServiceBenchResult {
  machine: ReturnType<typeof machineInfo>;
  date: string;
  model: { name: string; constraints: number };
  clients: number;
  pollMs: number;
  proofs: LoadPoint[];
  noop: LoadPoint;
  /** The API's check of one MNIST proof (snark verify + commitment), median of the proofs measured. */
  apiCheckMs: number;
  /** The same model proved by one warm process with no queue, HTTP or checks, in the same run. */
  direct: ThroughputPoint;
  /** k machines like this one, each with `workersPerMachine` workers. */
  projection: { machines: number; workersPerMachine: number; proofsPerMinute: number; limitedBy: string }[];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** N clients, each submitting and polling to the end, until `jobs` jobs are done. */
async function drive(
  url: string,
  token: string,
  clients: number,
  jobs: number,
  submit: () => { path: string; body: unknown },
): Promise<{ wallMs: number; latencies: number[]; results: { proof?: ProofFile }[] }> {
  let next = 0;
  const latencies: number[] = [];
  const results: { proof?: ProofFile }[] = [];
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < jobs) {
        next++;
        const req = submit();
        const start = performance.now();
        const res = await fetch(url + req.path, { method: "POST", headers, body: JSON.stringify(req.body) });
        if (res.status !== 202) throw new Error(`submit: HTTP ${res.status} ${await res.text()}`);
        const { poll } = (await res.json()) as { poll: string };
        for (;;) {
          const r = (await (await fetch(url + poll, { headers })).json()) as { state: string; error?: string; proof?: ProofFile };
          if (r.state === "done") {
            latencies.push(performance.now() - start);
            results.push(r);
            break;
          }
          if (r.state === "failed") throw new Error(`job failed: ${r.error}`);
          await new Promise((s) => setTimeout(s, POLL_MS));
        }
      }
    }),
  );
  return { wallMs: performance.now() - t0, latencies, results };
}

function point(workers: number, run: { wallMs: number; latencies: number[] }): LoadPoint {
  const sorted = [...run.latencies].sort((a, b) => a - b);
  return {
    workers,
    jobs: sorted.length,
    wallMs: run.wallMs,
    perMinute: (sorted.length / run.wallMs) * 60_000,
    latencyMs: {
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      mean: sorted.reduce((s, x) => s + x, 0) / sorted.length,
    },
  };
}

/** The model under test: the one given, else the MNIST MLP compiled with direct development keys in `tmp`. */
async function benchModel(opts: ServiceBenchOptions, tmp: string): Promise<string> {
  if (opts.modelDir) return opts.modelDir;
  opts.progress("compiling and setting up the MNIST MLP (direct development keys)");
  const modelDir = path.join(tmp, "mnist-mlp");
  await compileModel(path.join(ROOT, "examples/mnist/mnist-mlp.onnx"), {
    outDir: modelDir,
    calibrationFile: path.join(ROOT, "examples/mnist/calibration.json"),
    fidelity: false,
  });
  await setupModel(modelDir);
  return modelDir;
}

interface LoadRun {
  apiUrl: string;
  token: string;
  redisUrl: string;
  storeRoot: string;
  children: WorkerProcess[];
  proofReq: () => { path: string; body: unknown };
}

/** Proofs through the API at each worker count (workers started as needed), and the queue's own cost with no-op jobs. */
async function loadPoints(opts: ServiceBenchOptions, run: LoadRun): Promise<{ proofs: LoadPoint[]; noop: LoadPoint; sample: ProofFile[] }> {
  const proofs: LoadPoint[] = [];
  let noop: LoadPoint | undefined;
  let sample: ProofFile[] = [];
  for (const w of opts.workerCounts) {
    while (run.children.length < w) {
      const child = spawnWorkerProcess({ redis: run.redisUrl, name: `bench-${run.children.length}`, source: { store: run.storeRoot } });
      run.children.push(child);
      await child.ready;
    }
    // Warm every worker's keys (and the API's copy of the model) before the clock starts.
    await drive(run.apiUrl, run.token, w, w * 2, run.proofReq);
    opts.progress(`${w} worker(s): ${opts.proofs} proofs, ${opts.clients} clients`);
    const measured = await drive(run.apiUrl, run.token, opts.clients, opts.proofs, run.proofReq);
    proofs.push(point(w, measured));
    sample = measured.results.map((r) => r.proof!).slice(0, 10);
    opts.progress(`  ${proofs.at(-1)!.perMinute.toFixed(1)} proofs/min, p50 ${(proofs.at(-1)!.latencyMs.p50 / 1000).toFixed(2)} s`);
    if (w === opts.workerCounts[0]) {
      opts.progress(`queue overhead: ${opts.noops} no-op jobs through the API, ${w} worker(s)`);
      noop = point(w, await drive(run.apiUrl, run.token, opts.clients, opts.noops, () => ({ path: "/v1/noop", body: {} })));
    }
  }
  return { proofs, noop: noop!, sample };
}

/** Machines × the best worker count, capped by the queue and by one API instance's proof checks. */
function projectMachines(proofs: LoadPoint[], noop: LoadPoint, apiCheckMs: number): ServiceBenchResult["projection"] {
  const best = proofs.reduce((a, b) => (b.perMinute > a.perMinute ? b : a));
  const queueLimit = noop.perMinute;
  const apiLimit = 60_000 / apiCheckMs;
  return [1, 2, 4, 8, 16, 32, 64].map((machines) => {
    const want = machines * best.perMinute;
    const limit = Math.min(queueLimit, apiLimit);
    return {
      machines,
      workersPerMachine: best.workers,
      proofsPerMinute: Math.min(want, limit),
      limitedBy: want <= limit ? "workers" : queueLimit < apiLimit ? "queue (one API, one Redis)" : "the API's proof checks (one API instance)",
    };
  });
}

/** The median time the API spends re-checking one proof before handing it out. */
async function apiCheckMedianMs(ready: Awaited<ReturnType<typeof openReady>>, sample: ProofFile[]): Promise<number> {
  const checks: number[] = [];
  for (const p of sample) {
    const t0 = performance.now();
    await verifyProofFile(ready, p);
    checks.push(performance.now() - t0);
  }
  checks.sort((a, b) => a - b);
  return checks[Math.floor(checks.length / 2)]!;
}

/** Writes the JSON, Markdown and SVG reports of a result. */
async function writeServiceReports(result: ServiceBenchResult, opts: ServiceBenchOptions) {
  const dir = opts.resultsDir ?? path.resolve("bench", "results");
  await mkdir(dir, { recursive: true });
  const base = path.join(dir, `service-${curveBackendInfo().backend}-${result.date.slice(0, 10)}-${os.hostname()}`);
  await writeFileAtomic(`${base}.json`, JSON.stringify(result, null, 2) + "\n");
  await writeFileAtomic(`${base}.md`, renderMarkdown(result, path.basename(`${base}.svg`)));
  const chart = lineChart({
    title: `Proving service: ${result.model.name} proofs/min by workers (${opts.clients} clients, loopback)`,
    xLabel: "worker processes on this machine",
    yLabel: "proofs per minute",
    series: [{ name: "proofs/min", color: "#1f77b4", points: result.proofs.map((p) => ({ x: p.workers, y: p.perMinute })) }],
  });
  await writeFileAtomic(`${base}.svg`, chart);
  return { jsonFile: `${base}.json`, markdownFile: `${base}.md`, svgFile: `${base}.svg` };
}

/** The proving service under load (API, queue, workers): throughput and latency per worker count, with the reports. */
export async function runServiceBench(
  opts: ServiceBenchOptions,
): Promise<{ result: ServiceBenchResult; jsonFile: string; markdownFile: string; svgFile: string }> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), "zkml-bench-service-"));
  const redis = await startRedisServer(path.join(tmp, "redis"));
  const children: WorkerProcess[] = [];
  let closeApi = async () => {};
  try {
    const modelDir = await benchModel(opts, tmp);
    const ready = await openReady(modelDir);
    const store = new LocalStore(path.join(tmp, "store"));
    const modelId = await store.add(modelDir);
    const tokensFile = path.join(tmp, "tokens.json");
    const token = await addToken(tokensFile, "bench", "client", 1_000_000);
    const api = await startApi({
      connection: parseRedisUrl(redis.url),
      store,
      tokens: await readTokens(tokensFile),
      benchJobs: true,
      maxQueued: 100_000,
      tenantLimits: { queued: 100_000, readsPerMinute: 1e9 },
    });
    closeApi = () => api.close();
    const digits = await Promise.all([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((d) => readInputFile(path.join(ROOT, `examples/mnist/digits/digit-${d}.json`))));
    let k = 0;
    const proofReq = () => ({ path: `/v1/models/${modelId}/proofs`, body: { input: digits[k++ % digits.length] } });
    opts.progress("baseline: one warm proving process, no queue");
    const digit0 = path.join(ROOT, "examples/mnist/digits/digit-0.json");
    const [direct] = await measureThroughput(modelDir, digit0, [1], Math.max(4, Math.ceil(opts.proofs / 2)), opts.progress);
    const run = { apiUrl: api.url, token, redisUrl: redis.url, storeRoot: store.root, children, proofReq };
    const { proofs, noop, sample } = await loadPoints(opts, run);
    const apiCheckMs = await apiCheckMedianMs(ready, sample);
    const result: ServiceBenchResult = {
      machine: machineInfo(),
      date: new Date().toISOString(),
      model: { name: ready.model.name, constraints: ready.info.constraints },
      clients: opts.clients,
      pollMs: POLL_MS,
      proofs,
      noop,
      apiCheckMs,
      direct: direct!,
      projection: projectMachines(proofs, noop, apiCheckMs),
    };
    return { result, ...(await writeServiceReports(result, opts)) };
  } finally {
    await closeApi();
    await Promise.all(children.map((w) => stopWorkerProcess(w)));
    await redis.stop();
    await releaseCurves();
    await rm(tmp, { recursive: true, force: true });
  }
}

function renderMarkdown(r: ServiceBenchResult, svg: string): string {
  const s = (ms: number) => (ms / 1000).toFixed(2);
  return `# Proving service load test, ${r.date.slice(0, 10)}

Machine: ${machineLabel(r.machine)}. Model: ${r.model.name} (${r.model.constraints} constraints), Groth16.
${r.clients} concurrent HTTP clients on loopback, each submitting a proof and polling every ${r.pollMs} ms until it is done.
Latency is what a client sees: submission to a verified proof in hand.

| workers | proofs | wall (s) | proofs/min | p50 (s) | p95 (s) | p99 (s) |
|---:|---:|---:|---:|---:|---:|---:|
${r.proofs.map((p) => `| ${p.workers} | ${p.jobs} | ${s(p.wallMs)} | ${p.perMinute.toFixed(1)} | ${s(p.latencyMs.p50)} | ${s(p.latencyMs.p95)} | ${s(p.latencyMs.p99)} |`).join("\n")}

Queue overhead: ${r.noop.jobs} no-op jobs through the same API and queue with ${r.noop.workers} worker(s):
${r.noop.perMinute.toFixed(0)} jobs/min, ${(r.noop.wallMs / r.noop.jobs).toFixed(1)} ms of wall per job, client latency p50 ${r.noop.latencyMs.p50.toFixed(0)} ms, p99 ${r.noop.latencyMs.p99.toFixed(0)} ms
(including the ${r.pollMs} ms polling interval).
The API's re-check of one proof before returning it: ${r.apiCheckMs.toFixed(1)} ms (median).
Baseline in the same run: one warm proving process with no queue, HTTP or checks, ${r.direct.proofs} proofs: ${r.direct.proofsPerMinute.toFixed(1)} proofs/min;
the service with 1 worker reaches ${((r.proofs[0]!.perMinute / r.direct.proofsPerMinute) * 100).toFixed(0)} % of it.

Projected throughput for k machines like this one, each running ${r.projection[0]!.workersPerMachine} worker(s) (the best count measured here) at the measured rate, with one API instance and one Redis;
the limits are the queue path's no-op rate (${r.noop.perMinute.toFixed(0)}/min) and one API process checking every proof (${(60_000 / r.apiCheckMs).toFixed(0)}/min):

| machines | proofs/min | limited by |
|---:|---:|---|
${r.projection.map((p) => `| ${p.machines} | ${p.proofsPerMinute.toFixed(0)} | ${p.limitedBy} |`).join("\n")}

![proofs per minute](${svg})
`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const { parseArgs } = await import("node:util");
  const { values } = parseArgs({
    options: {
      model: { type: "string" },
      workers: { type: "string" },
      clients: { type: "string" },
      proofs: { type: "string" },
      noops: { type: "string" },
      results: { type: "string" },
    },
  });
  const { result, markdownFile } = await runServiceBench({
    ...(values.model && { modelDir: values.model }),
    workerCounts: (values.workers ?? "1,2,4").split(",").map(Number),
    clients: Number(values.clients ?? 8),
    proofs: Number(values.proofs ?? 24),
    noops: Number(values.noops ?? 400),
    ...(values.results && { resultsDir: values.results }),
    progress: (m) => process.stderr.write(`  … ${m}\n`),
  });
  for (const p of result.proofs)
    process.stdout.write(
      `${p.workers} worker(s): ${p.perMinute.toFixed(1)} proofs/min, p50 ${(p.latencyMs.p50 / 1000).toFixed(2)} s, p99 ${(p.latencyMs.p99 / 1000).toFixed(2)} s\n`,
    );
  process.stdout.write(
    `queue overhead: ${(result.noop.wallMs / result.noop.jobs).toFixed(1)} ms per no-op job; API check ${result.apiCheckMs.toFixed(1)} ms per proof\n→ ${markdownFile}\n`,
  );
}
