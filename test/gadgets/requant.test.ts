import { beforeAll, describe, expect, it } from "vitest";
import { requantize } from "../../core/ir.js";
import { TestCircuit } from "../helpers/circuit.js";
import { mulberry32 } from "../helpers/models.js";

/** Seeded: a failure names its seed and repeats. */
const SEED = 7203;
const rand = mulberry32(SEED);

// B = 16-bit accumulators, shift k = 4: quotients reach ±2^11, so both clamps are exercised.
const B = 16;
const K = 4;

function randomAccs(n: number): number[] {
  const lim = 2 ** (B - 1) - 2 ** (K - 1);
  const out = [-lim, lim - 1, 0, -1, 1, 127 * 16 - 8, 127 * 16 + 7, 128 * 16 - 9, -128 * 16 - 8, -128 * 16 - 9, -8, -9, 7, 8];
  for (let i = 0; i < n; i++) out.push(Math.floor(rand() * 2 * lim) - lim);
  return out;
}

for (const [relu, halfEven] of [
  [1, 0],
  [0, 0],
  [1, 1],
  [0, 1],
] as const) {
  describe(`RequantInt8(${B}, ${K}, relu=${relu}, halfEven=${halfEven}) (random cases: seed ${SEED})`, () => {
    let c: TestCircuit;
    const r = { shift: K, outFrac: 0, relu: relu === 1, halfEven: halfEven === 1 };
    beforeAll(async () => {
      c = await TestCircuit.compile(`include "lib/requant.circom";\ncomponent main = RequantInt8(${B}, ${K}, ${relu}, ${halfEven});`);
    });

    it(`matches the reference requantization (floor, round half ${halfEven ? "to even" : "up"}, clamp) exactly`, async () => {
      // Every tie in [-40, 40] (acc ≡ 8 mod 16), odd and even quotients, signs both ways.
      const ties = Array.from({ length: 6 }, (_, i) => (i - 3) * 16 + 8);
      for (const acc of [...randomAccs(40), ...ties]) {
        const w = await c.witness({ in: BigInt(acc) });
        expect(await c.check(w)).toBe(true);
        expect(Number(c.getSigned(w, "out")), `acc ${acc}`).toBe(requantize(acc, r));
      }
    });

    it("rounds a tie the way its mode says (24/16 = 1.5 → 2 either way, 40/16 = 2.5 → 3 up, 2 even)", async () => {
      expect(Number(c.getSigned(await c.witness({ in: 24n }), "out"))).toBe(2);
      expect(Number(c.getSigned(await c.witness({ in: 40n }), "out"))).toBe(halfEven ? 2 : 3);
      expect(Number(c.getSigned(await c.witness({ in: -40n }), "out"))).toBe(relu ? 0 : halfEven ? -2 : -2);
      expect(Number(c.getSigned(await c.witness({ in: -24n }), "out"))).toBe(relu ? 0 : halfEven ? -2 : -1);
    });

    it("rejects the other rounding of a tie", async () => {
      const w = await c.witness({ in: 40n });
      const out = c.getSigned(w, "out");
      expect(await c.check(c.forge(w, { out: halfEven ? out + 1n : out - 1n }))).toBe(false);
      if (halfEven) {
        // A prover denying the tie (tie flag 0, quotient bit kept) to round up is caught by IsZero.
        expect(await c.check(c.forge(w, { "tie.out": 0n, lsb: 1n, out: 3n }))).toBe(false);
      }
    });

    it("rejects a wrong output", async () => {
      const w = await c.witness({ in: 1234n });
      const out = c.getSigned(w, "out");
      expect(await c.check(c.forge(w, { out: out + 1n }))).toBe(false);
      expect(await c.check(c.forge(w, { out: out - 1n }))).toBe(false);
    });

    it("rejects a remainder outside [0, 2^k) (quotient + 1, remainder - 2^k)", async () => {
      const w = await c.witness({ in: 1000n });
      const b0 = c.get(w, "bits.out[0]");
      // O1 may keep the quotient's lowest bit under the name `lsb` only.
      const bkName = c.has(`bits.out[${K}]`) ? `bits.out[${K}]` : "lsb";
      const bk = c.get(w, bkName);
      const forged = c.forge(w, { "bits.out[0]": b0 - 2n ** BigInt(K), [bkName]: bk + 1n, out: c.getSigned(w, "out") + 1n });
      expect(await c.check(forged)).toBe(false);
    });

    it("rejects a flipped sign bit", async () => {
      for (const acc of [-500n, 500n]) {
        const w = await c.witness({ in: acc });
        // O1 keeps one name for the sign bit: the decomposition's top bit or `nonneg`.
        const name = c.has(`bits.out[${B - 1}]`) ? `bits.out[${B - 1}]` : "nonneg";
        const sign = c.get(w, name);
        const flipped = c.forge(w, { [name]: 1n - sign });
        expect(await c.check(flipped), `acc ${acc}`).toBe(false);
      }
    });

    it("cannot be given an accumulator outside its B-bit range", async () => {
      await expect(c.witness({ in: 2n ** BigInt(B - 1) })).rejects.toThrow();
      await expect(c.witness({ in: -(2n ** BigInt(B - 1)) - 9n })).rejects.toThrow();
      expect(await c.check(await c.witness({ in: -(2n ** BigInt(B - 1)) - 8n }))).toBe(true);
      // Nor can a hand-made witness claim one: the decomposition no longer sums to it.
      const w = await c.witness({ in: 100n });
      expect(await c.check(c.forge(w, { in: 100n + 2n ** BigInt(B) }))).toBe(false);
    });
  });
}

describe("RequantInt8 where the quotient always fits int8", () => {
  it("is exact without the clamping logic (B - 1 - k <= 7)", async () => {
    const c = await TestCircuit.compile(`include "lib/requant.circom";\ncomponent main = RequantInt8(10, 3, 0, 0);`);
    for (let acc = -508; acc < 508; acc += 7) {
      const w = await c.witness({ in: BigInt(acc) });
      expect(Number(c.getSigned(w, "out"))).toBe(requantize(acc, { shift: 3, outFrac: 0, relu: false }));
    }
    const w = await c.witness({ in: 100n });
    expect(await c.check(c.forge(w, { out: c.getSigned(w, "out") + 1n }))).toBe(false);
  });
});
