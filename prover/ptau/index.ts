/**
 * Where the powers of tau come from: the user's file (recognised when it is an official Hermez
 * file), or a development file generated once per size and cached on disk. Nothing is fetched.
 */
import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as binFileUtils from "@iden3/binfileutils";
import { ZkmlError } from "../../core/errors.js";
import { writeFileAtomic } from "../../core/manifest.js";
import { generateDevPtau, MAX_DEV_POWER, type Progress } from "./dev.js";
import { OFFICIAL_PTAU_BLAKE2B } from "./official.js";

export interface PtauInfo {
  path: string;
  power: number;
  /** blake2b-512 matches the published hash of the official file of that power. */
  official: boolean;
  /** Generated here from a discarded random tau: fine for development, not a ceremony. */
  devOnly: boolean;
  blake2b: string;
  /** Milliseconds spent generating it in this call (0 when it came from the cache or the user). */
  generatedMs: number;
}

/** Where development ptau files are cached: $ZKML_PTAU_DIR, or ~/.cache/zkml/ptau. */
export function ptauCacheDir(): string {
  return process.env.ZKML_PTAU_DIR ?? path.join(os.homedir(), ".cache", "zkml", "ptau");
}

/** The ptau power a Groth16 setup of this circuit needs (snarkjs zkey new's rule). */
export function requiredPower(nConstraints: number, nPublic: number): number {
  return Math.max(1, Math.floor(Math.log2(nConstraints + nPublic)) + 1);
}

/** blake2b-512 of a file, hex (how the official ptau files are published). */
export async function blake2b(file: string): Promise<string> {
  const h = createHash("blake2b512");
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest("hex");
}

/** A ptau file's power and whether it is prepared for phase 2; BAD_PTAU when it is not one. */
export async function readPtauHeader(file: string): Promise<{ power: number; prepared: boolean }> {
  let fd: binFileUtils.FastFile | undefined;
  try {
    const opened = await binFileUtils.readBinFile(file, "ptau", 1);
    fd = opened.fd;
    const sections = opened.sections;
    if (!sections[1]) throw new Error("no header section");
    fd.pos = sections[1][0]!.p;
    const n8 = await fd.readULE32();
    await fd.read(n8);
    const power = await fd.readULE32();
    return { power, prepared: Boolean(sections[12]) };
  } catch (e) {
    throw new ZkmlError(
      "BAD_PTAU",
      `${file} is not a powers-of-tau file (${(e as Error).message})`,
      "pass a .ptau file prepared for phase 2, or omit --ptau to use a development one",
    );
  } finally {
    await fd?.close();
  }
}

export interface ResolvePtauOptions {
  /** The user's --ptau file; without it a cached or new development file is used. */
  file?: string;
  minPower: number;
  progress?: Progress;
}

/**
 * The powers of tau to set up with: the user's file (an official one is recognised by its hash
 * and verified), or a development file generated once and cached on disk (never downloaded).
 */
export async function resolvePtau(opts: ResolvePtauOptions): Promise<PtauInfo> {
  if (opts.file) return userPtau(opts.file, opts.minPower);
  return devPtau(opts.minPower, opts.progress);
}

async function userPtau(file: string, minPower: number): Promise<PtauInfo> {
  if (!existsSync(file)) throw new ZkmlError("FILE_NOT_FOUND", `ptau file not found: ${file}`);
  const { power, prepared } = await readPtauHeader(file);
  if (!prepared) {
    throw new ZkmlError(
      "BAD_PTAU",
      `${file} is not prepared for phase 2 (no Lagrange sections)`,
      "run `snarkjs powersoftau prepare phase2` on it, or use a *_final_NN.ptau file",
    );
  }
  if (power < minPower) {
    throw new ZkmlError("BAD_PTAU", `${file} has 2^${power} powers, the circuit needs 2^${minPower}`, `use a file of power >= ${minPower}`);
  }
  const hash = await blake2b(file);
  return { path: path.resolve(file), power, official: OFFICIAL_PTAU_BLAKE2B[power] === hash, devOnly: false, blake2b: hash, generatedMs: 0 };
}

interface DevPtauRecord {
  power: number;
  blake2b: string;
  createdAt: string;
  note: string;
}

async function devPtau(minPower: number, progress?: Progress): Promise<PtauInfo> {
  if (minPower > MAX_DEV_POWER) {
    throw new ZkmlError(
      "BAD_PTAU",
      `the circuit needs 2^${minPower} powers of tau; zkml generates development files up to 2^${MAX_DEV_POWER}`,
      "pass an official file with --ptau",
    );
  }
  const dir = ptauCacheDir();
  for (let p = minPower; p <= MAX_DEV_POWER; p++) {
    const file = path.join(dir, `zkml-dev-${p}.ptau`);
    const meta = `${file}.json`;
    if (!existsSync(file) || !existsSync(meta)) continue;
    const rec = JSON.parse(await readFile(meta, "utf8")) as DevPtauRecord;
    if ((await blake2b(file)) === rec.blake2b) {
      return { path: file, power: p, official: false, devOnly: true, blake2b: rec.blake2b, generatedMs: 0 };
    }
  }
  const file = path.join(dir, `zkml-dev-${minPower}.ptau`);
  const t0 = performance.now();
  await generateDevPtau(minPower, file, progress);
  const generatedMs = performance.now() - t0;
  const hash = await blake2b(file);
  const rec: DevPtauRecord = {
    power: minPower,
    blake2b: hash,
    createdAt: new Date().toISOString(),
    note: "DEVELOPMENT ONLY: generated by zkml from a random tau that was discarded; not a ceremony",
  };
  await writeFileAtomic(`${file}.json`, JSON.stringify(rec, null, 2) + "\n");
  return { path: file, power: minPower, official: false, devOnly: true, blake2b: hash, generatedMs };
}
