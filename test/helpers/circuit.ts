/**
 * Gadget test bench: compile a small circuit, compute an honest witness, forge it by setting
 * named signals, and ask whether the forged witness satisfies the r1cs (core/r1cs.ts
 * `r1csSatisfied`, the question snarkjs's `wtns check` asks: test/gadgets/checker.test.ts holds
 * the two to the same verdicts), on the r1cs parsed once instead of re-read for every witness.
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { runCircom } from "../../circuits/circom.js";
import { FIELD_R, toField } from "../../core/field.js";
import { parseR1cs, parseWtns, type R1cs, r1csSatisfied, wtnsLayout, wtnsValue } from "../../core/r1cs.js";
import { WitnessGenerator, type CircuitInput } from "../../prover/witness.js";

export class TestCircuit {
  private constructor(
    readonly dir: string,
    readonly r1cs: string,
    private readonly gen: WitnessGenerator,
    private readonly signals: Map<string, number>,
    readonly constraints: number,
  ) {}

  /** `body` is circom source after the pragma; includes resolve against circuits/ and circomlib. */
  static async compile(body: string, optimize: "O1" | "O2" = "O1"): Promise<TestCircuit> {
    const dir = await mkdtemp(path.join(os.tmpdir(), "zkml-gadget-"));
    await writeFile(path.join(dir, "circuit.circom"), `pragma circom 2.1.6;\n${body}\n`);
    const res = await runCircom(path.join(dir, "circuit.circom"), dir, { optimize });
    const sym = await readFile(path.join(dir, "circuit.sym"), "utf8");
    const signals = new Map<string, number>();
    for (const line of sym.split("\n")) {
      const [, witnessIdx, , name] = line.split(",");
      if (name && Number(witnessIdx) >= 0) signals.set(name, Number(witnessIdx));
    }
    const m = /non-linear constraints:\s*(\d+)/.exec(res.stdout);
    const l = /(?<!non-)linear constraints:\s*(\d+)/.exec(res.stdout);
    return new TestCircuit(
      dir,
      path.join(dir, "circuit.r1cs"),
      await WitnessGenerator.load(path.join(dir, "circuit_js/circuit.wasm")),
      signals,
      Number(m?.[1] ?? 0) + Number(l?.[1] ?? 0),
    );
  }

  witness(input: CircuitInput): Promise<Uint8Array> {
    return this.gen.compute(input);
  }

  has(name: string): boolean {
    return this.signals.has(`main.${name}`);
  }

  index(name: string): number {
    const i = this.signals.get(`main.${name}`);
    if (i === undefined) throw new Error(`no witness signal main.${name} (optimised away?)`);
    return i;
  }

  get(w: Uint8Array, name: string): bigint {
    return witnessValue(w, this.index(name));
  }

  getSigned(w: Uint8Array, name: string): bigint {
    const v = this.get(w, name);
    return v > FIELD_R / 2n ? v - FIELD_R : v;
  }

  /** A copy of the witness with the named signals set to other (signed) values. */
  forge(w: Uint8Array, changes: Record<string, bigint | number>): Uint8Array {
    const out = Uint8Array.from(w);
    const { offset, n8 } = wtnsLayout(out);
    for (const [name, value] of Object.entries(changes)) {
      let v = toField(value);
      const at = offset + this.index(name) * n8;
      for (let b = 0; b < n8; b++, v >>= 8n) out[at + b] = Number(v & 0xffn);
    }
    return out;
  }

  private parsed: R1cs | undefined;

  /** Does this witness satisfy every constraint? */
  async check(w: Uint8Array): Promise<boolean> {
    this.parsed ??= parseR1cs(new Uint8Array(await readFile(this.r1cs)));
    return r1csSatisfied(this.parsed, parseWtns(w));
  }
}

/** Witness entry i (0 is the constant 1; the public outputs follow, in declaration order). */
export const witnessValue = wtnsValue;
