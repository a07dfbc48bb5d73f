/** A build folder's entry in the model registry, and putting it there. */
import { keccak256, type Signer } from "ethers";
import { ZkmlError } from "../core/errors.js";
import { FILES } from "../core/compiled.js";
import { deployVerifier, type DevKeyPolicy } from "../verifier/chain.js";
import { registerModel, type ModelRegistration } from "../verifier/registry.js";
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
    devKeys: ready.setupInfo.ptau.devOnly,
    uri,
  };
}

export interface Registered {
  modelId: string;
  verifier: string;
  gas: { deployVerifier: bigint; register: bigint };
  warnings?: string[];
}

/**
 * Deploys a build folder's bare snarkjs verifier and registers the model with it (opening the
 * folder once). The deployed code is checked against the verifier built from the verification
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
  const artifact = await readVerifierArtifact(ready.dir, "snark");
  const d = await deployVerifier(signer, artifact, policy);
  if (artifact.deployedBytecode && signer.provider) {
    const code = await signer.provider.getCode(d.address);
    if (keccak256(code) !== keccak256(artifact.deployedBytecode)) {
      throw new ZkmlError("CHAIN", `the code at ${d.address} is not the verifier built from ${ready.dir}'s verification key`, "is the RPC endpoint honest? deploy again through another one");
    }
  }
  const r = await registerModel(signer, registryAddress, await registrationFor(ready, d.address, uri), policy);
  const warnings = [...(d.warnings ?? []), ...(r.warnings ?? [])];
  return { modelId: r.modelId, verifier: d.address, gas: { deployVerifier: d.gasUsed, register: r.gasUsed }, ...(warnings.length && { warnings }) };
}
