/**
 * The contract of a proof system: one namespace per system with the same verbs in each, as
 * snarkjs's main.js dispatches to src/groth16.js, src/plonk.js and src/fflonk.js. The table
 * (core/systems/index.ts) is a Record over ProofSystem, so a system without a verb does not
 * compile and none is ever picked by default. Browser-safe: snarkjs reads and writes the files
 * it is given by name; nothing here imports node:.
 */
import * as snarkjs from "snarkjs";
import { ZkmlError } from "../errors.js";

export interface SystemKeys {
  zkeyFile: string;
  verificationKey: Record<string, unknown>;
  timingsMs: Record<string, number>;
}

/** The proof object as snarkjs returns it for the system (serialised as is in proof files). */
export type SnarkProof = Record<string, unknown> & { protocol: string; curve: string };

export interface ProofResult {
  proof: SnarkProof;
  publicSignals: string[];
}

/** What a system's ptau rule reads of a compiled circuit. */
export interface CircuitFacts {
  r1csFile: string;
  constraints: number;
  nPublic: number;
  /** The r1cs file's bytes (read only by the systems that count their own gates). */
  r1csBytes(): Promise<Uint8Array>;
}

/** A file snarkjs reads: a path (Node) or bytes in memory (the browser, a warm prover). */
export type SnarkFile = string | { type: "mem"; data: Uint8Array };

export interface ProofBackend {
  /** Its value of IZkmlRegistry.ProofSystem (the contract's enum order, written out). */
  solidityEnum: number;
  /** 32-byte words of a proof as its Solidity verifier takes it. */
  proofWords: number;
  /** A circuit-specific phase 2 (contributions, beacon, `zkey verify`); false: universal keys only. */
  phase2: boolean;
  /** The contract its snarkjs Solidity template declares (renamed per model). */
  templateContract: string;
  /** snarkjs checks its public signals are below r in Solidity; when false zkml adds the check. */
  solidityChecksSignals: boolean;
  /** The smallest powers-of-tau power its setup accepts for this circuit. */
  requiredPower(circuit: CircuitFacts): Promise<number>;
  /** Proving and verifying keys from the r1cs and a phase-2-ready ptau. */
  setup(r1csFile: string, ptauFile: string, zkeyFile: string): Promise<SystemKeys>;
  prove(zkey: SnarkFile, witness: SnarkFile): Promise<ProofResult>;
  /**
   * A prover that holds the key parsed, for many proofs (the warm prover); absent: `prove`
   * with the key's bytes each time.
   */
  warmProver?(zkey: Uint8Array): Promise<(witness: Uint8Array) => Promise<ProofResult>>;
  /** snarkjs's verdict; a malformed proof or key is false, never a throw. */
  verify(verificationKey: unknown, publicSignals: string[], proof: unknown): Promise<boolean>;
  /** The proof's words in its Solidity verifier's order, read from the proof's fields (PROOF_INVALID when malformed). */
  words(proof: unknown): bigint[];
  /** The arguments of its bare snarkjs verifier's verifyProof. */
  verifyProofArgs(words: readonly bigint[], publicSignals: readonly bigint[]): unknown[];
}

/**
 * Keys that need only the ptau (PLONK, FFLONK): `makeKeys` writes the zkey, then its
 * verification key is exported; both timed.
 */
export async function universalKeys(zkeyFile: string, makeKeys: () => Promise<void>): Promise<SystemKeys> {
  const t0 = performance.now();
  await makeKeys();
  const t1 = performance.now();
  const verificationKey = await snarkjs.zKey.exportVerificationKey(zkeyFile);
  return { zkeyFile, verificationKey, timingsMs: { keys: t1 - t0, exportVk: performance.now() - t1 } };
}

export const QUIET = { info() {}, debug() {}, warn() {}, error() {} };

/** snarkjs's verdict, false for a proof or key it cannot even read. */
export async function verdict(verify: (...args: never[]) => Promise<unknown>, ...args: unknown[]): Promise<boolean> {
  try {
    return (await (verify as (...a: unknown[]) => Promise<unknown>)(...args, QUIET)) === true;
  } catch {
    return false;
  }
}

/** The value at a path of a proof object (["pi_b", 0, 1]) as a field word, or PROOF_INVALID naming the system. */
export function fieldWords(system: string, proof: unknown, paths: readonly (readonly (string | number)[])[]): bigint[] {
  return paths.map((p) => {
    let v: unknown = proof;
    for (const key of p) v = v !== null && typeof v === "object" && Object.hasOwn(v, key) ? (v as Record<string | number, unknown>)[key] : undefined;
    if (typeof v !== "string" || !/^[0-9]{1,78}$/.test(v)) {
      throw new ZkmlError("PROOF_INVALID", `not a snarkjs ${system} proof: ${p.join(".")} is not a decimal field element`);
    }
    return BigInt(v);
  });
}

/** A point's x and y. */
export function g1(name: string): (string | number)[][] {
  return [
    [name, 0],
    [name, 1],
  ];
}
