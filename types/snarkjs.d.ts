/**
 * The part of snarkjs zkml uses, typed: the package ships no types. A file argument is a path
 * (Node; snarkjs reads and writes it) or `{ type: "mem", data }` (filled in when written to).
 */
declare module "snarkjs" {
  type FileArg = string | { type: "mem"; data?: Uint8Array };
  interface Logger {
    info(...m: unknown[]): void;
    debug(...m: unknown[]): void;
    warn(...m: unknown[]): void;
    error(...m: unknown[]): void;
  }
  interface Proved {
    proof: Record<string, unknown> & { protocol: string; curve: string };
    publicSignals: string[];
  }
  interface ProofSystemApi {
    prove(zkey: FileArg | Uint8Array, witness: FileArg | Uint8Array, logger?: Logger): Promise<Proved>;
    verify(verificationKey: unknown, publicSignals: unknown, proof: unknown, logger?: Logger): Promise<boolean>;
  }

  export const groth16: ProofSystemApi & {
    exportSolidityCallData(proof: unknown, publicSignals: unknown): Promise<string>;
  };
  export const plonk: ProofSystemApi & {
    /** -1 (with an error logged) when the ptau is too small. */
    setup(r1cs: FileArg, ptau: FileArg, zkey: FileArg, logger?: Logger): Promise<number | undefined>;
    exportSolidityCallData(proof: unknown, publicSignals: unknown): Promise<string>;
  };
  export const fflonk: ProofSystemApi & {
    setup(r1cs: FileArg, ptau: FileArg, zkey: FileArg, logger?: Logger): Promise<void>;
    /** Note the order: signals first. */
    exportSolidityCallData(publicSignals: unknown, proof: unknown): Promise<string>;
  };
  export const zKey: {
    /** -1 or undefined on some failures (a too-small ptau) instead of a throw. */
    newZKey(r1cs: FileArg, ptau: FileArg, zkey: FileArg, logger?: Logger): Promise<unknown>;
    /** The contribution hash. */
    contribute(zkeyOld: FileArg, zkeyNew: FileArg, name: string, entropy: string, logger?: Logger): Promise<Uint8Array>;
    beacon(zkeyOld: FileArg, zkeyNew: FileArg, name: string, beaconHash: string, numIterationsExp: number, logger?: Logger): Promise<Uint8Array>;
    verifyFromR1cs(r1cs: FileArg, ptau: FileArg, zkey: FileArg, logger?: Logger): Promise<boolean>;
    exportVerificationKey(zkey: FileArg | Uint8Array, logger?: Logger): Promise<Record<string, unknown>>;
    /** Solidity source from the templates given (keyed by protocol). */
    exportSolidityVerifier(zkey: FileArg, templates: Record<string, string>, logger?: Logger): Promise<string>;
  };
  export const powersOfTau: {
    newAccumulator(curve: unknown, power: number, file: FileArg, logger?: Logger): Promise<unknown>;
    preparePhase2(oldPtau: FileArg, newPtau: FileArg, logger?: Logger): Promise<unknown>;
  };
  export const wtns: {
    check(r1cs: FileArg, witness: FileArg, logger?: Logger): Promise<boolean>;
  };
  export const curves: {
    getCurveFromName(name: string): Promise<import("../core/bn254.js").BnCurve>;
  };
}
