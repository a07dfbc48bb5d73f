/**
 * A warm Groth16 prover over a snarkjs zkey, the same proof as snarkjs's `groth16.prove` step
 * for step (same key layout, the same FFTs and multi-exponentiations on ffjavascript's curve and
 * workers), with two changes that the profile asked for (bench/prove_profile.ts, docs/BENCHMARKS.md):
 * - A/B/C at the constraint points (the QAP's sparse matrices times the witness) are summed
 *   with BigInt over coefficients parsed once per key, where snarkjs slices and calls wasm per
 *   coefficient on the main thread (MNIST MLP: 412 ms of a 1.4 s prove).
 * - The five multi-exponentiations are queued together, so the workers' queue never runs dry
 *   between them; and the point sections are copied out of the key once (ffjavascript posts
 *   slices to its workers, and a slice of a view posts the whole underlying buffer).
 * On the native backend (core/native.ts) the quotient, the MSMs and the blinding combinations
 * run in the addon and no ffjavascript curve is built. Browser-safe: ffjavascript and BigInt only.
 */
import { getCurveFromName, utils } from "ffjavascript";
import type { BnCurve, Element } from "../bn254.js";
import { ZkmlError } from "../errors.js";
import { FR_TWO_ADICITY, type G1Affine, g1Object, g2Object, frRoots, putG1, putG2, readJacobianG1, readJacobianG2, scalarBytes } from "../bn254_coords.js";
import { FIELD_R, modInverse, randomBlinding } from "../field.js";
import type { CurveAccel } from "../native.js";
import { binSections, readLE, wtnsLayout } from "../r1cs.js";
import type { ProofResult } from "./backend.js";

const N8 = 32;
type Sections = Map<number, { start: number; size: number }>;

/** A proving key this prover cannot read: damaged, or not a BN254 Groth16 zkey. */
function badKey(why: string): ZkmlError {
  return new ZkmlError("STALE_ARTIFACT", why, "run `zkml setup` on the build folder again");
}

const MASK64 = (1n << 64n) - 1n;

function writeLE(dv: DataView, at: number, x: bigint): void {
  dv.setBigUint64(at, x & MASK64, true);
  dv.setBigUint64(at + 8, (x >> 64n) & MASK64, true);
  dv.setBigUint64(at + 16, (x >> 128n) & MASK64, true);
  dv.setBigUint64(at + 24, x >> 192n, true);
}

/** The key, parsed once: sizes, fixed points, the QAP coefficients and copies of the point sections. */
interface ParsedKey {
  nVars: number;
  nPublic: number;
  domainSize: number;
  power: number;
  /** α1, β1, β2, δ1, δ2 as the key stores them: affine, little-endian Montgomery (the addon's form). */
  fixed: { alpha1: Uint8Array; beta1: Uint8Array; beta2: Uint8Array; delta1: Uint8Array; delta2: Uint8Array };
  /**
   * Coefficient i adds k[i]·w[signal[i]]·R⁻¹ to row[i] of A (matrix 0) or B (matrix 1); k = x·R²
   * as the zkey stores it. Read from `coefficients` when first needed: the native backend never
   * needs them as BigInts (2.4M of them in a 2^20-constraint key).
   */
  matrix: Uint8Array;
  row: Uint32Array;
  signal: Uint32Array;
  k?: bigint[];
  /** Section 4 as stored, for the native backend's quotient. */
  coefficients: Uint8Array;
  points: { A: Uint8Array; B1: Uint8Array; B2: Uint8Array; C: Uint8Array; H: Uint8Array };
}

function parseHeader(bytes: Uint8Array, s: Sections) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const h1 = s.get(1);
  const h2 = s.get(2);
  if (!h1 || !h2 || dv.getUint32(h1.start, true) !== 1) throw badKey("the proving key is not a Groth16 zkey");
  // n8q, q, n8r, r, nVars, nPublic, domainSize, then α1, β1 (G1), β2, γ2 (G2), δ1 (G1), δ2 (G2).
  if (h2.size !== 4 + N8 + 4 + N8 + 12 + 64 + 64 + 128 + 128 + 64 + 128) throw badKey("the proving key's header has the wrong size");
  let p = h2.start;
  const n8q = dv.getUint32(p, true);
  p += 4 + n8q;
  const n8r = dv.getUint32(p, true);
  if (n8q !== N8 || n8r !== N8 || readLE(dv, p + 4, N8) !== FIELD_R) throw badKey("the proving key is not over BN254");
  p += 4 + n8r;
  const nVars = dv.getUint32(p, true);
  const nPublic = dv.getUint32(p + 4, true);
  const domainSize = dv.getUint32(p + 8, true);
  p += 12;
  const copy = (at: number, size: number) => new Uint8Array(bytes.subarray(at, at + size));
  const fixed = {
    alpha1: copy(p, 64),
    beta1: copy(p + 64, 64),
    beta2: copy(p + 128, 128),
    delta1: copy(p + 128 + 128 + 128, 64),
    delta2: copy(p + 128 + 128 + 128 + 64, 128),
  };
  return { nVars, nPublic, domainSize, fixed };
}

/** Parses a Groth16 zkey once, for many proofs; every size is checked against the header before use. */
function parseKey(bytes: Uint8Array): ParsedKey {
  const s = binSections(bytes, "zkey", "the proving key", badKey);
  const header = parseHeader(bytes, s);
  const power = Math.log2(header.domainSize);
  if (!Number.isInteger(power) || power > FR_TWO_ADICITY) throw badKey("the proving key's domain is no power of two the field supports");
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const section = (id: number, size?: number) => {
    const sec = s.get(id);
    if (!sec || (size !== undefined && sec.size !== size)) throw badKey(`the proving key's section ${id} is missing or of the wrong size`);
    return sec;
  };
  const co = section(4);
  const n = co.size >= 4 ? dv.getUint32(co.start, true) : -1;
  if (4 + n * (12 + N8) !== co.size) throw badKey("the proving key's coefficient section has the wrong size");
  const matrix = new Uint8Array(n);
  const row = new Uint32Array(n);
  const signal = new Uint32Array(n);
  // Kept as stored (x·R²): buildABC multiplies each row's sum by R⁻¹ once, as snarkjs's
  // Montgomery product does per term.
  for (let i = 0; i < n; i++) {
    const at = co.start + 4 + i * (12 + N8);
    matrix[i] = dv.getUint32(at, true);
    row[i] = dv.getUint32(at + 4, true);
    signal[i] = dv.getUint32(at + 8, true);
    if (matrix[i]! > 1 || row[i]! >= header.domainSize || signal[i]! >= header.nVars) throw badKey(`the proving key's coefficient ${i} is out of range`);
  }
  // Copies, not views: ffjavascript posts slices of them to its workers, and a slice of a view
  // of a Node Buffer (or of the whole key) posts all of the underlying memory each time.
  const points = (id: number, count: number, pointBytes: number) => {
    const sec = section(id, count * pointBytes);
    return new Uint8Array(bytes.subarray(sec.start, sec.start + sec.size));
  };
  const { nVars, nPublic, domainSize } = header;
  return {
    ...header,
    power,
    matrix,
    row,
    signal,
    coefficients: new Uint8Array(bytes.subarray(co.start, co.start + co.size)),
    points: {
      A: points(5, nVars, 64),
      B1: points(6, nVars, 64),
      B2: points(7, nVars, 128),
      C: points(8, nVars - nPublic - 1, 64),
      H: points(9, domainSize, 64),
    },
  };
}

/** R⁻¹ mod p for Montgomery's R = 2^256. */
function montgomeryInverse(p: bigint): bigint {
  return modInverse((1n << 256n) % p, p);
}

/** A .wtns file's values (normal form) as the MSMs take them (bytes). */
function witnessBytes(wtns: Uint8Array, nVars: number): Uint8Array {
  const { offset, n8, count } = wtnsLayout(wtns);
  if (n8 !== N8 || count !== nVars) throw new ZkmlError("BAD_INPUT", `the witness does not fit the proving key (${nVars} signals of ${N8} bytes expected)`);
  return new Uint8Array(wtns.subarray(offset, offset + count * N8));
}

/** Values `from` ≤ i < `to` of the witness bytes as BigInts (all of them only where A/B/C are summed in BigInt). */
function witnessBigInts(bytes: Uint8Array, from: number, to: number): bigint[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: to - from }, (_, i) => readLE(view, (from + i) * N8, N8));
}

/** The coefficients' values k (x·R²) from section 4's bytes (count, then matrix, row, signal, k per entry). */
function coefficientValues(section: Uint8Array): bigint[] {
  const dv = new DataView(section.buffer, section.byteOffset, section.byteLength);
  const n = dv.getUint32(0, true);
  return Array.from({ length: n }, (_, i) => readLE(dv, 4 + i * (12 + N8) + 12, N8));
}

/** A, B and C = A·B at the domain's points, Montgomery bytes, as the FFTs take them. */
function buildABC(key: ParsedKey, w: bigint[], p: bigint, rInv: bigint): [Uint8Array, Uint8Array, Uint8Array] {
  const d = key.domainSize;
  const sums: [bigint[], bigint[]] = [new Array(d).fill(0n), new Array(d).fill(0n)];
  key.k ??= coefficientValues(key.coefficients);
  const k = key.k;
  for (let i = 0; i < k.length; i++) {
    const m = sums[key.matrix[i]!]!;
    const r = key.row[i]!;
    m[r] = m[r]! + k[i]! * w[key.signal[i]!]!;
  }
  const out = [new Uint8Array(d * N8), new Uint8Array(d * N8), new Uint8Array(d * N8)] as const;
  const dvs = out.map((b) => new DataView(b.buffer));
  for (let r = 0; r < d; r++) {
    // Σ x·R²·w, times R⁻¹: the Montgomery form of Σ x·w, as snarkjs's Fr.mul per term gives.
    const a = ((sums[0][r]! % p) * rInv) % p;
    const b = ((sums[1][r]! % p) * rInv) % p;
    writeLE(dvs[0]!, r * N8, a);
    writeLE(dvs[1]!, r * N8, b);
    // Montgomery product: a·b·R⁻¹ is C's Montgomery form.
    writeLE(dvs[2]!, r * N8, (((a * b) % p) * rInv) % p);
  }
  return [out[0], out[1], out[2]];
}

/** Evaluations at the shifted coset, as snarkjs computes them (ifft, multiply by the coset's powers, fft). */
async function toOddCoset(curve: BnCurve, values: Uint8Array, inc: Element): Promise<Uint8Array> {
  const Fr = curve.Fr;
  const coefficients = await Fr.ifft(values);
  const shifted = await Fr.batchApplyKey(coefficients, Fr.e(1), inc);
  return Fr.fft(shifted);
}

/** (A·B − C) at the coset, out of Montgomery form: the H multi-exponentiation's scalars. */
function joinABC(a: Uint8Array, b: Uint8Array, c: Uint8Array, p: bigint, rInv: bigint): Uint8Array {
  // ffjavascript returns a BigBuffer only above 2^28 bytes, beyond zkml's constraint limit.
  if (![a, b, c].every((x) => x instanceof Uint8Array)) throw badKey("the proving key's domain is too large for this prover");
  const [da, db, dc] = [a, b, c].map((x) => new DataView(x.buffer, x.byteOffset, x.byteLength)) as [DataView, DataView, DataView];
  const out = new Uint8Array(a.length);
  const dout = new DataView(out.buffer);
  const rInv2 = (rInv * rInv) % p;
  for (let at = 0; at < a.length; at += N8) {
    // a, b, c are x·R: (a·b·R⁻¹ − c)·R⁻¹ = a·b·R⁻² − c·R⁻¹.
    const v = (readLE(da, at, N8) * readLE(db, at, N8) * rInv2 - readLE(dc, at, N8) * rInv) % p;
    writeLE(dout, at, v < 0n ? v + p : v);
  }
  return out;
}

/** The five multi-exponentiations' results: A, B1, B2, C and H (Jacobian points). */
type MsmResults = [Element, Element, Element, Element, Element];

/** A/B/C, the quotient's FFTs on the coset `inc` shifts to (normal form), and the five MSMs on ffjavascript's WebAssembly workers. */
async function wasmMsms(curve: BnCurve, key: ParsedKey, w: Uint8Array, rInv: bigint, incNormal: bigint): Promise<MsmResults> {
  const { Fr, G1, G2 } = curve;
  const p = Fr.p;
  const inc = Fr.e(incNormal);
  // A/B/C on the main thread, the quotient's FFTs, then all five multi-exponentiations at once,
  // so the workers' queue never runs dry between them (the fastest order measured).
  const [a, b, c] = buildABC(key, witnessBigInts(w, 0, key.nVars), p, rInv);
  const [ao, bo, co] = await Promise.all([toOddCoset(curve, a, inc), toOddCoset(curve, b, inc), toOddCoset(curve, c, inc)]);
  return Promise.all([
    G1.multiExpAffine(key.points.A, w),
    G1.multiExpAffine(key.points.B1, w),
    G2.multiExpAffine(key.points.B2, w),
    G1.multiExpAffine(key.points.C, w.slice((key.nPublic + 1) * N8)),
    G1.multiExpAffine(key.points.H, joinABC(ao, bo, co, p, rInv)),
  ]);
}

/**
 * A proof on the native addon (core/native.ts), on all cores: the quotient, the five MSMs, and
 * the blinding combinations as three more small MSMs over affine points (the Jacobian results
 * made affine in BigInt), so no ffjavascript curve is built. roots: ω and the coset's shift,
 * normal form, as the addon takes them.
 */
function nativeProof(accel: CurveAccel, roots: { omega: Uint8Array; inc: Uint8Array }, key: ParsedKey, w: Uint8Array) {
  const h = accel.groth16Quotient(key.coefficients, w, key.domainSize, roots.omega, roots.inc);
  const a = readJacobianG1(accel.msm(1, key.points.A, w));
  const b1 = readJacobianG1(accel.msm(1, key.points.B1, w));
  const b2 = readJacobianG2(accel.msm(2, key.points.B2, w));
  const c = readJacobianG1(accel.msm(1, key.points.C, w.subarray((key.nPublic + 1) * N8)));
  const hSum = readJacobianG1(accel.msm(1, key.points.H, h));
  const r = randomBlinding();
  const s = randomBlinding();
  const { alpha1, beta1, beta2, delta1, delta2 } = key.fixed;
  const g1Sum = (points: (G1Affine | Uint8Array)[], scalars: bigint[]) => {
    const bases = new Uint8Array(64 * points.length);
    points.forEach((p, i) => (p instanceof Uint8Array ? bases.set(p, 64 * i) : putG1(bases, 64 * i, p)));
    return readJacobianG1(accel.msm(1, bases, scalarBytes(scalars)));
  };
  // snarkjs's combinations: A + α + r·δ; B + β + s·δ (G2 and G1); C + H + s·πA + r·B1 − r·s·δ.
  const piA = g1Sum([a, alpha1, delta1], [1n, 1n, r]);
  const b2Bases = new Uint8Array(3 * 128);
  putG2(b2Bases, 0, b2);
  b2Bases.set(beta2, 128);
  b2Bases.set(delta2, 256);
  const piB = readJacobianG2(accel.msm(2, b2Bases, scalarBytes([1n, 1n, s])));
  const b1s = g1Sum([b1, beta1, delta1], [1n, 1n, s]);
  const piC = g1Sum([c, hSum, piA, b1s, delta1], [1n, 1n, s, r, FIELD_R - ((r * s) % FIELD_R)]);
  return { pi_a: g1Object(piA), pi_b: g2Object(piB), pi_c: g1Object(piC), protocol: "groth16", curve: "bn128" };
}

/** A proof on ffjavascript's WebAssembly workers: the MSMs and the blinding combinations on its curve. */
async function wasmProof(curve: BnCurve, key: ParsedKey, w: Uint8Array, rInv: bigint, inc: bigint) {
  const { Fr, G1, G2 } = curve;
  const [pa, pb1, pb, pc, resH] = await wasmMsms(curve, key, w, rInv, inc);
  const f = key.fixed;
  const [alpha1, beta1, delta1] = [f.alpha1, f.beta1, f.delta1].map((b) => G1.fromRprLEM(b, 0));
  const [beta2, delta2] = [f.beta2, f.delta2].map((b) => G2.fromRprLEM(b, 0));
  const r = Fr.random();
  const s = Fr.random();
  const piA = G1.add(G1.add(pa, alpha1!), G1.timesFr(delta1!, r));
  const piB = G2.add(G2.add(pb, beta2!), G2.timesFr(delta2!, s));
  const b1 = G1.add(G1.add(pb1, beta1!), G1.timesFr(delta1!, s));
  let piC = G1.add(pc, resH);
  piC = G1.add(piC, G1.timesFr(piA, s));
  piC = G1.add(piC, G1.timesFr(b1, r));
  piC = G1.add(piC, G1.timesFr(delta1!, Fr.neg(Fr.mul(r, s))));
  return utils.stringifyBigInts({
    pi_a: G1.toObject(G1.toAffine(piA)),
    pi_b: G2.toObject(G2.toAffine(piB)),
    pi_c: G1.toObject(G1.toAffine(piC)),
    protocol: "groth16",
    curve: "bn128",
  });
}

/** A prover for one zkey: parse it once, then prove witness after witness (on `accel` when given, else WebAssembly). */
export async function groth16Prover(zkey: Uint8Array, accel?: CurveAccel): Promise<(wtns: Uint8Array) => Promise<ProofResult>> {
  const key = parseKey(zkey);
  const done = (w: Uint8Array, proof: unknown) =>
    ({ proof, publicSignals: witnessBigInts(w, 1, key.nPublic + 1).map((v) => v.toString()) }) as unknown as ProofResult;
  const { omega, inc } = frRoots(key.power);
  if (accel) {
    // No ffjavascript curve on the native backend: its WebAssembly start is ~0.2 s of a cold prove.
    const roots = { omega: scalarBytes([omega]), inc: scalarBytes([inc]) };
    return async (wtns) => {
      const w = witnessBytes(wtns, key.nVars);
      return done(w, nativeProof(accel, roots, key, w));
    };
  }
  // The shared curve afresh each time (ffjavascript caches it): a caller may have released its
  // workers (releaseCurves) since the last proof, and a released curve never answers.
  const rInv = montgomeryInverse(FIELD_R);
  return async (wtns) => {
    const w = witnessBytes(wtns, key.nVars);
    return done(w, await wasmProof(await getCurveFromName("bn128"), key, w, rInv, inc));
  };
}
