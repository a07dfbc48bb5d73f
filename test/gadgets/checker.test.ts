/**
 * The gadget tests' constraint check (test/helpers/circuit.ts `satisfies`) gives snarkjs's
 * `wtns check` verdict: on honest witnesses and on seeded random forgeries of one or two
 * signals, of gadgets with products, bit decompositions and Poseidon rounds.
 */
import * as snarkjs from "snarkjs";
import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../core/random.js";
import { GadgetTester } from "../helpers/gadget.js";

const SEED = 7305;
const quiet = { info() {}, debug() {}, warn() {}, error() {} };

describe(`the gadget tests' constraint check agrees with snarkjs (seed ${SEED})`, () => {
  for (const [file, template, input] of [
    ["requant", "RequantInt8(16, 4, 1, 1)", { in: 1000 }],
    ["chain_hash", "ChainHash(3)", { in: [1, 2, 3] }],
  ] as const) {
    it(`${template}: honest and 40 forged witnesses`, async () => {
      const g = await GadgetTester.compile<"in", "out">(file, template, { optimize: "O1" });
      const rand = mulberry32(SEED);
      const honest = await g.witness(input as never);
      const n = honest.length;
      const cases = [honest];
      for (let i = 0; i < 40; i++) {
        const w = Uint8Array.from(honest);
        // One or two witness values (32 bytes each, after the header) changed at a random byte.
        for (let k = 0; k < 1 + (i % 2); k++) w[n - 1 - Math.floor(rand() * (n - 200))]! ^= 1 + Math.floor(rand() * 255);
        cases.push(w);
      }
      let refused = 0;
      for (const w of cases) {
        const ours = await g.circuit.check(w);
        const theirs = (await snarkjs.wtns.check(g.circuit.r1cs, { type: "mem", data: w }, quiet)) === true;
        expect(ours).toBe(theirs);
        if (!ours) refused++;
      }
      expect(await g.circuit.check(honest)).toBe(true);
      expect(refused).toBeGreaterThan(20);
    }, 120_000);
  }
});
