import { beforeAll, describe, expect, it } from "vitest";
import { GadgetTester } from "../helpers/gadget.js";

describe("SignedRange(8)", () => {
  let g: GadgetTester<"in", never>;
  beforeAll(async () => {
    // --O1 keeps the bits as witness signals to forge.
    g = await GadgetTester.compile("signed_range", "SignedRange(8)", { optimize: "O1" });
  });

  it("accepts every int8 value", async () => {
    for (let v = -128; v <= 127; v++) await g.expectPass({ in: v });
  });

  it("rejects values outside [-128, 127], honestly or forged", async () => {
    await g.expectWitnessFail({ in: 128 });
    await g.expectWitnessFail({ in: -129 });
    const w = await g.expectPass({ in: 5 });
    await g.expectConstraintFail(w, { in: 5 + 256 });
    // A non-boolean "bit" that keeps the sum: 2*2^0 instead of 1*2^1.
    await g.expectConstraintFail(w, { "bits[1]": g.read(w, "bits[1]") - 1n, "bits[0]": g.read(w, "bits[0]") + 2n });
  });
});

describe("OffsetBits(9, 255) (the decomposition under SignedRange, RequantInt8, ReluInt8)", () => {
  it("decomposes in + offset, and rejects bits that do not sum to it or are not boolean", async () => {
    const g = await GadgetTester.compile<"in", "out">("offset_bits", "OffsetBits(9, 255)", { optimize: "O1" });
    const w = await g.expectPass({ in: -200 });
    const bits = Array.from({ length: 9 }, (_, i) => Number(g.read(w, `out[${i}]`)));
    expect(bits.reduce((s, b, i) => s + b * 2 ** i, 0)).toBe(55);
    await g.expectConstraintFail(w, { "out[0]": 0 });
    // 55 = 0b000110111: replacing bit 1 by 2 and bit 0 by -1 keeps the sum but not booleanity.
    await g.expectConstraintFail(w, { "out[0]": -1, "out[1]": 2 });
    await g.expectWitnessFail({ in: 300 });
  });
});

describe("OffsetBits(7, 0) (a non-negative model input's range check)", () => {
  it("accepts exactly [0, 127]: −1 and 128 have no boolean decomposition, whatever the bits", async () => {
    const g = await GadgetTester.compile<"in", "out">("offset_bits", "OffsetBits(7, 0)", { optimize: "O1" });
    for (let v = 0; v <= 127; v++) await g.expectPass({ in: v });
    await g.expectWitnessFail({ in: -1 });
    await g.expectWitnessFail({ in: 128 });
    // Forged: −1 or 128 as the input under the bits of 127 (all ones) and of 0.
    for (const honest of [127, 0]) {
      const w = await g.witness({ in: honest });
      for (const forged of [-1, 128, 255]) await g.expectConstraintFail(w, { in: forged });
    }
  });
});
