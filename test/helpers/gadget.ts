/**
 * A typed gadget tester, as circomkit's WitnessTester<IN, OUT>: the signal names a test may
 * feed and read are the type's, a forged witness is expected to fail, and the constraint count a
 * document states is pinned (circuits are compiled with --O2, as zkml compiles models, unless a
 * test needs a signal --O2 folds away to forge).
 */
import { expect } from "vitest";
import type { CircuitInput } from "../../prover/witness.js";
import { TestCircuit } from "./circuit.js";

type Value = bigint | number;
type Input<IN extends string> = Record<IN, Value | Value[]>;
/** An output signal, or an element of one: what expectPass compares (typed, so a misspelt output does not compile). */
type OutputName<OUT extends string> = OUT | `${OUT}[${number}]`;
/** A signal a test reads or forges: an output, or an internal signal by its path (`bits.out[7]`). */
type SignalName<OUT extends string> = OutputName<OUT> | (string & {});

export interface GadgetOptions {
  /** Circom before `component main` (functions such as a lookup table). */
  prelude?: string;
  /** --O2 (default, as models compile) or --O1, which keeps intermediate signals to forge. */
  optimize?: "O1" | "O2";
  /**
   * Inputs made public. Standalone, --O2 folds a private input into whatever decomposes it; a
   * gadget in a model has its input pinned by the rest of the circuit, as a public one is here.
   */
  publicInputs?: readonly string[];
}

/** The input as the witness calculator takes it: bigints. */
function circuitInput(input: Record<string, Value | Value[]>): CircuitInput {
  return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, Array.isArray(v) ? v.map(BigInt) : BigInt(v)]));
}

const show = (v: unknown) => JSON.stringify(v, (_, x) => (typeof x === "bigint" ? `${x}` : x));

export class GadgetTester<IN extends string, OUT extends string> {
  private constructor(
    readonly circuit: TestCircuit,
    readonly template: string,
  ) {}

  /** `component main = <template>` with `lib/<file>.circom` included. */
  static async compile<IN extends string, OUT extends string>(file: string, template: string, opts: GadgetOptions = {}): Promise<GadgetTester<IN, OUT>> {
    const pub = opts.publicInputs?.length ? ` {public [${opts.publicInputs.join(", ")}]}` : "";
    const circuit = await TestCircuit.compile(
      `include "lib/${file}.circom";\n${opts.prelude ?? ""}\ncomponent main${pub} = ${template};`,
      opts.optimize ?? "O2",
    );
    return new GadgetTester<IN, OUT>(circuit, template);
  }

  /** Constraints after the optimisation it was compiled with: --O2, what a model's circuit pays for one instance. */
  get constraints(): number {
    return this.circuit.constraints;
  }

  expectConstraintCount(expected: number): void {
    expect(this.circuit.constraints, `${this.template}: constraints`).toBe(expected);
  }

  /** The honest witness (no constraint checked: expectPass does). */
  witness(input: Input<IN>): Promise<Uint8Array> {
    return this.circuit.witness(circuitInput(input));
  }

  /** Whether a signal survived the optimisation (--O2 may fold an intermediate one away). */
  has(name: SignalName<OUT>): boolean {
    return this.circuit.has(name);
  }

  /** A signal's value in a witness, as a field element. */
  read(w: Uint8Array, name: SignalName<OUT>): bigint {
    return this.circuit.get(w, name);
  }

  /** A signal's value in a witness, signed (a field element above r/2 is negative). */
  readSigned(w: Uint8Array, name: SignalName<OUT>): bigint {
    return this.circuit.getSigned(w, name);
  }

  /** The honest witness satisfies every constraint and gives these outputs (signed). */
  async expectPass(input: Input<IN>, output: Partial<Record<OutputName<OUT>, Value>> = {}): Promise<Uint8Array> {
    const w = await this.witness(input);
    expect(await this.circuit.check(w), `${this.template}: honest witness of ${show(input)}`).toBe(true);
    for (const [name, v] of Object.entries(output) as [OUT, Value][])
      expect(this.circuit.getSigned(w, name), `${this.template}.${name} of ${show(input)}`).toBe(BigInt(v));
    return w;
  }

  /** No witness exists for this input: an assertion of the gadget (a range check) refuses it. */
  async expectWitnessFail(input: Input<IN>): Promise<void> {
    await expect(this.witness(input), `${this.template}: a witness of ${show(input)}`).rejects.toThrow();
  }

  /**
   * The honest witness of `from` (an input, or a witness already computed) with these signals
   * (an output, or an internal signal by its name) changed violates a constraint.
   */
  async expectConstraintFail(from: Input<IN> | Uint8Array, forged: Partial<Record<SignalName<OUT>, Value>>): Promise<void> {
    const w = from instanceof Uint8Array ? from : await this.witness(from);
    const changes = forged as Record<string, Value>;
    expect(await this.circuit.check(this.circuit.forge(w, changes)), `${this.template}: forged ${show(forged)}`).toBe(false);
  }
}
