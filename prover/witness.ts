/**
 * Witness computation with the circom-generated wasm, built once and reused (warm proving).
 */
import { readFile } from "node:fs/promises";
import { WitnessCalculatorBuilder } from "circom_runtime";
import { ZkmlError } from "../core/errors.js";

export type CircuitInput = Record<string, bigint | bigint[] | string | string[]>;

interface WitnessCalculator {
  calculateWTNSBin(input: CircuitInput, sanityCheck?: boolean): Promise<Uint8Array>;
}

export class WitnessGenerator {
  private constructor(private readonly calc: WitnessCalculator) {}

  static async load(wasmFile: string): Promise<WitnessGenerator> {
    const wasm = await readFile(wasmFile);
    return new WitnessGenerator(await WitnessCalculatorBuilder(wasm));
  }

  /** The witness in snarkjs's .wtns binary layout. A failed circuit assert means bad input. */
  async compute(input: CircuitInput): Promise<Uint8Array> {
    try {
      return await this.calc.calculateWTNSBin(input, true);
    } catch (e) {
      throw new ZkmlError("BAD_INPUT", `the circuit rejected the input: ${(e as Error).message.split("\n")[0]}`);
    }
  }
}
