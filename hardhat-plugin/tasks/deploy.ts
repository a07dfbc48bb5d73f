import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { pluginAction } from "./errors.js";
import { say, taskModels } from "./models.js";
import { networkSigner } from "./signer.js";

/** `hardhat zkml deploy`: deploys a model's verifier on the network and records it. */
async function deploy(args: { model: string; allowDevKeys: boolean }, hre: HardhatRuntimeEnvironment): Promise<void> {
  const { signer, inProcess, name: network, close } = await networkSigner(hre);
  try {
    // deployments.json would name a contract on a chain that ends with this command.
    if (inProcess)
      throw new Error(
        `zkml deploy: network "${network}" is a chain simulated in this process, gone when the task ends: nothing would be at the recorded address (pass --network, e.g. \`npx hardhat node\` and --network localhost)`,
      );
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

export default pluginAction(deploy);
