import { beforeAll, describe, expect, it } from "vitest";
import { TestCircuit } from "../helpers/circuit.js";

describe("SignedRange(8)", () => {
  let c: TestCircuit;
  beforeAll(async () => {
    c = await TestCircuit.compile(`include "lib/signed_range.circom";\ncomponent main = SignedRange(8);`);
  });

  it("accepts every int8 value", async () => {
    for (let v = -128; v <= 127; v++) expect(await c.check(await c.witness({ in: BigInt(v) })), `in = ${v}`).toBe(true);
  });

  it("rejects values outside [-128, 127], honestly or forged", async () => {
    await expect(c.witness({ in: 128n })).rejects.toThrow();
    await expect(c.witness({ in: -129n })).rejects.toThrow();
    const w = await c.witness({ in: 5n });
    expect(await c.check(c.forge(w, { in: 5n + 256n }))).toBe(false);
    // A non-boolean "bit" that keeps the sum: 2*2^0 instead of 1*2^1.
    const b1 = c.get(w, "bits[1]");
    const b0 = c.get(w, "bits[0]");
    expect(await c.check(c.forge(w, { "bits[1]": b1 - 1n, "bits[0]": b0 + 2n }))).toBe(false);
  });
});

describe("OffsetBits(9, 255) (the decomposition under SignedRange, RequantInt8, ReluInt8)", () => {
  it("decomposes in + offset, and rejects bits that do not sum to it or are not boolean", async () => {
    const c = await TestCircuit.compile(`include "lib/offset_bits.circom";\ncomponent main = OffsetBits(9, 255);`);
    const w = await c.witness({ in: -200n });
    expect(await c.check(w)).toBe(true);
    const bits = Array.from({ length: 9 }, (_, i) => Number(c.get(w, `out[${i}]`)));
    expect(bits.reduce((s, b, i) => s + b * 2 ** i, 0)).toBe(55);
    expect(await c.check(c.forge(w, { "out[0]": 0n }))).toBe(false);
    // 55 = 0b000110111: replacing bit 1 by 2 and bit 0 by -1 keeps the sum but not booleanity.
    expect(await c.check(c.forge(w, { "out[0]": -1n, "out[1]": 2n }))).toBe(false);
    await expect(c.witness({ in: 300n })).rejects.toThrow();
  });
});

describe("OffsetBits(7, 0) (a non-negative model input's range check)", () => {
  it("accepts exactly [0, 127]: −1 and 128 have no boolean decomposition, whatever the bits", async () => {
    const c = await TestCircuit.compile(`include "lib/offset_bits.circom";\ncomponent main = OffsetBits(7, 0);`);
    for (let v = 0; v <= 127; v++) expect(await c.check(await c.witness({ in: BigInt(v) })), `in = ${v}`).toBe(true);
    await expect(c.witness({ in: -1n })).rejects.toThrow();
    await expect(c.witness({ in: 128n })).rejects.toThrow();
    // Forged: −1 or 128 as the input under the bits of 127 (all ones) and of 0.
    for (const honest of [127n, 0n]) {
      const w = await c.witness({ in: honest });
      for (const forged of [-1n, 128n, 255n]) expect(await c.check(c.forge(w, { in: forged })), `in = ${forged} under ${honest}'s bits`).toBe(false);
    }
  });
});
