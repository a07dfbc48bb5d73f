import { beforeAll, describe, expect, it } from "vitest";
import { activationTable } from "../../circuits/quantize.js";
import { TestCircuit } from "../helpers/circuit.js";

// Sigmoid of inputs at 2^-4, outputs at 2^-7: a table that is neither monotone-free nor linear.
const TABLE = activationTable({ kind: "sigmoid" }, 4, 7);

describe("LookupInt8 (sigmoid table)", () => {
  let c: TestCircuit;
  beforeAll(async () => {
    c = await TestCircuit.compile(`include "lib/lookup.circom";\nfunction T() { return [${TABLE.join(", ")}]; }\ncomponent main = LookupInt8(T());`);
  });

  it("returns table[x + 128] for every int8 x", async () => {
    for (let x = -128; x <= 127; x++) {
      const w = await c.witness({ in: BigInt(x) });
      expect(await c.check(w)).toBe(true);
      expect(Number(c.getSigned(w, "out")), `x = ${x}`).toBe(TABLE[x + 128]);
    }
  });

  it("rejects a wrong table entry, a moved selector and an input outside int8", async () => {
    const w = await c.witness({ in: 10n }); // index 138 = 16·8 + 10
    expect(await c.check(c.forge(w, { out: BigInt(TABLE[139]!) }))).toBe(false);
    // Select entry 139 instead (lo one-hot moved): the recomposition no longer equals in + 128.
    expect(await c.check(c.forge(w, { "lo[10]": 0n, "lo[11]": 1n, out: BigInt(TABLE[139]!), "part[8]": BigInt(TABLE[139]!) }))).toBe(false);
    // Two entries half-selected is not one-hot.
    expect(await c.check(c.forge(w, { "lo[10]": 2n, "lo[11]": -1n }))).toBe(false);
    await expect(c.witness({ in: 128n })).rejects.toThrow();
  });

  it("costs 52 constraints per lookup at --O1 (51 once --O2 folds the linear output)", () => {
    expect(c.constraints).toBeLessThanOrEqual(52);
  });
});
