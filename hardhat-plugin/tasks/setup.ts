import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { pluginAction } from "./errors.js";
import { say, taskModels } from "./models.js";

/** `hardhat zkml setup`: keys and verifier of a configured model (current ones kept unless --force). */
async function setup(args: { model: string; force: boolean }, hre: HardhatRuntimeEnvironment): Promise<void> {
  for (const name of taskModels(hre, args.model)) {
    const dir = await hre.zkml.build(name, { force: args.force, progress: say });
    console.log(`zkml: ${name}: keys and verifier ready in ${dir}`);
  }
  await hre.zkml.release();
}

export default pluginAction(setup);
