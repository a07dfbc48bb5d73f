import { beforeAll, describe, expect, it } from "vitest";
import { FIELD_R } from "../../core/field.js";
import { TestCircuit } from "../helpers/circuit.js";

function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [a % m, m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1, s0, s1] = [r1, r0 - q * r1, s1, s0 - q * s1];
  }
  return ((s0 % m) + m) % m;
}

describe("ClassContext", () => {
  let c: TestCircuit;
  beforeAll(async () => {
    c = await TestCircuit.compile(`include "lib/class_context.circom";\ncomponent main = ClassContext();`);
  });

  it("packs ctx * 256 + cls", async () => {
    const ctx = 2n ** 243n + 12345n;
    const w = await c.witness({ cls: 7n, ctx });
    expect(await c.check(w)).toBe(true);
    expect(c.get(w, "out")).toBe(ctx * 256n + 7n);
  });

  it("rejects a context of 2^244 or more", async () => {
    await expect(c.witness({ cls: 1n, ctx: 2n ** 244n })).rejects.toThrow();
  });

  it("rejects another class paired with a forged field-sized context for the same public value", async () => {
    const ctx = 987654321n;
    const w = await c.witness({ cls: 3n, ctx });
    const out = c.get(w, "out");
    // Without the range check, ctx' = (out - 4) / 256 mod r would make class 4 look proven.
    const forgedCtx = (((out - 4n) % FIELD_R) * modInverse(256n, FIELD_R)) % FIELD_R;
    expect((forgedCtx * 256n + 4n) % FIELD_R).toBe(out);
    expect(await c.check(c.forge(w, { cls: 4n, ctx: forgedCtx }))).toBe(false);
  });
});
