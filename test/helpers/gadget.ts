/**
 * A typed gadget tester, as circomkit's WitnessTester<IN, OUT>: the signal names a test may
 * feed and read are the type's, a forged witness is expected to fail, and the constraint count a
 * document states is pinned (circuits are compiled with --O2, as zkml compiles models).
 */
import { expect } from "vitest";
import type { CircuitInput } from "../../prover/witness.js";
import { TestCircuit } from "./circuit.js";

type Value = bigint | number;
type Input<IN extends string> = Record<IN, Value | Value[]>;

/** The input as the witness calculator takes it: bigints. */
function circuitInput(input: Record<string, Value | Value[]>): CircuitInput {
  return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, Array.isArray(v) ? v.map(BigInt) : BigInt(v)]));
}

export class GadgetTester<IN extends string, OUT extends string> {
  private constructor(
    readonly circuit: TestCircuit,
    readonly template: string,
  ) {}

  /** `component main = <template>` with `lib/<file>.circom` included; `prelude` may define functions (a lookup table). */
  static async compile<IN extends string, OUT extends string>(file: string, template: string, prelude = ""): Promise<GadgetTester<IN, OUT>> {
    const circuit = await TestCircuit.compile(`include "lib/${file}.circom";\n${prelude}\ncomponent main = ${template};`, "O2");
    return new GadgetTester<IN, OUT>(circuit, template);
  }

  /** Constraints after --O2: what a model's circuit pays for one instance. */
  get constraints(): number {
    return this.circuit.constraints;
  }

  expectConstraintCount(expected: number): void {
    expect(this.circuit.constraints, `${this.template}: constraints`).toBe(expected);
  }

  /** The honest witness satisfies every constraint and gives these outputs (signed). */
  async expectPass(input: Input<IN>, output: Partial<Record<OUT, Value>> = {}): Promise<Uint8Array> {
    const w = await this.circuit.witness(circuitInput(input));
    expect(await this.circuit.check(w), `${this.template}: honest witness`).toBe(true);
    for (const [name, v] of Object.entries(output) as [OUT, Value][]) expect(this.circuit.getSigned(w, name), `${this.template}.${name}`).toBe(BigInt(v));
    return w;
  }

  /** The honest witness with these signals (an output, or an internal signal by its name) changed violates a constraint. */
  async expectConstraintFail(input: Input<IN>, forged: Partial<Record<OUT, Value>> & Record<string, Value>): Promise<void> {
    const w = await this.circuit.witness(circuitInput(input));
    expect(
      await this.circuit.check(this.circuit.forge(w, forged)),
      `${this.template}: forged ${JSON.stringify(forged, (_, v) => (typeof v === "bigint" ? `${v}` : v))}`,
    ).toBe(false);
  }
}
