/**
 * A development powers-of-tau file, computed directly from a random tau (and alpha, beta) that
 * is discarded when the function returns. It has snarkjs's prepared (phase-2-ready) ptau layout,
 * so every snarkjs setup accepts it. It is NOT a ceremony: whoever ran this could have kept tau,
 * so proofs made with its keys are only as trustworthy as that machine. Development only.
 *
 * Why not snarkjs `powersoftau prepare phase2`: it computes the Lagrange sections by an FFT
 * over curve points (a scalar multiplication per butterfly), 11-18 minutes for 2^14-2^15 here.
 * Knowing tau, the Lagrange evaluations L_i(tau) are cheap field elements (an FFT over scalars,
 * exactly what snarkjs's point IFFT computes "in the exponent"), and each section point is one
 * fixed-base multiplication: at most 32 mixed additions from a table of d * 2^(8j) * G, run on
 * every core (the native addon where it runs, else ffjavascript's wasm).
 */
import { randomBytes } from "node:crypto";
import { mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import * as binFileUtils from "@iden3/binfileutils";
import { getCurveFromName } from "ffjavascript";
import type { BnCurve, CurveGroup } from "../../core/bn254.js";
import { generatorBytes } from "../../core/bn254_coords.js";
import { type CurveAccel, curveAccel } from "../../core/native.js";

export type Progress = (message: string, fraction: number) => void;

/** A G2 point costs about this many G1 points' work. */
const G2_WEIGHT = 3.7;

/** Largest power zkml will generate (2^16 takes ~71 s on 2 cores, 2^20 would take ~20 min). */
export const MAX_DEV_POWER = 20;

export type Curve = BnCurve;

function randomScalar(curve: Curve): Uint8Array {
  const r = BigInt("0x" + randomBytes(64).toString("hex")) % BigInt(curve.Fr.p);
  return curve.Fr.e(r === 0n ? 1n : r);
}

/** first * inc^i for i < n, as Montgomery field elements. */
function geometricScalars(curve: Curve, n: number, first: Uint8Array, inc: Uint8Array): Uint8Array {
  const { Fr } = curve;
  const out = new Uint8Array(n * Fr.n8);
  let t = first;
  for (let i = 0; i < n; i++) {
    out.set(t, i * Fr.n8);
    t = Fr.mul(t, inc);
  }
  return out;
}

const WINDOW_BITS = 8;
const WINDOWS = 32; // 32 x 8 bits covers the 254-bit scalar field

/**
 * Fixed-base table: entry [j][d] = d * 2^(8j) * G, affine. With it a scalar multiplication is
 * at most 32 mixed additions instead of ~254 doublings and ~85 additions.
 */
function fixedBaseTable(G: CurveGroup): Uint8Array {
  const sG = G.F.n8 * 2;
  const table = new Uint8Array(WINDOWS * 256 * sG);
  let base = G.g;
  for (let j = 0; j < WINDOWS; j++) {
    let acc = G.zero;
    for (let d = 1; d < 256; d++) {
      acc = G.add(acc, base);
      table.set(G.toAffine(acc), (j * 256 + d) * sG);
    }
    for (let b = 0; b < WINDOW_BITS; b++) base = G.double(base);
  }
  return table;
}

/** scalars[i]·G for plain little-endian scalars (Fr.n8 bytes each), as affine points in snarkjs's file form. */
export type FixedBaseMultiplier = (scalars: Uint8Array) => Promise<Uint8Array>;

/**
 * The fixed-base multiplier of one group's generator: the native addon's where it runs (and
 * `accel` is not undefined), which needs no ffjavascript curve; else ffjavascript's workers over
 * a table built at first use, on `curve`.
 */
export function fixedBaseMultiplier(curve: Curve | undefined, prefix: "g1m" | "g2m", accel: CurveAccel | undefined = curveAccel()): FixedBaseMultiplier {
  if (accel) {
    const group = prefix === "g1m" ? 1 : 2;
    const generator = generatorBytes(group);
    return async (scalars) => accel.fixedBaseMul(group, generator, scalars);
  }
  if (!curve) throw new Error("fixedBaseMultiplier: the WebAssembly backend multiplies on ffjavascript's curve, and none was given");
  const G = prefix === "g1m" ? curve.G1 : curve.G2;
  let table: Uint8Array | undefined;
  return (scalars) => {
    table ??= fixedBaseTable(G);
    return fixedBaseMulPlain(curve, G, prefix, table, scalars);
  };
}

/**
 * scalars[i] * G for every scalar (plain little-endian, Fr.n8 bytes each), as affine points in
 * snarkjs's file form (Montgomery coordinates), on every core. The point at infinity is (0, 0).
 */
async function fixedBaseMulPlain(curve: Curve, G: CurveGroup, prefix: "g1m" | "g2m", table: Uint8Array, scalars: Uint8Array): Promise<Uint8Array> {
  const n8r = curve.Fr.n8;
  const n = scalars.length / n8r;
  const sIn = G.F.n8 * 2;
  const sMid = G.F.n8 * 3;
  const CHUNK = 2048;
  const out = new Uint8Array(n * sIn);
  // A task's command list is large; keep only a few in flight so memory stays flat.
  const inFlight = new Set<Promise<void>>();
  for (let start = 0; start < n; start += CHUNK) {
    const m = Math.min(CHUNK, n - start);
    const task: unknown[] = [
      { cmd: "ALLOCSET", var: 0, buff: table },
      { cmd: "ALLOC", var: 1, len: m * sMid },
    ];
    for (let i = 0; i < m; i++) {
      const s = (start + i) * n8r;
      const acc = { var: 1, offset: i * sMid };
      let first = true;
      for (let j = 0; j < WINDOWS; j++) {
        const d = scalars[s + j]!;
        if (d === 0) continue;
        const entry = { var: 0, offset: (j * 256 + d) * sIn };
        task.push(
          first
            ? { cmd: "CALL", fnName: `${prefix}_toJacobian`, params: [entry, acc] }
            : { cmd: "CALL", fnName: `${prefix}_addMixed`, params: [acc, entry, acc] },
        );
        first = false;
      }
      if (first) task.push({ cmd: "CALL", fnName: `${prefix}_zero`, params: [acc] });
    }
    task.push({ cmd: "CALL", fnName: `${prefix}_batchToAffine`, params: [{ var: 1 }, { val: m }, { var: 1 }] });
    task.push({ cmd: "GET", out: 0, var: 1, len: m * sIn });
    const done: Promise<void> = curve.tm.queueAction(task).then(([points]) => {
      out.set(points!, start * sIn);
      inFlight.delete(done);
    });
    inFlight.add(done);
    if (inFlight.size >= 2 * curve.tm.concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return out;
}

/**
 * Lagrange evaluations at tau over the domain of size 2^p, as snarkjs's prepare phase 2 defines
 * them: the inverse FFT of (tau^0 .. tau^(2^p - 1)); with `dropLast` the final power is taken as
 * 0, as snarkjs does for the extra level of the tauG1 section (it has only 2^(power+1) - 1 powers).
 */
async function lagrangeScalars(curve: Curve, tau: Uint8Array, p: number, dropLast: boolean): Promise<Uint8Array> {
  const { Fr } = curve;
  const n = 2 ** p;
  const buff = new Uint8Array(n * Fr.n8);
  let t = Fr.one;
  for (let i = 0; i < n; i++) {
    if (!(dropLast && i === n - 1)) buff.set(t, i * Fr.n8);
    t = Fr.mul(t, tau);
  }
  return n === 1 ? buff : Fr.ifft(buff);
}

/** What the section writers share: the file, the curve, the generators' multipliers, and the progress count. */
interface PtauWriter {
  fd: binFileUtils.FastFile;
  curve: Curve;
  mul: { g1m: FixedBaseMultiplier; g2m: FixedBaseMultiplier };
  tick(label: string, units: number): void;
}

/** Section 1: field size, q, power and ceremony power. */
async function headerSection(w: PtauWriter, power: number): Promise<void> {
  const { fd, curve } = w;
  await binFileUtils.startWriteSection(fd, 1);
  await fd.writeULE32(curve.F1.n64 * 8);
  const q = new Uint8Array(curve.F1.n8);
  let qv = BigInt(curve.q);
  for (let i = 0; i < q.length; i++, qv >>= 8n) q[i] = Number(qv & 0xffn);
  await fd.write(q);
  await fd.writeULE32(power);
  await fd.writeULE32(power);
  await binFileUtils.endWriteSection(fd);
}

/** A section of first·τ^i·G for i < count, in chunks. */
async function geometricSection(
  w: PtauWriter,
  section: number,
  prefix: "g1m" | "g2m",
  count: number,
  first: Uint8Array,
  tau: Uint8Array,
  label: string,
  weight: number,
) {
  const { fd, curve } = w;
  const Fr = curve.Fr;
  await binFileUtils.startWriteSection(fd, section);
  const CHUNK = 1 << 16;
  for (let start = 0; start < count; start += CHUNK) {
    const m = Math.min(CHUNK, count - start);
    const from = Fr.mul(first, Fr.exp(tau, start));
    await fd.write(await w.mul[prefix](await Fr.batchFromMontgomery(geometricScalars(curve, m, from, tau))));
    w.tick(label, m * weight);
  }
  await binFileUtils.endWriteSection(fd);
}

/** A prepared section: the Lagrange points of every level (scaled by `scale` when given). */
async function lagrangeSection(
  w: PtauWriter,
  section: number,
  prefix: "g1m" | "g2m",
  levels: Uint8Array[],
  scale: Uint8Array | null,
  label: string,
  weight: number,
) {
  const { fd, curve } = w;
  const Fr = curve.Fr;
  await binFileUtils.startWriteSection(fd, section);
  for (const s of levels) {
    const scalars = scale ? await Fr.batchApplyKey(s, scale, Fr.one) : s;
    await fd.write(await w.mul[prefix](await Fr.batchFromMontgomery(scalars)));
    w.tick(`${label} 2^${Math.log2(s.length / Fr.n8)}`, (s.length / Fr.n8) * weight);
  }
  await binFileUtils.endWriteSection(fd);
}

/** Work units for progress: one per point, G2 points weighted by their relative cost (sections 2-5, then 12-15). */
function progressUnits(power: number): number {
  const n = 2 ** power;
  return 2 * n - 1 + 2 * n + G2_WEIGHT * n + (2 ** (power + 2) - 1) + 2 * (2 ** (power + 1) - 1) + G2_WEIGHT * (2 ** (power + 1) - 1);
}

/** Sections 2-7 and 12-15 from fresh τ, α, β, which do not outlive this function. */
async function ptauSections(w: PtauWriter, power: number): Promise<void> {
  const { fd, curve } = w;
  const { Fr, G2 } = curve;
  let tau = randomScalar(curve);
  let alpha = randomScalar(curve);
  let beta = randomScalar(curve);
  const n = 2 ** power;
  await geometricSection(w, 2, "g1m", 2 * n - 1, Fr.one, tau, "tauG1", 1);
  await geometricSection(w, 3, "g2m", n, Fr.one, tau, "tauG2", G2_WEIGHT);
  await geometricSection(w, 4, "g1m", n, alpha, tau, "alphaTauG1", 1);
  await geometricSection(w, 5, "g1m", n, beta, tau, "betaTauG1", 1);
  await binFileUtils.startWriteSection(fd, 6);
  await fd.write(G2.toAffine(G2.timesFr(G2.g, beta)));
  await binFileUtils.endWriteSection(fd);
  // Section 7: the contributions list, empty: there was no ceremony.
  await binFileUtils.startWriteSection(fd, 7);
  await fd.writeULE32(0);
  await binFileUtils.endWriteSection(fd);
  const levels: Uint8Array[] = [];
  for (let p = 0; p <= power; p++) levels.push(await lagrangeScalars(curve, tau, p, false));
  const extraLevel = await lagrangeScalars(curve, tau, power + 1, true);
  tau = new Uint8Array(0); // only alpha and beta are needed below; drop tau as early as possible
  await lagrangeSection(w, 12, "g1m", [...levels, extraLevel], null, "Lagrange tauG1", 1);
  await lagrangeSection(w, 13, "g2m", levels, null, "Lagrange tauG2", G2_WEIGHT);
  await lagrangeSection(w, 14, "g1m", levels, alpha, "Lagrange alphaTauG1", 1);
  await lagrangeSection(w, 15, "g1m", levels, beta, "Lagrange betaTauG1", 1);
  alpha = beta = new Uint8Array(0);
}

/** A development (single-party) powers of tau of 2^power, prepared for phase 2, written to `file`. */
export async function generateDevPtau(power: number, file: string, progress?: Progress): Promise<void> {
  if (!Number.isInteger(power) || power < 1 || power > MAX_DEV_POWER) {
    throw new RangeError(`dev ptau power must be 1..${MAX_DEV_POWER}, got ${power}`);
  }
  const curve = (await getCurveFromName("bn128")) as Curve;
  const tmp = `${file}.partial-${process.pid}`;
  await mkdir(path.dirname(file), { recursive: true });
  try {
    const total = progressUnits(power);
    let done = 0;
    const fd = await binFileUtils.createBinFile(tmp, "ptau", 1, 11, 1 << 22, 1 << 24);
    const w: PtauWriter = {
      fd,
      curve,
      mul: { g1m: fixedBaseMultiplier(curve, "g1m"), g2m: fixedBaseMultiplier(curve, "g2m") },
      tick: (label, units) => {
        done += units;
        progress?.(label, Math.min(1, done / total));
      },
    };
    await headerSection(w, power);
    await ptauSections(w, power);
    await fd.close();
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  } finally {
    await curve.terminate();
  }
}
