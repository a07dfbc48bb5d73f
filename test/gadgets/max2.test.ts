import { beforeAll, describe, expect, it } from "vitest";
import { GadgetTester } from "../helpers/gadget.js";
import { mulberry32 } from "../helpers/models.js";

/** Seeded: a failure names its seed and repeats. */
const SEED = 7201;
const rand = mulberry32(SEED);

describe(`MaxInt8 (random cases: seed ${SEED})`, () => {
  let g: GadgetTester<"a" | "b", "out">;
  beforeAll(async () => {
    // --O1 keeps the comparison's bits (diff) as witness signals to forge.
    g = await GadgetTester.compile("max2", "MaxInt8()", { optimize: "O1" });
  });

  it("is max(a, b) on int8, extremes and ties included", async () => {
    const pairs = [
      [-128, 127],
      [127, -128],
      [5, 5],
      [-128, -128],
      [0, -1],
      [-1, 0],
      ...Array.from({ length: 30 }, () => [Math.floor(rand() * 256) - 128, Math.floor(rand() * 256) - 128]),
    ];
    for (const [a, b] of pairs as [number, number][]) await g.expectPass({ a, b }, { out: Math.max(a, b) });
  });

  it("rejects the smaller value as the max, also with the comparison bit flipped to match", async () => {
    await g.expectConstraintFail({ a: 3, b: 9 }, { out: 3 });
    // Flip the winner bit and the output together: the bit decomposition no longer sums to a - b + 255.
    await g.expectConstraintFail({ a: 3, b: 9 }, { out: 3, "diff[8]": 1 });
  });

  it("costs at most 12 constraints at --O1 (9 bits, their sum, the product)", () => {
    expect(g.constraints).toBeLessThanOrEqual(12);
  });
});
