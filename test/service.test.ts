/**
 * The proving service against a real redis-server (started here on a loopback port, AOF on):
 * the API in this process, workers as separate `zkml worker` processes, one reading the store
 * in place and one fetching models over HTTP. Proves the MNIST MLP through HTTP, then kills,
 * drains and restarts each part and checks that no job is lost or done twice.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { existsSync, readdirSync } from "node:fs";
import { createServer } from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { QueueEvents, Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { Redis } from "ioredis";
import {
  compileModel,
  computeContext,
  InferenceProver,
  modelClass,
  openReady,
  quantizeInput,
  readInputFile,
  releaseCurves,
  runReference,
  setupModel,
  verifyProofFile,
} from "../src/index.js";
import { startApi, type RunningApi } from "../service/api.js";
import { parseRedisUrl, PROOF_QUEUE, proofQueue, type ProofJobResult, type ProofQueueData } from "../service/queue.js";
import { freePort, redisServerAvailable, startRedisServer, type LocalRedis } from "../service/redis_server.js";
import { HttpStore, LocalStore } from "../service/store.js";
import { addToken, readTokens } from "../service/tokens.js";
import { spawnWorkerProcess, stopWorkerProcess, type WorkerProcess } from "../service/worker_process.js";
import { stopChild, untilReady } from "./helpers/child.js";
import { blockAfter, fillPlaceholders, shellLines, shellWords } from "./helpers/doc_commands.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const haveRedis = redisServerAvailable();
if (!haveRedis) console.warn("SKIPPED: test/service.test.ts needs redis-server (Debian: apt-get install redis-server; .ci/run installs it)");

const LOCK_MS = 6000;

describe.skipIf(!haveRedis)("proving service: HTTP API + BullMQ workers on a real redis-server", () => {
  let tmp: string;
  let redis: LocalRedis;
  let api: RunningApi;
  let apiPort: number;
  let store: LocalStore;
  let modelId: string;
  let events: QueueEvents;
  const completedEvents = new Map<string, number>();
  const workers: WorkerProcess[] = [];
  const tokens: Record<string, string> = {};
  let digits: number[][];
  let firstJob: string;
  /** The reference interpreter's class of each digit (the MLP gets some wrong; the service must agree with it, not with the label). */
  let classes: number[];

  const startWorker = async (name: string, mode: "store" | "http"): Promise<WorkerProcess> => {
    const w = spawnWorkerProcess({
      redis: redis.url,
      name,
      lockMs: LOCK_MS,
      source: mode === "store" ? { store: store.root } : { api: api.url, cache: path.join(tmp, `cache-${name}`), token: tokens.worker! },
    });
    workers.push(w);
    await w.ready;
    return w;
  };

  const call = async (method: string, url: string, token: string | undefined, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${api.url}${url}`, {
      method,
      headers: { ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { "content-type": "application/json" }), ...headers },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: res.status, json, headers: res.headers };
  };

  const submit = (digit: number, token = tokens.alice, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
    call("POST", `/v1/models/${modelId}/proofs`, token, { input: digits[digit], ...extra }, headers);

  const waitFor = async (job: string, states: string[], token = tokens.alice, timeoutMs = 120_000) => {
    const t0 = Date.now();
    for (;;) {
      const r = await call("GET", `/v1/proofs/${job}`, token);
      if (states.includes(r.json.state)) return r.json;
      if (Date.now() - t0 > timeoutMs) throw new Error(`job ${job} stayed ${JSON.stringify(r.json).slice(0, 300)}`);
      await new Promise((res) => setTimeout(res, 40));
    }
  };

  /** The worker process proving this job, once the job is active (polled every 20 ms). */
  const provingWorker = async (jobId: string): Promise<WorkerProcess | undefined> => {
    const queue = proofQueue(parseRedisUrl(redis.url));
    try {
      for (const t0 = Date.now(); Date.now() - t0 < 60_000; await new Promise((r) => setTimeout(r, 20))) {
        const job = await queue.getJob(jobId);
        if ((await job?.getState()) === "active" && job?.processedBy) return workers.find((w) => w.name === job.processedBy);
      }
      return undefined;
    } finally {
      await queue.close();
    }
  };

  // The tests poll every 40 ms: far above a client's default read limit.
  const openApi = async (extra: Partial<Parameters<typeof startApi>[0]> = {}, tokensFile = path.join(tmp, "tokens.json")) =>
    startApi({
      connection: parseRedisUrl(redis.url),
      store,
      tokens: await readTokens(tokensFile),
      port: apiPort,
      ...extra,
      tenantLimits: { readsPerMinute: 1_000_000, ...extra.tenantLimits },
    });

  /** A request to another API instance than the suite's. */
  const callAt = async (base: string, method: string, url: string, token: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { "content-type": "application/json" }), ...headers },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, json: text.startsWith("{") ? JSON.parse(text) : text, headers: res.headers };
  };

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "zkml-service-"));
    redis = await startRedisServer(path.join(tmp, "redis"));
    const file = path.join(tmp, "tokens.json");
    tokens.alice = await addToken(file, "alice", "client", 1000);
    tokens.bob = await addToken(file, "bob", "client", 3);
    tokens.worker = await addToken(file, "worker", "worker", 1000);
    tokens.admin = await addToken(file, "admin", "admin", 1000);
    tokens.carol = await addToken(file, "carol", "client", 1000);
    tokens.dave = await addToken(file, "dave", "client", 1000);
    store = new LocalStore(path.join(tmp, "store"));
    modelId = await store.add(inject("mnistDir"));
    apiPort = await freePort();
    api = await openApi();
    events = new QueueEvents(PROOF_QUEUE, { connection: parseRedisUrl(redis.url) });
    events.on("completed", ({ jobId }) => completedEvents.set(jobId, (completedEvents.get(jobId) ?? 0) + 1));
    await events.waitUntilReady();
    digits = await Promise.all([0, 1, 2, 3, 4].map((d) => readInputFile(path.join(ROOT, `examples/mnist/digits/digit-${d}.json`))));
    const m = (await openReady(inject("mnistDir"))).model;
    classes = digits.map((d) => modelClass(m, runReference(m, quantizeInput(m, d)).output));
    await Promise.all([startWorker("w-store", "store"), startWorker("w-http", "http")]);
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => stopWorkerProcess(w, "SIGKILL")));
    await events?.close();
    await api?.close();
    await redis?.stop();
    await releaseCurves();
    await rm(tmp, { recursive: true, force: true });
  });

  it("answers health and metrics (an admin's), and refuses a request without a known token", async () => {
    expect((await call("GET", "/healthz", undefined)).json).toEqual({ ok: true });
    expect((await call("POST", `/v1/models/${modelId}/proofs`, undefined, { input: digits[0] })).status).toBe(401);
    expect((await submit(0, "zkml_not-a-real-token-at-all")).status).toBe(401);
    expect((await call("GET", "/metrics", undefined)).status).toBe(401);
    expect((await call("GET", "/metrics", tokens.alice)).status).toBe(403);
    const metrics = await call("GET", "/metrics", tokens.admin);
    expect(metrics.json).toMatch(/^zkml_workers 2$/m);
  });

  it("proves the MNIST MLP through HTTP: 202, progress over SSE, a proof that verifies, of this input and context", async () => {
    const context = { chainId: "31337", contract: "0x" + "11".repeat(20), sender: "0x" + "22".repeat(20), nonce: "7" };
    const r = await submit(3, tokens.alice, context);
    expect(r.status).toBe(202);
    expect(r.headers.get("location")).toBe(`/v1/proofs/${r.json.job}`);
    firstJob = r.json.job;
    // Server-sent events until the job ends.
    const res = await fetch(`${api.url}/v1/proofs/${r.json.job}/events`, { headers: { authorization: `Bearer ${tokens.alice}` } });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const stream = await res.text();
    const names = [...stream.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(names[0]).toBe("state");
    expect(names.at(-1)).toBe("end");
    const done = await waitFor(r.json.job, ["done", "failed"]);
    expect(done.state).toBe("done");
    expect(done.timingsMs.prove).toBeGreaterThan(0);
    const check = await verifyProofFile(inject("mnistDir"), done.proof);
    expect(check.valid).toBe(true);
    expect(done.proof.context).toMatchObject(context);
    const local = await (await InferenceProver.open(inject("mnistDir"))).prove(digits[3]!);
    expect(done.proof.output.values).toEqual(local.proof.output.values);
    expect(done.proof.output.class).toBe(classes[3]);
  });

  it("binds a beneficiary for a dApp contract to submit on the user's behalf (verifyInferenceFor's context)", async () => {
    const parts = { chainId: "31337", contract: "0x" + "11".repeat(20), sender: "0x" + "33".repeat(20), beneficiary: "0x" + "44".repeat(20), nonce: "2" };
    const r = await submit(1, tokens.alice, parts);
    expect(r.status).toBe(202);
    const done = await waitFor(r.json.job, ["done", "failed"]);
    expect(done.state, done.error).toBe("done");
    expect(done.proof.context).toMatchObject(parts);
    const fiveParts = computeContext({ chainId: 31337n, contract: parts.contract, sender: parts.sender, beneficiary: parts.beneficiary, nonce: 2n });
    expect(done.proof.context.value).toBe("0x" + fiveParts.toString(16));
    expect(fiveParts).not.toBe(computeContext({ chainId: 31337n, contract: parts.contract, sender: parts.sender, nonce: 2n }));
    expect((await verifyProofFile(inject("mnistDir"), done.proof)).valid).toBe(true);
    // A beneficiary alone is not a context.
    expect((await submit(1, tokens.alice, { beneficiary: parts.beneficiary })).status).toBe(400);
  });

  it("takes an input already quantized (a contract's modelInput()) and a snapshot (verifyInferenceAt's context)", async () => {
    const m = (await openReady(inject("mnistDir"))).model;
    const q = quantizeInput(m, digits[2]!);
    const parts = {
      chainId: "31337",
      contract: "0x" + "11".repeat(20),
      sender: "0x" + "33".repeat(20),
      beneficiary: "0x" + "44".repeat(20),
      nonce: "5",
      snapshot: "1234",
    };
    const r = await call("POST", `/v1/models/${modelId}/proofs`, tokens.alice, { input: q, quantized: true, ...parts });
    expect(r.status, JSON.stringify(r.json)).toBe(202);
    const done = await waitFor(r.json.job, ["done", "failed"]);
    expect(done.state, done.error).toBe("done");
    expect(done.proof.input.values).toEqual(q);
    expect(done.proof.output.class).toBe(classes[2]);
    expect(done.proof.context).toMatchObject(parts);
    const at = computeContext({ chainId: 31337n, contract: parts.contract, sender: parts.sender, beneficiary: parts.beneficiary, nonce: 5n, snapshot: 1234n });
    expect(done.proof.context.value).toBe("0x" + at.toString(16));
    expect((await verifyProofFile(inject("mnistDir"), done.proof)).valid).toBe(true);
    // A float input marked quantized is refused at once; a snapshot needs a beneficiary.
    const floats = await call("POST", `/v1/models/${modelId}/proofs`, tokens.alice, { input: digits[2], quantized: true });
    expect(floats.status).toBe(400);
    expect(floats.json.error).toMatch(/quantized input value #\d+ is/);
    const { beneficiary: _, ...noBeneficiary } = parts;
    expect((await call("POST", `/v1/models/${modelId}/proofs`, tokens.alice, { input: q, quantized: true, ...noBeneficiary })).status).toBe(400);
  });

  it("spreads jobs over both workers; the HTTP worker fetched the model once and checked it", async () => {
    const jobs = await Promise.all([0, 1, 2, 4].map(async (d) => (await submit(d)).json.job as string));
    const done = await Promise.all(jobs.map((j) => waitFor(j, ["done", "failed"])));
    expect(done.map((d) => d.error ?? d.state)).toEqual(["done", "done", "done", "done"]);
    expect(done.map((d) => d.proof.output.class)).toEqual([0, 1, 2, 4].map((d) => classes[d]));
    expect(new Set(done.map((d) => d.worker))).toEqual(new Set(["w-store", "w-http"]));
    expect(existsSync(path.join(tmp, "cache-w-http", "models", modelId, "circuit.zkey"))).toBe(true);
  });

  it("checks input and identity: a wrong size is 400, another token's job is 404, an Idempotency-Key returns the same job", async () => {
    const bad = await call("POST", `/v1/models/${modelId}/proofs`, tokens.alice, { input: [1, 2, 3] });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/784 values/);
    expect((await call("POST", `/v1/models/${"ab".repeat(32)}/proofs`, tokens.alice, { input: digits[0] })).status).toBe(404);
    // An input file sent as it is (with its label) is accepted, the extra field named; a context part of the wrong type is not.
    const extra = await call("POST", `/v1/models/${modelId}/proofs`, tokens.alice, { input: digits[0], label: 7, mnistIndex: 0 });
    expect(extra.status).toBe(202);
    expect(extra.json.ignored).toEqual(["label", "mnistIndex"]);
    expect((await call("POST", `/v1/models/${modelId}/proofs`, tokens.alice, { input: digits[0], nonce: [1] })).status).toBe(400);
    // Numbers for chainId and nonce, as a user would write them.
    const numeric = await call("POST", `/v1/models/${modelId}/proofs`, tokens.alice, {
      input: digits[0],
      chainId: 31337,
      contract: "0x" + "11".repeat(20),
      sender: "0x" + "22".repeat(20),
      nonce: 3,
    });
    expect(numeric.status).toBe(202);
    await waitFor(extra.json.job, ["done"]);
    expect((await waitFor(numeric.json.job, ["done"])).proof.context).toMatchObject({ chainId: "31337", nonce: "3" });

    const first = await submit(1, tokens.alice, {}, { "idempotency-key": "order-42" });
    const again = await submit(1, tokens.alice, {}, { "idempotency-key": "order-42" });
    expect(first.status).toBe(202);
    expect(again.status).toBe(200);
    expect(again.json.job).toBe(first.json.job);
    expect((await submit(2, tokens.alice, {}, { "idempotency-key": "order-42" })).status).toBe(422);
    expect((await call("GET", `/v1/proofs/${first.json.job}`, tokens.bob)).status).toBe(404);
    expect((await call("DELETE", `/v1/proofs/${first.json.job}`, tokens.bob)).status).toBe(404);
    await waitFor(first.json.job, ["done"]);
    expect(completedEvents.get(first.json.job)).toBe(1);
  });

  it("rate-limits per token with 429 and Retry-After", async () => {
    // Four calls inside one minute's window (the limit's unit).
    if (Date.now() % 60_000 > 57_000) await new Promise((r) => setTimeout(r, 3_500));
    const codes: number[] = [];
    let retry: string | null = null;
    for (let i = 0; i < 4; i++) {
      const r = await call("POST", `/v1/models/${modelId}/proofs`, tokens.bob, { input: [1] });
      codes.push(r.status);
      if (r.status === 429) retry = r.headers.get("retry-after");
    }
    expect(codes).toEqual([400, 400, 400, 429]); // counted even when the body is then refused
    expect(Number(retry)).toBeGreaterThan(0);
  });

  it("a worker killed with SIGKILL mid-proof: its job is proved by the other worker, once", async () => {
    const { json } = await submit(4);
    const victim = await provingWorker(json.job);
    expect(victim).toBeDefined();
    expect(await stopWorkerProcess(victim!, "SIGKILL")).toBe(null);
    const done = await waitFor(json.job, ["done", "failed"]);
    expect(done.state).toBe("done");
    expect(done.worker).not.toBe(victim!.name);
    expect(done.proof.output.class).toBe(classes[4]);
    await new Promise((r) => setTimeout(r, 300));
    expect(completedEvents.get(json.job)).toBe(1);
    await startWorker(`${victim!.name}-2`, victim!.name.includes("http") ? "http" : "store");
  });

  it("SIGTERM drains: the worker finishes the proof in hand, then exits 0", async () => {
    const { json } = await submit(0);
    const busy = await provingWorker(json.job);
    expect(await stopWorkerProcess(busy!)).toBe(0);
    const done = await waitFor(json.job, ["done", "failed"]);
    expect(done.state).toBe("done");
    expect(done.worker).toBe(busy!.name);
    expect(completedEvents.get(json.job)).toBe(1);
  });

  it("DELETE of a job being proved cancels it at the worker's next step", async () => {
    const { json } = await submit(1);
    expect(await provingWorker(json.job)).toBeDefined();
    expect((await call("DELETE", `/v1/proofs/${json.job}`, tokens.alice)).json.state).toBe("cancelling");
    const r = await waitFor(json.job, ["done", "failed"]);
    expect(r.state).toBe("failed");
    expect(r.error).toMatch(/cancelled by the client/);
    expect(r.proof).toBeUndefined();
  });

  it("with every worker stopped: cancel a queued job, a full queue is 429, a worker's forged proof is refused by the API", async () => {
    await Promise.all(workers.map((w) => stopWorkerProcess(w)));

    const queued = await submit(2);
    expect((await call("DELETE", `/v1/proofs/${queued.json.job}`, tokens.alice)).json.state).toBe("cancelled");
    expect((await call("GET", `/v1/proofs/${queued.json.job}`, tokens.alice)).status).toBe(404);

    // A worker that proves another input than the one asked (a valid proof, of the wrong thing).
    const prover = await InferenceProver.open(inject("mnistDir"));
    const wrong = (await prover.prove(digits[1]!)).proof;
    const forger = new Worker<ProofQueueData, ProofJobResult>(
      PROOF_QUEUE,
      async () => ({ kind: "proof", proof: wrong, timingsMs: { load: 0, witness: 0, prove: 0, verify: 0, queued: 0 }, worker: "forger" }),
      { connection: parseRedisUrl(redis.url), name: "forger" },
    );
    try {
      const forged = await submit(0);
      const r = await waitFor(forged.json.job, ["done", "failed"]);
      expect(r.state).toBe("failed");
      expect(r.error).toMatch(/refused by the API: the worker proved another input/);
      expect(r.proof).toBeUndefined();

      // A verdict never outlives the job it judged. The forger's proof is honest for digit 1...
      const honest = await submit(1, tokens.alice, {}, { "idempotency-key": "reused-after-expiry" });
      expect((await waitFor(honest.json.job, ["done", "failed"])).state).toBe("done");
      // ...then the job and its key's claim expire (as --ttl would remove them), and the same key
      // comes back for digit 0: the same job id, a new job, and the forger's proof is now a lie.
      const queue = proofQueue(parseRedisUrl(redis.url));
      await (await queue.getJob(honest.json.job))!.remove();
      await queue.close();
      const raw = new Redis(redis.url);
      await raw.del(`zkml:idempotency:${honest.json.job}`);
      await raw.quit();
      const reused = await submit(0, tokens.alice, {}, { "idempotency-key": "reused-after-expiry" });
      expect(reused.status).toBe(202);
      expect(reused.json.job).toBe(honest.json.job);
      const stale = await waitFor(reused.json.job, ["done", "failed"]);
      expect(stale.state).toBe("failed");
      expect(stale.error).toMatch(/the worker proved another input/);
    } finally {
      await forger.close();
    }

    const small = await openApi({ port: 0, maxQueued: 1 });
    try {
      const a = await fetch(`${small.url}/v1/models/${modelId}/proofs`, {
        method: "POST",
        headers: { authorization: `Bearer ${tokens.alice}`, "content-type": "application/json" },
        body: JSON.stringify({ input: digits[0] }),
      });
      const b = await fetch(`${small.url}/v1/models/${modelId}/proofs`, {
        method: "POST",
        headers: { authorization: `Bearer ${tokens.alice}`, "content-type": "application/json" },
        body: JSON.stringify({ input: digits[0] }),
      });
      expect(a.status).toBe(202);
      expect(b.status).toBe(429);
      expect(Number(b.headers.get("retry-after"))).toBeGreaterThan(0);
      const job = ((await a.json()) as { job: string }).job;
      expect((await call("DELETE", `/v1/proofs/${job}`, tokens.alice)).json.state).toBe("cancelled");
    } finally {
      await small.close();
    }
  });

  it("one Idempotency-Key, two bodies at once: one job, the other body 422 (with no worker running)", async () => {
    for (let round = 0; round < 5; round++) {
      const key = { "idempotency-key": `race-${round}` };
      const [a, b] = await Promise.all([submit(2, tokens.carol, {}, key), submit(3, tokens.carol, {}, key)]);
      expect([a.status, b.status].sort()).toEqual([202, 422]);
      const won = a.status === 202 ? a : b;
      expect((await call("DELETE", `/v1/proofs/${won.json.job}`, tokens.carol)).json.state).toBe("cancelled");
    }
    // The same body twice at once: one job, both answers name it.
    const key = { "idempotency-key": "race-same" };
    const [a, b] = await Promise.all([submit(2, tokens.carol, {}, key), submit(2, tokens.carol, {}, key)]);
    expect([a.status, b.status].sort()).toEqual([200, 202]);
    expect(a.json.job).toBe(b.json.job);
    await call("DELETE", `/v1/proofs/${a.json.job}`, tokens.carol);
  });

  it("per-token quotas: one token's flood of queued jobs, streams or reads leaves the others served; queued jobs expire", async () => {
    const small = await openApi({ port: 0, tenantLimits: { queued: 2, streams: 1 }, queueExpirySeconds: 2 });
    const jobs: string[] = [];
    try {
      const at = (method: string, url: string, token: string, body?: unknown) => callAt(small.url, method, url, token, body);
      const post = (token: string, d: number) => at("POST", `/v1/models/${modelId}/proofs`, token, { input: digits[d] });
      for (let i = 0; i < 2; i++) jobs.push((await post(tokens.dave!, i)).json.job);
      const flood = await post(tokens.dave!, 2);
      expect(flood.status).toBe(429);
      expect(flood.json.error).toMatch(/token dave has 2 proof jobs queued, its limit/);
      // Another tenant is not held back by dave's queue.
      const other = await post(tokens.carol!, 3);
      expect(other.status).toBe(202);
      jobs.push(other.json.job);
      // Cancelling one of dave's frees its place.
      expect((await at("DELETE", `/v1/proofs/${jobs[0]}`, tokens.dave!)).json.state).toBe("cancelled");
      const again = await post(tokens.dave!, 4);
      expect(again.status).toBe(202);
      jobs.push(again.json.job);

      // Streams: one per token here; the second of dave's is 429, carol's own is served.
      const ctl = new AbortController();
      const first = await fetch(`${small.url}/v1/proofs/${jobs[1]}/events`, { headers: { authorization: `Bearer ${tokens.dave}` }, signal: ctl.signal });
      expect(first.status).toBe(200);
      const second = await at("GET", `/v1/proofs/${jobs[1]}/events`, tokens.dave!);
      expect(second.status).toBe(429);
      expect(second.json.error).toMatch(/token dave holds 1 event streams/);
      ctl.abort();

      // After the expiry no worker started them: reported failed, and the quota is free again.
      await new Promise((r) => setTimeout(r, 2200));
      const expired = await at("GET", `/v1/proofs/${jobs[1]}`, tokens.dave!);
      expect(expired.json).toMatchObject({ state: "failed", error: expect.stringMatching(/expired/) });
      for (let i = 0; i < 2; i++) {
        const r = await post(tokens.dave!, i);
        expect(r.status).toBe(202);
        jobs.push(r.json.job);
      }
    } finally {
      await small.close();
      for (const j of jobs) await call("DELETE", `/v1/proofs/${j}`, tokens.dave).catch(() => {});
      for (const j of jobs) await call("DELETE", `/v1/proofs/${j}`, tokens.carol).catch(() => {});
    }
    // Reads a minute, per token: a third GET in one window is 429 naming the limit.
    if (Date.now() % 60_000 > 57_000) await new Promise((r) => setTimeout(r, 3_500));
    const reads = await openApi({ port: 0, tenantLimits: { readsPerMinute: 2 } });
    try {
      const codes: number[] = [];
      let last: Awaited<ReturnType<typeof callAt>> | undefined;
      for (let i = 0; i < 3; i++) {
        last = await callAt(reads.url, "GET", "/v1/models", tokens.carol!);
        codes.push(last.status);
      }
      expect(codes).toEqual([200, 200, 429]);
      expect(last!.json.error).toMatch(/rate limit of token carol: 2 reads a minute/);
    } finally {
      await reads.close();
    }
  });

  it("bounds numbers and depths with 400 before any file is written; a token made again under an old name is another tenant", async () => {
    const huge = (1n << 256n).toString();
    const parts = { chainId: huge, contract: "0x" + "11".repeat(20), sender: "0x" + "22".repeat(20), nonce: "1" };
    const r1 = await submit(0, tokens.alice, parts);
    expect(r1.status).toBe(400);
    expect(r1.json.error).toMatch(/chainId must be below 2\^256/);
    expect((await submit(0, tokens.alice, { ...parts, chainId: "1", nonce: huge })).json.error).toMatch(/nonce must be below/);

    const uploads = path.join(store.root, "uploads");
    const before = existsSync(uploads) ? readdirSync(uploads).length : 0;
    // Written as text: JSON.stringify itself overflows the stack on it.
    const deep = "[".repeat(200_000) + "]".repeat(200_000);
    const onnx = await readFile(path.join(ROOT, "examples/tiny-mlp/tiny-mlp.onnx"));
    const res = await fetch(`${api.url}/v1/models`, {
      method: "POST",
      headers: { authorization: `Bearer ${tokens.admin}`, "content-type": "application/json" },
      body: `{"onnx":"${onnx.toString("base64")}","name":"deep","calibration":{"input":${deep}}}`,
    });
    const up = { status: res.status, json: (await res.json()) as { error: string } };
    expect(up.status).toBe(400);
    expect(up.json.error).toMatch(/calibration nests deeper than 16 levels/);
    expect(existsSync(uploads) ? readdirSync(uploads).length : 0).toBe(before);

    // A new "alice" (another tokens file, the same name): none of the old alice's jobs are hers.
    const job = (await submit(1)).json.job as string;
    const file = path.join(tmp, "tokens-reissued.json");
    const newAlice = await addToken(file, "alice", "client", 1000);
    const other = await openApi({ port: 0 }, file);
    try {
      expect((await callAt(other.url, "GET", `/v1/proofs/${job}`, newAlice)).status).toBe(404);
      expect((await callAt(other.url, "GET", `/v1/proofs/${job}`, tokens.alice!)).status).toBe(401);
    } finally {
      await other.close();
    }
    await call("DELETE", `/v1/proofs/${job}`, tokens.alice);
  });

  it("does not serve a private-weights model's files over HTTP (its weights and salt stay on the store's machine)", async () => {
    const dir = path.join(tmp, "tiny-private");
    await compileModel(path.join(ROOT, "examples/tiny-mlp/tiny-mlp.onnx"), {
      outDir: dir,
      calibrationFile: path.join(ROOT, "examples/tiny-mlp/calibration.json"),
      weights: "private",
      fidelity: false,
    });
    await setupModel(dir);
    const id = await store.add(dir);
    const r = await call("GET", `/v1/store/${id}/manifest.json`, tokens.worker);
    expect(r.status).toBe(403);
    expect(r.json.error).toMatch(/weights are private/);
    // A public-weights model's files are served to the same token.
    expect((await call("GET", `/v1/store/${modelId}/manifest.json`, tokens.worker)).status).toBe(200);
  });

  it("Redis restarted (AOF) and the API restarted: finished and queued jobs are still there, and the queued one completes", async () => {
    const finished = await submit(3); // no worker: stays queued
    const before = await call("GET", "/v1/proofs/" + finished.json.job, tokens.alice);
    expect(before.json.state).toBe("queued");

    // Redis goes away under a running API: health says so, and the API reconnects by itself.
    await redis.stop();
    expect((await call("GET", "/healthz", undefined)).status).toBe(503);
    await redis.restart();
    const after = await call("GET", "/v1/proofs/" + finished.json.job, tokens.alice);
    expect(after.json.state).toBe("queued");
    expect((await call("GET", "/healthz", undefined)).status).toBe(200);

    // Then the API restarts: a client polling the same job id gets its answer from the new one.
    await api.close();
    api = await openApi();
    expect((await call("GET", "/v1/proofs/" + finished.json.job, tokens.alice)).json.state).toBe("queued");
    await startWorker("w-after-restart", "store");
    const done = await waitFor(finished.json.job, ["done", "failed"]);
    expect(done.state).toBe("done");
    expect(done.proof.output.class).toBe(classes[3]);
    // A job finished before the restart is still readable (its proof came back from the AOF).
    const old = await call("GET", `/v1/proofs/${firstJob}`, tokens.alice);
    expect(old.json.state).toBe("done");
    expect((await verifyProofFile(inject("mnistDir"), old.json.proof)).valid).toBe(true);
    const metrics = await call("GET", "/metrics", tokens.admin);
    const completed = Number(/zkml_proofs_total\{result="completed"\} (\d+)/.exec(metrics.json)![1]);
    expect(completed).toBeGreaterThanOrEqual(9);
    expect(metrics.json).toMatch(/zkml_proof_latency_seconds_count \d+/);
  });

  it("builds an uploaded ONNX model (compile + setup on a worker) and proves on it", async () => {
    const onnx = await readFile(path.join(ROOT, "examples/tiny-mlp/tiny-mlp.onnx"));
    const calibration = JSON.parse(await readFile(path.join(ROOT, "examples/tiny-mlp/calibration.json"), "utf8"));
    expect((await call("POST", "/v1/models", tokens.alice, { onnx: onnx.toString("base64"), name: "tiny" })).status).toBe(403);
    const up = await call("POST", "/v1/models", tokens.admin, { onnx: onnx.toString("base64"), name: "tiny", calibration });
    expect(up.status).toBe(202);
    let job: any;
    for (const t0 = Date.now(); Date.now() - t0 < 180_000; await new Promise((r) => setTimeout(r, 200))) {
      job = (await call("GET", `/v1/model-jobs/${up.json.job}`, tokens.admin)).json;
      if (job.state === "done" || job.state === "failed") break;
    }
    expect(job.state).toBe("done");
    const model = (await call("GET", `/v1/models/${job.modelId}`, tokens.alice)).json;
    expect(model.name).toBe("tiny");
    const input = JSON.parse(await readFile(path.join(ROOT, "examples/tiny-mlp/input.json"), "utf8")).input;
    const r = await call("POST", `/v1/models/${job.modelId}/proofs`, tokens.alice, { input });
    const done = await waitFor(r.json.job, ["done", "failed"]);
    expect(done.state).toBe("done");
    expect((await verifyProofFile(await store.open(job.modelId), done.proof)).valid).toBe(true);
    // A broken upload fails with the compiler's reason, not a retry loop.
    const broken = await call("POST", "/v1/models", tokens.admin, { onnx: Buffer.from("not an onnx file").toString("base64"), name: "broken" });
    for (const t0 = Date.now(); Date.now() - t0 < 60_000; await new Promise((r) => setTimeout(r, 200))) {
      job = (await call("GET", `/v1/model-jobs/${broken.json.job}`, tokens.admin)).json;
      if (job.state === "done" || job.state === "failed") break;
    }
    expect(job.state).toBe("failed");
    expect(job.error).toMatch(/ONNX|onnx/);
  });
});

describe("service CLI: tokens and worker arguments", () => {
  it("zkml token shows the token once and stores only its sha256; a second token of that name is refused", async () => {
    const { runCli } = await import("./helpers/cli.js");
    const dir = await mkdtemp(path.join(os.tmpdir(), "zkml-tokens-"));
    try {
      const file = path.join(dir, "tokens.json");
      const made = await runCli(["token", "carol", "--tokens", file, "--role", "worker", "--rate", "5"]);
      expect(made.code).toBe(0);
      const token = /^(zkml_[A-Za-z0-9_-]{43})$/m.exec(made.stdout)![1]!;
      const stored = await readFile(file, "utf8");
      expect(stored).not.toContain(token);
      const table = await readTokens(file);
      expect(table.lookup(token)).toMatchObject({ id: "carol", role: "worker", ratePerMinute: 5 });
      expect(table.lookup(token.slice(0, -1) + (token.endsWith("A") ? "B" : "A"))).toBeUndefined();
      const again = await runCli(["token", "carol", "--tokens", file]);
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(/a token named carol exists/);
      const worker = await runCli(["worker", "--redis", "redis://127.0.0.1:1"]);
      expect(worker.code).toBe(2);
      expect(worker.stderr).toMatch(/give --store DIR or --api URL/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** A shell line run by bash in `cwd`: its stdout, and a failure with its stderr when it exits otherwise than 0. */
function bash(script: string, cwd: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile("bash", ["-c", `set -euo pipefail\n${script}`], { cwd, timeout: 120_000 }, (e, stdout, stderr) =>
      e ? reject(new Error(`${script}\n${stderr || e.message}`)) : resolve(stdout),
    ),
  );
}

// docs/SERVICE.md's commands as a reader types them, in order. Filled in: the ports (6379 and
// 8080 may be taken here), the build folder (the suite's MNIST build), the token the first start
// wrote, and the job id the submission answered.
describe.skipIf(!haveRedis)('docs/SERVICE.md "## Run it on one machine", as written', () => {
  it("redis-server, zkml serve --model … --workers 1 (its admin token to a 0600 file, not a log), then curl: submit, poll, stream to the end", async () => {
    const { spawn } = await import("node:child_process");
    const { stat } = await import("node:fs/promises");
    const service = await readFile(path.join(ROOT, "docs/SERVICE.md"), "utf8");
    const heading = "## Run it on one machine";
    const [redisLine, serveLine, ...rest] = shellLines(blockAfter(service, heading, 1));
    expect(rest).toEqual([]);
    // README's "## The proving service" gives the same two commands.
    expect(shellLines(blockAfter(await readFile(path.join(ROOT, "README.md"), "utf8"), "## The proving service"))).toEqual([redisLine, serveLine]);
    const dir = await mkdtemp(path.join(os.tmpdir(), "zkml-serve-"));
    const [redisPort, apiPort] = [await freePort(), await freePort()];
    expect(redisLine).toMatch(/^redis-server .*--port 6379 .*--daemonize yes$/);
    await bash(redisLine!.replace("--port 6379", `--port ${redisPort}`), dir);
    const redisUrl = `redis://127.0.0.1:${redisPort}`;
    const serveArgs = fillPlaceholders(shellWords(serveLine!), { "build/mnist-mlp": inject("mnistDir") });
    expect(serveArgs.slice(0, 3)).toEqual(["npx", "zkml", "serve"]);
    const child = spawn(
      process.execPath,
      ["--import", import.meta.resolve("tsx"), path.join(ROOT, "cli/main.ts"), ...serveArgs.slice(2), "--redis", redisUrl, "--port", String(apiPort)],
      { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
    );
    try {
      const out = await untilReady(child, /zkml API on/, "zkml serve", 60_000);
      // Not a terminal: the first admin token goes to a 0600 file, never to the log.
      const tokensFile = path.join(dir, "zkml-tokens.json");
      expect(out).not.toMatch(/zkml_[A-Za-z0-9_-]{20,}/);
      expect(out).toContain("zkml-tokens.json.admin-token (mode 0600");
      const token = (await readFile(`${tokensFile}.admin-token`, "utf8")).trim();
      expect((await stat(`${tokensFile}.admin-token`)).mode & 0o777).toBe(0o600);
      expect((await readTokens(tokensFile)).lookup(token)).toMatchObject({ id: "admin", role: "admin" });

      const [setup, submitLine, pollLine, streamLine, ...more] = shellLines(blockAfter(service, heading, 2)).map((l) =>
        l.replaceAll("localhost:8080", `127.0.0.1:${apiPort}`),
      );
      expect(more).toEqual([]);
      expect(setup).toMatch(/^TOKEN=zkml_…\s/);
      const shell = (line: string) => bash(`${setup!.replace("zkml_…", token)}\n${line}`, ROOT);
      // The bundled digit file as it is: its label and MNIST index are ignored, and named.
      const submitted = JSON.parse(await shell(submitLine!));
      expect(submitted.job).toMatch(/\S/);
      expect(submitted.ignored).toEqual(expect.arrayContaining(["label"]));
      const polled = JSON.parse(await shell(pollLine!.replace("/JOB", `/${submitted.job}`)));
      expect(["queued", "active", "done"]).toContain(polled.state);
      const stream = await shell(streamLine!.replace("/JOB", `/${submitted.job}`));
      expect(stream).toMatch(/^event: state$/m);
      expect(stream).toMatch(/^event: end\ndata: .*"state":"done"/m);
      const done = JSON.parse(await shell(pollLine!.replace("/JOB", `/${submitted.job}`)));
      expect(done.state).toBe("done");
      expect((await verifyProofFile(inject("mnistDir"), done.proof)).valid).toBe(true);
    } finally {
      await stopChild(child);
      // The daemon the block started: shut down, nothing kept.
      const admin = new Redis(redisUrl, { retryStrategy: () => null, maxRetriesPerRequest: 0 }).on("error", () => undefined);
      await admin.call("shutdown", "nosave").catch(() => undefined);
      admin.disconnect();
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe("model store over HTTP: a hostile store is refused", () => {
  it("refuses a manifest that is not the id's, and a file that does not match the manifest, installing nothing", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "zkml-httpstore-"));
    const source = new LocalStore(path.join(dir, "source"));
    const id = await source.add(inject("mnistDir"));
    const real = await source.open(id);
    // Serves the real model, but with one byte of the proving key flipped, or another manifest.
    let mode: "zkey" | "manifest" = "zkey";
    const server = createServer(async (req, res) => {
      const name = decodeURIComponent(req.url!.split(`/v1/store/${id}/`)[1] ?? "");
      let bytes = await readFile(path.join(real, name));
      if (mode === "zkey" && name === "circuit.zkey") bytes[bytes.length - 1]! ^= 1;
      if (mode === "manifest" && name === "manifest.json") bytes = Buffer.concat([bytes, Buffer.from(" ")]);
      res.end(bytes);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const cache = path.join(dir, "cache");
      await expect(new HttpStore(url, "zkml_test-token", cache).open(id)).rejects.toThrow(/circuit\.zkey does not match its manifest/);
      mode = "manifest";
      await expect(new HttpStore(url, "zkml_test-token", cache).open(id)).rejects.toThrow(/answered model .* with another manifest/);
      // Neither the model nor a half-filled folder is left in the cache.
      expect(existsSync(path.join(cache, "models")) ? readdirSync(path.join(cache, "models")) : []).toEqual([]);
    } finally {
      server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
