import { describe, expect, it } from "vitest";
import { chainHash } from "../../core/commitment.js";
import { packSigned, packedLength } from "../../core/field.js";
import { GadgetTester } from "../helpers/gadget.js";

describe("PackSigned and ChainHash match core/field.ts and core/commitment.ts", () => {
  it("packs signed values exactly as packSigned does", async () => {
    const n = 70;
    const bits = 8;
    const g = await GadgetTester.compile<"in", "out">("pack", `PackSigned(${n}, ${bits})`, { optimize: "O1" });
    const values = Array.from({ length: n }, (_, i) => BigInt(i % 2 ? -128 + i : 127 - i));
    const w = await g.expectPass({ in: values });
    const expected = packSigned(values, bits);
    expect(expected.length).toBe(packedLength(n, bits));
    expected.forEach((e, i) => expect(g.read(w, `out[${i}]`)).toBe(e));
    await g.expectConstraintFail(w, { "out[1]": expected[1]! + 1n });
  });

  for (const m of [1, 15, 16, 31]) {
    it(`chains Poseidon over ${m} elements as core/commitment.ts does (poseidon-lite)`, async () => {
      const g = await GadgetTester.compile<"in", "out">("chain_hash", `ChainHash(${m})`);
      const elements = Array.from({ length: m }, (_, i) => BigInt(i) * 0x1234567890abcdefn + 1n);
      const w = await g.expectPass({ in: elements });
      expect(g.read(w, "out")).toBe(await chainHash(elements));
      await g.expectConstraintFail(w, { out: g.read(w, "out") + 1n });
      expect(g.read(w, "out")).not.toBe(await chainHash(elements.map((e, i) => (i === 0 ? e + 1n : e))));
    });
  }
});
