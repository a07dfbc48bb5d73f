import { beforeAll, describe, expect, it } from "vitest";
import { TestCircuit } from "../helpers/circuit.js";

describe("ReluInt8", () => {
  let c: TestCircuit;
  beforeAll(async () => {
    c = await TestCircuit.compile(`include "lib/relu.circom";\ncomponent main = ReluInt8();`);
  });

  it("is max(x, 0) for every int8 x", async () => {
    for (let x = -128; x <= 127; x++) {
      const w = await c.witness({ in: BigInt(x) });
      expect(await c.check(w)).toBe(true);
      expect(Number(c.getSigned(w, "out"))).toBe(Math.max(x, 0));
    }
  });

  it("rejects a flipped sign and a wrong output", async () => {
    const neg = await c.witness({ in: -5n });
    expect(await c.check(c.forge(neg, { out: -5n }))).toBe(false);
    expect(await c.check(c.forge(neg, { out: -5n, "bits.out[7]": 1n }))).toBe(false);
    const pos = await c.witness({ in: 7n });
    expect(await c.check(c.forge(pos, { out: 0n, "bits.out[7]": 0n }))).toBe(false);
  });
});
