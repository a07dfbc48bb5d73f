/**
 * The cost of every gadget of circuits/lib, as docs/CIRCUIT.md and docs/OPS.md state it, pinned
 * at --O2 for the parameters the docs quote: a change to a gadget that moves its cost fails
 * here until the docs say the new number. Each also passes an honest witness and rejects a
 * forged output, through the typed tester.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { activationTable } from "../../circuits/quantize.js";
import { mulberry32 } from "../../core/random.js";
import { GadgetTester } from "../helpers/gadget.js";
import { divideInt8 } from "../../core/ops/divide.js";

/** DivInt8(s, u): 8 + 2 + 3 + 1 + 2·(10 + u) + (11 + max(s, 8)) + 7; 60 at s ≤ 8, u = 0. */
const DIVIDE_COST = 8 + 2 + 3 + 1 + 2 * 10 + (11 + 8) + 7;

const LIB = path.join(import.meta.dirname, "../../circuits/lib");
const covered = new Set<string>();
const log2ceil = (x: number) => Math.ceil(Math.log2(x));

/** One pinned cost: the gadget file, the instance, the documented formula's value, and an honest and a forged case. */
function cost<IN extends string, OUT extends string>(
  file: string,
  template: string,
  expected: number,
  check: (g: GadgetTester<IN, OUT>) => Promise<void>,
  prelude = "",
) {
  covered.add(file);
  it(`${template}: ${expected} constraints`, async () => {
    const g = await GadgetTester.compile<IN, OUT>(file, template, { prelude });
    g.expectConstraintCount(expected);
    await check(g);
  }, 120_000);
}

describe("gadget costs (docs/CIRCUIT.md, docs/OPS.md)", () => {
  cost<"in", never>("signed_range", "SignedRange(8)", 8, async (g) => {
    await g.expectPass({ in: -128 });
    await g.expectWitnessFail({ in: 128 });
  });
  // RequantInt8(B, k, relu, halfEven): B + 4 with ReLU, B + 7 signed, +3 with halfEven (B = 19).
  for (const [relu, halfEven, extra] of [
    [1, 0, 4],
    [0, 0, 7],
    [1, 1, 7],
    [0, 1, 10],
  ] as const) {
    cost<"in", "out">("requant", `RequantInt8(19, 9, ${relu}, ${halfEven})`, 19 + extra, async (g) => {
      await g.expectPass({ in: 1000 }, { out: 2 });
      await g.expectConstraintFail({ in: 1000 }, { out: 3 });
    });
  }
  // A concat part's rescale: RequantInt8(9, d) saturates never, 9 per value.
  cost<"in", "out">("requant", "RequantInt8(9, 2, 0, 0)", 9, async (g) => {
    await g.expectPass({ in: -6 }, { out: -1 });
    await g.expectConstraintFail({ in: -6 }, { out: -2 });
  });
  // ArgMax(n, B): n(B + 3).
  cost<"in", "idx">("argmax", "ArgMax(10, 8)", 10 * 11, async (g) => {
    const xs = [3, -1, 7, 7, 0, 2, 5, -8, 1, 6];
    await g.expectPass({ in: xs }, { idx: 2 });
    await g.expectConstraintFail({ in: xs }, { idx: 3 });
  });
  cost<"ctx" | "cls", "out">("class_context", "ClassContext()", 244, async (g) => {
    await g.expectPass({ ctx: 5, cls: 3 }, { out: 5 * 256 + 3 });
    await g.expectConstraintFail({ ctx: 5, cls: 3 }, { out: 5 * 256 + 4 });
  });
  cost<"a" | "b", "out">("max2", "MaxInt8()", 10, async (g) => {
    await g.expectPass({ a: -3, b: 4 }, { out: 4 });
    await g.expectConstraintFail({ a: -3, b: 4 }, { out: -3 });
  });
  cost<"in", "out">("relu", "ReluInt8()", 9, async (g) => {
    await g.expectPass({ in: -5 }, { out: 0 });
    await g.expectConstraintFail({ in: -5 }, { out: -5 });
  });
  // DivRoundInt8(n, halfEven): 8 + 2⌈log₂ 2n⌉, +3 with halfEven (2×2: 14, 3×3: 18, a global 28×28: 30).
  for (const [n, halfEven] of [
    [4, 0],
    [9, 0],
    [784, 0],
    [4, 1],
  ] as const) {
    cost<"in", "out">("div_round", `DivRoundInt8(${n}, ${halfEven})`, 8 + 2 * log2ceil(2 * n) + 3 * halfEven, async (g) => {
      await g.expectPass({ in: 5 * n }, { out: 5 });
      await g.expectConstraintFail({ in: 5 * n }, { out: 6 });
    });
  }
  // LookupInt8(T): 48 for a table with no constant row (two one-hot nibbles, 32 booleans, and 16
  // products; the two sums and the recomposition fold into them); a row of one value costs no
  // product (a saturated sigmoid: 43).
  const rand = mulberry32(7);
  const noisy = Array.from({ length: 256 }, () => Math.floor(rand() * 256) - 128);
  cost<"in", "out">(
    "lookup",
    "LookupInt8(T())",
    48,
    async (g) => {
      await g.expectPass({ in: 10 }, { out: noisy[138]! });
      await g.expectConstraintFail({ in: 10 }, { out: noisy[139]! === noisy[138]! ? noisy[138]! + 1 : noisy[139]! });
    },
    `function T() { return [${noisy.join(", ")}]; }`,
  );
  const sigmoid = activationTable({ kind: "sigmoid" }, 4, 7);
  it("LookupInt8 of a sigmoid table (inputs 2^-4, outputs 2^-7): 43 constraints, its saturated rows free", async () => {
    const g = await GadgetTester.compile<"in", "out">("lookup", "LookupInt8(T())", { prelude: `function T() { return [${sigmoid.join(", ")}]; }` });
    g.expectConstraintCount(43);
    await g.expectPass({ in: 10 }, { out: sigmoid[138]! });
  }, 120_000);
  // AbsInt8: 8 (the decomposition) + 1 (the signed product) + 2 (IsZero for -128, which saturates to 127).
  cost<"in", "out">("abs", "AbsInt8()", 11, async (g) => {
    await g.expectPass({ in: -5 }, { out: 5 });
    await g.expectPass({ in: -128 }, { out: 127 });
    await g.expectConstraintFail({ in: -5 }, { out: -5 });
    await g.expectConstraintFail({ in: -128 }, { out: 128 });
  });
  cost<"in", "out">("pack", "PackSigned(10, 8)", 0, async (g) => {
    await g.expectPass({ in: [1, -2, 3, -4, 5, -6, 7, -8, 9, -10] });
  });
  // ChainHash(m): Poseidon calls of ≤ 16 inputs (the state and 15 elements): ~600 a full call, ~250 a short last one.
  cost<"in", "out">("chain_hash", "ChainHash(16)", 846, async (g) => {
    const w = await g.expectPass({ in: Array.from({ length: 16 }, (_, i) => i) });
    expect(g.read(w, "out")).toBeGreaterThan(0n);
  });
  cost<"in", "out">("chain_hash", "ChainHash(31)", 1455, async (g) => {
    await g.expectPass({ in: Array.from({ length: 31 }, (_, i) => i) });
  });
  // OffsetBits(n, offset): the n bits of in + offset, n boolean constraints (the sum folds into them).
  cost<"in", "out">("offset_bits", "OffsetBits(9, 256)", 9, async (g) => {
    await g.expectPass({ in: -3 });
    // As a main component, --O2 solves the sum for the private input (nothing else reads it), so
    // any booleans pass here; inside a circuit the sum ties the bits to what feeds `in`. The
    // bits themselves must be boolean.
    await g.expectConstraintFail({ in: -3 }, { "out[1]": 2 });
  });

  // A non-negative model input's range check: 7 bits, in ∈ [0, 127].
  cost<"in", "out">("offset_bits", "OffsetBits(7, 0)", 7, async (g) => {
    await g.expectPass({ in: 127 });
    await g.expectWitnessFail({ in: 128 });
    await g.expectWitnessFail({ in: -1 });
  });

  // TreeLeq: the 9-bit decomposition of threshold - in + 256, its bit 8 is in <= threshold.
  cost<"in" | "threshold", "out">("tree_leq", "TreeLeq()", 9, async (g) => {
    await g.expectPass({ in: 5, threshold: 5 }, { out: 1 });
    await g.expectPass({ in: -128, threshold: -128 }, { out: 1 });
    await g.expectPass({ in: 127, threshold: 126 }, { out: 0 });
    await g.expectPass({ in: 6, threshold: 5 }, { out: 0 });
    // As a main component --O2 solves the sum for the inputs (as OffsetBits above); the answer must be a bit.
    await g.expectConstraintFail({ in: 6, threshold: 5 }, { out: 2 });
  });

  // SoftmaxDiv(rBits): the remainder in [0, 2S) by two rBits-bit decompositions, p's 8 bits, the division: 2·rBits + 9.
  cost<"e" | "sum", "out">("softmax_div", "SoftmaxDiv(15)", 2 * 15 + 9, async (g) => {
    // e/S = 1000/4096 = 0.244 → 31.25 at 2^-7 → 31; e = S saturates 128 to 127.
    await g.expectPass({ e: 1000, sum: 4096 }, { out: 31 });
    await g.expectPass({ e: 4096, sum: 4096 }, { out: 127 });
    await g.expectConstraintFail({ e: 1000, sum: 4096 }, { out: 32 });
  });

  // ISqrt(wBits, rBits): r's bits, one square, two wBits-bit decompositions: 2·wBits + rBits + 1.
  cost<"w", "r">("norm", "ISqrt(20, 11)", 2 * 20 + 11 + 1, async (g) => {
    await g.expectPass({ w: 1000 }, { r: 31 });
    await g.expectPass({ w: 1024 }, { r: 32 });
    await g.expectConstraintFail({ w: 1000 }, { r: 32 });
    await g.expectConstraintFail({ w: 1000 }, { r: 30 });
  });
  // NormDiv(dBits): the division and two dBits-bit decompositions of its remainder: 2·dBits + 1.
  cost<"num" | "d", "q">("norm", "NormDiv(12)", 2 * 12 + 1, async (g) => {
    await g.expectPass({ num: -700, d: 100 }, { q: -7 });
    await g.expectPass({ num: 650, d: 100 }, { q: 7 });
    await g.expectPass({ num: -650, d: 100 }, { q: -6 });
    await g.expectConstraintFail({ num: -700, d: 100 }, { q: -6 });
  });

  // DivInt8(s, u): b's 8 bits, IsZero (2), 3 products, the division, 2 remainder decompositions of
  // 10 + u bits, the clamp RequantInt8(11 + max(s, 8), 0).
  cost<"a" | "b", "out">("divide", "DivInt8(2, 0)", DIVIDE_COST, async (g) => {
    for (const [a, b] of [
      [100, -7],
      [-100, 7],
      [-5, 2],
      [5, 0],
      [-3, 0],
      [0, 0],
      [127, -128],
    ] as const) {
      await g.expectPass({ a, b }, { out: divideInt8(a, b, 2, 0) });
    }
    await g.expectConstraintFail({ a: 100, b: -7 }, { out: divideInt8(100, -7, 2, 0) + 1 });
  });

  // CompareInt(B, test): d's B bits (the sign is bit B − 1), and IsZero (2) where equality matters.
  cost<"d", "out">("compare", "CompareInt(10, 0)", 10, async (g) => {
    await g.expectPass({ d: -3 }, { out: 1 });
    await g.expectPass({ d: 0 }, { out: 0 });
    await g.expectConstraintFail({ d: 5 }, { out: 1 });
  });
  cost<"d", "out">("compare", "CompareInt(10, 1)", 12, async (g) => {
    await g.expectPass({ d: 0 }, { out: 1 });
    await g.expectPass({ d: 1 }, { out: 0 });
    await g.expectConstraintFail({ d: 0 }, { out: 0 });
  });

  // The data statement: a value's bits (Num2Bits), a field element's (Num2Bits_strict: 254 bits
  // and the alias check), and one SHA-256 block (circomlib's Sha256 over 43 bytes: tag, 8 int8
  // values, a 3-byte output), the figure docs/CIRCUIT.md and BENCHMARKS.md give per 64 bytes.
  cost<"in", "out">("statement", "OffsetBytesBE(8, 1)", 8, async (g) => {
    await g.expectPass({ in: -128 });
    await g.expectConstraintFail({ in: 3 }, { "out[7]": 2 });
  });
  cost<"in", "out">("statement", "FieldBytesBE()", 517, async (g) => {
    await g.expectPass({ in: 12345 });
    await g.expectConstraintFail({ in: 6 }, { "out[255]": 2 });
  });
  cost<"in", "out">("statement", "StatementDigest(344)", 29_542, async (g) => {
    const bits = Array.from({ length: 344 }, (_, i) => ((i * 7) % 3 === 0 ? 1 : 0));
    const w = await g.expectPass({ in: bits });
    await g.expectConstraintFail({ in: bits }, { out: g.read(w, "out") + 1n });
  });

  afterAll(() => {
    // Every gadget file has its cost pinned here.
    const files = readdirSync(LIB)
      .filter((f) => f.endsWith(".circom"))
      .map((f) => f.replace(/\.circom$/, ""));
    expect(files.filter((f) => !covered.has(f))).toEqual([]);
  });
});
