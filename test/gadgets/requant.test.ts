import { beforeAll, describe, it } from "vitest";
import { requantize } from "../../core/ir.js";
import { GadgetTester } from "../helpers/gadget.js";
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
    let g: GadgetTester<"in", "out">;
    const r = { shift: K, outFrac: 0, relu: relu === 1, halfEven: halfEven === 1 };
    beforeAll(async () => {
      // --O1 keeps the decomposition's bits, the sign and the tie flag as witness signals to forge.
      g = await GadgetTester.compile("requant", `RequantInt8(${B}, ${K}, ${relu}, ${halfEven})`, { optimize: "O1" });
    });

    it(`matches the reference requantization (floor, round half ${halfEven ? "to even" : "up"}, clamp) exactly`, async () => {
      // Every tie in [-40, 40] (acc ≡ 8 mod 16), odd and even quotients, signs both ways.
      const ties = Array.from({ length: 6 }, (_, i) => (i - 3) * 16 + 8);
      for (const acc of [...randomAccs(40), ...ties]) await g.expectPass({ in: acc }, { out: requantize(acc, r) });
    });

    it("rounds a tie the way its mode says (24/16 = 1.5 → 2 either way, 40/16 = 2.5 → 3 up, 2 even)", async () => {
      await g.expectPass({ in: 24 }, { out: 2 });
      await g.expectPass({ in: 40 }, { out: halfEven ? 2 : 3 });
      await g.expectPass({ in: -40 }, { out: relu ? 0 : -2 });
      await g.expectPass({ in: -24 }, { out: relu ? 0 : halfEven ? -2 : -1 });
    });

    it("rejects the other rounding of a tie", async () => {
      const w = await g.witness({ in: 40 });
      const out = g.readSigned(w, "out");
      await g.expectConstraintFail(w, { out: halfEven ? out + 1n : out - 1n });
      if (halfEven) {
        // A prover denying the tie (tie flag 0, quotient bit kept) to round up is caught by IsZero.
        await g.expectConstraintFail(w, { "tie.out": 0, lsb: 1, out: 3 });
      }
    });

    it("rejects a wrong output", async () => {
      const w = await g.witness({ in: 1234 });
      const out = g.readSigned(w, "out");
      await g.expectConstraintFail(w, { out: out + 1n });
      await g.expectConstraintFail(w, { out: out - 1n });
    });

    it("rejects a remainder outside [0, 2^k) (quotient + 1, remainder - 2^k)", async () => {
      const w = await g.witness({ in: 1000 });
      // O1 may keep the quotient's lowest bit under the name `lsb` only.
      const bkName = g.has(`bits.out[${K}]`) ? `bits.out[${K}]` : "lsb";
      await g.expectConstraintFail(w, {
        "bits.out[0]": g.read(w, "bits.out[0]") - 2n ** BigInt(K),
        [bkName]: g.read(w, bkName) + 1n,
        out: g.readSigned(w, "out") + 1n,
      });
    });

    it("rejects a flipped sign bit", async () => {
      for (const acc of [-500, 500]) {
        const w = await g.witness({ in: acc });
        // O1 keeps one name for the sign bit: the decomposition's top bit or `nonneg`.
        const name = g.has(`bits.out[${B - 1}]`) ? `bits.out[${B - 1}]` : "nonneg";
        await g.expectConstraintFail(w, { [name]: 1n - g.read(w, name) });
      }
    });

    it("cannot be given an accumulator outside its B-bit range", async () => {
      await g.expectWitnessFail({ in: 2n ** BigInt(B - 1) });
      await g.expectWitnessFail({ in: -(2n ** BigInt(B - 1)) - 9n });
      await g.expectPass({ in: -(2n ** BigInt(B - 1)) - 8n });
      // Nor can a hand-made witness claim one: the decomposition no longer sums to it.
      await g.expectConstraintFail({ in: 100 }, { in: 100n + 2n ** BigInt(B) });
    });
  });
}

describe("RequantInt8 where the quotient always fits int8", () => {
  it("is exact without the clamping logic (B - 1 - k <= 7)", async () => {
    const g = await GadgetTester.compile<"in", "out">("requant", "RequantInt8(10, 3, 0, 0)", { optimize: "O1" });
    for (let acc = -508; acc < 508; acc += 7) await g.expectPass({ in: acc }, { out: requantize(acc, { shift: 3, outFrac: 0, relu: false }) });
    const w = await g.witness({ in: 100 });
    await g.expectConstraintFail(w, { out: g.readSigned(w, "out") + 1n });
  });
});
