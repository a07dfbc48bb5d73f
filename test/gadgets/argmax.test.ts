import { beforeAll, describe, expect, it } from "vitest";
import { argmax } from "../../core/qmodel.js";
import { GadgetTester } from "../helpers/gadget.js";
import { mulberry32 } from "../helpers/models.js";

/** Seeded: a failure names its seed and repeats. */
const SEED = 7204;
const rand = mulberry32(SEED);

const N = 6;
const B = 12;

describe(`ArgMax(${N}, ${B}) (random cases: seed ${SEED})`, () => {
  let g: GadgetTester<"in", "idx">;
  beforeAll(async () => {
    // --O1 keeps the selector (sel) and picked values as witness signals to forge.
    g = await GadgetTester.compile("argmax", `ArgMax(${N}, ${B})`, { optimize: "O1" });
  });

  it("returns the first index of the maximum, negatives and ties included", async () => {
    const cases = [
      [1, 5, 3, 5, -2, 0],
      [-2047, -2000, -2047, -1, -5, -1],
      [2047, 2047, 2047, 2047, 2047, 2047],
      [0, 0, 0, 0, 0, 1],
      ...Array.from({ length: 20 }, () => Array.from({ length: N }, () => Math.floor(rand() * 4095) - 2047)),
    ];
    for (const v of cases) await g.expectPass({ in: v }, { idx: argmax(v) });
  });

  it("rejects a claimed index that is not the maximum", async () => {
    const v = [3, 9, -4, 9, 0, 1];
    const w = await g.expectPass({ in: v }, { idx: 1 });
    for (const j of [0, 2, 3, 4, 5]) {
      // A consistent-looking selection of j: one-hot, index and picked value all moved.
      const changes: Record<string, number> = { idx: j };
      for (let i = 0; i < N; i++) {
        changes[`sel[${i}]`] = i === j ? 1 : 0;
        changes[`picked[${i}]`] = i === j ? v[i]! : 0;
      }
      await g.expectConstraintFail(w, changes);
    }
    expect(g.read(w, "idx")).toBe(1n);
  });

  it("rejects a selector that is not one-hot", async () => {
    await g.expectConstraintFail({ in: [1, 2, 3, 4, 5, 6] }, { "sel[5]": 2, idx: 10 });
  });
});
