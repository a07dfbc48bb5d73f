/**
 * What public signal 0 says about an inference's input and output: the statement. Each side is
 * `private` (hidden: a blinded Poseidon commitment) or `hashed` (a contract that holds the
 * values recomputes the signal from them). With both private it is today's blinded commitment
 * (core/commitment.ts). With either hashed it is a data statement:
 *
 *   sha256(tag ‖ inputPart ‖ outputPart) >> 3
 *
 * where tag is the layout tag with the two visibilities in bits 244 and up (32 bytes, big-endian),
 * a hashed part is its values, each as ceil(bits/8) big-endian bytes of v + 2^(bits-1), and a
 * private part is chainHash([blinding, packed values]) as 32 bytes. SHA-256 because the EVM has it
 * as a precompile (a few hundred gas for 128 values, against ~23,000 gas per 31 values for
 * circomlibjs's Poseidon contract) while circomlib's circuit costs ~30k constraints per 64 bytes:
 * docs/BENCHMARKS.md has both sides measured. The top 253 bits are below the field order, so
 * the signal needs no reduction. The generated circuit (circuits/lib/statement.circom) and
 * contracts/ZkmlData.sol compute the same value.
 */
import { sha256 } from "ethers/crypto";
import { chainHash, commitInference } from "./commitment.js";
import { FIELD_R, packSigned } from "./field.js";
import { layoutTag, type CommitmentLayout } from "./layout.js";

/** How one side (input or output) of an inference appears in the public statement. */
export const VISIBILITIES = ["private", "hashed"] as const;
export type Visibility = (typeof VISIBILITIES)[number];

/** The commitment layout plus each side's visibility (absent: private). */
export interface StatementLayout extends CommitmentLayout {
  inputVisibility?: Visibility;
  outputVisibility?: Visibility;
}

/** Bits of the digest kept: 253, so the statement is below the field order as it is. */
export const STATEMENT_BITS = 253;

const VISIBILITY_CODE: Record<Visibility, bigint> = { private: 0n, hashed: 1n };

/** Each side's visibility, as a layout carries it: what the helpers below read. */
export type Visibilities = Pick<StatementLayout, "inputVisibility" | "outputVisibility">;

/**
 * A model's visibilities in the layout's form (a private side left out, as circuitLayout and the
 * model id have it): the one place a QModel's `input.visibility` and `output.visibility` are read.
 */
export function modelVisibilities(model: { input: { visibility?: Visibility }; output: { visibility?: Visibility } }): Visibilities {
  return {
    ...(model.input.visibility && model.input.visibility !== "private" && { inputVisibility: model.input.visibility }),
    ...(model.output.visibility && model.output.visibility !== "private" && { outputVisibility: model.output.visibility }),
  };
}

/** The input's visibility (private when the layout names none). */
export function inputVisibility(layout: Visibilities): Visibility {
  return layout.inputVisibility ?? "private";
}

/** The output's visibility (private when the layout names none). */
export function outputVisibility(layout: Visibilities): Visibility {
  return layout.outputVisibility ?? "private";
}

/** True when public signal 0 is a data statement a contract recomputes (either side hashed). */
export function isDataStatement(layout: Visibilities): boolean {
  return inputVisibility(layout) !== "private" || outputVisibility(layout) !== "private";
}

/** True when the circuit has a blinding input: some side is hidden. */
export function needsBlinding(layout: Visibilities): boolean {
  return inputVisibility(layout) === "private" || outputVisibility(layout) === "private";
}

/**
 * The statement's tag: the layout tag (below 2^241) with the input's visibility code at bit 244
 * and the output's at bit 246, so the same values under other visibilities give another
 * statement. Below 2^248.
 */
export function statementTag(layout: StatementLayout): bigint {
  return layoutTag(layout) + (VISIBILITY_CODE[inputVisibility(layout)] << 244n) + (VISIBILITY_CODE[outputVisibility(layout)] << 246n);
}

/** Bytes per value of a hashed side: the smallest whole number of bytes that holds `bits` bits. */
export function valueBytes(bits: number): number {
  return Math.ceil(bits / 8);
}

/** A hashed side's bytes: each value as valueBytes(bits) big-endian bytes of v + 2^(bits-1). */
export function encodeValues(values: readonly bigint[], bits: number): Uint8Array {
  const n = valueBytes(bits);
  const offset = 1n << BigInt(bits - 1);
  const out = new Uint8Array(values.length * n);
  values.forEach((v, i) => {
    let u = v + offset;
    if (u < 0n || u >= 1n << BigInt(bits)) throw new RangeError(`value ${v} does not fit in ${bits} signed bits`);
    for (let b = n - 1; b >= 0; b--) {
      out[i * n + b] = Number(u & 0xffn);
      u >>= 8n;
    }
  });
  return out;
}

function word(v: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let b = 31; b >= 0; b--) {
    out[b] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** A private side's commitment: chainHash([blinding, packed values]), hiding thanks to the blinding. */
export function sideCommitment(values: readonly bigint[], bits: number, blinding: bigint): Promise<bigint> {
  if (blinding < 0n || blinding >= FIELD_R) throw new RangeError("the blinding factor is not a field element");
  return chainHash([blinding, ...packSigned(values, bits)]);
}

/** sha256(tag ‖ inputPart ‖ outputPart) >> 3: the statement from its parts' bytes. */
export function dataStatement(tag: bigint, inputPart: Uint8Array, outputPart: Uint8Array): bigint {
  const bytes = new Uint8Array(32 + inputPart.length + outputPart.length);
  bytes.set(word(tag), 0);
  bytes.set(inputPart, 32);
  bytes.set(outputPart, 32 + inputPart.length);
  return BigInt(sha256(bytes)) >> BigInt(256 - STATEMENT_BITS);
}

/** Public signal 0 and, for a hidden side of a data statement, that side's commitment (what a contract is handed for it). */
export interface Statement {
  value: bigint;
  inputCommitment?: bigint;
  outputCommitment?: bigint;
}

/**
 * Public signal 0 for these int values, as the circuit computes it: the blinded commitment when
 * both sides are private, else the data statement. Values whose count differs from the layout's
 * are refused: they match no statement.
 */
export async function computeStatement(input: readonly bigint[], output: readonly bigint[], layout: StatementLayout, blinding: bigint): Promise<Statement> {
  if (!isDataStatement(layout)) return { value: await commitInference(input, output, layout, blinding) };
  if (input.length !== layout.inputSize || output.length !== layout.outputSize) {
    throw new RangeError(`${input.length} input and ${output.length} output values; the circuit has ${layout.inputSize} and ${layout.outputSize}`);
  }
  const side = async (values: readonly bigint[], bits: number, visibility: Visibility) => {
    switch (visibility) {
      case "hashed":
        return { bytes: encodeValues(values, bits) };
      case "private": {
        const commitment = await sideCommitment(values, bits, blinding);
        return { bytes: word(commitment), commitment };
      }
      default:
        return visibility satisfies never;
    }
  };
  const i = await side(input, layout.inputBits, inputVisibility(layout));
  const o = await side(output, layout.outputBits, outputVisibility(layout));
  return {
    value: dataStatement(statementTag(layout), i.bytes, o.bytes),
    ...(i.commitment !== undefined && { inputCommitment: i.commitment }),
    ...(o.commitment !== undefined && { outputCommitment: o.commitment }),
  };
}

/** A visibility named on the command line or in an SDK option, checked. */
export function parseVisibility(text: string, what: string): Visibility {
  if ((VISIBILITIES as readonly string[]).includes(text)) return text as Visibility;
  throw new RangeError(`${what}: "${text.slice(0, 40)}" is not one of ${VISIBILITIES.join(", ")}`);
}
