import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { pluginAction } from "./errors.js";
import { say, taskModels } from "./models.js";

/** `hardhat zkml check`: every wire of each model's circuit pinned, as `zkml check` checks (a plugin error when not). */
async function check(args: { model: string }, hre: HardhatRuntimeEnvironment): Promise<void> {
  const { checkCircuit } = await import("../../src/index.js");
  try {
    for (const name of taskModels(hre, args.model)) {
      const dir = await hre.zkml.build(name, { progress: say });
      const r = await checkCircuit(dir);
      const ok = r.pinned;
      console.log(`zkml: ${name}: ${ok ? "pinned" : "NOT PINNED"}: ${r.wires} wires, ${r.constraints} constraints`);
      for (const p of r.problems.slice(0, 20)) console.log(`  ${p.problem}: wire ${p.wire}${p.name ? ` (${p.name})` : ""}`);
      if (!ok) throw new Error(`zkml check: ${name}'s circuit is NOT PINNED (wires listed above)`);
    }
  } finally {
    await hre.zkml.release();
  }
}

export default pluginAction(check);
