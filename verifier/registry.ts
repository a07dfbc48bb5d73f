/**
 * The model registry (contracts/ZkmlRegistry.sol) from TypeScript: deploy it, register a
 * model's snarkjs verifier with the hashes that identify the model, submit proofs through it and
 * read what it recorded. Compiled offline with the npm solc, once per process.
 */
import { Contract, type ContractTransactionReceipt, type Provider, type Signer } from "ethers";
import { bytecodeFromCeremony } from "../core/ceremony.js";
import { ZkmlError } from "../core/errors.js";
import type { ProofFile } from "../core/proof_file.js";
import type { ProofSystem } from "../core/proof_system.js";
import { backend, PROOF_BACKENDS } from "../core/systems/index.js";
import {
  type BatchEntry,
  deployContract,
  devKeysWarning,
  inferenceBatchCalldata,
  inferenceCalldata,
  type DevKeyPolicy,
  type OnchainBatchVerification,
  revertReason,
  sendBatchVerification,
  sendVerification,
  type Deployment,
  type OnchainVerification,
} from "./chain.js";
import { compileProjectContract, type CompiledContract } from "./solidity.js";

let registryArtifact: Promise<CompiledContract> | undefined;

/** The ZkmlRegistry contract compiled with the npm solc. */
export function compileRegistry(): Promise<CompiledContract> {
  registryArtifact ??= compileProjectContract("ZkmlRegistry.sol", "ZkmlRegistry");
  return registryArtifact;
}

/** Deploys a ZkmlRegistry (one per chain serves every model). */
export async function deployRegistry(signer: Signer): Promise<Deployment> {
  return deployContract(signer, await compileRegistry());
}

/** What register() takes: ModelInput in contracts/IZkmlRegistry.sol. */
export interface ModelRegistration {
  modelHash: string;
  circuitHash: string;
  vkeyHash: string;
  system: ProofSystem;
  verifier: string;
  /** Private-weights models: the weights commitment (decimal); "0" otherwise. */
  weightsCommitment: string;
  /** The keys come from a development powers of tau (recorded in the entry). */
  devKeys: boolean;
  uri: string;
}

export interface RegisteredModel extends ModelRegistration {
  modelId: string;
  /** extcodehash of the verifier when it was registered; the registry refuses any other code. */
  verifierCodeHash: string;
  owner: string;
  registeredAt: number;
}

/** The system whose IZkmlRegistry.ProofSystem value (each backend's solidityEnum, the contract's order) this is. */
function proofSystemOf(value: number): ProofSystem {
  const system = (Object.keys(PROOF_BACKENDS) as ProofSystem[]).find((s) => PROOF_BACKENDS[s].solidityEnum === value);
  if (!system)
    throw new ZkmlError(
      "CHAIN",
      `the registry returned proof system ${value}, which zkml does not know`,
      "is the address a zkml registry? is zkml older than it?",
    );
  return system;
}

const bytes32 = (hex: string) => "0x" + hex.replace(/^0x/, "").padStart(64, "0");

function asTuple(m: ModelRegistration) {
  return [
    bytes32(m.modelHash),
    bytes32(m.circuitHash),
    bytes32(m.vkeyHash),
    backend(m.system).solidityEnum,
    m.verifier,
    BigInt(m.weightsCommitment),
    m.devKeys,
    m.uri,
  ];
}

async function registry(address: string, runner: Signer | Provider): Promise<Contract> {
  return new Contract(address, (await compileRegistry()).abi, runner);
}

/**
 * Registers a model (reverting if that exact entry exists); returns its id and the gas used.
 * `devKeys` is recorded true whatever the caller says when the deployed verifier's code does
 * not carry the official ceremony's key points (core/ceremony.ts): the registry contract
 * records what it is told, so the check is made here, from the chain.
 */
export async function registerModel(
  signer: Signer,
  registryAddress: string,
  given: ModelRegistration,
  policy: DevKeyPolicy = {},
): Promise<{ modelId: string; gasUsed: bigint; txHash: string; warnings?: string[] }> {
  const chainId = signer.provider ? (await signer.provider.getNetwork()).chainId : 0n;
  const code = signer.provider ? await signer.provider.getCode(given.verifier) : "0x";
  const m = { ...given, devKeys: given.devKeys || !bytecodeFromCeremony(code) };
  const warning = devKeysWarning(m.devKeys, chainId, `model ${m.modelHash}`, policy);
  const r = await registry(registryAddress, signer);
  const modelId: string = await r.getFunction("modelIdOf")(asTuple(m));
  try {
    const tx = await r.getFunction("register")(asTuple(m));
    const receipt = (await tx.wait()) as ContractTransactionReceipt;
    return { modelId, gasUsed: receipt.gasUsed, txHash: receipt.hash, ...(warning && { warnings: [warning] }) };
  } catch (e) {
    const reason = revertReason(r, e);
    throw new ZkmlError("CHAIN", `registering ${m.modelHash} at ${registryAddress} failed: ${reason ?? (e as Error).message.split("\n")[0]}`);
  }
}

/** The registry entry `modelId`, or undefined when there is none. */
export async function readModel(runner: Signer | Provider, registryAddress: string, modelId: string): Promise<RegisteredModel | undefined> {
  const r = await registry(registryAddress, runner);
  try {
    const m = await r.getFunction("getModel")(modelId);
    return {
      modelId,
      modelHash: m.modelHash,
      circuitHash: m.circuitHash,
      vkeyHash: m.vkeyHash,
      system: proofSystemOf(Number(m.system)),
      verifier: m.verifier,
      weightsCommitment: String(m.weightsCommitment),
      devKeys: m.devKeys,
      verifierCodeHash: m.verifierCodeHash,
      uri: m.uri,
      owner: m.owner,
      registeredAt: Number(m.registeredAt),
    };
  } catch (e) {
    if (revertReason(r, e)?.startsWith("UnknownModel")) return undefined;
    throw e;
  }
}

/** verifyInference(modelId, proof, [commitment, classContext], nonce) on the registry. */
export async function submitToRegistry(
  signer: Signer,
  registryAddress: string,
  modelId: string,
  proof: Pick<ProofFile, "system" | "proof" | "publicSignals">,
  nonce: bigint,
): Promise<OnchainVerification> {
  const r = await registry(registryAddress, signer);
  return sendVerification(r, "registry", [modelId, ...(await inferenceCalldata(proof, nonce))]);
}

/** verifyInferences(modelId, proofs, pubSignals, nonces) on the registry: k proofs in one transaction. */
export async function submitBatchToRegistry(
  signer: Signer,
  registryAddress: string,
  modelId: string,
  entries: readonly BatchEntry[],
): Promise<OnchainBatchVerification> {
  const r = await registry(registryAddress, signer);
  return sendBatchVerification(r, "registry", [modelId, ...(await inferenceBatchCalldata(entries))]);
}

/** What the registry recorded for (sender, nonce): whether a proof was verified, for which model, and its class. */
export async function readResult(
  runner: Signer | Provider,
  registryAddress: string,
  sender: string,
  nonce: bigint,
): Promise<{ verified: boolean; modelId: string; class: number }> {
  const r = await registry(registryAddress, runner);
  const [verified, modelId, cls] = await r.getFunction("resultOf")(sender, nonce);
  return { verified, modelId, class: Number(cls) };
}
