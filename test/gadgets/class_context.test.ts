import { beforeAll, describe, expect, it } from "vitest";
import { FIELD_R } from "../../core/field.js";
import { GadgetTester } from "../helpers/gadget.js";

function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [a % m, m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1, s0, s1] = [r1, r0 - q * r1, s1, s0 - q * s1];
  }
  return ((s0 % m) + m) % m;
}

describe("ClassContext", () => {
  let g: GadgetTester<"cls" | "ctx", "out">;
  beforeAll(async () => {
    g = await GadgetTester.compile("class_context", "ClassContext()", { optimize: "O1" });
  });

  it("packs ctx * 256 + cls", async () => {
    const ctx = 2n ** 243n + 12345n;
    const w = await g.expectPass({ cls: 7, ctx });
    expect(g.read(w, "out")).toBe(ctx * 256n + 7n);
  });

  it("rejects a context of 2^244 or more", async () => {
    await g.expectWitnessFail({ cls: 1, ctx: 2n ** 244n });
  });

  it("rejects another class paired with a forged field-sized context for the same public value", async () => {
    const w = await g.expectPass({ cls: 3, ctx: 987654321n });
    const out = g.read(w, "out");
    // Without the range check, ctx' = (out - 4) / 256 mod r would make class 4 look proven.
    const forgedCtx = (((out - 4n) % FIELD_R) * modInverse(256n, FIELD_R)) % FIELD_R;
    expect((forgedCtx * 256n + 4n) % FIELD_R).toBe(out);
    await g.expectConstraintFail(w, { cls: 4, ctx: forgedCtx });
  });
});
