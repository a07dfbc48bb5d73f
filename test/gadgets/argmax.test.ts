import { beforeAll, describe, expect, it } from "vitest";
import { argmax } from "../../core/qmodel.js";
import { TestCircuit } from "../helpers/circuit.js";
import { mulberry32 } from "../helpers/models.js";

/** Seeded: a failure names its seed and repeats. */
const SEED = 7204;
const rand = mulberry32(SEED);

const N = 6;
const B = 12;

describe(`ArgMax(${N}, ${B}) (random cases: seed ${SEED})`, () => {
  let c: TestCircuit;
  beforeAll(async () => {
    c = await TestCircuit.compile(`include "lib/argmax.circom";\ncomponent main = ArgMax(${N}, ${B});`);
  });

  it("returns the first index of the maximum, negatives and ties included", async () => {
    const cases = [
      [1, 5, 3, 5, -2, 0],
      [-2047, -2000, -2047, -1, -5, -1],
      [2047, 2047, 2047, 2047, 2047, 2047],
      [0, 0, 0, 0, 0, 1],
      ...Array.from({ length: 20 }, () => Array.from({ length: N }, () => Math.floor(rand() * 4095) - 2047)),
    ];
    for (const v of cases) {
      const w = await c.witness({ in: v.map(BigInt) });
      expect(await c.check(w)).toBe(true);
      expect(Number(c.get(w, "idx")), JSON.stringify(v)).toBe(argmax(v));
    }
  });

  it("rejects a claimed index that is not the maximum", async () => {
    const v = [3, 9, -4, 9, 0, 1];
    const w = await c.witness({ in: v.map(BigInt) });
    expect(Number(c.get(w, "idx"))).toBe(1);
    for (const j of [0, 2, 3, 4, 5]) {
      // A consistent-looking selection of j: one-hot, index and picked value all moved.
      const changes: Record<string, bigint> = { idx: BigInt(j) };
      for (let i = 0; i < N; i++) {
        changes[`sel[${i}]`] = i === j ? 1n : 0n;
        changes[`picked[${i}]`] = i === j ? BigInt(v[i]!) : 0n;
      }
      expect(await c.check(c.forge(w, changes)), `claimed ${j}`).toBe(false);
    }
  });

  it("rejects a selector that is not one-hot", async () => {
    const w = await c.witness({ in: [1n, 2n, 3n, 4n, 5n, 6n] });
    expect(await c.check(c.forge(w, { "sel[5]": 2n, idx: 10n }))).toBe(false);
  });
});
