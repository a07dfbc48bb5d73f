import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { pluginAction } from "./errors.js";
import { taskProof } from "./proof_file.js";
import { networkSigner } from "./signer.js";

/** `hardhat zkml verify-onchain`: submits a proof file to the model's recorded verifier on the network (a plugin error when rejected). */
async function verifyOnchain(args: { model: string; proof: string }, hre: HardhatRuntimeEnvironment): Promise<void> {
  const { readVerifierArtifact, submitInference } = await import("../../src/index.js");
  const { dir, file, proof } = await taskProof(hre, args.model, args.proof);
  if (proof.context.nonce === undefined || proof.context.contract === undefined)
    throw new Error(`zkml verify-onchain: ${file} has no context parts (prove it with \`npx hardhat zkml prove --network …\`)`);
  const { signer, close } = await networkSigner(hre);
  try {
    const chainId = (await signer.provider!.getNetwork()).chainId;
    const verifier = await hre.zkml.verifierAddress(args.model || undefined, chainId);
    if (verifier.toLowerCase() !== proof.context.contract.toLowerCase())
      throw new Error(`zkml verify-onchain: ${file} was made for ${proof.context.contract}; the model's verifier on this network is ${verifier}`);
    const r = await submitInference(signer, verifier, (await readVerifierArtifact(dir)).abi, proof, BigInt(proof.context.nonce));
    if (r.valid) console.log(`zkml: accepted by ${verifier}: class ${r.class}, gas ${r.gasUsed} (tx ${r.txHash})`);
    else {
      throw new Error(`zkml verify-onchain: REJECTED by ${verifier}: ${r.reason}`);
    }
  } finally {
    await close();
    await hre.zkml.release();
  }
}

export default pluginAction(verifyOnchain);
