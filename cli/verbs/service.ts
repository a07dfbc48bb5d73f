import { existsSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { ZkmlError } from "../../src/index.js";
import { startApi } from "../../service/api.js";
import { parseRedisUrl } from "../../service/queue.js";
import { startRedisServer, type LocalRedis } from "../../service/redis_server.js";
import { HttpStore, LocalStore } from "../../service/store.js";
import { addToken, readTokens, type TokenRole } from "../../service/tokens.js";
import { startWorker } from "../../service/worker.js";
import { spawnWorkerProcess, stopWorkerProcess } from "../../service/worker_process.js";
import { terminalText } from "../../core/inert.js";
import { intArg, str, type Verb, type VerbContext, options } from "../io.js";

const DEFAULT_REDIS = "redis://127.0.0.1:6379";

/** Resolves on SIGINT or SIGTERM: the long-running verbs then close cleanly (a job in hand is finished). */
function untilSignal(ctx: VerbContext): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: string) => {
      ctx.progress(`${sig}: finishing the work in hand, then stopping`);
      resolve(sig);
    };
    process.once("SIGINT", () => on("SIGINT"));
    process.once("SIGTERM", () => on("SIGTERM"));
  });
}

export const tokenVerb: Verb = {
  name: "token",
  usage: "zkml token NAME [--tokens FILE] [--role client|worker|admin] [--rate N] [--json]",
  help: `Makes a random token, appends its sha256 to the tokens file, and prints the token once.

  --tokens FILE  the service's tokens file (default: zkml-tokens.json)
  --role R       client: submit proofs and read its own jobs (default); worker: also fetch model
                 files from the store (zkml worker --api); admin: also add models
  --rate N       requests a minute this token may make (default 120)`,
  options: { tokens: { type: "string" }, role: { type: "string" }, rate: { type: "string" } },
  async run(ctx) {
    const name = ctx.positionals[0];
    if (!name) throw new ZkmlError("USAGE", "token: missing NAME", "see `zkml token --help`");
    const file = str(ctx, "tokens") ?? "zkml-tokens.json";
    const role = (str(ctx, "role") ?? "client") as TokenRole;
    const token = await addToken(file, name, role, intArg(ctx, "rate", 120, 1));
    ctx.say(`token ${name} (${role}) added to ${file}; it is shown only now:`);
    process.stdout.write(`${token}\n`);
    ctx.result({ name, role, token, tokens: file });
    return 0;
  },
};

export const serveVerb: Verb = {
  name: "serve",
  usage:
    "zkml serve [--redis URL | --redis-dir DIR] [--store DIR] [--tokens FILE] [--host H] [--port N] [--model DIR ...] [--builds DIR] [--workers N] [--max-queued N] [--ttl S]",
  help: `An HTTP API on 127.0.0.1 by default (docs/SERVICE.md has every route):
  POST /v1/models/:id/proofs {input, context | chainId,contract,sender,nonce}  → 202 {job}
  GET  /v1/proofs/:job (state, timings, the proof when done)   GET /v1/proofs/:job/events (SSE)
  DELETE /v1/proofs/:job   POST /v1/models (admin: {build} or {onnx, name, calibration})
  GET /healthz   GET /metrics (Prometheus)
Every /v1 route needs "Authorization: Bearer TOKEN" (zkml token). An Idempotency-Key header
returns the same job for a retried request.

  --redis URL      a running Redis (default ${DEFAULT_REDIS}); use AOF (appendonly yes)
  --redis-dir DIR  instead: start a redis-server of zkml's own with its data in DIR
  --store DIR      the model store (default: zkml-store)
  --tokens FILE    API tokens (default: zkml-tokens.json; with none in it, an admin token is
                   made and shown once)
  --model DIR      add a set-up build folder to the store at start (repeatable)
  --builds DIR     let admins add build folders in DIR by name
  --workers N      also start N local worker processes (default 0: run \`zkml worker\`)
  --max-queued N   waiting jobs, all tokens together, beyond which submissions get 429
                   (default 1000)
  --token-queued N waiting jobs one token may have (default 100)
  --token-streams N  open event streams one token may hold (default 8)
  --token-reads N  GET requests one token may make a minute (default 600)
  --queue-expiry S a job no worker has started within S seconds fails as expired
                   (default 3600)
  --ttl S          seconds a finished job (its input and proof) is kept (default 3600)
  --public-metrics serve GET /metrics without a token (default: an admin token)`,
  options: {
    redis: { type: "string" },
    "redis-dir": { type: "string" },
    store: { type: "string" },
    tokens: { type: "string" },
    host: { type: "string" },
    port: { type: "string" },
    model: { type: "string", multiple: true },
    builds: { type: "string" },
    workers: { type: "string" },
    "max-queued": { type: "string" },
    "token-queued": { type: "string" },
    "token-streams": { type: "string" },
    "token-reads": { type: "string" },
    "queue-expiry": { type: "string" },
    ttl: { type: "string" },
    "public-metrics": { type: "boolean" },
  },
  async run(ctx) {
    let local: LocalRedis | undefined;
    const redisDir = str(ctx, "redis-dir");
    if (redisDir && str(ctx, "redis")) throw new ZkmlError("USAGE", "give --redis or --redis-dir, not both");
    if (redisDir) {
      local = await startRedisServer(path.resolve(redisDir));
      ctx.say(`redis-server started on ${local.url} (data in ${redisDir})`);
    }
    const redisUrl = local?.url ?? str(ctx, "redis") ?? DEFAULT_REDIS;
    const connection = parseRedisUrl(redisUrl);
    const store = new LocalStore(path.resolve(str(ctx, "store") ?? "zkml-store"));
    const tokensFile = str(ctx, "tokens") ?? "zkml-tokens.json";
    let tokens = await readTokens(tokensFile);
    if (tokens.records.length === 0) {
      const token = await addToken(tokensFile, "admin", "admin", 600);
      if (process.stdout.isTTY) {
        ctx.say(`no tokens in ${tokensFile}: made an admin token, shown only now:`);
        ctx.say(`  ${token}`);
      } else {
        // Not a terminal: stdout is likely a log, which must not hold a token.
        const file = `${tokensFile}.admin-token`;
        await rm(file, { force: true });
        await writeFile(file, token + "\n", { mode: 0o600, flag: "wx" });
        ctx.say(`no tokens in ${tokensFile}: made an admin token, in ${file} (mode 0600; read it, then delete the file)`);
      }
      tokens = await readTokens(tokensFile);
    }
    for (const dir of (ctx.values.model as unknown as string[] | undefined) ?? []) {
      const id = await store.add(dir);
      ctx.say(`model ${dir} → ${id}`);
    }
    const api = await startApi({
      connection,
      store,
      tokens,
      host: str(ctx, "host") ?? "127.0.0.1",
      port: intArg(ctx, "port", 8080),
      ...(str(ctx, "builds") && { buildsRoot: path.resolve(str(ctx, "builds")!) }),
      maxQueued: intArg(ctx, "max-queued", 1000, 1),
      tenantLimits: {
        queued: intArg(ctx, "token-queued", 100, 1),
        streams: intArg(ctx, "token-streams", 8, 1),
        readsPerMinute: intArg(ctx, "token-reads", 600, 1),
      },
      queueExpirySeconds: intArg(ctx, "queue-expiry", 3600, 1),
      ttlSeconds: intArg(ctx, "ttl", 3600, 1),
      publicMetrics: ctx.values["public-metrics"] === true,
      log: (line) => process.stderr.write(`  … ${terminalText(line)}\n`),
    });
    ctx.say(`zkml API on ${api.url} (redis ${redisUrl}, store ${store.root})`);
    const workers = Array.from({ length: intArg(ctx, "workers", 0) }, (_, i) =>
      spawnWorkerProcess({ redis: redisUrl, name: `local-${i + 1}`, source: { store: store.root }, onOutput: (text) => process.stderr.write(text) }),
    );
    await Promise.all(workers.map((w) => w.ready));
    if (workers.length) ctx.say(`${workers.length} local worker process(es) ready`);
    ctx.result({ url: api.url, redis: redisUrl, store: store.root });
    await untilSignal(ctx);
    await Promise.all(workers.map((w) => stopWorkerProcess(w)));
    await api.close();
    await local?.stop();
    return 0;
  },
};

export const workerVerb: Verb = {
  name: "worker",
  usage: "zkml worker [--redis URL] (--store DIR | --api URL --cache DIR) [--name NAME] [--lock-ms N]",
  help: `Takes proof jobs from Redis, one at a time (a proof already uses every core), keeps the keys
of the models it proved last in memory, checks each proof before storing it, and on SIGTERM
finishes the proof in hand and stops. A worker killed outright loses nothing: its job goes back
to the queue once its lock lapses (--lock-ms, default 30000) and another worker proves it.

  --redis URL    the service's Redis (default ${DEFAULT_REDIS})
  --store DIR    the API's model store, on this disk or mounted; such a worker also builds
                 uploaded models (compile + setup)
  --api URL --cache DIR
                 or fetch models from the API (a worker-role token in ZKML_WORKER_TOKEN), each
                 file checked against the model id, kept in DIR
  --lock-ms N    how long a proof's lock lasts without renewal (default 30000)`,
  options: options(["redis", "store", "api", "cache", "name", "lock-ms"]),
  async run(ctx) {
    const storeDir = str(ctx, "store");
    const api = str(ctx, "api");
    if (Boolean(storeDir) === Boolean(api))
      throw new ZkmlError("USAGE", "worker: give --store DIR or --api URL (with --cache DIR)", "see `zkml worker --help`");
    let store: HttpStore | LocalStore;
    if (api) {
      const token = process.env.ZKML_WORKER_TOKEN;
      if (!token) throw new ZkmlError("USAGE", "worker --api: set ZKML_WORKER_TOKEN to a worker-role token (zkml token NAME --role worker)");
      const cache = str(ctx, "cache");
      if (!cache) throw new ZkmlError("USAGE", "worker --api needs --cache DIR for the models it fetches");
      store = new HttpStore(api.replace(/\/$/, ""), token, path.resolve(cache));
    } else {
      if (!existsSync(storeDir!)) throw new ZkmlError("FILE_NOT_FOUND", `--store ${storeDir}: no such folder`, "point it at the store of `zkml serve`");
      store = new LocalStore(path.resolve(storeDir!));
    }
    const lockMs = intArg(ctx, "lock-ms", 30_000, 1000);
    const worker = await startWorker({
      connection: parseRedisUrl(str(ctx, "redis") ?? DEFAULT_REDIS),
      store,
      ...(store instanceof LocalStore && { buildStore: store }),
      lock: { lockMs, stalledCheckMs: Math.max(500, Math.floor(lockMs / 2)) },
      ...(str(ctx, "name") && { name: str(ctx, "name") }),
      log: (line) => process.stderr.write(`  … ${terminalText(line)}\n`),
    });
    ctx.say(`worker ${worker.name} ready`);
    await untilSignal(ctx);
    await worker.close();
    ctx.say(`worker ${worker.name} stopped`);
    return 0;
  },
};
