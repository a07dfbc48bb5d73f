import { beforeAll, describe, expect, it } from "vitest";
import { roundedAverage } from "../../core/ops/pool.js";
import { roundHalfEven } from "../../core/ir.js";
import { GadgetTester } from "../helpers/gadget.js";
import { mulberry32 } from "../helpers/models.js";

/** Seeded: a failure names its seed and repeats. */
const SEED = 7202;
const rand = mulberry32(SEED);

// 9 (a 3x3 window, not a power of two) and 4 (2x2), each rounding half up and ties to even.
for (const [n, halfEven] of [
  [9, 0],
  [4, 0],
  [4, 1],
  [9, 1],
] as const) {
  describe(`DivRoundInt8(${n}, halfEven=${halfEven}) (random cases: seed ${SEED})`, () => {
    let g: GadgetTester<"in", "out">;
    beforeAll(async () => {
      // --O1 keeps the quotient hint, the remainder and the tie flag as witness signals to forge.
      g = await GadgetTester.compile("div_round", `DivRoundInt8(${n}, ${halfEven})`, { optimize: "O1" });
    });

    it("is the reference rounded average for sums of n int8 values, ties included", async () => {
      const ties = [2, 6, -2, -6, 10].map((k) => (k * n) / 2).filter(Number.isInteger);
      const sums = [
        -128 * n,
        127 * n,
        0,
        -1,
        1,
        Math.floor(n / 2),
        -Math.floor(n / 2),
        -Math.ceil(n / 2),
        n + 1,
        ...ties,
        ...Array.from({ length: 30 }, () => Math.floor(rand() * 255 * n) - 128 * n),
      ];
      for (const s of sums) await g.expectPass({ in: s }, { out: roundedAverage(s, n, halfEven === 1) });
      if (n === 4) {
        // 10 / 4 = 2.5 and -6 / 4 = -1.5: the two roundings part here.
        await g.expectPass({ in: 10 }, { out: halfEven ? 2 : 3 });
        await g.expectPass({ in: -6 }, { out: halfEven ? -2 : -1 });
        expect(roundedAverage(10, 4, true)).toBe(roundHalfEven(2.5));
      }
    });

    if (halfEven) {
      it("rejects a tie rounded up, even when the prover denies the tie", async () => {
        await g.expectConstraintFail({ in: 10 }, { out: 3 });
        await g.expectConstraintFail({ in: 10 }, { "tie.out": 0, down: 0, out: 3 });
      });
    }

    it("rejects a quotient off by one with its remainder moved out of range", async () => {
      const s = 5 * n + 1;
      const w = await g.expectPass({ in: s });
      const q = BigInt(roundedAverage(s, n));
      const r = g.read(w, "r");
      // 2s + n = 2n·q + r; q + 1 needs r - 2n < 0, q - 1 needs r + 2n >= 2n.
      // The quotient hint is `q` (or, simplified into it, `out`).
      const qName = g.has("q") ? "q" : "out";
      await g.expectConstraintFail(w, { [qName]: q + 1n, out: q + 1n, r: r - 2n * BigInt(n) });
      await g.expectConstraintFail(w, { [qName]: q - 1n, out: q - 1n, r: r + 2n * BigInt(n) });
      await g.expectConstraintFail(w, { out: q + 1n });
    });
  });
}
