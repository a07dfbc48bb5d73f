import { describe, expect, it } from "vitest";
import { chainHash } from "../../core/commitment.js";
import { packSigned, packedLength } from "../../core/field.js";
import { TestCircuit } from "../helpers/circuit.js";

describe("PackSigned and ChainHash match core/field.ts and core/commitment.ts", () => {
  it("packs signed values exactly as packSigned does", async () => {
    const n = 70;
    const bits = 8;
    const c = await TestCircuit.compile(`include "lib/pack.circom";\ncomponent main = PackSigned(${n}, ${bits});`);
    const values = Array.from({ length: n }, (_, i) => BigInt(i % 2 ? -128 + i : 127 - i));
    const w = await c.witness({ in: values });
    const expected = packSigned(values, bits);
    expect(expected.length).toBe(packedLength(n, bits));
    expected.forEach((e, i) => expect(c.get(w, `out[${i}]`)).toBe(e));
    expect(await c.check(w)).toBe(true);
    expect(await c.check(c.forge(w, { "out[1]": expected[1]! + 1n }))).toBe(false);
  });

  for (const m of [1, 15, 16, 31]) {
    it(`chains Poseidon over ${m} elements as core/commitment.ts does (poseidon-lite)`, async () => {
      const c = await TestCircuit.compile(`include "lib/chain_hash.circom";\ncomponent main = ChainHash(${m});`, "O2");
      const elements = Array.from({ length: m }, (_, i) => BigInt(i) * 0x1234567890abcdefn + 1n);
      const w = await c.witness({ in: elements });
      expect(c.get(w, "out")).toBe(await chainHash(elements));
      expect(await c.check(c.forge(w, { out: c.get(w, "out") + 1n }))).toBe(false);
      expect(c.get(w, "out")).not.toBe(await chainHash(elements.map((e, i) => (i === 0 ? e + 1n : e))));
    });
  }
});
