import { beforeAll, describe, expect, it } from "vitest";
import { activationTable } from "../../circuits/quantize.js";
import { GadgetTester } from "../helpers/gadget.js";

// Sigmoid of inputs at 2^-4, outputs at 2^-7: a table that is neither monotone-free nor linear.
const TABLE = activationTable({ kind: "sigmoid" }, 4, 7);

describe("LookupInt8 (sigmoid table)", () => {
  let g: GadgetTester<"in", "out">;
  beforeAll(async () => {
    // --O1 keeps the one-hot selectors (lo) and partial sums (part) as witness signals to forge.
    g = await GadgetTester.compile("lookup", "LookupInt8(T())", { prelude: `function T() { return [${TABLE.join(", ")}]; }`, optimize: "O1" });
  });

  it("returns table[x + 128] for every int8 x", async () => {
    for (let x = -128; x <= 127; x++) await g.expectPass({ in: x }, { out: TABLE[x + 128]! });
  });

  it("rejects a wrong table entry, a moved selector and an input outside int8", async () => {
    const w = await g.witness({ in: 10 }); // index 138 = 16·8 + 10
    await g.expectConstraintFail(w, { out: TABLE[139]! });
    // Select entry 139 instead (lo one-hot moved): the recomposition no longer equals in + 128.
    await g.expectConstraintFail(w, { "lo[10]": 0, "lo[11]": 1, out: TABLE[139]!, "part[8]": TABLE[139]! });
    // Two entries half-selected is not one-hot.
    await g.expectConstraintFail(w, { "lo[10]": 2, "lo[11]": -1 });
    await g.expectWitnessFail({ in: 128 });
  });

  it("costs 52 constraints per lookup at --O1 (51 once --O2 folds the linear output)", () => {
    expect(g.constraints).toBeLessThanOrEqual(52);
  });
});
