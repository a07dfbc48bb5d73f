/**
 * Readers of circom's binary files, for checking a circuit against a witness without snarkjs:
 * .r1cs (header and constraints) and .wtns (witness values). Both are iden3 "binfile"s: a magic,
 * a version, then sections of (type u32, size u64, bytes); sections may come in any order.
 */
import { ZkmlError } from "./errors.js";

/** A linear combination: wire index → coefficient. */
export type LinearCombination = Map<number, bigint>;

export interface R1cs {
  prime: bigint;
  nWires: number;
  nPubOut: number;
  nPubIn: number;
  nPrvIn: number;
  /** A · B = C, each over the witness. */
  constraints: { a: LinearCombination; b: LinearCombination; c: LinearCombination }[];
}

/**
 * The sections of an iden3 binary file (.r1cs, .wtns, snarkjs's .zkey): type → where its bytes
 * are. `fail` makes the error for a file that is not one, or is cut short (BAD_INPUT by default).
 */
export function binSections(
  bytes: Uint8Array,
  magic: string,
  file: string,
  fail: (why: string) => Error = (why) => new ZkmlError("BAD_INPUT", why),
): Map<number, { start: number; size: number }> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const got = String.fromCharCode(...bytes.subarray(0, 4));
  if (got !== magic || bytes.length < 12) throw fail(`${file} is not a ${magic} file`);
  const n = view.getUint32(8, true);
  const out = new Map<number, { start: number; size: number }>();
  let pos = 12;
  for (let i = 0; i < n; i++) {
    if (pos + 12 > bytes.length) throw fail(`${file}: truncated`);
    const type = view.getUint32(pos, true);
    const size = Number(view.getBigUint64(pos + 4, true));
    if (pos + 12 + size > bytes.length) throw fail(`${file}: section ${type} runs past the end`);
    out.set(type, { start: pos + 12, size });
    pos += 12 + size;
  }
  return out;
}

/** A little-endian unsigned integer of n8 bytes at `at`, read 8 bytes at a time where it can. */
export function readLE(view: DataView, at: number, n8: number): bigint {
  let v = 0n;
  let b = n8;
  for (; b >= 8 && b % 8 === 0; b -= 8) v = (v << 64n) | view.getBigUint64(at + b - 8, true);
  for (; b > 0; b--) v = (v << 8n) | BigInt(view.getUint8(at + b - 1));
  return v;
}

/** An r1cs file's header, and where its constraints section lies (byte offsets into the file). */
export interface R1csHeader {
  n8: number;
  prime: bigint;
  nWires: number;
  nPubOut: number;
  nPubIn: number;
  nPrvIn: number;
  nConstraints: number;
  constraints: { start: number; size: number };
}

/** Reads an r1cs file's header; its constraints are left as bytes. */
export function readR1csHeader(bytes: Uint8Array, file = "circuit.r1cs"): R1csHeader {
  const s = binSections(bytes, "r1cs", file);
  const header = s.get(1);
  const body = s.get(2);
  if (!header || !body) throw new ZkmlError("BAD_INPUT", `${file}: no header or constraints section`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pos = header.start;
  const n8 = view.getUint32(pos, true);
  const prime = readLE(view, pos + 4, n8);
  const at = pos + 4 + n8;
  return {
    n8,
    prime,
    nWires: view.getUint32(at, true),
    nPubOut: view.getUint32(at + 4, true),
    nPubIn: view.getUint32(at + 8, true),
    nPrvIn: view.getUint32(at + 12, true),
    nConstraints: view.getUint32(at + 24, true),
    constraints: body,
  };
}

/** An .r1cs file's header, constraints and wire map, from its bytes (`file` names it in errors). */
export function parseR1cs(bytes: Uint8Array, file = "circuit.r1cs"): R1cs {
  const { n8, prime, nWires, nPubOut, nPubIn, nPrvIn, nConstraints, constraints: body } = readR1csHeader(bytes, file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = body.start;
  const lc = (): LinearCombination => {
    const terms = view.getUint32(pos, true);
    pos += 4;
    const m: LinearCombination = new Map();
    for (let t = 0; t < terms; t++) {
      m.set(view.getUint32(pos, true), readLE(view, pos + 4, n8));
      pos += 4 + n8;
    }
    return m;
  };
  const constraints: R1cs["constraints"] = [];
  for (let i = 0; i < nConstraints; i++) constraints.push({ a: lc(), b: lc(), c: lc() });
  return { prime, nWires, nPubOut, nPubIn, nPrvIn, constraints };
}

/** Where a .wtns file's values are: byte offset of value 0, bytes per value, and how many. */
export function wtnsLayout(bytes: Uint8Array, file = "witness.wtns"): { offset: number; n8: number; count: number } {
  const s = binSections(bytes, "wtns", file);
  const header = s.get(1);
  const body = s.get(2);
  if (!header || !body) throw new ZkmlError("BAD_INPUT", `${file}: no header or values section`);
  const n8 = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(header.start, true);
  return { offset: body.start, n8, count: body.size / n8 };
}

/** Witness value i of a .wtns file (0 is the constant 1). */
export function wtnsValue(bytes: Uint8Array, i: number): bigint {
  const { offset, n8 } = wtnsLayout(bytes);
  return readLE(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset + i * n8, n8);
}

/** The witness values of a .wtns file (index 0 is the constant 1). */
export function parseWtns(bytes: Uint8Array, file = "witness.wtns"): bigint[] {
  const { offset, n8, count } = wtnsLayout(bytes, file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: count }, (_, i) => readLE(view, offset + i * n8, n8));
}

/** A linear combination's value at the witness values, mod p. */
export function evalLinear(lc: LinearCombination, values: readonly bigint[], p: bigint): bigint {
  let sum = 0n;
  for (const [wire, k] of lc) sum += k * values[wire]!;
  return sum % p;
}

/** Whether witness values satisfy every A·B = C of the r1cs (and hold the constant 1 first), as snarkjs's `wtns check` asks. */
export function r1csSatisfied(r1cs: R1cs, values: readonly bigint[]): boolean {
  if (values.length !== r1cs.nWires || values[0] !== 1n) return false;
  const p = r1cs.prime;
  return r1cs.constraints.every(({ a, b, c }) => (evalLinear(a, values, p) * evalLinear(b, values, p) - evalLinear(c, values, p)) % p === 0n);
}
