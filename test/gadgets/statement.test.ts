/**
 * The data statement's gadgets (circuits/lib/statement.circom) against core/statement.ts:
 * value bytes, a field element's bytes (alias-checked), and the digest kept to 253 bits.
 */
import { describe, expect, it } from "vitest";
import { FIELD_R } from "../../core/field.js";
import { dataStatement, encodeValues } from "../../core/statement.js";
import { GadgetTester } from "../helpers/gadget.js";
import { mulberry32 } from "../helpers/models.js";

const bitsOf = (bytes: Uint8Array) => Array.from(bytes).flatMap((b) => Array.from({ length: 8 }, (_, i) => (b >> (7 - i)) & 1));

describe("OffsetBytesBE: a value as the big-endian bytes encodeValues gives", () => {
  for (const [bits, nBytes] of [
    [8, 1],
    [12, 2],
  ] as const) {
    it(`${bits} signed bits in ${nBytes} byte(s): every edge value, and nothing outside the range`, async () => {
      const g = await GadgetTester.compile<"in", "out">("statement", `OffsetBytesBE(${bits}, ${nBytes})`);
      const lo = -(2 ** (bits - 1));
      const hi = 2 ** (bits - 1) - 1;
      for (const v of [lo, lo + 1, -1, 0, 1, hi]) {
        const w = await g.expectPass({ in: v });
        const want = bitsOf(encodeValues([BigInt(v)], bits));
        want.forEach((b, i) => expect(g.read(w, `out[${i}]`), `${v} bit ${i}`).toBe(BigInt(b)));
      }
      await g.expectWitnessFail({ in: hi + 1 });
      await g.expectConstraintFail({ in: 5 }, { [`out[${nBytes * 8 - 1}]`]: 2 });
      // With the value public (as the model's x is pinned by the rest of its circuit), a flipped
      // bit no longer sums to it. Standalone, --O2 folds the private input into its bits.
      const pinned = await GadgetTester.compile<"in", "out">("statement", `OffsetBytesBE(${bits}, ${nBytes})`, { publicInputs: ["in"] });
      const w = await pinned.expectPass({ in: 5 });
      await pinned.expectConstraintFail(w, { [`out[${nBytes * 8 - 1}]`]: 0 });
    });
  }
});

describe("FieldBytesBE: a field element as 32 big-endian bytes, alias-checked", () => {
  it("encodes 0, 1, r-1 and a random element; refuses another encoding of the same value", async () => {
    const g = await GadgetTester.compile<"in", "out">("statement", "FieldBytesBE()");
    const rand = mulberry32(29);
    const randomElement = BigInt(Math.floor(rand() * 2 ** 52)) ** 4n % FIELD_R;
    for (const v of [0n, 1n, FIELD_R - 1n, randomElement]) {
      const w = await g.expectPass({ in: v });
      const want = bitsOf(Uint8Array.from(Buffer.from(v.toString(16).padStart(64, "0"), "hex")));
      want.forEach((b, i) => expect(g.read(w, `out[${i}]`)).toBe(BigInt(b)));
    }
    await g.expectConstraintFail({ in: 6 }, { "out[255]": 2 });
    // With the element public: the top two bits are 0 and no bit can be flipped.
    const pinned = await GadgetTester.compile<"in", "out">("statement", "FieldBytesBE()", { publicInputs: ["in"] });
    const w = await pinned.expectPass({ in: 6 });
    for (const forged of [{ "out[0]": 1 }, { "out[2]": 1 }, { "out[255]": 1 }]) await pinned.expectConstraintFail(w, forged);
  });
});

describe("StatementDigest: sha256 of the bits, its top 253 bits", () => {
  it("equals dataStatement over the same bytes (one block and three), and a forged digest fails", async () => {
    for (const n of [40, 150]) {
      const rand = mulberry32(n);
      const tag = 0x1234n << 200n;
      const values = Array.from({ length: n - 32 }, () => BigInt(Math.floor(rand() * 256) - 128));
      const bytes = encodeValues(values, 8);
      const g = await GadgetTester.compile<"in", "out">("statement", `StatementDigest(${n * 8})`);
      const tagBytes = Uint8Array.from(Buffer.from(tag.toString(16).padStart(64, "0"), "hex"));
      const all = bitsOf(Uint8Array.from([...tagBytes, ...bytes]));
      const w = await g.expectPass({ in: all });
      expect(g.read(w, "out")).toBe(dataStatement(tag, bytes, new Uint8Array()));
      await g.expectConstraintFail(w, { out: g.read(w, "out") + 1n });
    }
  });
});
