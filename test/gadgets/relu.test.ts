import { beforeAll, describe, it } from "vitest";
import { GadgetTester } from "../helpers/gadget.js";

describe("ReluInt8", () => {
  let g: GadgetTester<"in", "out">;
  beforeAll(async () => {
    // --O1 keeps the sign decomposition (bits) as witness signals to forge.
    g = await GadgetTester.compile("relu", "ReluInt8()", { optimize: "O1" });
  });

  it("is max(x, 0) for every int8 x", async () => {
    for (let x = -128; x <= 127; x++) await g.expectPass({ in: x }, { out: Math.max(x, 0) });
  });

  it("rejects a flipped sign and a wrong output", async () => {
    await g.expectConstraintFail({ in: -5 }, { out: -5 });
    await g.expectConstraintFail({ in: -5 }, { out: -5, "bits.out[7]": 1 });
    await g.expectConstraintFail({ in: 7 }, { out: 0, "bits.out[7]": 0 });
  });
});
