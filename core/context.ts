/**
 * The proof context: what binds a proof to one chain, one verifier contract, one sender and one
 * nonce. ZkmlInferenceVerifier.sol computes the same value; the circuit carries it inside the
 * public classContext signal (ctx * 256 + class).
 */
import { AbiCoder, keccak256 } from "ethers";
import { ZkmlError } from "./errors.js";

export const CONTEXT_BITS = 244;

export interface ContextParams {
  chainId: bigint;
  contract: string;
  sender: string;
  nonce: bigint;
}

/** uint256(keccak256(abi.encode(chainid, contract, sender, nonce))) >> 12: 244 bits, < r. */
export function computeContext(p: ContextParams): bigint {
  const encoded = AbiCoder.defaultAbiCoder().encode(
    ["uint256", "address", "address", "uint256"],
    [p.chainId, p.contract, p.sender, p.nonce],
  );
  return BigInt(keccak256(encoded)) >> 12n;
}

export function parseContext(hex: string): bigint {
  let v: bigint;
  try {
    v = BigInt(hex.startsWith("0x") || hex.startsWith("0X") ? hex : `0x${hex}`);
  } catch {
    throw new ZkmlError("USAGE", `--context ${hex} is not a hex number`);
  }
  if (v < 0n || v >= 1n << BigInt(CONTEXT_BITS)) {
    throw new ZkmlError("USAGE", `--context must be below 2^${CONTEXT_BITS}`, "use the value the verifier contract's contextOf(sender, nonce) returns");
  }
  return v;
}

export function splitClassContext(classContext: bigint): { context: bigint; cls: number } {
  return { context: classContext >> 8n, cls: Number(classContext & 0xffn) };
}
