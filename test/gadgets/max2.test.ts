import { beforeAll, describe, expect, it } from "vitest";
import { TestCircuit } from "../helpers/circuit.js";
import { mulberry32 } from "../helpers/models.js";

/** Seeded: a failure names its seed and repeats. */
const SEED = 7201;
const rand = mulberry32(SEED);

describe(`MaxInt8 (random cases: seed ${SEED})`, () => {
  let c: TestCircuit;
  beforeAll(async () => {
    c = await TestCircuit.compile(`include "lib/max2.circom";\ncomponent main = MaxInt8();`);
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
    for (const [a, b] of pairs as [number, number][]) {
      const w = await c.witness({ a: BigInt(a), b: BigInt(b) });
      expect(await c.check(w)).toBe(true);
      expect(Number(c.getSigned(w, "out")), `${a}, ${b}`).toBe(Math.max(a, b));
    }
  });

  it("rejects the smaller value as the max, also with the comparison bit flipped to match", async () => {
    const w = await c.witness({ a: 3n, b: 9n });
    expect(await c.check(c.forge(w, { out: 3n }))).toBe(false);
    // Flip the winner bit and the output together: the bit decomposition no longer sums to a - b + 255.
    expect(await c.check(c.forge(w, { out: 3n, "diff[8]": 1n }))).toBe(false);
  });

  it("costs at most 12 constraints at --O1 (9 bits, their sum, the product)", () => {
    expect(c.constraints).toBeLessThanOrEqual(12);
  });
});
