/**
 * quantizeRaw (a contract's integers → the model's int8, exactly) against the float quantizer
 * quantizeValue where a double holds the value, and on the cases a double cannot decide.
 */
import { describe, expect, it } from "vitest";
import { quantizeValue } from "../../core/ir.js";
import { mulberry32 } from "../../core/random.js";
import { quantizeRaw } from "../../core/raw_input.js";
import { encodeValues, parseVisibility, statementTag } from "../../core/statement.js";
import { layoutTag } from "../../core/layout.js";

describe("quantizeRaw", () => {
  it("agrees with quantizeValue on 20,000 random values a double holds exactly enough", () => {
    const rand = mulberry32(2029);
    for (let i = 0; i < 20_000; i++) {
      const decimals = Math.floor(rand() * 7);
      const denom = 10n ** BigInt(decimals);
      const raw = BigInt(Math.floor((rand() * 2 - 1) * 300 * Number(denom)));
      const zero = BigInt(Math.floor((rand() * 2 - 1) * 50 * Number(denom)));
      const frac = Math.floor(rand() * 10) - 2;
      const x = Number(raw - zero) / Number(denom);
      expect(quantizeRaw(raw, { zero, denom }, frac), `${raw} - ${zero} over ${denom} at 2^-${frac}`).toBe(quantizeValue(x, frac));
      const nonNegative = quantizeRaw(raw, { zero, denom }, frac, true);
      expect(nonNegative).toBe(Math.max(0, quantizeValue(x, frac)));
    }
  });

  it("rounds ties to even, floors negatives, saturates, and scales by 2^frac either way", () => {
    const unit = { zero: 0n, denom: 10n };
    expect([5n, 15n, 25n, -5n, -15n, -25n].map((r) => quantizeRaw(r, unit, 0))).toEqual([0, 2, 2, 0, -2, -2]);
    expect(quantizeRaw(6n, unit, 0)).toBe(1);
    expect(quantizeRaw(-6n, unit, 0)).toBe(-1);
    expect(quantizeRaw(10n ** 30n, unit, 0)).toBe(127);
    expect(quantizeRaw(-(10n ** 30n), unit, 0)).toBe(-128);
    expect(quantizeRaw(-(10n ** 30n), unit, 0, true)).toBe(0);
    // 18-decimal prices: 1.5 ether at 2^-4 is 24; with the zero at 1 ether, 8.
    const ether = { zero: 0n, denom: 10n ** 18n };
    expect(quantizeRaw(15n * 10n ** 17n, ether, 4)).toBe(24);
    expect(quantizeRaw(15n * 10n ** 17n, { zero: 10n ** 18n, denom: 10n ** 18n }, 4)).toBe(8);
    // A negative frac divides: 1000 units at 2^3 per step is 125.
    expect(quantizeRaw(1000n, { zero: 0n, denom: 1n }, -3)).toBe(125);
    // A value a double cannot hold: 2^60 + 1 raw units over 2^61 is just above a tie.
    expect(quantizeRaw((1n << 60n) + 1n, { zero: 0n, denom: 1n << 61n }, 0)).toBe(1);
    expect(quantizeValue(Number((1n << 60n) + 1n) / 2 ** 61, 0)).toBe(0);
  });

  it("refuses a zero denominator and an absurd scale", () => {
    expect(() => quantizeRaw(1n, { zero: 0n, denom: 0n }, 0)).toThrow(/denom/);
    expect(() => quantizeRaw(1n, { zero: 0n, denom: 1n }, 65)).toThrow(/frac/);
  });
});

describe("statement encoding", () => {
  it("encodes values as offset big-endian bytes of their width, and refuses one that does not fit", () => {
    expect(Array.from(encodeValues([-128n, 0n, 127n], 8))).toEqual([0, 128, 255]);
    expect(Array.from(encodeValues([-2048n, 1n], 12))).toEqual([0, 0, 0x08, 0x01]);
    expect(() => encodeValues([128n], 8)).toThrow(/does not fit/);
  });

  it("the tag carries the visibilities above the layout, each combination its own", () => {
    const layout = { inputSize: 8, inputBits: 8, outputSize: 1, outputBits: 20 };
    const tags = (["private", "hashed"] as const).flatMap((i) =>
      (["private", "hashed"] as const).map((o) => statementTag({ ...layout, inputVisibility: i, outputVisibility: o })),
    );
    expect(new Set(tags).size).toBe(4);
    expect(tags[0]).toBe(layoutTag(layout));
    for (const t of tags) expect(t < 1n << 248n).toBe(true);
    expect(() => parseVisibility("public", "--input-visibility")).toThrow(/not one of private, hashed/);
  });
});
