/**
 * The API's routes, a group per function: health and metrics, models, proof jobs, a job's event
 * stream, and the store workers fetch builds from. Each validates, then reads or enqueues.
 */
import { randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import path from "node:path";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  checkQuantizedInput,
  computeContext,
  inputShapes,
  inputValues,
  parseContext,
  quantizeInput,
  readManifest,
  writeFileAtomic,
  type ReadyModel,
} from "../src/index.js";
import type { ProofSystem } from "../core/proof_system.js";
import { renderMetrics } from "./metrics.js";
import { jobOptions, type ContextRequest, type ModelJobData, type ProofQueueData } from "./queue.js";
import { buildFiles, isBuildFileName } from "./store.js";
import { cancelKey } from "./worker.js";
import { sha256Bytes as sha256 } from "../core/manifest.js";
import { HttpError, stateOf, tokenOf, type ApiState } from "./api_state.js";
import { JOB_ID, modelBodySchema, PROOF_BODY_FIELDS, proofBodySchema } from "./api_schemas.js";
import { tenantOf } from "./tokens.js";

export interface ProofBody {
  input: unknown[];
  context?: string;
  chainId?: string | number;
  contract?: string;
  sender?: string;
  /** For a dApp contract (`sender`) that submits the proof on this user's behalf (verifyInferenceFor). */
  beneficiary?: string;
  nonce?: string | number;
  /** The snapshot the input data is from (verifyInferenceAt); needs beneficiary. */
  snapshot?: string | number;
  /** `input` holds the model's int8 values already (a consumer contract's modelInput()). */
  quantized?: boolean;
}

export interface ModelBody {
  build?: string;
  name?: string;
  onnx?: string;
  calibration?: Record<string, unknown>;
  system?: ProofSystem;
}

const jobParams = { params: { type: "object", properties: { job: { type: "string", pattern: JOB_ID } } } };

const UINT256_LIMIT = 1n << 256n;

/** A decimal the schema let through (≤ 78 digits) that must also fit a uint256, as the contract's argument. */
function uint256(value: string, name: string): bigint {
  const n = BigInt(value);
  if (n >= UINT256_LIMIT) throw new HttpError(400, `${name} must be below 2^256 (a uint256)`);
  return n;
}

/** How deep a JSON value nests, without recursion (a hostile body may nest 10^5 deep). */
function jsonDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (d > limit) return d;
    deepest = Math.max(deepest, d);
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return deepest;
}

/** Calibration samples nest as the model's input does (a batch of tensors): far below this. */
const MAX_CALIBRATION_DEPTH = 16;

/** The context the proof binds: given whole, or the parts the verifier contract hashes (four, or five with a beneficiary). */
function requestContext(b: ProofBody): ContextRequest {
  const parts = [b.chainId, b.contract, b.sender, b.nonce];
  if (b.context !== undefined && [...parts, b.beneficiary, b.snapshot].some((p) => p !== undefined))
    throw new HttpError(400, "give either context or chainId/contract/sender/nonce(/beneficiary/snapshot), not both");
  if (b.snapshot !== undefined && b.beneficiary === undefined) throw new HttpError(400, "snapshot needs beneficiary (verifyInferenceAt names both)");
  if (b.context !== undefined) return { value: "0x" + parseContext(b.context).toString(16) };
  if ([...parts, b.beneficiary, b.snapshot].every((p) => p === undefined)) return { value: "0x0" };
  if (!parts.every((p) => p !== undefined)) throw new HttpError(400, "chainId, contract, sender and nonce go together (beneficiary is optional)");
  const beneficiary = b.beneficiary === undefined ? {} : { beneficiary: b.beneficiary };
  const [chainId, nonce] = [uint256(String(b.chainId), "chainId"), uint256(String(b.nonce), "nonce")];
  const snapshot = b.snapshot === undefined ? undefined : uint256(String(b.snapshot), "snapshot");
  const value = computeContext({ chainId, contract: b.contract!, sender: b.sender!, nonce, ...beneficiary, ...(snapshot !== undefined && { snapshot }) });
  return {
    value: "0x" + value.toString(16),
    chainId: String(chainId),
    contract: b.contract!,
    sender: b.sender!,
    nonce: String(nonce),
    ...beneficiary,
    ...(snapshot !== undefined && { snapshot: String(snapshot) }),
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

/** GET /healthz (Redis answers within 2 s) and GET /metrics (Prometheus text). */
export function healthRoutes(app: FastifyInstance, s: ApiState): void {
  app.get("/healthz", async (_req, reply) => {
    try {
      await Promise.race([s.redis.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error("no answer within 2 s")), 2000).unref())]);
      return { ok: true };
    } catch (e) {
      return reply.code(503).send({ ok: false, error: `redis: ${(e as Error).message}` });
    }
  });
  const metricsAuth = s.settings.publicMetrics ? {} : { preHandler: s.auth("admin") };
  app.get("/metrics", metricsAuth, async (_req, reply) => reply.type("text/plain; version=0.0.4").send(await renderMetrics(s.redis, s.proofs)));
}

/** POST /v1/models: a build folder by name, or an ONNX upload that a model job compiles and sets up. */
async function addModel(s: ApiState, req: FastifyRequest<{ Body: ModelBody }>, reply: FastifyReply, buildsRoot: string | undefined) {
  const b = req.body;
  await s.rateLimit(tokenOf(req));
  if (b.build !== undefined) {
    if (b.onnx !== undefined) throw new HttpError(400, "give either build or onnx, not both");
    if (!buildsRoot) throw new HttpError(400, "this service adds no build folders by name (start it with --builds DIR)");
    const id = await s.store.add(path.join(buildsRoot, b.build));
    return reply.code(201).send({ id, ready: true });
  }
  if (b.onnx === undefined || b.name === undefined) throw new HttpError(400, "give build, or onnx (base64) with name");
  // Everything is checked before the first byte is written.
  if (b.calibration !== undefined && jsonDepth(b.calibration, MAX_CALIBRATION_DEPTH) > MAX_CALIBRATION_DEPTH)
    throw new HttpError(400, `calibration nests deeper than ${MAX_CALIBRATION_DEPTH} levels`);
  const bytes = Buffer.from(b.onnx, "base64");
  if (bytes.length === 0 || bytes.length > s.maxModelBytes) throw new HttpError(413, "the ONNX upload is empty or too large");
  const onnxSha256 = sha256(bytes);
  await writeFileAtomic(s.store.uploadFile(onnxSha256, "onnx"), bytes);
  let calibrationSha256: string | undefined;
  if (b.calibration !== undefined) {
    const text = JSON.stringify(b.calibration);
    calibrationSha256 = sha256(text);
    await writeFileAtomic(s.store.uploadFile(calibrationSha256, "json"), text);
  }
  const data: ModelJobData = {
    kind: "model",
    tenant: tenantOf(tokenOf(req)),
    name: b.name,
    onnxSha256,
    system: b.system ?? "groth16",
    ...(calibrationSha256 && { calibrationSha256 }),
  };
  const job = await s.models.add("model", data, { ...jobOptions(s.ttl), attempts: 1, jobId: `m-${sha256(JSON.stringify(data)).slice(0, 40)}` });
  return reply.code(202).send({ job: job.id, state: "queued", poll: `/v1/model-jobs/${job.id}` });
}

/** The model routes: list, one model, add one, and a model job's state. */
export function modelRoutes(app: FastifyInstance, s: ApiState, buildsRoot: string | undefined): void {
  app.get("/v1/models", { preHandler: s.auth("client") }, async () => {
    const ids = await s.store.list();
    return { models: await Promise.all(ids.map(async (id) => modelSummary(id, await s.openModel(id)))) };
  });
  app.get<{ Params: { id: string } }>("/v1/models/:id", { preHandler: s.auth("client") }, async (req) =>
    modelSummary(req.params.id, await s.openModel(req.params.id)),
  );
  app.post<{ Body: ModelBody }>(
    "/v1/models",
    { preHandler: s.auth("admin"), bodyLimit: Math.ceil((s.maxModelBytes * 4) / 3) + 1024 * 1024, schema: { body: modelBodySchema } },
    (req, reply) => addModel(s, req, reply, buildsRoot),
  );
  app.get<{ Params: { job: string } }>("/v1/model-jobs/:job", { preHandler: s.auth("client"), schema: jobParams }, async (req) => {
    const job = await s.models.getJob(req.params.job);
    if (!job || job.data.tenant !== tenantOf(tokenOf(req))) throw new HttpError(404, `no job ${req.params.job}`);
    const state = stateOf(await job.getState());
    return {
      id: job.id,
      state,
      progress: job.progress,
      ...(state === "done" && { modelId: job.returnvalue.modelId, timingsMs: job.returnvalue.timingsMs }),
      ...(state === "failed" && { error: job.failedReason }),
    };
  });
}

/** The Redis key that binds an Idempotency-Key's job to the body it was first given. */
function idempotencyKey(jobId: string): string {
  return `zkml:idempotency:${jobId}`;
}

/**
 * POST /v1/models/:id/proofs: the input and context checked now (not in a worker), then a job.
 * An Idempotency-Key makes a retry the same job: the first request claims the key with its
 * body's hash (SET NX, so of two racing requests one wins), and another body under it is 422.
 */
async function requestProof(s: ApiState, req: FastifyRequest<{ Params: { id: string }; Body: ProofBody }>, reply: FastifyReply) {
  const token = tokenOf(req);
  await s.rateLimit(token);
  const model = await s.openModel(req.params.id);
  const input = inputValues({ input: req.body.input }, "the request's input", inputShapes(model.model));
  const quantized = req.body.quantized === true;
  // Refuses a wrong size or a value out of range now, not in a worker.
  if (quantized) checkQuantizedInput(model.model, input);
  else quantizeInput(model.model, input);
  const context = requestContext(req.body);
  const requestHash = sha256(JSON.stringify([req.params.id, input, quantized, context]));
  const key = req.headers["idempotency-key"];
  let jobId: string = randomUUID();
  let claimed: string | undefined;
  if (key !== undefined) {
    if (typeof key !== "string" || !/^[\x21-\x7e]{1,200}$/.test(key)) throw new HttpError(400, "Idempotency-Key: 1–200 printable characters");
    jobId = `p-${sha256(`${tenantOf(token)}\0${key}`).slice(0, 40)}`;
    // The claim outlives the job: a key is never reused for another body while its job may exist.
    const claim = await s.redis.set(idempotencyKey(jobId), requestHash, "EX", s.queueExpiry + s.ttl + 60, "NX");
    if (claim !== "OK") {
      if ((await s.redis.get(idempotencyKey(jobId))) !== requestHash) throw new HttpError(422, "this Idempotency-Key was used for another request");
      const existing = await s.proofs.getJob(jobId);
      const state = existing ? stateOf(await existing.getState()) : "queued";
      return reply.code(200).send({ job: jobId, state: state ?? "expired", poll: `/v1/proofs/${jobId}` });
    }
    claimed = idempotencyKey(jobId);
  }
  const expiresAt = Date.now() + s.queueExpiry * 1000;
  try {
    await s.queueRoom();
    await s.admitQueued(token, jobId, expiresAt);
  } catch (e) {
    if (claimed) await s.redis.del(claimed);
    throw e;
  }
  const data: ProofQueueData = {
    kind: "proof",
    modelId: req.params.id,
    tenant: tenantOf(token),
    input,
    ...(quantized && { quantized: true as const }),
    context,
    requestHash,
    expiresAt,
  };
  await s.proofs.add("proof", data, { ...jobOptions(s.ttl), jobId });
  const ignored = Object.keys(req.body).filter((k) => !(PROOF_BODY_FIELDS as readonly string[]).includes(k));
  return reply
    .code(202)
    .header("location", `/v1/proofs/${jobId}`)
    .send({ job: jobId, state: "queued", poll: `/v1/proofs/${jobId}`, ...(ignored.length && { ignored: ignored.map((k) => k.slice(0, 40)) }) });
}

/** DELETE /v1/proofs/:job: a waiting job is removed; an active one is flagged, and its worker gives up between steps. */
async function cancelProof(s: ApiState, req: FastifyRequest<{ Params: { job: string } }>) {
  const { job, state } = await s.ownJob(req, req.params.job);
  if (state !== "active") {
    try {
      await job.remove();
      await s.releaseQueued(job.data.tenant, job.id!);
      return { job: job.id, state: state === "queued" ? "cancelled" : "deleted" };
    } catch {
      // Taken by a worker since we read its state: a locked job cannot be removed.
    }
  }
  // Its lock keeps us from removing the job under the worker.
  await s.redis.set(cancelKey(job.id!), "1", "EX", s.ttl);
  return { job: job.id, state: "cancelling" };
}

/** The proof job routes: request, read, cancel (and, for the bench, no-op jobs). */
export function proofRoutes(app: FastifyInstance, s: ApiState, benchJobs: boolean): void {
  const idParams = { type: "object", properties: { id: { type: "string", pattern: "^[0-9a-f]{64}$" } } };
  app.post<{ Params: { id: string }; Body: ProofBody }>(
    "/v1/models/:id/proofs",
    { preHandler: s.auth("client"), schema: { body: proofBodySchema, params: idParams } },
    (req, reply) => requestProof(s, req, reply),
  );
  if (benchJobs) {
    app.post("/v1/noop", { preHandler: s.auth("client") }, async (req, reply) => {
      await s.queueRoom();
      const job = await s.proofs.add("noop", { kind: "noop", tenant: tenantOf(tokenOf(req)), requestHash: "" }, jobOptions(s.ttl));
      return reply.code(202).send({ job: job.id, state: "queued", poll: `/v1/proofs/${job.id}` });
    });
  }
  app.get<{ Params: { job: string } }>("/v1/proofs/:job", { preHandler: s.auth("client"), schema: jobParams }, async (req) =>
    s.describeJob(await s.ownJob(req, req.params.job)),
  );
  app.delete<{ Params: { job: string } }>("/v1/proofs/:job", { preHandler: s.auth("client"), schema: jobParams }, (req) => cancelProof(s, req));
}

/**
 * GET /v1/proofs/:job/events: server-sent events, "state" first, then "progress", then "end"
 * with the job as GET reports it. Events that arrive while the first state is read wait behind it.
 */
async function jobEvents(s: ApiState, req: FastifyRequest<{ Params: { job: string } }>, reply: FastifyReply): Promise<void> {
  const { job } = await s.ownJob(req, req.params.job);
  const release = s.openStream(tokenOf(req));
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
  let held: [string, unknown][] | undefined = [];
  const write = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const send = (event: string, data: unknown) => (held ? held.push([event, data]) : write(event, data));
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    s.events.off("progress", onProgress);
    s.events.off("completed", onEnd);
    s.events.off("failed", onEnd);
    s.sse.delete(reply);
    release();
    res.end();
  };
  const finish = async () => {
    const latest = await s.readJob(job.id!);
    if (latest) send("end", await s.describeJob(latest));
    end();
  };
  const onProgress = ({ jobId, data }: { jobId: string; data: unknown }) => {
    if (jobId === job.id) send("progress", data);
  };
  const onEnd = ({ jobId }: { jobId: string }) => {
    if (jobId === job.id) void finish();
  };
  s.events.on("progress", onProgress);
  s.events.on("completed", onEnd);
  s.events.on("failed", onEnd);
  s.sse.add(reply);
  res.on("close", end);
  // Read again now that the listeners are on: nothing that happens from here on is missed.
  const now = await s.readJob(job.id!);
  const first = now ? await s.describeJob(now) : { id: job.id, state: "deleted" };
  write("state", first);
  if (first.state !== "queued" && first.state !== "active") return end();
  for (const [event, data] of held.splice(0)) write(event, data);
  held = undefined;
}

/** A job's event stream, and GET /v1/store/:id/* (a model's build files, for workers). */
export function streamRoutes(app: FastifyInstance, s: ApiState): void {
  app.get<{ Params: { job: string } }>("/v1/proofs/:job/events", { preHandler: s.auth("client"), schema: jobParams }, (req, reply) => jobEvents(s, req, reply));
  app.get<{ Params: { id: string; "*": string } }>("/v1/store/:id/*", { preHandler: s.auth("worker") }, async (req, reply) => {
    const { id } = req.params;
    const name = req.params["*"];
    if (!s.store.has(id)) throw new HttpError(404, "no such model");
    // A private-weights model's build holds its weights and salt: they stay on the store's machine.
    if ((await s.openModel(id)).model.privateWeights)
      throw new HttpError(403, "this model's weights are private: only workers on the store's machine (zkml worker --store) prove it");
    const dir = await s.store.open(id);
    if (name !== "manifest.json") {
      if (!isBuildFileName(name) || !buildFiles(await readManifest(dir)).has(name)) throw new HttpError(404, "no such file in the model");
    }
    return reply.type("application/octet-stream").send(createReadStream(path.join(dir, name)));
  });
}
