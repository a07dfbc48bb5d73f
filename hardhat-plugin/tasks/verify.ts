import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { pluginAction } from "./errors.js";
import { taskProof } from "./proof_file.js";

/** `hardhat zkml verify`: a proof file checked off-chain against the model's build, as `zkml verify` does (a plugin error when invalid). */
async function verify(args: { model: string; proof: string }, hre: HardhatRuntimeEnvironment): Promise<void> {
  const { verifyProofFile } = await import("../../src/index.js");
  const { dir, file, proof } = await taskProof(hre, args.model, args.proof);
  try {
    const r = await verifyProofFile(dir, proof);
    if (r.valid) console.log(`zkml: ${file}: valid, class ${r.class}, context ${r.context}`);
    else {
      console.log(`zkml: ${file}: INVALID`);
      for (const p of r.problems) console.log(`  ${p}`);
      throw new Error(`zkml verify: ${file} is INVALID: ${r.problems[0] ?? "see above"}`);
    }
  } finally {
    await hre.zkml.release();
  }
}

export default pluginAction(verify);
