/** A build folder's entry in the model registry, and putting it there. */
import type { Signer } from "ethers";
import { FILES } from "../core/compiled.js";
import { deployVerifier } from "../verifier/chain.js";
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
    uri,
  };
}

export interface Registered {
  modelId: string;
  verifier: string;
  gas: { deployVerifier: bigint; register: bigint };
}

/** Deploys a build folder's bare snarkjs verifier and registers the model with it (opening the folder once). */
export async function deployAndRegister(signer: Signer, registryAddress: string, model: string | ReadyModel, uri = ""): Promise<Registered> {
  const ready = typeof model === "string" ? await openReady(model) : model;
  const d = await deployVerifier(signer, await readVerifierArtifact(ready.dir, "snark"));
  const r = await registerModel(signer, registryAddress, await registrationFor(ready, d.address, uri));
  return { modelId: r.modelId, verifier: d.address, gas: { deployVerifier: d.gasUsed, register: r.gasUsed } };
}
