/**
 * The model store: build folders kept by content address. A model's id is the sha256 of its
 * manifest, and the manifest holds the sha256 of every file the build wrote, so an id names
 * one exact set of keys and circuit, and anyone holding the id can check what they were given.
 *
 * The API owns a store on its disk. A worker on the same machine (or with the store mounted)
 * reads it in place; a worker elsewhere fetches a model over HTTP once, checks every byte
 * against the id, and keeps it in a local cache.
 */
import { createWriteStream, existsSync } from "node:fs";
import { copyFile, mkdir, readdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ZkmlError } from "../core/errors.js";
import { MANIFEST_FILE, readManifest, requireStage, sha256File, type Manifest } from "../core/manifest.js";

const MODEL_ID = /^[0-9a-f]{64}$/;
/** A build file's name as the manifest lists it: plain segments, no "..", nothing absolute. */
const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}(\/[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}){0,3}$/;
/** Bounds what a fetched manifest may make a worker download. */
const MAX_FILES = 64;
const MAX_FILE_BYTES = 4 * 1024 ** 3;
const MAX_MANIFEST_BYTES = 1024 * 1024;

/** Whether a string is a model id as the store names folders (a hex sha256), so it can be a path part. */
export function isModelId(id: string): boolean {
  return MODEL_ID.test(id);
}

/** Whether a name is one of the build files the store serves. */
export function isBuildFileName(name: string): boolean {
  return FILE_NAME.test(name) && !name.split("/").some((s) => s === "." || s === "..");
}

/** Every file of a build: the manifest's outputs of each stage. */
export function buildFiles(m: Manifest): Map<string, string> {
  const files = new Map<string, string>();
  for (const stage of Object.values(m.stages)) {
    for (const [name, sha] of Object.entries(stage?.outputs ?? {})) {
      if (!isBuildFileName(name)) throw new ZkmlError("BAD_INPUT", `the manifest names a file ${JSON.stringify(name)}, which is not a build file name`);
      if (!/^[0-9a-f]{64}$/.test(sha)) throw new ZkmlError("BAD_INPUT", `the manifest's hash of ${name} is not a sha256`);
      files.set(name, sha);
    }
  }
  if (files.size > MAX_FILES) throw new ZkmlError("BAD_INPUT", `the manifest lists ${files.size} files (at most ${MAX_FILES})`);
  return files;
}

export interface ModelStore {
  /** A local folder holding the model's build, checked against its id. */
  open(id: string): Promise<string>;
}

/** A store on this machine's disk (or a mounted one): <root>/models/<id>/, <root>/uploads/. */
export class LocalStore implements ModelStore {
  constructor(readonly root: string) {}

  modelDir(id: string): string {
    if (!isModelId(id)) throw new ZkmlError("BAD_INPUT", `${JSON.stringify(id).slice(0, 80)} is not a model id (64 hex digits)`);
    return path.join(this.root, "models", id);
  }

  uploadFile(sha256: string, ext: "onnx" | "json"): string {
    if (!isModelId(sha256)) throw new ZkmlError("BAD_INPUT", "an upload is named by its sha256");
    return path.join(this.root, "uploads", `${sha256}.${ext}`);
  }

  has(id: string): boolean {
    return isModelId(id) && existsSync(path.join(this.modelDir(id), MANIFEST_FILE));
  }

  async open(id: string): Promise<string> {
    const dir = this.modelDir(id);
    if (!this.has(id)) throw new ZkmlError("MISSING_ARTIFACT", `model ${id} is not in the store ${this.root}`);
    if ((await sha256File(path.join(dir, MANIFEST_FILE))) !== id) {
      throw new ZkmlError("STALE_ARTIFACT", `the store's copy of model ${id} has another manifest`, "remove it and add the build again");
    }
    return dir;
  }

  async list(): Promise<string[]> {
    const dir = path.join(this.root, "models");
    if (!existsSync(dir)) return [];
    return (await readdir(dir)).filter((n) => isModelId(n) && this.has(n));
  }

  /**
   * Copy a set-up build folder in, file by file as its manifest lists them (each checked), and
   * return its id. Adding the same build twice is a no-op.
   */
  async add(buildDir: string): Promise<string> {
    const m = await readManifest(buildDir);
    await requireStage(buildDir, m, "compile");
    await requireStage(buildDir, m, "setup");
    const id = await sha256File(path.join(buildDir, MANIFEST_FILE));
    if (this.has(id)) return id;
    const files = buildFiles(m);
    await this.install(id, async (tmp) => {
      for (const name of files.keys()) {
        await mkdir(path.dirname(path.join(tmp, name)), { recursive: true });
        await copyFile(path.join(buildDir, name), path.join(tmp, name));
      }
      await copyFile(path.join(buildDir, MANIFEST_FILE), path.join(tmp, MANIFEST_FILE));
    });
    return id;
  }

  /** Fill a temporary folder and rename it to the id: a reader never sees half a model. */
  async install(id: string, fill: (tmpDir: string) => Promise<void>): Promise<void> {
    const dir = this.modelDir(id);
    const tmp = `${dir}.partial-${process.pid}-${Date.now()}`;
    await mkdir(tmp, { recursive: true });
    try {
      await fill(tmp);
      if ((await sha256File(path.join(tmp, MANIFEST_FILE))) !== id) throw new ZkmlError("STALE_ARTIFACT", `model ${id}: its manifest does not hash to its id`);
      for (const [name, sha] of buildFiles(await readManifest(tmp))) {
        if ((await sha256File(path.join(tmp, name))) !== sha) throw new ZkmlError("STALE_ARTIFACT", `model ${id}: ${name} does not match its manifest`);
      }
      if (existsSync(dir)) return; // another process installed it meanwhile
      await rename(tmp, dir);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
}

/** Fetches models from a zkml API's store into a local cache; LocalStore.install checks every byte against the id. */
export class HttpStore implements ModelStore {
  private readonly cache: LocalStore;
  constructor(
    private readonly apiUrl: string,
    private readonly token: string,
    cacheDir: string,
  ) {
    this.cache = new LocalStore(cacheDir);
  }

  async open(id: string): Promise<string> {
    if (!this.cache.has(id)) {
      await this.cache.install(id, async (tmp) => {
        // The manifest first, checked against the id before its file list is trusted.
        await this.download(id, MANIFEST_FILE, path.join(tmp, MANIFEST_FILE), MAX_MANIFEST_BYTES);
        if ((await sha256File(path.join(tmp, MANIFEST_FILE))) !== id) {
          throw new ZkmlError("STALE_ARTIFACT", `the store at ${this.apiUrl} answered model ${id} with another manifest`);
        }
        for (const name of buildFiles(await readManifest(tmp)).keys()) await this.download(id, name, path.join(tmp, name), MAX_FILE_BYTES);
      });
    }
    return this.cache.open(id);
  }

  /** Stream one file to disk, refusing it once it passes maxBytes (nothing is held in memory). */
  private async download(id: string, name: string, file: string, maxBytes: number): Promise<void> {
    const res = await fetch(`${this.apiUrl}/v1/store/${id}/${name}`, { headers: { authorization: `Bearer ${this.token}` } });
    if (!res.ok || !res.body) throw new ZkmlError("MISSING_ARTIFACT", `fetching ${name} of model ${id} from ${this.apiUrl}: HTTP ${res.status}`);
    await mkdir(path.dirname(file), { recursive: true });
    let bytes = 0;
    const bound = new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        done(bytes > maxBytes ? new ZkmlError("BAD_INPUT", `${name} of model ${id} is over ${maxBytes} bytes`) : null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(res.body as import("node:stream/web").ReadableStream), bound, createWriteStream(file));
  }
}
