/**
 * zkml/viem: submitting zkml proofs with viem instead of ethers. The arguments are typed as viem
 * types them (`Hex`, `Address`, bigint tuples), calls go through IZkmlVerifier's `as const`
 * ABI (so viem checks them at compile time), and a rejection comes back as the contract's
 * custom error, decoded (`NonceAlreadyUsed(…)`, `WrongContext(…)`), not as a thrown error.
 *
 *   import { submitInference } from "zkml/viem";
 *   const r = await submitInference({ walletClient, publicClient, address: verifier, proof });
 */
import {
  type Account,
  type Address,
  BaseError,
  type Chain,
  ContractFunctionRevertedError,
  decodeEventLog,
  encodeFunctionData,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { ZkmlError } from "../core/errors.js";
import type { ProofFile } from "../core/proof_file.js";
import { IZKML_VERIFIER_ABI } from "../verifier/abi.js";
import { inferenceCalldata } from "../verifier/chain.js";

export { IZKML_VERIFIER_ABI, IZKML_REGISTRY_ABI } from "../verifier/abi.js";

type ProofLike = Pick<ProofFile, "system" | "proof" | "publicSignals" | "context">;

/** verifyInference's arguments, as viem types them. */
export interface InferenceArgs {
  proof: Hex;
  pubSignals: readonly [bigint, bigint];
  nonce: bigint;
}

/** The nonce a proof's context was made with, or the one given; a context of bare value needs it given. */
function nonceOf(proof: ProofLike, nonce?: bigint): bigint {
  if (nonce !== undefined) return nonce;
  if (proof.context.nonce === undefined) throw new ZkmlError("USAGE", "the proof file names no nonce (made with a bare context value): pass it");
  return BigInt(proof.context.nonce);
}

/** The arguments of verifyInference(proof, pubSignals, nonce) for a proof file. */
export async function inferenceArgs(proof: ProofLike, nonce?: bigint): Promise<InferenceArgs> {
  const [bytes, signals, n] = await inferenceCalldata(proof, nonceOf(proof, nonce));
  return { proof: bytes, pubSignals: [signals[0]!, signals[1]!], nonce: n };
}

/** The calldata of verifyInference, or of verifyInferenceFor when the proof names a beneficiary (a dApp contract passes it on). */
export async function inferenceCalldataHex(proof: ProofLike, nonce?: bigint): Promise<Hex> {
  const a = await inferenceArgs(proof, nonce);
  const beneficiary = proof.context.beneficiary as Address | undefined;
  return beneficiary
    ? encodeFunctionData({ abi: IZKML_VERIFIER_ABI, functionName: "verifyInferenceFor", args: [beneficiary, a.proof, a.pubSignals, a.nonce] })
    : encodeFunctionData({ abi: IZKML_VERIFIER_ABI, functionName: "verifyInference", args: [a.proof, a.pubSignals, a.nonce] });
}

export interface ViemVerification {
  valid: boolean;
  /** The class the contract recorded (InferenceVerified), when valid. */
  class?: number;
  gasUsed?: bigint;
  txHash?: Hex;
  /** The contract's custom error when it refused, decoded: `NonceAlreadyUsed(0x…, 0)`. */
  reason?: string;
}

/** A viem error's revert as `Name(arg, …)`, when the contract reverted with a custom error it declares. */
function revertOf(e: unknown): string | undefined {
  if (!(e instanceof BaseError)) return undefined;
  const reverted = e.walk((x) => x instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null;
  if (!reverted) return undefined;
  if (reverted.data) return `${reverted.data.errorName}(${(reverted.data.args ?? []).map(String).join(", ")})`;
  return reverted.reason ?? reverted.shortMessage;
}

/**
 * Submits a proof to a model's verifier (zkml's wrapper) with a viem wallet: simulated first,
 * so a refusal costs no gas and comes back decoded; then sent, and its InferenceVerified event
 * read from the receipt.
 */
export async function submitInference(o: {
  walletClient: WalletClient<Transport, Chain | undefined, Account>;
  publicClient: PublicClient;
  address: Address;
  proof: ProofLike;
  nonce?: bigint;
}): Promise<ViemVerification> {
  const a = await inferenceArgs(o.proof, o.nonce);
  let request: Parameters<typeof o.walletClient.writeContract>[0];
  try {
    ({ request } = await o.publicClient.simulateContract({
      address: o.address,
      abi: IZKML_VERIFIER_ABI,
      functionName: "verifyInference",
      args: [a.proof, a.pubSignals, a.nonce],
      account: o.walletClient.account,
    }));
  } catch (e) {
    const reason = revertOf(e);
    if (reason === undefined) throw e;
    return { valid: false, reason };
  }
  const txHash = await o.walletClient.writeContract(request);
  const receipt = await o.publicClient.waitForTransactionReceipt({ hash: txHash });
  if (receipt.status !== "success") return { valid: false, txHash, gasUsed: receipt.gasUsed, reason: "reverted" };
  for (const log of receipt.logs) {
    try {
      const ev = decodeEventLog({ abi: IZKML_VERIFIER_ABI, data: log.data, topics: log.topics });
      if (ev.eventName === "InferenceVerified") return { valid: true, class: Number(ev.args.class), gasUsed: receipt.gasUsed, txHash };
    } catch {
      // Another contract's log, or another event.
    }
  }
  return { valid: true, gasUsed: receipt.gasUsed, txHash };
}
