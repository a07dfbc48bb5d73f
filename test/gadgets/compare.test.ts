/**
 * CompareInt(B, test): the comparison of two aligned activations through their difference d.
 * Honest for every test at the edges of the range and seeded random d; a forged output, a forged
 * sign bit (with the output made to match it), a forged zero flag and a d out of range each fail.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { TestCircuit } from "../helpers/circuit.js";
import { GadgetTester } from "../helpers/gadget.js";
import { mulberry32 } from "../helpers/models.js";

const SEED = 7301;
const B = 10;
const HALF = 1 << (B - 1);
const TESTS = [
  ["<", (d: number) => d < 0],
  ["<=", (d: number) => d <= 0],
  [">", (d: number) => d > 0],
  [">=", (d: number) => d >= 0],
  ["=", (d: number) => d === 0],
] as const;

describe(`CompareInt(${B}, test) (random cases: seed ${SEED})`, () => {
  const gadgets: GadgetTester<"d", "out">[] = [];
  const rand = mulberry32(SEED);
  const ds = [-HALF, -HALF + 1, -1, 0, 1, HALF - 2, HALF - 1, ...Array.from({ length: 24 }, () => Math.floor(rand() * 2 * HALF) - HALF)];

  beforeAll(async () => {
    for (let t = 0; t < TESTS.length; t++) gadgets.push(await GadgetTester.compile<"d", "out">("compare", `CompareInt(${B}, ${t})`));
  });

  TESTS.forEach(([name, truth], t) => {
    it(`test ${t} (d ${name} 0): the truth on [-2^${B - 1}, 2^${B - 1}), and a flipped output fails`, async () => {
      const g = gadgets[t]!;
      for (const d of ds) await g.expectPass({ d }, { out: truth(d) ? 1 : 0 });
      for (const d of [-3, 0, 3]) await g.expectConstraintFail({ d }, { out: truth(d) ? 0 : 1 });
    });
  });

  // At --O1, where the sign bit (ge, bit B-1 of d + 2^(B-1)) and IsZero's inverse are witness signals to forge.
  const forgedAtO1 = async (t: number, d: number, forged: Record<string, number>): Promise<boolean> => {
    const c = await TestCircuit.compile(`include "lib/compare.circom";\ncomponent main = CompareInt(${B}, ${t});`, "O1");
    return c.check(c.forge(await c.witness({ d: BigInt(d) }), forged));
  };

  it("a forged sign bit fails even with the output made to match it: the bits must sum to d + 2^(B-1)", async () => {
    // d = -3 claimed non-negative, d = 3 claimed negative.
    // For >= the output is the sign bit itself (one signal).
    expect(await forgedAtO1(3, -3, { out: 1 })).toBe(false);
    expect(await forgedAtO1(0, 3, { ge: 0, out: 1 })).toBe(false);
    // The honest witness passes at --O1 too: what fails above is the forgery.
    expect(await forgedAtO1(3, -3, {})).toBe(true);
  });

  it("a forged zero test fails whatever the inverse: d = 0 claimed unequal, d = 4 claimed equal", async () => {
    for (const inv of [0, 1, 7]) {
      expect(await forgedAtO1(4, 0, { "zero.inv": inv, out: 0 })).toBe(false);
      expect(await forgedAtO1(4, 4, { "zero.inv": inv, out: 1 })).toBe(false);
    }
  });

  it("refuses a d outside [-2^(B-1), 2^(B-1)): no witness, and a forged one fails", async () => {
    await expect(gadgets[3]!.circuit.witness({ d: BigInt(HALF) })).rejects.toThrow();
    await expect(gadgets[3]!.circuit.witness({ d: BigInt(-HALF - 1) })).rejects.toThrow();
    await gadgets[3]!.expectConstraintFail({ d: HALF - 1 }, { d: HALF });
  });
});
