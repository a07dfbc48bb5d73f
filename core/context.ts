/**
 * The proof context: what binds a proof to one chain, one verifier contract, one sender and one
 * nonce, and on the consumer-contract path to the user the sender (a dApp contract) acts for.
 * ZkmlInferenceVerifier.sol computes the same value (contextOf, contextFor); the circuit carries
 * it inside the public classContext signal (ctx * 256 + class).
 */
import { AbiCoder } from "ethers/abi";
import { keccak256 } from "ethers/crypto";
import { ZkmlError } from "./errors.js";

/** Bits of a proof context: keccak256 >> 12, so context * 256 + class stays below the field. */
export const CONTEXT_BITS = 244;

export interface ContextParams {
  chainId: bigint;
  contract: string;
  sender: string;
  nonce: bigint;
  /**
   * The user a dApp contract (`sender`) submits the proof for, through verifyInferenceFor:
   * only that contract can submit it, and only for this user.
   */
  beneficiary?: string;
  /**
   * The snapshot the proof's data is from (a block number, or an id the sender keeps), for
   * verifyInferenceAt: needs a beneficiary (a user submitting for themself names themself).
   */
  snapshot?: bigint;
}

/**
 * uint256(keccak256(abi.encode(chainid, contract, sender, nonce))) >> 12: 244 bits, < r, as
 * contextOf(sender, nonce); with a beneficiary, keccak256(chainid, contract, sender,
 * beneficiary, nonce) >> 12, as contextFor(sender, beneficiary, nonce); with a snapshot too,
 * keccak256(chainid, contract, sender, beneficiary, nonce, snapshot) >> 12, as contextAt.
 */
export function computeContext(p: ContextParams): bigint {
  const coder = AbiCoder.defaultAbiCoder();
  if (p.snapshot !== undefined && p.beneficiary === undefined) {
    throw new ZkmlError(
      "USAGE",
      "a snapshot context needs a beneficiary",
      "verifyInferenceAt takes one: the user the proof is for (the sender itself when it submits directly)",
    );
  }
  const encoded =
    p.beneficiary === undefined
      ? coder.encode(["uint256", "address", "address", "uint256"], [p.chainId, p.contract, p.sender, p.nonce])
      : p.snapshot === undefined
        ? coder.encode(["uint256", "address", "address", "address", "uint256"], [p.chainId, p.contract, p.sender, p.beneficiary, p.nonce])
        : coder.encode(
            ["uint256", "address", "address", "address", "uint256", "uint256"],
            [p.chainId, p.contract, p.sender, p.beneficiary, p.nonce, p.snapshot],
          );
  return BigInt(keccak256(encoded)) >> 12n;
}

/** A context given as hex (`--context`), checked to be below 2^244 so it fits the classContext signal. */
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

/** The public classContext signal (context * 256 + class) split into its two parts. */
export function splitClassContext(classContext: bigint): { context: bigint; cls: number } {
  return { context: classContext >> 8n, cls: Number(classContext & 0xffn) };
}

/**
 * Why a proof's context is not the one a contract expects, in words: which of chain, contract,
 * sender, beneficiary and nonce differ between what the proof was made for (its file's context
 * parts) and the submission. Undefined when the file names no parts or none differ.
 */
export function explainContextMismatch(
  made: { chainId?: string; contract?: string; sender?: string; beneficiary?: string; nonce?: string; snapshot?: string },
  actual: ContextParams,
): string | undefined {
  if ([made.chainId, made.contract, made.sender, made.nonce].every((x) => x === undefined)) return undefined;
  const same = (a: string | undefined, b: string | bigint | undefined) => a !== undefined && b !== undefined && a.toLowerCase() === b.toString().toLowerCase();
  const diffs: string[] = [];
  if (!same(made.chainId, actual.chainId)) diffs.push(`chain: proof made for ${made.chainId ?? "?"}, submitted on ${actual.chainId}`);
  if (!same(made.contract, actual.contract)) diffs.push(`contract: proof made for ${made.contract ?? "?"}, submitted to ${actual.contract}`);
  if (!same(made.sender, actual.sender)) diffs.push(`sender: proof made for ${made.sender ?? "?"}, sent by ${actual.sender}`);
  if ((made.beneficiary ?? actual.beneficiary) !== undefined && !same(made.beneficiary, actual.beneficiary)) {
    diffs.push(`beneficiary: proof made for ${made.beneficiary ?? "none (verifyInference)"}, submitted for ${actual.beneficiary ?? "none (verifyInference)"}`);
  }
  if (!same(made.nonce, actual.nonce)) diffs.push(`nonce: proof made with ${made.nonce ?? "?"}, submitted with ${actual.nonce}`);
  if ((made.snapshot ?? actual.snapshot) !== undefined && !same(made.snapshot, actual.snapshot)) {
    diffs.push(`snapshot: proof made over ${made.snapshot ?? "none"}, submitted at ${actual.snapshot ?? "none"}`);
  }
  return diffs.length ? diffs.join("; ") : undefined;
}
