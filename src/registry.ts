/** A build folder's entry in the model registry, and putting it there. */
import { keccak256, type Signer } from "ethers";
import { keyFromCeremony } from "../core/ceremony.js";
import { ZkmlError } from "../core/errors.js";
import { FILES } from "../core/build_files.js";
import { deployVerifier, type DevKeyPolicy } from "../verifier/chain.js";
import { readModel, registerModel, type ModelRegistration } from "../verifier/registry.js";
import { readDeployment } from "./deployments.js";
import { openReady, type ReadyModel } from "./build.js";
import { readVerifierArtifact } from "./setup.js";

/** The registry entry of a build folder's model with its snarkjs verifier deployed at `verifier`. */
export async function registrationFor(model: string | ReadyModel, verifier: string, uri = ""): Promise<ModelRegistration> {
  const ready = typeof model === "string" ? await openReady(model) : model;
  return {
    modelHash: ready.info.modelId,
    circuitHash: "0x" + ready.compile.outputs[FILES.r1cs]!,
    vkeyHash: "0x" + ready.setup.outputs[FILES.vkey]!,
    system: ready.setupInfo.system,
    verifier,
    weightsCommitment: ready.info.modelCommitment ?? "0",
    // From the key itself, not only the manifest's word (a build folder may be hostile).
    devKeys: ready.setupInfo.ptau.devOnly || !keyFromCeremony(ready.verificationKey),
    uri,
  };
}

export interface Registered {
  modelId: string;
  verifier: string;
  gas: { deployVerifier: bigint; register: bigint };
  /** The build was registered there before (DIR/deployments.json names the entry, and the registry holds it): nothing was sent. */
  alreadyRegistered?: boolean;
  warnings?: string[];
}

/**
 * The entry `dir` already has in the registry, if deployments.json records one for this chain
 * and the registry holds it with this build's model, circuit, key and system. A registry id
 * names one verifier deployment, so registering again would make a second id for the same model.
 */
async function existingEntry(signer: Signer, registryAddress: string, ready: ReadyModel): Promise<Registered | undefined> {
  if (!signer.provider) return undefined;
  const record = await readDeployment(ready.dir, (await signer.provider.getNetwork()).chainId);
  if (!record?.modelId || record.registry?.toLowerCase() !== registryAddress.toLowerCase()) return undefined;
  const entry = await readModel(signer, registryAddress, record.modelId);
  if (!entry) return undefined;
  const want = await registrationFor(ready, entry.verifier);
  const same = (a: string, b: string) => BigInt(a) === BigInt(b);
  if (
    !same(entry.modelHash, want.modelHash) ||
    !same(entry.circuitHash, want.circuitHash) ||
    !same(entry.vkeyHash, want.vkeyHash) ||
    entry.system !== want.system
  )
    return undefined;
  return { modelId: record.modelId, verifier: entry.verifier, gas: { deployVerifier: 0n, register: 0n }, alreadyRegistered: true };
}

/**
 * Deploys a build folder's bare snarkjs verifier and registers the model with it (opening the
 * folder once); a build already registered there (see existingEntry) is returned as it is. The deployed code is checked against the verifier built from the verification
 * key before it is registered: the entry pins that code hash.
 */
export async function deployAndRegister(
  signer: Signer,
  registryAddress: string,
  model: string | ReadyModel,
  uri = "",
  policy: DevKeyPolicy = {},
): Promise<Registered> {
  const ready = typeof model === "string" ? await openReady(model) : model;
  const existing = await existingEntry(signer, registryAddress, ready);
  if (existing) return existing;
  const artifact = await readVerifierArtifact(ready.dir, "snark");
  const d = await deployVerifier(signer, artifact, policy);
  if (artifact.deployedBytecode && signer.provider) {
    const code = await signer.provider.getCode(d.address);
    if (keccak256(code) !== keccak256(artifact.deployedBytecode)) {
      throw new ZkmlError(
        "CHAIN",
        `the code at ${d.address} is not the verifier built from ${ready.dir}'s verification key`,
        "is the RPC endpoint honest? deploy again through another one",
      );
    }
  }
  const r = await registerModel(signer, registryAddress, await registrationFor(ready, d.address, uri), policy);
  const warnings = [...(d.warnings ?? []), ...(r.warnings ?? [])];
  return { modelId: r.modelId, verifier: d.address, gas: { deployVerifier: d.gasUsed, register: r.gasUsed }, ...(warnings.length && { warnings }) };
}
