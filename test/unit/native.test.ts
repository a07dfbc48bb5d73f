/**
 * The native curve backend (native/, core/native.ts) against ffjavascript's WebAssembly, the
 * reference: multi-exponentiations in G1 and G2, fixed-base multiplication, NTTs, on seeded
 * random and edge inputs (zero scalars, r − 1, scalars ≥ r, points at infinity, repeated and
 * opposite points, n = 1, sizes around the window and batch thresholds). Byte-equal results,
 * or equal points in affine form where the Jacobian forms differ.
 */
import { execFileSync } from "node:child_process";
import { getCurveFromName } from "ffjavascript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BnCurve, CurveGroup } from "../../core/bn254.js";
import { FIELD_R } from "../../core/field.js";
import { addonPath, type CurveAccel, loadNativeAddon } from "../../core/native.js";
import { mulberry32 } from "../../core/random.js";
import {
  frRoots,
  G1_GENERATOR,
  G2_GENERATOR,
  g1Object,
  g2Object,
  putG1,
  putG2,
  readAffineG1,
  readAffineG2,
  readJacobianG1,
  readJacobianG2,
} from "../../core/bn254_coords.js";

const accel = loadNativeAddon().accel;
let curve: BnCurve;

beforeAll(async () => {
  curve = await getCurveFromName("bn128");
});
afterAll(async () => {
  await curve?.terminate();
});

const hasCompiler = (() => {
  try {
    execFileSync("g++", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

it("the addon is built and loads wherever a C++ compiler is installed (npm install builds it)", () => {
  if (!hasCompiler) {
    console.warn("native addon tests: no g++ here, the WebAssembly fallback is what runs");
    return;
  }
  expect(loadNativeAddon().why).toBeUndefined();
  expect(accel?.threads()).toBeGreaterThan(0);
});

function le(v: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

/**
 * Scalars of each edge kind among seeded random ones. mixed: a witness's shape, small values
 * (either sign) with one in eight full-width, and values at 2^64's edges, so the MSM's passes
 * for small and large scalars both run.
 */
function scalars(n: number, seed: number, kind: "random" | "edges" | "small" | "mixed"): Uint8Array {
  const rand = mulberry32(seed);
  const out = new Uint8Array(n * 32);
  const r = FIELD_R;
  const edges = [0n, 1n, r - 1n, r, r + 5n, (1n << 256n) - 1n, (r - 1n) / 2n, (r + 1n) / 2n, 2n ** 253n, 127n];
  for (let i = 0; i < n; i++) {
    let v: bigint;
    if (kind === "small" || (kind === "mixed" && i % 8 !== 0)) v = (BigInt(Math.floor(rand() * 256)) - 128n + r) % r;
    else if (kind === "mixed" && i % 16 === 0) v = [2n ** 64n - 1n, 2n ** 64n, r - 2n ** 64n, r - 2n ** 64n - 1n][(i / 16) % 4]!;
    else if (kind === "edges" && i < edges.length) v = edges[i]!;
    else {
      v = 0n;
      for (let k = 0; k < 8; k++) v = (v << 32n) | BigInt(Math.floor(rand() * 2 ** 32));
      v %= r;
    }
    out.set(le(v), i * 32);
  }
  return out;
}

/** n affine bases (zkey form): distinct multiples of the generator, with infinity, repeats and opposites mixed in. */
function bases(G: CurveGroup, n: number, seed: number): Uint8Array {
  const rand = mulberry32(seed);
  const size = G.F.n8 * 2;
  const out = new Uint8Array(n * size);
  const pts: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const pick = rand();
    let p: Uint8Array;
    if (i > 0 && pick < 0.1)
      p = pts[Math.floor(rand() * pts.length)]!; // a repeated point
    else if (i > 0 && pick < 0.15)
      p = G.neg(pts[Math.floor(rand() * pts.length)]!); // an opposite one
    else if (pick < 0.18)
      p = G.zero; // the point at infinity, stored (0, 0)
    else p = G.timesScalar(G.g, Math.floor(rand() * 2 ** 30) + 1);
    pts.push(p);
    G.toRprLEM(out, i * size, p);
  }
  return out;
}

/** n distinct bases by one addition each (bases() is too slow for many), a few repeated and a few at infinity. */
function manyBases(G: CurveGroup, n: number): Uint8Array {
  const size = G.F.n8 * 2;
  const out = new Uint8Array(n * size);
  const step = G.timesScalar(G.g, 977);
  let p = G.g;
  for (let i = 0; i < n; i++) {
    G.toRprLEM(out, i * size, i % 1000 === 999 ? G.zero : p);
    if (i % 1000 === 500) out.copyWithin(i * size, (i - 1) * size, i * size);
    p = G.add(p, step);
  }
  return out;
}

/**
 * Equal as affine points. ffjavascript's MSM of bases that are all infinity returns a Jacobian
 * triple its own eq does not call zero, though its affine form is infinity's (0, 1, 0).
 */
function sameAffine(G: CurveGroup, a: Uint8Array, b: Uint8Array): boolean {
  return (
    JSON.stringify(G.toObject(G.toAffine(a)), (_, v) => (typeof v === "bigint" ? v.toString() : v)) ===
    JSON.stringify(G.toObject(G.toAffine(b)), (_, v) => (typeof v === "bigint" ? v.toString() : v))
  );
}

const groups = () =>
  [
    ["G1", curve.G1, 1],
    ["G2", curve.G2, 2],
  ] as const;

describe.skipIf(!accel)("native MSM against ffjavascript", () => {
  const native = accel as CurveAccel;
  it("equals multiExpAffine in G1 and G2 for sizes around the thresholds and every scalar kind", async () => {
    let seed = 1;
    for (const [name, G, group] of groups()) {
      for (const n of [1, 2, 3, 17, 255, 256, 257, 1100]) {
        for (const kind of ["random", "edges", "small", "mixed"] as const) {
          if (name === "G2" && n === 1100 && kind !== "random" && kind !== "mixed") continue;
          const b = bases(G, n, seed++);
          const s = scalars(n, seed++, kind);
          const want = await G.multiExpAffine(b, s);
          const got = native.msm(group, b, s);
          expect(sameAffine(G, want, got), `${name} n=${n} ${kind}`).toBe(true);
        }
      }
    }
    // Above the sorted buckets' chunk of 2^14 points, so a chunk's bucket sums carry into the
    // next; and enough points for windows of 2^12 buckets and more, which batch as they come.
    for (const [n, kind] of [
      [16_400, "random"],
      [16_400, "mixed"],
      [66_000, "random"],
    ] as const) {
      const b = manyBases(curve.G1, n);
      const s = scalars(n, seed++, kind);
      expect(sameAffine(curve.G1, await curve.G1.multiExpAffine(b, s), native.msm(1, b, s)), `G1 n=${n} ${kind}`).toBe(true);
    }
  }, 120_000);

  it("is the point at infinity for no points, all-zero scalars, and P + (−P); one thread or two, aligned bases or not, give the same point", async () => {
    for (const [, G, group] of groups()) {
      const size = G.F.n8 * 2;
      expect(G.isZero(native.msm(group, new Uint8Array(0), new Uint8Array(0)))).toBe(true);
      const b = bases(G, 300, 7);
      expect(G.isZero(native.msm(group, b, new Uint8Array(300 * 32)))).toBe(true);
      const pair = new Uint8Array(2 * size);
      const p = G.timesScalar(G.g, 12345);
      G.toRprLEM(pair, 0, p);
      G.toRprLEM(pair, size, G.neg(p));
      const same = new Uint8Array(64);
      same.set(le(9n), 0);
      same.set(le(9n), 32);
      expect(G.isZero(native.msm(group, pair, same))).toBe(true);
      const s = scalars(300, 8, "random");
      expect(sameAffine(G, native.msm(group, b, s, 1), native.msm(group, b, s, 2))).toBe(true);
      // Bases read in place where aligned, copied where not: the same point either way.
      const shifted = new Uint8Array(b.length + 1);
      shifted.set(b, 1);
      expect(sameAffine(G, native.msm(group, shifted.subarray(1), s), native.msm(group, b, s))).toBe(true);
    }
  });

  it("gives the same points on the portable field product as on the MULX/ADX one (a CPU without ADX)", async () => {
    const b = bases(curve.G1, 400, 41);
    const s = scalars(400, 42, "random");
    const b2 = bases(curve.G2, 60, 43);
    const s2 = scalars(60, 44, "edges");
    const script = `
      const addon = require(process.argv[1]);
      const [b, s, b2, s2] = require("node:fs").readFileSync(0, "utf8").split(" ").map((h) => new Uint8Array(Buffer.from(h, "hex")));
      process.stdout.write([addon.msm(1, b, s), addon.msm(2, b2, s2), addon.ntt(s.subarray(0, 8192), s.subarray(0, 32), false)].map((x) => Buffer.from(x).toString("hex")).join(" "));`;
    const hex = (x: Uint8Array) => Buffer.from(x).toString("hex");
    const out = execFileSync(process.execPath, ["-e", script, addonPath()], {
      input: [b, s, b2, s2].map(hex).join(" "),
      env: { ...process.env, ZKML_NATIVE_NO_ADX: "1" },
      encoding: "utf8",
    }).split(" ");
    const fromHex = (h: string) => new Uint8Array(Buffer.from(h, "hex"));
    expect(sameAffine(curve.G1, fromHex(out[0]!), native.msm(1, b, s))).toBe(true);
    expect(sameAffine(curve.G2, fromHex(out[1]!), native.msm(2, b2, s2))).toBe(true);
    expect(out[2]).toBe(hex(native.ntt(s.subarray(0, 8192), s.subarray(0, 32), false)));
    expect(sameAffine(curve.G1, fromHex(out[0]!), await curve.G1.multiExpAffine(b, s))).toBe(true);
  });

  it("refuses bases and scalars that do not match instead of reading past them", () => {
    expect(() => native.msm(1, new Uint8Array(64), new Uint8Array(64))).toThrow(/do not match/);
    expect(() => native.msm(1, new Uint8Array(64), new Uint8Array(33))).toThrow(/do not match/);
    expect(() => native.msm(3 as 1, new Uint8Array(64), new Uint8Array(32))).toThrow(/group/);
  });
});

describe.skipIf(!accel)("native fixed-base multiplication and NTT against ffjavascript", () => {
  const native = accel as CurveAccel;
  it("fixedBaseMul equals timesScalar for every scalar kind (infinity as (0, 0)), whichever base came before (its table is kept per base)", () => {
    for (const [name, G, group] of groups()) {
      const size = G.F.n8 * 2;
      const other = G.timesScalar(G.g, 5);
      // The generator, another base, then the generator again: a kept table must follow the base.
      for (const [base, kind] of [
        [G.g, "edges"],
        [other, "random"],
        [G.g, "random"],
      ] as const) {
        const b = new Uint8Array(size);
        G.toRprLEM(b, 0, base);
        const n = 70;
        const s = scalars(n, 31, kind);
        const got = native.fixedBaseMul(group, b, s);
        for (let i = 0; i < n; i++) {
          const want = new Uint8Array(size);
          G.toRprLEM(want, 0, G.timesScalar(base, s.subarray(i * 32, i * 32 + 32)));
          expect(Buffer.from(got.subarray(i * size, (i + 1) * size)).equals(Buffer.from(want)), `${name} ${kind} ${i}`).toBe(true);
        }
      }
    }
  });

  it("ntt and its inverse equal Fr.fft and Fr.ifft from n = 1 to 2^11", async () => {
    const { Fr } = curve;
    const rand = mulberry32(5);
    for (let p = 0; p <= 11; p++) {
      const n = 2 ** p;
      const values = new Uint8Array(n * 32);
      for (let i = 0; i < n; i++) values.set(Fr.e(BigInt(Math.floor(rand() * 2 ** 40)) * 1_000_003n), i * 32);
      const omega = Fr.fromMontgomery(Fr.w[p]!);
      expect(Buffer.from(native.ntt(values, omega, false)).equals(Buffer.from(await Fr.fft(values))), `fft 2^${p}`).toBe(true);
      expect(Buffer.from(native.ntt(values, omega, true)).equals(Buffer.from(await Fr.ifft(values))), `ifft 2^${p}`).toBe(true);
    }
    expect(() => native.ntt(new Uint8Array(96), new Uint8Array(32), false)).toThrow(/power of two/);
  });
});

describe.skipIf(!accel)("native pairing check against ffjavascript's pairingEq", () => {
  const native = accel as CurveAccel;
  /** A seeded scalar below r, as ffjavascript's little-endian bytes. */
  const scalar = (rand: () => number) => scalars(1, Math.floor(rand() * 2 ** 31), "random");
  /** Pairs (G1, G2) in the addon's layout: affine, Montgomery, infinity (0, 0). */
  const pack = (pairs: [Uint8Array, Uint8Array][]) => {
    const out = new Uint8Array(pairs.length * 192);
    pairs.forEach(([p, q], i) => {
      curve.G1.toRprLEM(out, 192 * i, p);
      curve.G2.toRprLEM(out, 192 * i + 64, q);
    });
    return out;
  };

  it("agrees with pairingEq on bilinear identities and on their off-by-one forgeries", async () => {
    const { G1, G2 } = curve;
    const rand = mulberry32(41);
    for (let k = 0; k < 6; k++) {
      const P = G1.timesScalar(G1.g, scalar(rand));
      const Q = G2.timesScalar(G2.g, scalar(rand));
      const R = G2.timesScalar(G2.g, scalar(rand));
      const a = BigInt(Math.floor(rand() * 2 ** 48)) * 7919n;
      const b = BigInt(Math.floor(rand() * 2 ** 48)) * 104729n;
      // e(aP, bQ)·e(−abP, Q)·e(P, R)·e(−P, R) = 1, as a Groth16 check has four pairs.
      const honest: [Uint8Array, Uint8Array][] = [
        [G1.timesScalar(P, le(a)), G2.timesScalar(Q, le(b))],
        [G1.neg(G1.timesScalar(P, le((a * b) % FIELD_R))), Q],
        [P, R],
        [G1.neg(P), R],
      ];
      const forged: [Uint8Array, Uint8Array][] = [honest[0]!, [G1.neg(G1.timesScalar(P, le((a * b + 1n) % FIELD_R))), Q], honest[2]!, honest[3]!];
      const swapped: [Uint8Array, Uint8Array][] = [honest[0]!, [G1.neg(P), G2.timesScalar(Q, le(a))]];
      for (const pairs of [honest, forged, honest.slice(0, 2), swapped]) {
        const want = await curve.pairingEq(...pairs.flat());
        expect(native.pairingCheck(pack(pairs))).toBe(want);
      }
      expect(native.pairingCheck(pack(honest))).toBe(true);
      expect(native.pairingCheck(pack(forged))).toBe(false);
    }
  });

  it("takes infinity as contributing 1, no pairs as 1, one pair of generators as not 1, and a point off its curve as false", () => {
    const { G1, G2 } = curve;
    expect(native.pairingCheck(new Uint8Array(0))).toBe(true);
    expect(native.pairingCheck(pack([[G1.zero, G2.g]]))).toBe(true);
    expect(native.pairingCheck(pack([[G1.g, G2.zero]]))).toBe(true);
    expect(native.pairingCheck(pack([[G1.g, G2.g]]))).toBe(false);
    expect(
      native.pairingCheck(
        pack([
          [G1.g, G2.g],
          [G1.g, G2.g],
          [G1.neg(G1.g), G2.g],
          [G1.neg(G1.g), G2.g],
        ]),
      ),
    ).toBe(true);
    const off = pack([
      [G1.g, G2.g],
      [G1.neg(G1.g), G2.g],
    ]);
    off[40]! ^= 1; // P's y: no longer on y² = x³ + 3
    expect(native.pairingCheck(off)).toBe(false);
    const offTwist = pack([
      [G1.g, G2.g],
      [G1.neg(G1.g), G2.g],
    ]);
    offTwist[64 + 70]! ^= 1; // Q's x
    expect(native.pairingCheck(offTwist)).toBe(false);
    expect(() => native.pairingCheck(new Uint8Array(100))).toThrow(/192-byte/);
  });

  it("computes the final exponentiation's hard part by its chain exactly as by the plain 761-bit power", () => {
    const { G1, G2 } = curve;
    const rand = mulberry32(43);
    for (let k = 0; k < 3; k++) {
      const pairs = pack([
        [G1.timesScalar(G1.g, scalar(rand)), G2.timesScalar(G2.g, scalar(rand))],
        [G1.timesScalar(G1.g, scalar(rand)), G2.timesScalar(G2.g, scalar(rand))],
      ]);
      expect(Buffer.from(native.pairing(pairs)).equals(Buffer.from(native.pairing(pairs, "byPower")))).toBe(true);
    }
  });

  it("gives ffjavascript's pairing value in its form (a verification key's e(α, β)), and refuses another form", async () => {
    const { G1, G2 } = curve;
    const rand = mulberry32(44);
    for (let k = 0; k < 2; k++) {
      const [p, q] = [G1.timesScalar(G1.g, scalar(rand)), G2.timesScalar(G2.g, scalar(rand))];
      const theirs = await curve.pairing(p, q);
      const pair = pack([[p, q]]);
      expect(curve.Gt.eq(native.pairing(pair, "ffjavascript"), theirs)).toBe(true);
      expect(curve.Gt.eq(native.pairing(pair), theirs)).toBe(false);
    }
    expect(() => native.pairing(pack([[G1.g, G2.g]]), "other" as never)).toThrow(/form/);
  });
});

describe("BigInt coordinates (core/bn254_coords.ts) against ffjavascript", () => {
  it("has ffjavascript's generators, and reads a zkey's affine points back", () => {
    const [g1, g2] = [new Uint8Array(64), new Uint8Array(128)];
    putG1(g1, 0, G1_GENERATOR);
    putG2(g2, 0, G2_GENERATOR);
    const [want1, want2] = [new Uint8Array(64), new Uint8Array(128)];
    curve.G1.toRprLEM(want1, 0, curve.G1.g);
    curve.G2.toRprLEM(want2, 0, curve.G2.g);
    expect(Buffer.from(g1).equals(Buffer.from(want1))).toBe(true);
    expect(Buffer.from(g2).equals(Buffer.from(want2))).toBe(true);
    expect(readAffineG1(g1)).toEqual(G1_GENERATOR);
    expect(readAffineG2(g2)).toEqual(G2_GENERATOR);
    expect(readAffineG1(new Uint8Array(64))).toBeNull();
  });

  it("derives Fr's roots of unity and the quotient's coset shift as ffjavascript does", () => {
    const { Fr } = curve;
    const big = (e: Uint8Array) => BigInt(Fr.toObject(e));
    for (const p of [0, 1, 10, 13, 14, 20, 27]) {
      const { omega, inc } = frRoots(p);
      expect(omega, `2^${p}`).toBe(big(Fr.w[p]!));
      expect(inc, `2^${p}`).toBe(big(Fr.w[p + 1]!));
    }
    expect(frRoots(28)).toEqual({ omega: big(Fr.w[28]!), inc: big(Fr.shift) });
    expect(() => frRoots(29)).toThrow(/2-adicity 28/);
  });

  it.skipIf(!accel)("reads the addon's Jacobian results as the affine points ffjavascript gives, and writes them back as its bases", () => {
    const native = accel as CurveAccel;
    const { G1, G2 } = curve;
    const rand = mulberry32(47);
    for (let i = 0; i < 4; i++) {
      const k = scalars(1, Math.floor(rand() * 2 ** 31), "random");
      const base1 = new Uint8Array(64);
      G1.toRprLEM(base1, 0, G1.g);
      const p1 = readJacobianG1(native.msm(1, base1, k));
      expect(g1Object(p1)).toEqual((G1.toObject(G1.toAffine(G1.timesScalar(G1.g, k))) as bigint[]).map(String));
      const again = new Uint8Array(64);
      putG1(again, 0, p1);
      const want = new Uint8Array(64);
      G1.toRprLEM(want, 0, G1.timesScalar(G1.g, k));
      expect(Buffer.from(again).equals(Buffer.from(want))).toBe(true);
      const base2 = new Uint8Array(128);
      G2.toRprLEM(base2, 0, G2.g);
      const p2 = readJacobianG2(native.msm(2, base2, k));
      expect(g2Object(p2)).toEqual((G2.toObject(G2.toAffine(G2.timesScalar(G2.g, k))) as bigint[][]).map((c) => c.map(String)));
    }
    // Infinity: a zero scalar's sum, (0, 1, 0) in a proof as snarkjs writes it.
    expect(g1Object(readJacobianG1(native.msm(1, new Uint8Array(64), new Uint8Array(32))))).toEqual(["0", "1", "0"]);
  });
});
