/**
 * CompareInt(B, test): the comparison of two aligned activations through their difference d.
 * Honest for every test at the edges of the range and seeded random d; a forged output, a forged
 * sign bit (with the output made to match it), a forged zero flag and a d out of range each fail.
 */
import { beforeAll, describe, it } from "vitest";
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
  const atO1 = (t: number) => GadgetTester.compile<"d", "out">("compare", `CompareInt(${B}, ${t})`, { optimize: "O1" });

  it("a forged sign bit fails even with the output made to match it: the bits must sum to d + 2^(B-1)", async () => {
    // d = -3 claimed non-negative, d = 3 claimed negative.
    // For >= the output is the sign bit itself (one signal).
    const ge = await atO1(3);
    await ge.expectConstraintFail({ d: -3 }, { out: 1 });
    await (await atO1(0)).expectConstraintFail({ d: 3 }, { ge: 0, out: 1 });
    // The honest witness passes at --O1 too: what fails above is the forgery.
    await ge.expectPass({ d: -3 }, { out: 0 });
  });

  it("a forged zero test fails whatever the inverse: d = 0 claimed unequal, d = 4 claimed equal", async () => {
    const eq = await atO1(4);
    for (const inv of [0, 1, 7]) {
      await eq.expectConstraintFail({ d: 0 }, { "zero.inv": inv, out: 0 });
      await eq.expectConstraintFail({ d: 4 }, { "zero.inv": inv, out: 1 });
    }
  });

  it("refuses a d outside [-2^(B-1), 2^(B-1)): no witness, and a forged one fails", async () => {
    await gadgets[3]!.expectWitnessFail({ d: HALF });
    await gadgets[3]!.expectWitnessFail({ d: -HALF - 1 });
    await gadgets[3]!.expectConstraintFail({ d: HALF - 1 }, { d: HALF });
  });
});
