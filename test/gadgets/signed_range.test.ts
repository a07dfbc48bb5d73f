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
