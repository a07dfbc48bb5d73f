/**
 * The contract of a proof system: one namespace per system with the same verbs in each, as
 * snarkjs's main.js dispatches to src/groth16.js, src/plonk.js and src/fflonk.js. The table
 * (core/systems/index.ts) is a Record over ProofSystem, so a system without a verb does not
 * compile and none is ever picked by default. Browser-safe: snarkjs reads and writes the files
 * it is given by name; nothing here imports node:.
 */
import * as snarkjs from "snarkjs";
import { ZkmlError } from "../errors.js";
import { FIELD_Q, FIELD_R } from "../field.js";
import type { CurveAccel } from "../native.js";

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
   * with the key's bytes each time. `accel`: the native curve backend, where one runs.
   */
  warmProver?(zkey: Uint8Array, accel?: CurveAccel): Promise<(witness: Uint8Array) => Promise<ProofResult>>;
  /**
   * snarkjs's verdict; a malformed proof or key is false, never a throw. `accel`: the native
   * curve backend, where one runs and the system routes its pairing check to it.
   */
  verify(verificationKey: unknown, publicSignals: string[], proof: unknown, accel?: CurveAccel): Promise<boolean>;
  /** Where each of the proof's Solidity words sits in snarkjs's proof object, in the verifier's order. */
  wordPaths: readonly ProofPath[];
  /** How many of the last words are scalars (below r); the others are point coordinates (below q). */
  scalarWords: number;
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

/** A place in a proof object: ["pi_b", 0, 1], ["evaluations", "ql"]. */
export type ProofPath = readonly (string | number)[];

function at(obj: unknown, p: ProofPath): unknown {
  let v: unknown = obj;
  for (const key of p) v = v !== null && typeof v === "object" && Object.hasOwn(v, key) ? (v as Record<string | number, unknown>)[key] : undefined;
  return v;
}

/** The value at a path of a proof object (["pi_b", 0, 1]) as a field word, or PROOF_INVALID naming the system. */
export function fieldWords(system: string, proof: unknown, paths: readonly ProofPath[]): bigint[] {
  return paths.map((p) => {
    const v = at(proof, p);
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

/**
 * What makes a proof object other than the one its Solidity verifier would see, or undefined.
 * snarkjs reads more than the words the contract gets (a point's projective z, fields it
 * ignores) and reduces a coordinate ≥ q; the EVM reads only the words and refuses them ≥ q (or
 * a scalar ≥ r). So a proof is canonical when its protocol and curve are the system's, every
 * word is a canonical decimal below its field, every point is affine (z = 1), and it has no
 * other field: then valid off-chain means valid on-chain.
 */
export function proofEncodingProblem(name: string, b: Pick<ProofBackend, "wordPaths" | "scalarWords">, proof: unknown): string | undefined {
  if (proof === null || typeof proof !== "object") return "not an object";
  const p = proof as Record<string, unknown>;
  if (p.protocol !== name) return `protocol: expected "${name}"`;
  if (p.curve !== "bn128") return `curve: expected "bn128"`;
  const allowed = new Map<string, string>([
    ["protocol", name],
    ["curve", "bn128"],
  ]);
  const firstScalar = b.wordPaths.length - b.scalarWords;
  for (const [i, path] of b.wordPaths.entries()) {
    const v = at(proof, path);
    const bound = i < firstScalar ? FIELD_Q : FIELD_R;
    if (typeof v !== "string" || !/^(0|[1-9][0-9]{0,77})$/.test(v) || BigInt(v) >= bound)
      return `${path.join(".")}: not a canonical decimal below ${i < firstScalar ? "q" : "r"}`;
    allowed.set(path.join("."), v);
    // A point ([x, y, z], G2 coordinates [c0, c1]) is given in affine form: z is one.
    const n = path.findIndex((k) => typeof k === "number");
    if (n < 0) continue;
    const point = at(proof, path.slice(0, n));
    if (!Array.isArray(point) || point.length !== 3) return `${path.slice(0, n).join(".")}: expected [x, y, z]`;
    const g2 = path.length - n === 2;
    allowed.set([...path.slice(0, n), 2, ...(g2 ? [0] : [])].join("."), "1");
    if (g2) allowed.set([...path.slice(0, n), 2, 1].join("."), "0");
  }
  // Every leaf must be one of those, with that value (a word itself is checked above).
  const stack: [unknown, string][] = [[proof, ""]];
  let leaves = 0;
  while (stack.length) {
    const [v, where] = stack.pop()!;
    if (v !== null && typeof v === "object" && Object.keys(v).length > 0) {
      for (const [k, child] of Object.entries(v)) stack.push([child, where ? `${where}.${k}` : k]);
      continue;
    }
    leaves++;
    const expected = allowed.get(where);
    if (expected === undefined) return `${where}: not a field of a ${name} proof`;
    if (v !== expected) return `${where}: expected ${expected}`;
  }
  return leaves === allowed.size ? undefined : "a point's coordinate is missing";
}
