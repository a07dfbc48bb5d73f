import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { say, taskModels } from "./models.js";
import { networkSigner } from "./signer.js";

/** `hardhat zkml deploy`: deploys a model's verifier on the network and records it. */
export default async function deploy(args: { model: string; allowDevKeys: boolean }, hre: HardhatRuntimeEnvironment): Promise<void> {
  const { signer, close } = await networkSigner(hre);
  try {
    for (const name of taskModels(hre, args.model)) {
      const d = await hre.zkml.deployVerifier(name, signer, { allowDevKeys: args.allowDevKeys });
      console.log(`zkml: ${name}: ${d.contractName} at ${d.address} (gas ${d.gasUsed})`);
    }
  } finally {
    await close();
    await hre.zkml.release();
  }
  say("zkml: recorded in each build folder's deployments.json");
}
