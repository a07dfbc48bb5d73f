import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { pluginAction } from "./errors.js";
import { taskProof } from "./proof_file.js";

/** `hardhat zkml calldata`: the verified proof's verifyInference (or verifyInferenceFor) arguments and calldata, as JSON. */
async function calldata(args: { model: string; proof: string }, hre: HardhatRuntimeEnvironment): Promise<void> {
  const { Interface } = await import("ethers");
  const { readVerifierArtifact, verifyProofFile } = await import("../../src/index.js");
  const { dir, file, proof } = await taskProof(hre, args.model, args.proof);
  try {
    const check = await verifyProofFile(dir, proof);
    if (!check.valid) throw new Error(`zkml calldata: ${file} does not verify: ${check.problems.join("; ")}`);
    const c = await hre.zkml.calldata(proof);
    const abi = new Interface((await readVerifierArtifact(dir)).abi);
    const beneficiary = proof.context.beneficiary;
    const fn = beneficiary ? "verifyInferenceFor" : "verifyInference";
    const data = beneficiary
      ? abi.encodeFunctionData(fn, [beneficiary, c.proof, c.pubSignals, c.nonce])
      : abi.encodeFunctionData(fn, [c.proof, c.pubSignals, c.nonce]);
    console.log(JSON.stringify({ function: fn, to: proof.context.contract ?? null, data, nonce: c.nonce.toString() }, null, 2));
  } finally {
    await hre.zkml.release();
  }
}

export default pluginAction(calldata);
