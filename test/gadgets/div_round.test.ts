import { beforeAll, describe, expect, it } from "vitest";
import { roundedAverage } from "../../core/ops/pool.js";
import { roundHalfEven } from "../../core/ir.js";
import { TestCircuit } from "../helpers/circuit.js";
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
    let c: TestCircuit;
    beforeAll(async () => {
      c = await TestCircuit.compile(`include "lib/div_round.circom";\ncomponent main = DivRoundInt8(${n}, ${halfEven});`);
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
      for (const s of sums) {
        const w = await c.witness({ in: BigInt(s) });
        expect(await c.check(w)).toBe(true);
        expect(Number(c.getSigned(w, "out")), `sum ${s}`).toBe(roundedAverage(s, n, halfEven === 1));
      }
      if (n === 4) {
        // 10 / 4 = 2.5 and -6 / 4 = -1.5: the two roundings part here.
        expect(Number(c.getSigned(await c.witness({ in: 10n }), "out"))).toBe(halfEven ? 2 : 3);
        expect(Number(c.getSigned(await c.witness({ in: -6n }), "out"))).toBe(halfEven ? -2 : -1);
        expect(roundedAverage(10, 4, true)).toBe(roundHalfEven(2.5));
      }
    });

    if (halfEven) {
      it("rejects a tie rounded up, even when the prover denies the tie", async () => {
        const w = await c.witness({ in: 10n });
        expect(await c.check(c.forge(w, { out: 3n }))).toBe(false);
        expect(await c.check(c.forge(w, { "tie.out": 0n, down: 0n, out: 3n }))).toBe(false);
      });
    }

    it("rejects a quotient off by one with its remainder moved out of range", async () => {
      const s = 5 * n + 1;
      const w = await c.witness({ in: BigInt(s) });
      const q = BigInt(roundedAverage(s, n));
      const r = c.get(w, "r");
      // 2s + n = 2n·q + r; q + 1 needs r - 2n < 0, q - 1 needs r + 2n >= 2n.
      // The quotient hint is `q` (or, simplified into it, `out`).
      const qName = c.has("q") ? "q" : "out";
      expect(await c.check(c.forge(w, { [qName]: q + 1n, out: q + 1n, r: r - 2n * BigInt(n) }))).toBe(false);
      expect(await c.check(c.forge(w, { [qName]: q - 1n, out: q - 1n, r: r + 2n * BigInt(n) }))).toBe(false);
      expect(await c.check(c.forge(w, { out: q + 1n }))).toBe(false);
    });
  });
}
