/**
 * Development Groth16 keys drawn directly: sample the toxic waste (τ, α, β, δ) in memory,
 * evaluate the circuit's QAP at τ in the scalar field, and make every key point with one
 * fixed-base multiplication of the generator, then drop the secrets. No powers of tau and no
 * multi-exponentiation over the constraint coefficients (snarkjs `zkey new` does one per wire
 * over the ptau's Lagrange points, then a contribution rescales two sections by 1/δ).
 *
 * The zkey has snarkjs's layout, section for section, so snarkjs proves with it and its
 * verifiers (off-chain and Solidity) accept the proofs, unmodified. Whoever runs this could have
 * kept the secrets: the keys are development keys, marked and refused on public chains exactly
 * as keys on the development ptau are.
 *
 * What snarkjs's zkey holds, for wires s < nVars, domain size d and Lagrange polynomials L_j
 * over the d-th roots of unity (γ = 1, as snarkjs leaves it):
 *   A_s  = u_s(τ)·G1        u_s = Σ_c A[c][s]·L_c  (+ L_{nConstraints+s} for public s ≤ nPublic)
 *   B1_s = v_s(τ)·G1, B2_s = v_s(τ)·G2            v_s = Σ_c B[c][s]·L_c
 *   IC_s = (β·u_s + α·v_s + w_s)(τ)·G1 (s ≤ nPublic), C_s = the same / δ (the others)
 *   H_i  = L'_{2i+1}(τ)/δ·G1 over the 2d-th roots (the prover evaluates on the odd coset)
 */
import { createHash } from "node:crypto";
import { readFile, rename, rm } from "node:fs/promises";
import * as binFileUtils from "@iden3/binfileutils";
import { getCurveFromName } from "ffjavascript";
import { FR_TWO_ADICITY, frRoots, g1Object, g2Object, generatorBytes, gtObject, readAffineG1, readAffineG2, scalarBytes } from "../core/bn254_coords.js";
import * as snarkjs from "snarkjs";
import { ZkmlError } from "../core/errors.js";
import { FIELD_Q, FIELD_R, modInverse, powMod, randomBlinding } from "../core/field.js";
import { LIMITS } from "../core/limits.js";
import { type CurveAccel, curveAccel } from "../core/native.js";
import { parseR1cs, type R1csHeader, readR1csHeader } from "../core/r1cs.js";
import type { SystemKeys } from "../core/systems/index.js";
import { fixedBaseMultiplier } from "./ptau/dev.js";

const r = FIELD_R;
const mod = (x: bigint) => ((x % r) + r) % r;

const pow = (b: bigint, e: bigint) => powMod(b, e, r);
const inverse = (x: bigint) => modInverse(x, r);

/** 1/x for every x, with one inversion (Montgomery's trick). */
function batchInverse(xs: bigint[]): bigint[] {
  const prefix = new Array<bigint>(xs.length);
  let acc = 1n;
  xs.forEach((x, i) => {
    prefix[i] = acc;
    acc = (acc * x) % r;
  });
  let inv = inverse(acc);
  const out = new Array<bigint>(xs.length);
  for (let i = xs.length - 1; i >= 0; i--) {
    out[i] = (inv * prefix[i]!) % r;
    inv = (inv * xs[i]!) % r;
  }
  return out;
}

/** A secret: uniform and not zero (α, β, δ must be invertible). */
function randomScalar(): bigint {
  for (;;) {
    const v = randomBlinding();
    if (v !== 0n) return v;
  }
}

/** L_j(τ) over the n-th roots of unity ω^j, for the j in `indices`: ω^j·(τ^n − 1) / (n·(τ − ω^j)). */
function lagrangeAt(tau: bigint, n: number, omega: bigint, indices: number[]): bigint[] {
  const points = indices.map((j) => pow(omega, BigInt(j)));
  const z = mod(pow(tau, BigInt(n)) - 1n);
  const invN = inverse(BigInt(n));
  const inv = batchInverse(points.map((w) => mod(tau - w)));
  return points.map((w, k) => (((w * z) % r) * ((invN * inv[k]!) % r)) % r);
}

export type Progress = (message: string, fraction: number) => void;

type R1cs = ReturnType<typeof parseR1cs>;

/**
 * The key's scalars (32-byte little-endian words, normal form): the QAP at a fresh τ and the
 * secrets α, β, δ; the caller wipes them after use.
 */
interface KeyScalars {
  alpha: Uint8Array;
  beta: Uint8Array;
  delta: Uint8Array;
  /** u_s(τ), v_s(τ) per wire. */
  u: Uint8Array;
  v: Uint8Array;
  /** IC_s for the public wires, C_s (÷ δ) for the others, H_i (÷ δ). */
  ic: Uint8Array;
  c: Uint8Array;
  h: Uint8Array;
}

/** Draws τ, α, β, δ and evaluates the circuit's QAP at τ in the scalar field; τ does not leave this function. */
function keyScalars(cs: R1cs, nPublic: number, d: number, omega: bigint, omega2: bigint): KeyScalars {
  const nConstraints = cs.constraints.length;
  const nVars = cs.nWires;
  let tau = randomScalar();
  // τ on the domain would divide by zero (probability ~2^-240): draw again.
  while (pow(tau, BigInt(2 * d)) === 1n) tau = randomScalar();
  const [alpha, beta, delta] = [randomScalar(), randomScalar(), randomScalar()];
  const L = lagrangeAt(
    tau,
    d,
    omega,
    Array.from({ length: nConstraints + nPublic + 1 }, (_, j) => j),
  );
  const u = new Array<bigint>(nVars).fill(0n);
  const v = new Array<bigint>(nVars).fill(0n);
  const w = new Array<bigint>(nVars).fill(0n);
  cs.constraints.forEach((c, j) => {
    const l = L[j]!;
    for (const [s, k] of c.a) u[s] = (u[s]! + k * l) % r;
    for (const [s, k] of c.b) v[s] = (v[s]! + k * l) % r;
    for (const [s, k] of c.c) w[s] = (w[s]! + k * l) % r;
  });
  // The extra rows that make the public inputs independent (snarkjs: A[n + s][s] = 1).
  for (let s = 0; s <= nPublic; s++) u[s] = (u[s]! + L[nConstraints + s]!) % r;
  const invDelta = inverse(delta);
  const combined = (s: number) => (beta * u[s]! + alpha * v[s]! + w[s]!) % r;
  const ic = Array.from({ length: nPublic + 1 }, (_, s) => combined(s));
  const c = Array.from({ length: nVars - nPublic - 1 }, (_, k) => (combined(k + nPublic + 1) * invDelta) % r);
  const odd = Array.from({ length: d }, (_, i) => 2 * i + 1);
  const h = lagrangeAt(tau, 2 * d, omega2, odd).map((x) => (x * invDelta) % r);
  tau = 0n;
  const b = (xs: bigint[]) => scalarBytes(xs);
  return { alpha: b([alpha]), beta: b([beta]), delta: b([delta]), u: b(u), v: b(v), ic: b(ic), c: b(c), h: b(h) };
}

/** The same on the native addon, from the r1cs's constraint bytes (no BigInt parse); τ, α, β, δ drawn here and wiped. */
function nativeKeyScalars(
  accel: CurveAccel,
  constraints: Uint8Array,
  header: R1csHeader,
  nPublic: number,
  power: number,
  omega: bigint,
  omega2: bigint,
): KeyScalars {
  const d = 2 ** power;
  let tau = randomScalar();
  while (pow(tau, BigInt(2 * d)) === 1n) tau = randomScalar();
  const secrets = scalarBytes([tau, randomScalar(), randomScalar(), randomScalar()]);
  tau = 0n;
  const [w, w2] = [scalarBytes([omega]), scalarBytes([omega2])];
  const out = accel.groth16KeyScalars(constraints, header.nConstraints, header.nWires, nPublic, power, w, w2, secrets);
  secrets.fill(0);
  const nWires = header.nWires;
  let at = 0;
  const take = (count: number) => {
    const part = out.subarray(32 * at, 32 * (at + count));
    at += count;
    return part;
  };
  return {
    alpha: take(1),
    beta: take(1),
    delta: take(1),
    u: take(nWires),
    v: take(nWires),
    ic: take(nPublic + 1),
    c: take(nWires - nPublic - 1),
    h: take(d),
  };
}

/**
 * Section 4, the A and B coefficients as snarkjs stores them (x·R² mod r, little-endian), for
 * the prover's evaluation of A·w and B·w on the domain.
 */
function coefficientSection(cs: R1cs, nPublic: number): Uint8Array {
  const nConstraints = cs.constraints.length;
  const R = (1n << 256n) % r;
  const R2 = (R * R) % r;
  const entries: [number, number, number, bigint][] = [];
  cs.constraints.forEach((cn, j) => {
    for (const [s, k] of cn.a) entries.push([0, j, s, k]);
    for (const [s, k] of cn.b) entries.push([1, j, s, k]);
  });
  for (let s = 0; s <= nPublic; s++) entries.push([0, nConstraints + s, s, 1n]);
  const coefs = new Uint8Array(4 + entries.length * 44);
  const view = new DataView(coefs.buffer);
  view.setUint32(0, entries.length, true);
  entries.forEach(([m, j, s, k], i) => {
    const at = 4 + i * 44;
    view.setUint32(at, m, true);
    view.setUint32(at + 4, j, true);
    view.setUint32(at + 8, s, true);
    coefs.set(scalarBytes([(k * R2) % r]), at + 12);
  });
  return coefs;
}

/** One section of the zkey file: its id, then what `write` writes into it. */
async function section(fd: binFileUtils.FastFile, id: number, write: () => Promise<void>): Promise<void> {
  await binFileUtils.startWriteSection(fd, id);
  await write();
  await binFileUtils.endWriteSection(fd);
}

/** Sections 1 and 2: Groth16, the fields, the sizes and the key's fixed points (γ = the generator, as snarkjs leaves it). */
async function headerSections(fd: binFileUtils.FastFile, groups: KeyGroups, k: KeyScalars, sizes: { nVars: number; nPublic: number; d: number }) {
  await section(fd, 1, () => fd.writeULE32(1)); // Groth16
  // One multiplication call per group (a backend that does not keep its generator's table builds it per call).
  const [secrets1, secrets2] = [Buffer.concat([k.alpha, k.beta, k.delta]), Buffer.concat([k.beta, k.delta])];
  const [p1, p2] = [await groups.g1(secrets1), await groups.g2(secrets2)];
  secrets1.fill(0);
  secrets2.fill(0);
  const [alpha1, beta1, delta1] = [p1.subarray(0, 64), p1.subarray(64, 128), p1.subarray(128)];
  const [beta2, delta2] = [p2.subarray(0, 128), p2.subarray(128)];
  const gamma2 = generatorBytes(2);
  await section(fd, 2, async () => {
    await fd.writeULE32(32);
    await binFileUtils.writeBigInt(fd, FIELD_Q, 32);
    await fd.writeULE32(32);
    await binFileUtils.writeBigInt(fd, r, 32);
    await fd.writeULE32(sizes.nVars);
    await fd.writeULE32(sizes.nPublic);
    await fd.writeULE32(sizes.d);
    for (const p of [alpha1, beta1, beta2, gamma2, delta1, delta2]) await fd.write(p);
  });
  return { alpha1, beta2, gamma2, delta2 };
}

type G = (scalars: Uint8Array) => Promise<Uint8Array>;

/** What writing a key takes of the curve: a fixed-base multiplication of the generator per group. */
interface KeyGroups {
  g1: G;
  g2: G;
}

/** The key's points a verification key holds, as the file stores them (affine, Montgomery). */
interface KeyPoints {
  alpha1: Uint8Array;
  beta2: Uint8Array;
  gamma2: Uint8Array;
  delta2: Uint8Array;
  ic: Uint8Array;
}

/**
 * The verification key snarkjs's exportVerificationKey writes for these points (the test holds
 * them equal), with e(α, β) from the addon's pairing.
 */
function nativeVerificationKey(accel: CurveAccel, points: KeyPoints, nPublic: number): Record<string, unknown> {
  const alphaBeta = accel.pairing(Buffer.concat([points.alpha1, points.beta2]), "ffjavascript");
  return {
    protocol: "groth16",
    curve: "bn128",
    nPublic,
    vk_alpha_1: g1Object(readAffineG1(points.alpha1)),
    vk_beta_2: g2Object(readAffineG2(points.beta2)),
    vk_gamma_2: g2Object(readAffineG2(points.gamma2)),
    vk_delta_2: g2Object(readAffineG2(points.delta2)),
    vk_alphabeta_12: gtObject(alphaBeta),
    IC: Array.from({ length: nPublic + 1 }, (_, i) => g1Object(readAffineG1(points.ic, 64 * i))),
  };
}

/** Writes the zkey of these scalars to `file`, every point one fixed-base multiplication; progress by points made. */
async function writeZkey(
  file: string,
  groups: KeyGroups,
  coefficients: Uint8Array,
  r1csBytes: Uint8Array,
  k: KeyScalars,
  sizes: { nVars: number; nPublic: number; d: number },
  progress?: Progress,
): Promise<KeyPoints> {
  const { g1, g2 } = groups;
  const { nVars, nPublic, d } = sizes;
  const total = 3 * nVars + d + 3.7 * nVars;
  let done = 0;
  const fd = await binFileUtils.createBinFile(file, "zkey", 1, 10, 1 << 22, 1 << 24);
  const fixed = await headerSections(fd, groups, k, sizes);
  await section(fd, 4, () => fd.write(coefficients));
  let ic: Uint8Array = new Uint8Array(0);
  for (const [id, label, units, make] of [
    [3, "IC", nPublic + 1, () => g1(k.ic)],
    [9, "H", d, () => g1(k.h)],
    [8, "C", nVars - nPublic - 1, () => g1(k.c)],
    [5, "A", nVars, () => g1(k.u)],
    [6, "B1", nVars, () => g1(k.v)],
    [7, "B2", 3.7 * nVars, () => g2(k.v)],
  ] as const) {
    const points = await make();
    if (id === 3) ic = points;
    done += units;
    progress?.(`key points ${label}`, done / total);
    await section(fd, id, () => fd.write(points));
  }
  // Section 10: the "circuit hash" contributions chain from, and no contributions. There was
  // no ceremony: the hash names what these keys are, not a ptau transcript.
  await section(fd, 10, async () => {
    await fd.write(createHash("blake2b512").update("zkml direct development keys\n").update(r1csBytes).digest());
    await fd.writeULE32(0);
  });
  await fd.close();
  return { ...fixed, ic };
}

/** The key's scalars and section 4 in BigInt, from the parsed r1cs (the WebAssembly backend's path). */
function wasmScalars(bytes: Uint8Array, file: string, nPublic: number, d: number, omega: bigint, omega2: bigint) {
  const cs = parseR1cs(bytes, file);
  return { k: keyScalars(cs, nPublic, d, omega, omega2), coefficients: coefficientSection(cs, nPublic) };
}

/** The same on the native addon, from the constraint bytes. */
function nativeScalars(accel: CurveAccel, bytes: Uint8Array, header: R1csHeader, nPublic: number, power: number, omega: bigint, omega2: bigint) {
  const { start, size } = header.constraints;
  const constraints = bytes.subarray(start, start + size);
  return {
    k: nativeKeyScalars(accel, constraints, header, nPublic, power, omega, omega2),
    coefficients: accel.groth16CoefficientSection(constraints, header.nConstraints, header.nWires, nPublic),
  };
}

/** Groth16 development keys for an r1cs with no ptau: the toxic waste drawn in memory and dropped (see the module comment). */
export async function groth16DirectSetup(r1csFile: string, zkeyFile: string, progress?: Progress): Promise<SystemKeys> {
  const t0 = performance.now();
  const r1csBytes = new Uint8Array(await readFile(r1csFile));
  const header = readR1csHeader(r1csBytes, r1csFile);
  if (header.n8 !== 32 || header.prime !== r) throw new ZkmlError("BAD_INPUT", `${r1csFile}: not a circuit over BN254's scalar field`);
  for (const [what, n] of [
    ["wires", header.nWires],
    ["constraints", header.nConstraints],
  ] as const) {
    // The header's counts, not the file's size, set what is allocated: bound them first.
    if (n > LIMITS.r1csSize) throw new ZkmlError("BAD_INPUT", `${r1csFile}: ${n} ${what}, over zkml's limit of ${LIMITS.r1csSize}`);
  }
  const nPublic = header.nPubOut + header.nPubIn;
  if (nPublic + 1 > header.nWires) throw new ZkmlError("BAD_INPUT", `${r1csFile}: more public signals than wires`);
  // snarkjs zkey new: floor(log2(nConstraints + nPublic)) + 1.
  const power = Math.floor(Math.log2(header.nConstraints + nPublic)) + 1;
  const d = 2 ** power;
  const accel = curveAccel();
  if (power + 1 > FR_TWO_ADICITY) throw new Error(`circuit too big: a domain of 2^${power} exceeds the field's 2-adicity`);
  const [omega, omega2] = [frRoots(power).omega, frRoots(power + 1).omega];
  // With the addon no ffjavascript curve is built: its WebAssembly start and the worker threads
  // snarkjs's key export starts were most of a small model's setup.
  const curve = accel ? undefined : await getCurveFromName("bn128");
  const tmp = `${zkeyFile}.partial-${process.pid}`;
  try {
    progress?.("QAP at tau", 0);
    const { k, coefficients } = accel
      ? nativeScalars(accel, r1csBytes, header, nPublic, power, omega, omega2)
      : wasmScalars(r1csBytes, r1csFile, nPublic, d, omega, omega2);
    const t1 = performance.now();
    let points: KeyPoints;
    try {
      // On the addon the generators are constants: no ffjavascript curve is built.
      const groups = { g1: fixedBaseMultiplier(curve, "g1m", accel), g2: fixedBaseMultiplier(curve, "g2m", accel) };
      points = await writeZkey(tmp, groups, coefficients, r1csBytes, k, { nVars: header.nWires, nPublic, d }, progress);
    } finally {
      for (const x of Object.values(k)) x.fill(0);
    }
    await rename(tmp, zkeyFile);
    const t2 = performance.now();
    const verificationKey = accel ? nativeVerificationKey(accel, points, nPublic) : await snarkjs.zKey.exportVerificationKey(await readFile(zkeyFile));
    return { zkeyFile, verificationKey, timingsMs: { qap: t1 - t0, points: t2 - t1, exportVk: performance.now() - t2 } };
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  } finally {
    await curve?.terminate();
  }
}
