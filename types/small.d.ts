/** The parts of circomlibjs, circom_runtime, solc and ejs zkml uses, typed (the packages ship no types). */
declare module "circomlibjs" {
  /** Poseidon as an EVM contract (tests deploy it to compare with the circuit's hash). */
  export const poseidonContract: {
    generateABI(nInputs: number): import("ethers").InterfaceAbi;
    createCode(nInputs: number): string;
  };
}

declare module "circom_runtime" {
  export interface WitnessCalculator {
    calculateWTNSBin(input: Record<string, unknown>, sanityCheck?: boolean): Promise<Uint8Array>;
  }
  export function WitnessCalculatorBuilder(wasm: Uint8Array, options?: Record<string, unknown>): Promise<WitnessCalculator>;
}

declare module "solc" {
  const solc: {
    /** Standard JSON in, standard JSON out. */
    compile(input: string): string;
    version(): string;
  };
  export default solc;
}

declare module "ejs" {
  /** A template rendered with `data` (snarkjs's Solidity verifier templates are ejs). */
  export function render(template: string, data: object): string;
}
