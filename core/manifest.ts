/**
 * A model's build folder and its manifest. Each stage records the sha256 of what it read and
 * what it wrote, so a later stage can tell a stale or swapped artifact from the one it expects
 * and refuse it instead of silently proving against the wrong key.
 */
import { createHash } from "node:crypto";
import { createReadStream, existsSync, rmSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { ZkmlError } from "./errors.js";

export const MANIFEST_FILE = "manifest.json";
export const MANIFEST_FORMAT = "zkml-build/1";

export type StageName = "compile" | "setup";

export interface StageRecord {
  at: string;
  /** sha256 of each input, keyed by a name (a file in the build folder, or e.g. "model"). */
  inputs: Record<string, string>;
  /** sha256 of each file the stage wrote into the build folder. */
  outputs: Record<string, string>;
  /** Stage-specific facts (constraint count, ptau, ...). */
  info: Record<string, unknown>;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  model: { name: string; source: string; sha256: string };
  stages: Partial<Record<StageName, StageRecord>>;
}

/** sha256 of a file's bytes, hex, read as a stream. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** sha256 of a string (UTF-8) or bytes, hex. */
export function sha256Bytes(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Write via a temporary name and rename, so a crash never leaves half a file behind. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

/** A build folder's manifest.json (stages, their inputs' and outputs' sha256); a missing or malformed one is a ZkmlError. */
export async function readManifest(dir: string): Promise<Manifest> {
  const file = path.join(dir, MANIFEST_FILE);
  if (!existsSync(file)) {
    throw new ZkmlError("MISSING_ARTIFACT", `${dir} is not a zkml build folder (no ${MANIFEST_FILE})`, "run `zkml compile <model.onnx> --out DIR` first");
  }
  const m = JSON.parse(await readFile(file, "utf8")) as Manifest;
  if (m.format !== MANIFEST_FORMAT) {
    throw new ZkmlError("STALE_ARTIFACT", `${file} has format ${String(m.format)}, expected ${MANIFEST_FORMAT}`, "recompile the model");
  }
  return m;
}

/** Writes a build folder's manifest.json atomically (a reader sees the old one or the new one, never half). */
export async function writeManifest(dir: string, m: Manifest): Promise<void> {
  await writeFileAtomic(path.join(dir, MANIFEST_FILE), JSON.stringify(m, null, 2) + "\n");
}

const NEXT_STEP: Record<StageName, string> = {
  compile: "run `zkml compile` again",
  setup: "run `zkml setup DIR` again",
};

/** The stage's record, after checking every file it wrote is still the one it wrote. */
export async function requireStage(dir: string, m: Manifest, stage: StageName): Promise<StageRecord> {
  const rec = m.stages[stage];
  if (!rec) {
    throw new ZkmlError("MISSING_ARTIFACT", `${dir}: the ${stage} stage has not been run`, NEXT_STEP[stage]);
  }
  for (const [name, sha] of Object.entries(rec.outputs)) {
    const file = path.join(dir, name);
    if (!existsSync(file)) {
      throw new ZkmlError("MISSING_ARTIFACT", `${dir}: ${name} (written by ${stage}) is missing`, NEXT_STEP[stage]);
    }
    if ((await sha256File(file)) !== sha) {
      throw new ZkmlError("STALE_ARTIFACT", `${dir}: ${name} changed since ${stage} wrote it (sha256 mismatch)`, NEXT_STEP[stage]);
    }
  }
  return rec;
}

/** Check that a later stage was made from exactly the files the earlier stage wrote. */
export function requireConsistent(dir: string, later: StageName, laterRec: StageRecord, earlierRec: StageRecord): void {
  for (const [name, sha] of Object.entries(laterRec.inputs)) {
    const current = earlierRec.outputs[name];
    if (current !== undefined && current !== sha) {
      throw new ZkmlError("STALE_ARTIFACT", `${dir}: the ${later} artifacts were made from an older ${name}`, NEXT_STEP[later]);
    }
  }
}

/**
 * Build a whole folder under a temporary name and swap it in at the end: either the user gets
 * a complete build folder or the old one stays as it was.
 */
export async function buildFolderAtomically<T>(dir: string, build: (tmpDir: string) => Promise<T>): Promise<T> {
  const abs = path.resolve(dir);
  const tmp = `${abs}.partial-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  removeOnSignal(tmp);
  try {
    const result = await build(tmp);
    const old = `${abs}.old-${process.pid}`;
    if (existsSync(abs)) await rename(abs, old);
    await rename(tmp, abs);
    await rm(old, { recursive: true, force: true });
    return result;
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  } finally {
    keepOnSignal(tmp);
  }
}

/** Temporary build folders to remove if the user stops the process (Ctrl-C) mid-build. */
const inFlight = new Set<string>();
function onStopSignal(signal: NodeJS.Signals): void {
  for (const d of inFlight) rmSync(d, { recursive: true, force: true });
  process.exit(signal === "SIGINT" ? 130 : 143);
}
function removeOnSignal(tmp: string): void {
  if (inFlight.size === 0) {
    process.on("SIGINT", onStopSignal);
    process.on("SIGTERM", onStopSignal);
  }
  inFlight.add(tmp);
}
function keepOnSignal(tmp: string): void {
  inFlight.delete(tmp);
  if (inFlight.size === 0) {
    process.off("SIGINT", onStopSignal);
    process.off("SIGTERM", onStopSignal);
  }
}
