/** The commitment's layout element: pure (ethers' ABI coder and keccak only), so browsers and contracts' helpers share it. */
import { AbiCoder } from "ethers/abi";
import { keccak256 } from "ethers/crypto";

export interface CommitmentLayout {
  inputSize: number;
  inputBits: number;
  outputSize: number;
  outputBits: number;
  /** With several graph outputs: the size of each, in order. */
  outputParts?: readonly number[];
}

/**
 * The commitment's structure element: the input and output lengths and bit widths, hashed with
 * the values so that moving a value from the input to the output, or appending one that packs
 * to 0 (a trailing -128), gives another commitment. The circuit hashes the same constant.
 */
export function layoutTag(layout: CommitmentLayout): bigint {
  const tag = BigInt(layout.inputSize) + (BigInt(layout.outputSize) << 32n) + (BigInt(layout.inputBits) << 64n) + (BigInt(layout.outputBits) << 72n);
  if (!layout.outputParts) return tag;
  // Several outputs: where one ends and the next begins is part of the structure too (moving a
  // value from one output to the next must change the commitment). 160 bits of a keccak of
  // the sizes above the 80 bits of the single-output tag: below r, and never equal to one.
  const parts = BigInt(keccak256(AbiCoder.defaultAbiCoder().encode(["string", "uint256[]"], ["zkml.outputs.v1", layout.outputParts]))) >> 96n;
  return tag + (parts << 80n) + (1n << 240n);
}
