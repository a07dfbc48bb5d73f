import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { pluginAction } from "./errors.js";
import { taskProof } from "./proof_file.js";

/** `hardhat zkml calldata`: the verified proof's verifyInference (or verifyInferenceFor) transaction, as JSON (as `zkml calldata --json`). */
async function calldata(args: { model: string; proof: string }, hre: HardhatRuntimeEnvironment): Promise<void> {
  const { inferenceTransaction } = await import("../../src/index.js");
  const { dir, proof } = await taskProof(hre, args.model, args.proof);
  try {
    console.log(JSON.stringify(await inferenceTransaction(dir, proof), null, 2));
  } finally {
    await hre.zkml.release();
  }
}

export default pluginAction(calldata);
