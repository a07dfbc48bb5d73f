import { Interface } from "ethers";
import { inferenceCalldata, openReady, readProofFile, readVerifierArtifact, ZkmlError } from "../../src/index.js";
import { bigintArg, requirePositional, str, type Verb } from "../io.js";

export const calldataVerb: Verb = {
  name: "calldata",
  usage: "zkml calldata DIR proof.json [--nonce N] [--json]",
  help: `Prints the calldata of the transaction that submits proof.json to DIR's verifier, for a wallet, a
multisig or cast: verifyInference(proof, [commitment, classContext], nonce), or, when the proof
was made for a beneficiary (zkml prove --beneficiary), the arguments a dApp contract passes on
to verifyInferenceFor(beneficiary, proof, [commitment, classContext], nonce).

  --nonce N   the nonce (default: the one in the proof file's context)`,
  options: { nonce: { type: "string" } },
  async run(ctx) {
    const dir = requirePositional(ctx, 0, "the build folder", "calldata");
    const file = requirePositional(ctx, 1, "the proof file", "calldata");
    await openReady(dir);
    const proof = await readProofFile(file);
    const nonceText = str(ctx, "nonce") ?? proof.context.nonce;
    if (nonceText === undefined) throw new ZkmlError("USAGE", `${file} has no nonce: pass --nonce N (the one the context was made with)`);
    const nonce = bigintArg(nonceText, "--nonce");
    const [proofBytes, signals] = await inferenceCalldata(proof, nonce);
    const abi = new Interface((await readVerifierArtifact(dir)).abi);
    const beneficiary = proof.context.beneficiary;
    const fn = beneficiary ? "verifyInferenceFor" : "verifyInference";
    const data = beneficiary ? abi.encodeFunctionData(fn, [beneficiary, proofBytes, signals, nonce]) : abi.encodeFunctionData(fn, [proofBytes, signals, nonce]);
    ctx.say(data);
    ctx.result({
      function: fn,
      to: proof.context.contract ?? null,
      data,
      args: { ...(beneficiary && { beneficiary }), proof: proofBytes, pubSignals: signals.map(String), nonce: nonce.toString() },
    });
    return 0;
  },
};
