/**
 * The proving service's HTTP API (Fastify: JSON-schema validation of every body and parameter
 * compiled ahead by Ajv, body-size limits per route, and a clean close that drains requests).
 * It validates and enqueues; workers prove; the API checks each proof again before handing it
 * out. All state is in Redis, so API instances are interchangeable and a restarted one answers
 * for jobs an earlier one accepted.
 */
import { createHash, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { QueueEvents, type ConnectionOptions, type Job } from "bullmq";
import Fastify, { type FastifyReply, type FastifyRequest } from "fastify";
import { Redis } from "ioredis";
import {
  computeContext,
  inputShapes,
  inputValues,
  isZkmlError,
  openReady,
  parseContext,
  quantizeInput,
  readManifest,
  verifyProofFile,
  writeFileAtomic,
  type ReadyModel,
} from "../src/index.js";
import { PROOF_SYSTEMS, type ProofSystem } from "../core/proof_system.js";
import { meanProveSeconds, renderMetrics } from "./metrics.js";
import {
  DEFAULT_TTL_SECONDS,
  jobOptions,
  KEY_PREFIX,
  modelQueue,
  proofQueue,
  type ContextRequest,
  type ModelJobData,
  type ProofJobResult,
  type ProofQueueData,
} from "./queue.js";
import { buildFiles, isBuildFileName, type LocalStore } from "./store.js";
import { bearerToken, roleAllows, type TokenRecord, type TokenRole, type TokenTable } from "./tokens.js";
import { cancelKey } from "./worker.js";

export interface ApiOptions {
  connection: ConnectionOptions;
  store: LocalStore;
  tokens: TokenTable;
  host?: string;
  port?: number;
  /** Build folders an admin may add by name (POST /v1/models {"build": NAME}): NAME is a folder in here. */
  buildsRoot?: string;
  /** Proof jobs waiting beyond this get 429 (default 1000). */
  maxQueued?: number;
  ttlSeconds?: number;
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

type State = "queued" | "active" | "done" | "failed";

const JOB_ID = "^[A-Za-z0-9-]{1,80}$";
const ADDRESS = "^0x[0-9a-fA-F]{40}$";
const DECIMAL = "^[0-9]{1,78}$";
const NAME = "^[A-Za-z0-9_-]{1,40}$";

const proofBodySchema = {
  type: "object",
  additionalProperties: false,
  required: ["input"],
  properties: {
    // Flat or nested in the model's shape; checked against the model below.
    input: { type: "array", maxItems: 1 << 20 },
    context: { type: "string", pattern: "^(0x)?[0-9a-fA-F]{1,62}$" },
    chainId: { type: "string", pattern: DECIMAL },
    contract: { type: "string", pattern: ADDRESS },
    sender: { type: "string", pattern: ADDRESS },
    beneficiary: { type: "string", pattern: ADDRESS },
    nonce: { type: "string", pattern: DECIMAL },
  },
} as const;

const modelBodySchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    build: { type: "string", pattern: NAME },
    name: { type: "string", pattern: NAME },
    onnx: { type: "string", contentEncoding: "base64", maxLength: 64 * 1024 * 1024 },
    calibration: { type: "object" },
    system: { type: "string", enum: PROOF_SYSTEMS },
  },
} as const;

interface ProofBody {
  input: unknown[];
  context?: string;
  chainId?: string;
  contract?: string;
  sender?: string;
  /** For a dApp contract (`sender`) that submits the proof on this user's behalf (verifyInferenceFor). */
  beneficiary?: string;
  nonce?: string;
}

interface ModelBody {
  build?: string;
  name?: string;
  onnx?: string;
  calibration?: Record<string, unknown>;
  system?: ProofSystem;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

function sha256(text: string | Uint8Array): string {
  return createHash("sha256").update(text).digest("hex");
}

function stateOf(s: string): State | undefined {
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

/** The context the proof binds: given whole, or the parts the verifier contract hashes (four, or five with a beneficiary). */
function requestContext(b: ProofBody): ContextRequest {
  const parts = [b.chainId, b.contract, b.sender, b.nonce];
  if (b.context !== undefined && [...parts, b.beneficiary].some((p) => p !== undefined))
    throw new HttpError(400, "give either context or chainId/contract/sender/nonce(/beneficiary), not both");
  if (b.context !== undefined) return { value: "0x" + parseContext(b.context).toString(16) };
  if ([...parts, b.beneficiary].every((p) => p === undefined)) return { value: "0x0" };
  if (!parts.every((p) => p !== undefined)) throw new HttpError(400, "chainId, contract, sender and nonce go together (beneficiary is optional)");
  const beneficiary = b.beneficiary === undefined ? {} : { beneficiary: b.beneficiary };
  const value = computeContext({ chainId: BigInt(b.chainId!), contract: b.contract!, sender: b.sender!, nonce: BigInt(b.nonce!), ...beneficiary });
  return { value: "0x" + value.toString(16), chainId: b.chainId!, contract: b.contract!, sender: b.sender!, nonce: b.nonce!, ...beneficiary };
}

/** Starts the proving service's HTTP API (fastify) on the queue; resolves when it listens. */
export async function startApi(opts: ApiOptions): Promise<RunningApi> {
  const log = opts.log ?? (() => {});
  const ttl = opts.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  const maxQueued = opts.maxQueued ?? 1000;
  const maxModelBytes = opts.maxModelBytes ?? 32 * 1024 * 1024;
  const redis = new Redis({ ...(opts.connection as object), maxRetriesPerRequest: 3 });
  // While Redis is away, requests fail (503 from /healthz) and ioredis reconnects: not a crash.
  redis.on("error", () => {});
  const proofs = proofQueue(opts.connection);
  const models = modelQueue(opts.connection);
  const events = new QueueEvents(proofs.name, { connection: opts.connection });
  for (const emitter of [proofs, models, events] as { on(e: "error", f: (e: Error) => void): unknown }[])
    emitter.on("error", (e) => log(`redis: ${e.message}`));
  const store = opts.store;
  await mkdir(path.join(store.root, "models"), { recursive: true });

  // Open models (for input checks and for checking workers' proofs) are kept: a model never changes under its id.
  const ready = new Map<string, Promise<ReadyModel>>();
  const openModel = (id: string): Promise<ReadyModel> => {
    if (!store.has(id)) throw new HttpError(404, `no model ${id.slice(0, 64)}`);
    let m = ready.get(id);
    if (!m) {
      m = store.open(id).then(openReady);
      m.catch(() => ready.delete(id));
      ready.set(id, m);
    }
    return m;
  };
  // A proof is checked once per job; later reads of the same job reuse the verdict.
  const verdicts = new Map<string, Promise<string | undefined>>();

  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024, ajv: { customOptions: { allErrors: false, removeAdditional: false, coerceTypes: false } } });
  app.decorateRequest("token", null);
  const sse = new Set<FastifyReply>();

  app.addHook("onResponse", async (req, reply) => {
    // Method, route and status only: never a header (tokens), a body (private inputs) or a query.
    log(`${req.method} ${req.routeOptions.url ?? "?"} ${reply.statusCode} ${reply.elapsedTime.toFixed(0)} ms`);
  });

  app.setErrorHandler((err: unknown, _req, reply) => {
    if (err instanceof HttpError) return reply.code(err.status).headers(err.headers).send({ error: err.message });
    if (isZkmlError(err)) return reply.code(err.code === "MISSING_ARTIFACT" ? 404 : 400).send({ error: err.oneLine(), code: err.code });
    const e = err as { validation?: unknown; statusCode?: number; message?: string };
    if (e.validation || (e.statusCode && e.statusCode < 500)) return reply.code(e.statusCode ?? 400).send({ error: e.message });
    log(`internal error: ${(err as Error).stack ?? String(err)}`);
    return reply.code(500).send({ error: "internal error" });
  });

  const auth = (need: TokenRole) => async (req: FastifyRequest) => {
    const token = opts.tokens.lookup(bearerToken(req.headers.authorization));
    if (!token) throw new HttpError(401, "missing or unknown API token (Authorization: Bearer zkml_…)");
    if (!roleAllows(token.role, need)) throw new HttpError(403, `this token's role (${token.role}) may not do this`);
    (req as FastifyRequest & { token: TokenRecord }).token = token;
  };
  const tokenOf = (req: FastifyRequest) => (req as FastifyRequest & { token: TokenRecord }).token;

  /** Fixed one-minute windows in Redis: the limit holds across every API instance. */
  const rateLimit = async (token: TokenRecord) => {
    const minute = Math.floor(Date.now() / 60_000);
    const key = `${KEY_PREFIX}rate:${token.id}:${minute}`;
    const [[, n]] = (await redis.multi().incr(key).expire(key, 120).exec()) as [[null, number]];
    if (n > token.ratePerMinute) {
      const retry = Math.max(1, Math.ceil(60 - (Date.now() / 1000 - minute * 60)));
      throw new HttpError(429, `rate limit: ${token.ratePerMinute} requests a minute for this token`, { "retry-after": String(retry) });
    }
  };

  const queueRoom = async () => {
    const c = await proofs.getJobCounts("waiting", "prioritized", "delayed");
    const waiting = (c.waiting ?? 0) + (c.prioritized ?? 0) + (c.delayed ?? 0);
    if (waiting >= maxQueued) {
      const workers = Math.max(1, await proofs.getWorkersCount());
      const per = (await meanProveSeconds(redis)) ?? 2;
      const retry = Math.min(600, Math.max(1, Math.ceil((waiting * per) / workers)));
      throw new HttpError(429, `the queue is full (${waiting} jobs waiting)`, { "retry-after": String(retry) });
    }
  };

  /**
   * The job and its state, if it exists and is this token's (another token's job is
   * indistinguishable from none). The state is read first: BullMQ writes a job's result with its
   * end state, so a job read after an ended state has its result.
   */
  type ProofJob = { job: Job<ProofQueueData, ProofJobResult>; state: State | undefined };
  const readJob = async (id: string): Promise<ProofJob | undefined> => {
    const state = stateOf(await proofs.getJobState(id));
    const job = await proofs.getJob(id);
    return job && { job, state };
  };
  const ownJob = async (req: FastifyRequest, id: string): Promise<ProofJob> => {
    const found = await readJob(id);
    if (!found || found.job.data.tokenId !== tokenOf(req).id) throw new HttpError(404, `no job ${id}`);
    return found;
  };

  /** Check a worker's proof against the model, the request's input and its context: undefined if sound, else why not. */
  const checkProof = (job: Job<ProofQueueData, ProofJobResult>): Promise<string | undefined> => {
    let v = verdicts.get(job.id!);
    if (!v) {
      v = (async () => {
        const data = job.data;
        const proof = job.returnvalue?.proof;
        if (data.kind !== "proof") return undefined;
        if (!proof) return "the worker returned no proof";
        const model = await openModel(data.modelId);
        const result = await verifyProofFile(model, proof);
        if (!result.valid) return `the worker's proof does not verify: ${result.problems.join("; ")}`;
        const expected = quantizeInput(model.model, data.input);
        if (proof.input.values.length !== expected.length || proof.input.values.some((x, i) => x !== expected[i])) return "the worker proved another input";
        if (proof.context.value !== data.context.value) return "the worker bound another context";
        return undefined;
      })();
      verdicts.set(job.id!, v);
      if (verdicts.size > 10_000) verdicts.delete(verdicts.keys().next().value!);
    }
    return v;
  };

  const describe = async ({ job, state }: ProofJob) => {
    const base = {
      id: job.id,
      state,
      progress: job.progress,
      attempts: job.attemptsMade,
      submittedAt: new Date(job.timestamp).toISOString(),
      ...(job.finishedOn && { finishedAt: new Date(job.finishedOn).toISOString() }),
    };
    if (state === "failed") return { ...base, error: job.failedReason };
    if (state !== "done") return base;
    const problem = await checkProof(job);
    if (problem) return { ...base, state: "failed" as State, error: `refused by the API: ${problem}` };
    return { ...base, timingsMs: job.returnvalue.timingsMs, worker: job.returnvalue.worker, proof: job.returnvalue.proof };
  };

  app.get("/healthz", async (_req, reply) => {
    try {
      await Promise.race([redis.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error("no answer within 2 s")), 2000).unref())]);
      return { ok: true };
    } catch (e) {
      return reply.code(503).send({ ok: false, error: `redis: ${(e as Error).message}` });
    }
  });

  app.get("/metrics", async (_req, reply) => reply.type("text/plain; version=0.0.4").send(await renderMetrics(redis, proofs)));

  app.get("/v1/models", { preHandler: auth("client") }, async () => {
    const ids = await store.list();
    return { models: await Promise.all(ids.map(async (id) => modelSummary(id, await openModel(id)))) };
  });

  app.get<{ Params: { id: string } }>("/v1/models/:id", { preHandler: auth("client") }, async (req) => {
    const m = await openModel(req.params.id);
    return modelSummary(req.params.id, m);
  });

  app.post<{ Body: ModelBody }>(
    "/v1/models",
    { preHandler: auth("admin"), bodyLimit: Math.ceil((maxModelBytes * 4) / 3) + 1024 * 1024, schema: { body: modelBodySchema } },
    async (req, reply) => {
      const b = req.body;
      await rateLimit(tokenOf(req));
      if (b.build !== undefined) {
        if (b.onnx !== undefined) throw new HttpError(400, "give either build or onnx, not both");
        if (!opts.buildsRoot) throw new HttpError(400, "this service adds no build folders by name (start it with --builds DIR)");
        const id = await store.add(path.join(opts.buildsRoot, b.build));
        return reply.code(201).send({ id, ready: true });
      }
      if (b.onnx === undefined || b.name === undefined) throw new HttpError(400, "give build, or onnx (base64) with name");
      const bytes = Buffer.from(b.onnx, "base64");
      if (bytes.length === 0 || bytes.length > maxModelBytes) throw new HttpError(413, "the ONNX upload is empty or too large");
      const onnxSha256 = sha256(bytes);
      await writeFileAtomic(store.uploadFile(onnxSha256, "onnx"), bytes);
      let calibrationSha256: string | undefined;
      if (b.calibration !== undefined) {
        const text = JSON.stringify(b.calibration);
        calibrationSha256 = sha256(text);
        await writeFileAtomic(store.uploadFile(calibrationSha256, "json"), text);
      }
      const data: ModelJobData = {
        kind: "model",
        tokenId: tokenOf(req).id,
        name: b.name,
        onnxSha256,
        system: b.system ?? "groth16",
        ...(calibrationSha256 && { calibrationSha256 }),
      };
      const job = await models.add("model", data, { ...jobOptions(ttl), attempts: 1, jobId: `m-${sha256(JSON.stringify(data)).slice(0, 40)}` });
      return reply.code(202).send({ job: job.id, state: "queued", poll: `/v1/model-jobs/${job.id}` });
    },
  );

  app.get<{ Params: { job: string } }>(
    "/v1/model-jobs/:job",
    { preHandler: auth("client"), schema: { params: { type: "object", properties: { job: { type: "string", pattern: JOB_ID } } } } },
    async (req) => {
      const job = await models.getJob(req.params.job);
      if (!job || job.data.tokenId !== tokenOf(req).id) throw new HttpError(404, `no job ${req.params.job}`);
      const state = stateOf(await job.getState());
      return {
        id: job.id,
        state,
        progress: job.progress,
        ...(state === "done" && { modelId: job.returnvalue.modelId, timingsMs: job.returnvalue.timingsMs }),
        ...(state === "failed" && { error: job.failedReason }),
      };
    },
  );

  app.post<{ Params: { id: string }; Body: ProofBody }>(
    "/v1/models/:id/proofs",
    {
      preHandler: auth("client"),
      schema: { body: proofBodySchema, params: { type: "object", properties: { id: { type: "string", pattern: "^[0-9a-f]{64}$" } } } },
    },
    async (req, reply) => {
      const token = tokenOf(req);
      await rateLimit(token);
      const model = await openModel(req.params.id);
      const input = inputValues({ input: req.body.input }, "the request's input", inputShapes(model.model));
      quantizeInput(model.model, input); // refuses a wrong size or a value out of range now, not in a worker
      const context = requestContext(req.body);
      const requestHash = sha256(JSON.stringify([req.params.id, input, context]));
      const key = req.headers["idempotency-key"];
      let jobId: string = randomUUID();
      if (key !== undefined) {
        if (typeof key !== "string" || !/^[\x21-\x7e]{1,200}$/.test(key)) throw new HttpError(400, "Idempotency-Key: 1–200 printable characters");
        jobId = `p-${sha256(`${token.id}\0${key}`).slice(0, 40)}`;
        const existing = await proofs.getJob(jobId);
        if (existing) {
          if (existing.data.requestHash !== requestHash) throw new HttpError(422, "this Idempotency-Key was used for another request");
          return reply.code(200).send({ job: jobId, state: stateOf(await existing.getState()), poll: `/v1/proofs/${jobId}` });
        }
      }
      await queueRoom();
      const data: ProofQueueData = { kind: "proof", modelId: req.params.id, tokenId: token.id, input, context, requestHash };
      await proofs.add("proof", data, { ...jobOptions(ttl), jobId });
      return reply
        .code(202)
        .header("location", `/v1/proofs/${jobId}`)
        .send({ job: jobId, state: "queued", poll: `/v1/proofs/${jobId}` });
    },
  );

  if (opts.benchJobs) {
    app.post("/v1/noop", { preHandler: auth("client") }, async (req, reply) => {
      await queueRoom();
      const job = await proofs.add("noop", { kind: "noop", tokenId: tokenOf(req).id, requestHash: "" }, jobOptions(ttl));
      return reply.code(202).send({ job: job.id, state: "queued", poll: `/v1/proofs/${job.id}` });
    });
  }

  const jobParams = { params: { type: "object", properties: { job: { type: "string", pattern: JOB_ID } } } };

  app.get<{ Params: { job: string } }>("/v1/proofs/:job", { preHandler: auth("client"), schema: jobParams }, async (req) =>
    describe(await ownJob(req, req.params.job)),
  );

  app.delete<{ Params: { job: string } }>("/v1/proofs/:job", { preHandler: auth("client"), schema: jobParams }, async (req) => {
    const { job, state } = await ownJob(req, req.params.job);
    if (state !== "active") {
      try {
        await job.remove();
        verdicts.delete(job.id!);
        return { job: job.id, state: state === "queued" ? "cancelled" : "deleted" };
      } catch {
        // Taken by a worker since we read its state: a locked job cannot be removed.
      }
    }
    // The worker checks this flag between steps and gives up; its lock keeps us from removing the job under it.
    await redis.set(cancelKey(job.id!), "1", "EX", ttl);
    return { job: job.id, state: "cancelling" };
  });

  app.get<{ Params: { job: string } }>("/v1/proofs/:job/events", { preHandler: auth("client"), schema: jobParams }, async (req, reply) => {
    const { job } = await ownJob(req, req.params.job);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
    // Events that arrive while the first state is read wait behind it: "state" always comes first.
    let held: [string, unknown][] | undefined = [];
    const write = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const send = (event: string, data: unknown) => (held ? held.push([event, data]) : write(event, data));
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      events.off("progress", onProgress);
      events.off("completed", onEnd);
      events.off("failed", onEnd);
      sse.delete(reply);
      res.end();
    };
    const finish = async () => {
      const latest = await readJob(job.id!);
      if (latest) send("end", await describe(latest));
      end();
    };
    const onProgress = ({ jobId, data }: { jobId: string; data: unknown }) => {
      if (jobId === job.id) send("progress", data);
    };
    const onEnd = ({ jobId }: { jobId: string }) => {
      if (jobId === job.id) void finish();
    };
    events.on("progress", onProgress);
    events.on("completed", onEnd);
    events.on("failed", onEnd);
    sse.add(reply);
    res.on("close", end);
    // Read again now that the listeners are on: nothing that happens from here on is missed.
    const now = await readJob(job.id!);
    const first = now ? await describe(now) : { id: job.id, state: "deleted" };
    write("state", first);
    if (first.state !== "queued" && first.state !== "active") return end();
    for (const [event, data] of held.splice(0)) write(event, data);
    held = undefined;
  });

  app.get<{ Params: { id: string; "*": string } }>("/v1/store/:id/*", { preHandler: auth("worker") }, async (req, reply) => {
    const { id } = req.params;
    const name = req.params["*"];
    if (!store.has(id)) throw new HttpError(404, "no such model");
    const dir = await store.open(id);
    if (name !== "manifest.json") {
      if (!isBuildFileName(name) || !buildFiles(await readManifest(dir)).has(name)) throw new HttpError(404, "no such file in the model");
    }
    return reply.type("application/octet-stream").send(createReadStream(path.join(dir, name)));
  });

  await events.waitUntilReady();
  const address = await app.listen({ host: opts.host ?? "127.0.0.1", port: opts.port ?? 0 });
  log(`zkml API listening on ${address}`);
  return {
    url: address,
    async close() {
      for (const r of sse) r.raw.end();
      await app.close();
      await Promise.all([events.close(), proofs.close(), models.close()]);
      await redis.quit().catch(() => {});
    },
  };
}

function modelSummary(id: string, m: ReadyModel) {
  return {
    id,
    name: m.model.name,
    system: m.setupInfo.system,
    constraints: m.info.constraints,
    publicSignals: m.info.publicSignals,
    input: { name: m.model.input.name, shape: m.model.input.shape },
    output: { size: m.info.layout.outputSize, frac: m.model.output.frac },
    // Direct development keys record a development ptau too (src/setup.ts).
    devKeys: m.setupInfo.ptau.devOnly,
  };
}
