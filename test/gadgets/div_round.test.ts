import { beforeAll, describe, expect, it } from "vitest";
import { roundedAverage } from "../../core/qmodel.js";
import { TestCircuit } from "../helpers/circuit.js";

// 9 (a 3x3 window, not a power of two) and 4 (2x2).
for (const n of [9, 4]) {
  describe(`DivRoundInt8(${n})`, () => {
    let c: TestCircuit;
    beforeAll(async () => {
      c = await TestCircuit.compile(`include "lib/div_round.circom";\ncomponent main = DivRoundInt8(${n});`);
    });

    it("is the reference rounded average for sums of n int8 values", async () => {
      const sums = [-128 * n, 127 * n, 0, -1, 1, Math.floor(n / 2), -Math.floor(n / 2), -Math.ceil(n / 2), n + 1,
        ...Array.from({ length: 30 }, () => Math.floor(Math.random() * 255 * n) - 128 * n)];
      for (const s of sums) {
        const w = await c.witness({ in: BigInt(s) });
        expect(await c.check(w)).toBe(true);
        expect(Number(c.getSigned(w, "out")), `sum ${s}`).toBe(roundedAverage(s, n));
      }
    });

    it("rejects a quotient off by one with its remainder moved out of range", async () => {
      const s = 5 * n + 1;
      const w = await c.witness({ in: BigInt(s) });
      const q = BigInt(roundedAverage(s, n));
      const r = c.get(w, "r");
      // 2s + n = 2n·q + r; q + 1 needs r - 2n < 0, q - 1 needs r + 2n >= 2n.
      expect(await c.check(c.forge(w, { out: q + 1n, r: r - 2n * BigInt(n) }))).toBe(false);
      expect(await c.check(c.forge(w, { out: q - 1n, r: r + 2n * BigInt(n) }))).toBe(false);
      expect(await c.check(c.forge(w, { out: q + 1n }))).toBe(false);
    });
  });
}
