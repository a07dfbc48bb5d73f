/**
 * Deploying a model's verifier and submitting proofs to it over JSON-RPC with ethers v6: the
 * same code path for an in-process Hardhat chain, a local node and a testnet.
 */
import {
  concat,
  Contract,
  ContractFactory,
  type ContractTransactionReceipt,
  type InterfaceAbi,
  type LogDescription,
  type Provider,
  type Signer,
  type TransactionReceipt,
} from "ethers";
import { bytecodeFromCeremony } from "../core/ceremony.js";
import { ZkmlError } from "../core/errors.js";
import type { ProofFile } from "../core/proof_file.js";
import { IZKML_VERIFIER_ABI } from "./abi.js";
import { encodeProof, proofWords, verifyProofArgs, type Hex } from "./calldata.js";

export interface VerifierArtifact {
  contractName: string;
  abi: InterfaceAbi;
  bytecode: string;
  deployedBytecodeSize: number;
  /** Development keys (drawn directly, or on the development ptau: one party): forgeable, for local chains only. */
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
      `${what} uses development keys (made by one party, or not on the official powers of tau: whoever made them may forge proofs) and chain ${chainId} is not a local development chain (31337, 1337)`,
      "make production keys first (docs/SEPOLIA.md: an official ptau, phase-2 contributions, a beacon, zkml setup --verify), or pass --allow-dev-keys (allowDevKeys: true) to deploy them anyway",
    );
  }
  return `warning: ${what} uses DEVELOPMENT keys on chain ${chainId} (one party's, or not on the official powers of tau): whoever made them may forge proofs it accepts`;
}

/** EIP-170: the largest runtime bytecode Ethereum accepts. */
export const EIP170_LIMIT = 24576;

/**
 * Whether a verifier artifact is to be treated as development keys: so it says, or its code does
 * not carry the official ceremony's key points (core/ceremony.ts). The JSON flag alone is not
 * trusted: a build folder may be hostile, and its bytecode is what goes on-chain.
 */
export function artifactDevKeys(artifact: Pick<VerifierArtifact, "devKeys" | "bytecode">): boolean {
  return artifact.devKeys === true || !bytecodeFromCeremony(artifact.bytecode);
}

/**
 * Deploys a build's verifier contract with `signer`. Development keys (artifactDevKeys) are
 * refused off local chains unless `policy.allowDevKeys` (then a warning is returned); code over
 * EIP-170 is refused.
 */
export async function deployVerifier(signer: Signer, artifact: VerifierArtifact, policy: DevKeyPolicy = {}): Promise<Deployment> {
  const chainId = signer.provider ? (await signer.provider.getNetwork()).chainId : 0n;
  const warning = devKeysWarning(artifactDevKeys(artifact), chainId, artifact.contractName, policy);
  const d = await deployContract(signer, artifact);
  return { ...d, ...(warning && { warnings: [warning] }) };
}

/** Deploys a contract that holds no keys (the registry), or a verifier past its key check; code over EIP-170 is refused. */
export async function deployContract(signer: Signer, artifact: Omit<VerifierArtifact, "devKeys">): Promise<Deployment> {
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
  return { address: await contract.getAddress(), gasUsed: receipt.gasUsed, txHash: receipt.hash };
}

type ProofLike = Pick<ProofFile, "system" | "proof" | "publicSignals">;

/** How far nextUnusedNonce looks before asking for an explicit nonce. */
const NONCE_SCAN = 1024;

/**
 * The first nonce the verifier (or registry: the same nonceUsed) at `address` has not seen used
 * by `sender`, or, with a beneficiary, by the pair (nonceUsedFor), and that `claim` takes (a
 * reservation, so that two provers running at once do not pick the same one). Nonces counted
 * up from 0 are found in as many calls as have been used.
 */
export async function nextUnusedNonce(
  provider: Provider,
  address: string,
  sender: string,
  beneficiary?: string,
  claim: (nonce: bigint) => Promise<boolean> = async () => true,
): Promise<bigint> {
  if ((await provider.getCode(address)) === "0x") {
    throw new ZkmlError("NO_VERIFIER", `no contract at ${address} on this chain`, "deployed on another chain? deploy the verifier first, or pass the nonce");
  }
  const c = new Contract(address, IZKML_VERIFIER_ABI, provider);
  const used = (n: bigint): Promise<boolean> =>
    beneficiary === undefined ? c.getFunction("nonceUsed")(sender, n) : c.getFunction("nonceUsedFor")(sender, beneficiary, n);
  for (let n = 0n; n < NONCE_SCAN; n++) if (!(await used(n)) && (await claim(n))) return n;
  throw new ZkmlError("USAGE", `nonces 0 to ${NONCE_SCAN - 1} of ${sender} are used at ${address}`, "pass the nonce (--nonce N)");
}

/**
 * The arguments of verifyInference: the proof as bytes and the two signals that vary per
 * inference. A private-weights circuit's third signal, the weights commitment, is pinned by
 * the contract.
 */
export async function inferenceCalldata(p: ProofLike, nonce: bigint): Promise<[Hex, bigint[], bigint]> {
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

/**
 * A custom error as `Name(arg, …)`; BatchItemRejected's `bytes reason` (the single path's error,
 * ABI-encoded) is decoded in place: `BatchItemRejected(2, WrongContext(…))`.
 */
function formatError(contract: Contract, name: string, args: readonly unknown[]): string {
  if (name === "BatchItemRejected" && typeof args[1] === "string") {
    const inner = parseErrorData(contract, args[1]);
    if (inner) return `${name}(${String(args[0])}, ${inner})`;
  }
  return `${name}(${args.map(String).join(", ")})`;
}

function parseErrorData(contract: Contract, data: string): string | undefined {
  try {
    const parsed = contract.interface.parseError(data);
    return parsed ? formatError(contract, parsed.name, parsed.args) : undefined;
  } catch {
    return undefined; // not one of ours
  }
}

/** Turn an ethers error into the contract's custom error name and arguments, if it has one. */
export function revertReason(contract: Contract, e: unknown): string | undefined {
  const err = e as { revert?: { name: string; args: unknown[] }; shortMessage?: string };
  if (err.revert) return formatError(contract, err.revert.name, err.revert.args);
  const data = revertData(e);
  return (data && parseErrorData(contract, data)) || err.shortMessage;
}

/** Sends verifyInference for `proof` with `nonce` and reads the outcome: the event's class and gas, or the decoded revert. */
export async function submitInference(signer: Signer, address: string, abi: InterfaceAbi, proof: ProofLike, nonce: bigint): Promise<OnchainVerification> {
  return sendVerification(new Contract(address, abi, signer), "verifier", await inferenceCalldata(proof, nonce));
}

/** One proof of a batch and the nonce its context was made with. */
export interface BatchEntry {
  proof: ProofLike;
  nonce: bigint;
}

/**
 * The arguments of verifyInferences: the proofs' words in a row, the [commitment, classContext]
 * pairs and the nonces. Every proof must be of one system.
 */
export async function inferenceBatchCalldata(entries: readonly BatchEntry[]): Promise<[Hex, bigint[][], bigint[]]> {
  if (entries.length === 0) throw new ZkmlError("USAGE", "a batch needs at least one proof");
  const system = entries[0]!.proof.system;
  if (entries.some((e) => e.proof.system !== system)) throw new ZkmlError("USAGE", "every proof of a batch must be of one proof system");
  const proofs = await Promise.all(entries.map((e) => encodeProof(e.proof)));
  return [concat(proofs) as Hex, entries.map((e) => e.proof.publicSignals.slice(0, 2).map(BigInt)), entries.map((e) => e.nonce)];
}

export interface OnchainBatchVerification {
  valid: boolean;
  gasUsed: bigint;
  txHash: string;
  /** Per item, in order: the class and commitment of its InferenceVerified event. */
  items: { class: number; commitment: string; nonce: bigint }[];
  /** Decoded revert reason when the contract rejected the batch (BatchItemRejected names the item). */
  reason?: string;
}

/** verifyInferences(proofs, pubSignals, nonces) on a model's verifier (zkml's wrapper). */
export async function submitInferenceBatch(
  signer: Signer,
  address: string,
  abi: InterfaceAbi,
  entries: readonly BatchEntry[],
): Promise<OnchainBatchVerification> {
  return sendBatchVerification(new Contract(address, abi, signer), "verifier", await inferenceBatchCalldata(entries));
}

type Sent = { receipt: ContractTransactionReceipt; events: LogDescription[] } | { reason: string };

/** Sends `fn(...args)`; a revert is decoded, and only a failure to reach the chain throws. */
async function send(contract: Contract, fn: string, what: string, args: unknown[]): Promise<Sent> {
  const address = await contract.getAddress();
  let receipt: ContractTransactionReceipt | null;
  try {
    const tx = await contract.getFunction(fn)(...args);
    receipt = await tx.wait();
  } catch (e) {
    const reason = revertReason(contract, e);
    if (reason === undefined || (e as { code?: string }).code === "NETWORK_ERROR") {
      throw new ZkmlError("CHAIN", `could not reach the ${what} at ${address}: ${(e as Error).message.split("\n")[0]}`);
    }
    return { reason };
  }
  if (!receipt) throw new ZkmlError("CHAIN", `transaction to ${address} was dropped`);
  const events = receipt.logs
    .map((l) => {
      try {
        return contract.interface.parseLog(l);
      } catch {
        return null;
      }
    })
    .filter((l): l is LogDescription => l?.name === "InferenceVerified");
  return { receipt, events };
}

/**
 * Sends verifyInference(...args) and reads the outcome: the InferenceVerified event, or the
 * decoded custom error. Only a failure to reach the chain throws.
 */
export async function sendVerification(contract: Contract, what: string, args: unknown[]): Promise<OnchainVerification> {
  const sent = await send(contract, "verifyInference", what, args);
  if ("reason" in sent) return { valid: false, gasUsed: 0n, txHash: "", reason: sent.reason };
  const event = sent.events[0];
  return {
    valid: sent.receipt.status === 1 && Boolean(event),
    gasUsed: sent.receipt.gasUsed,
    txHash: sent.receipt.hash,
    class: event ? Number(event.args.class) : undefined,
    commitment: event ? String(event.args.commitment) : undefined,
  };
}

/** Sends verifyInferences(...args) and reads one InferenceVerified event per item. */
export async function sendBatchVerification(contract: Contract, what: string, args: unknown[]): Promise<OnchainBatchVerification> {
  const sent = await send(contract, "verifyInferences", what, args);
  if ("reason" in sent) return { valid: false, gasUsed: 0n, txHash: "", items: [], reason: sent.reason };
  const items = sent.events.map((e) => ({ class: Number(e.args.class), commitment: String(e.args.commitment), nonce: BigInt(e.args.nonce) }));
  const expected = (args[args.length - 1] as unknown[]).length;
  return { valid: sent.receipt.status === 1 && items.length === expected, gasUsed: sent.receipt.gasUsed, txHash: sent.receipt.hash, items };
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
