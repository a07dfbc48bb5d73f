import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { pluginAction } from "./errors.js";
import { say, taskModels } from "./models.js";

/** `hardhat zkml compile`: compiles a configured model (a current build is kept unless --force). */
async function compile(args: { model: string; force: boolean }, hre: HardhatRuntimeEnvironment): Promise<void> {
  for (const name of taskModels(hre, args.model)) {
    const m = hre.zkml.model(name);
    const r = await hre.zkml.compile(name, { force: args.force, progress: say });
    if (!r) {
      console.log(`zkml: ${name}: ${m.dir} is current (--force to compile anyway)`);
      continue;
    }
    console.log(
      `zkml: ${name}: ${r.info.constraints} constraints → ${m.dir}${r.fidelity ? `; argmax agreement with the float model ${(100 * r.fidelity.argmaxAgreement).toFixed(1)}%` : ""}`,
    );
    if (r.fidelitySkipped) say(`zkml: ${name}: fidelity report skipped: ${r.fidelitySkipped}`);
  }
}

export default pluginAction(compile);
