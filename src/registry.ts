/** A build folder's entry in the model registry, and putting it there. */
import type { Signer } from "ethers";
import { FILES } from "../core/compiled.js";
import { deployVerifier } from "../verifier/chain.js";
import { registerModel, type ModelRegistration } from "../verifier/registry.js";
import { openReady } from "./build.js";
import { readVerifierArtifact } from "./setup.js";

/** The registry entry of DIR's model with the snarkjs verifier deployed at `verifier`. */
export async function registrationFor(dir: string, verifier: string, uri = ""): Promise<ModelRegistration> {
  const ready = await openReady(dir);
  return {
    modelHash: ready.info.modelId,
    circuitHash: "0x" + ready.compile.outputs[FILES.r1cs]!,
    vkeyHash: "0x" + ready.setup.outputs[FILES.vkey]!,
    system: ready.setupInfo.system,
    verifier,
    weightsCommitment: ready.info.modelCommitment ?? "0",
    uri,
  };
}

export interface Registered {
  modelId: string;
  verifier: string;
  gas: { deployVerifier: bigint; register: bigint };
}

/** Deploys DIR's bare snarkjs verifier and registers the model with it. */
export async function deployAndRegister(signer: Signer, registryAddress: string, dir: string, uri = ""): Promise<Registered> {
  const artifact = await readVerifierArtifact(dir, "snark");
  const d = await deployVerifier(signer, artifact);
  const r = await registerModel(signer, registryAddress, await registrationFor(dir, d.address, uri));
  return { modelId: r.modelId, verifier: d.address, gas: { deployVerifier: d.gasUsed, register: r.gasUsed } };
}
