/**
 * Deploying a model's verifier and submitting proofs to it over JSON-RPC with ethers v6: the
 * same code path for an in-process Hardhat chain, a local node and a testnet.
 */
import { Contract, ContractFactory, type ContractTransactionReceipt, type Signer, type InterfaceAbi, type TransactionReceipt } from "ethers";
import { ZkmlError } from "../core/errors.js";
import type { ProofFile } from "../core/proof_file.js";
import { encodeProof, proofWords, verifyProofArgs } from "./calldata.js";

export interface VerifierArtifact {
  contractName: string;
  abi: InterfaceAbi;
  bytecode: string;
  deployedBytecodeSize: number;
  /** Keys made on the development powers of tau (one party): forgeable, for local chains only. */
  devKeys?: boolean;
}

export interface Deployment {
  address: string;
  gasUsed: bigint;
  txHash: string;
  /** What the caller must show the user (development keys deployed with allowDevKeys). */
  warnings?: string[];
}

/** Chains where development keys may go without an opt-in: Hardhat's and Ganache/Geth dev's. */
export const LOCAL_CHAIN_IDS: readonly bigint[] = [31337n, 1337n];

export interface DevKeyPolicy {
  /** Deploy or register development keys on a chain that is not local anyway (a warning is returned). */
  allowDevKeys?: boolean;
}

/**
 * Development keys stay off public chains: refused on any chain but a local one unless the
 * caller opts in, and then a warning to show. Keys from one party's powers of tau can be
 * forged by that party, so a verifier with them proves nothing to anyone else.
 */
export function devKeysWarning(devKeys: boolean | undefined, chainId: bigint, what: string, policy: DevKeyPolicy = {}): string | undefined {
  if (!devKeys || LOCAL_CHAIN_IDS.includes(chainId)) return undefined;
  if (!policy.allowDevKeys) {
    throw new ZkmlError(
      "CHAIN",
      `${what} uses development keys (a one-party powers of tau: whoever made them can forge proofs) and chain ${chainId} is not a local development chain (31337, 1337)`,
      "make production keys first (docs/SEPOLIA.md: an official ptau, phase-2 contributions, a beacon, zkml setup --verify), or pass --allow-dev-keys (allowDevKeys: true) to deploy them anyway",
    );
  }
  return `warning: ${what} uses DEVELOPMENT keys on chain ${chainId}: whoever made them can forge proofs it accepts`;
}

/** EIP-170: the largest runtime bytecode Ethereum accepts. */
export const EIP170_LIMIT = 24576;

export async function deployVerifier(signer: Signer, artifact: VerifierArtifact, policy: DevKeyPolicy = {}): Promise<Deployment> {
  const chainId = signer.provider ? (await signer.provider.getNetwork()).chainId : 0n;
  const warning = devKeysWarning(artifact.devKeys, chainId, artifact.contractName, policy);
  if (artifact.deployedBytecodeSize > EIP170_LIMIT) {
    throw new ZkmlError(
      "CONTRACT_TOO_LARGE",
      `${artifact.contractName} is ${artifact.deployedBytecodeSize} bytes of runtime code, over EIP-170's ${EIP170_LIMIT}: no EIP-170 chain (mainnet, Sepolia, a default Hardhat node) will deploy it`,
      "fewer public signals (commit to values instead of exposing them), or Groth16, whose verifier is smallest",
    );
  }
  const factory = new ContractFactory(artifact.abi, artifact.bytecode, signer);
  const contract = await factory.deploy();
  const receipt = (await contract.deploymentTransaction()!.wait()) as TransactionReceipt;
  return { address: await contract.getAddress(), gasUsed: receipt.gasUsed, txHash: receipt.hash, ...(warning && { warnings: [warning] }) };
}

type ProofLike = Pick<ProofFile, "system" | "proof" | "publicSignals">;

/**
 * The arguments of verifyInference: the proof as bytes and the two signals that vary per
 * inference. A private-weights circuit's third signal, the weights commitment, is pinned by
 * the contract.
 */
export async function inferenceCalldata(p: ProofLike, nonce: bigint): Promise<[string, bigint[], bigint]> {
  return [await encodeProof(p), p.publicSignals.slice(0, 2).map(BigInt), nonce];
}

export interface OnchainVerification {
  valid: boolean;
  gasUsed: bigint;
  txHash: string;
  class?: number;
  commitment?: string;
  /** Decoded revert reason when the contract rejected the proof. */
  reason?: string;
}

/** Revert data wherever ethers or the node put it (ethers nests it differently per path). */
function revertData(e: unknown, depth = 0): string | undefined {
  if (!e || typeof e !== "object" || depth > 4) return undefined;
  const o = e as Record<string, unknown>;
  if (typeof o.data === "string" && /^0x[0-9a-f]{8}/i.test(o.data)) return o.data;
  for (const k of ["error", "info", "cause"]) {
    const d = revertData(o[k], depth + 1);
    if (d) return d;
  }
  return undefined;
}

/** Turn an ethers error into the contract's custom error name and arguments, if it has one. */
export function revertReason(contract: Contract, e: unknown): string | undefined {
  const err = e as { revert?: { name: string; args: unknown[] }; shortMessage?: string };
  if (err.revert) return `${err.revert.name}(${err.revert.args.map(String).join(", ")})`;
  const data = revertData(e);
  if (data) {
    try {
      const parsed = contract.interface.parseError(data);
      if (parsed) return `${parsed.name}(${parsed.args.map(String).join(", ")})`;
    } catch {
      /* not one of ours */
    }
  }
  return err.shortMessage;
}

export async function submitInference(signer: Signer, address: string, abi: InterfaceAbi, proof: ProofLike, nonce: bigint): Promise<OnchainVerification> {
  return sendVerification(new Contract(address, abi, signer), "verifier", await inferenceCalldata(proof, nonce));
}

/**
 * Sends verifyInference(...args) and reads the outcome: the InferenceVerified event, or the
 * decoded custom error. Only a failure to reach the chain throws.
 */
export async function sendVerification(contract: Contract, what: string, args: unknown[]): Promise<OnchainVerification> {
  const address = await contract.getAddress();
  let receipt: ContractTransactionReceipt | null;
  try {
    const tx = await contract.getFunction("verifyInference")(...args);
    receipt = await tx.wait();
  } catch (e) {
    const reason = revertReason(contract, e);
    if (reason === undefined || (e as { code?: string }).code === "NETWORK_ERROR") {
      throw new ZkmlError("CHAIN", `could not reach the ${what} at ${address}: ${(e as Error).message.split("\n")[0]}`);
    }
    return { valid: false, gasUsed: 0n, txHash: "", reason };
  }
  if (!receipt) throw new ZkmlError("CHAIN", `transaction to ${address} was dropped`);
  const event = receipt.logs.map((l) => { try { return contract.interface.parseLog(l); } catch { return null; } }).find((l) => l?.name === "InferenceVerified");
  return {
    valid: receipt.status === 1 && Boolean(event),
    gasUsed: receipt.gasUsed,
    txHash: receipt.hash,
    class: event ? Number(event.args.class) : undefined,
    commitment: event ? String(event.args.commitment) : undefined,
  };
}

/**
 * Gas of calling the bare snarkjs verifier (verifyProof) in a transaction, for comparison. A
 * view call first makes sure the proof verifies: the gas of a rejected proof measures nothing.
 */
export async function measureVerifierCallGas(signer: Signer, address: string, abi: InterfaceAbi, proof: ProofLike): Promise<bigint> {
  const contract = new Contract(address, abi, signer);
  const args = verifyProofArgs(proof.system, await proofWords(proof), proof.publicSignals);
  const data = contract.interface.encodeFunctionData("verifyProof", args);
  const [ok] = contract.interface.decodeFunctionResult("verifyProof", await signer.call({ to: address, data }));
  if (ok !== true) throw new Error(`verifyProof at ${address} rejected the proof whose gas was to be measured`);
  const tx = await signer.sendTransaction({ to: address, data });
  const receipt = await tx.wait();
  return receipt!.gasUsed;
}
