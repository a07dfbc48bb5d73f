import { Interface } from "ethers";
import { inferenceCalldata, openReady, readProofFile, readVerifierArtifact, verifyProofFile, ZkmlError } from "../../src/index.js";
import { bigintArg, requirePositional, str, type Verb } from "../io.js";

export const calldataVerb: Verb = {
  name: "calldata",
  usage: "zkml calldata DIR proof.json [--nonce N] [--json]",
  help: `Prints the calldata of the transaction that submits proof.json to DIR's verifier, for a wallet, a
multisig or cast: verifyInference(proof, [commitment, classContext], nonce), or, when the proof
was made for a beneficiary (zkml prove --beneficiary), the arguments a dApp contract passes on
to verifyInferenceFor(beneficiary, proof, [commitment, classContext], nonce). The proof file is
verified against DIR first (as zkml verify does): nothing is encoded that the contract would
refuse, and the JSON's "to" is the contract the verified context names.

  --nonce N   the nonce, for a proof whose file gives only the context's value (a proof
              with its context's parts takes the nonce they were made with)`,
  options: { nonce: { type: "string" } },
  async run(ctx) {
    const dir = requirePositional(ctx, 0, "the build folder", "calldata");
    const file = requirePositional(ctx, 1, "the proof file", "calldata");
    const ready = await openReady(dir);
    const proof = await readProofFile(file);
    const check = await verifyProofFile(ready, proof);
    if (!check.valid) throw new ZkmlError("PROOF_INVALID", `${file} does not verify against ${dir}: ${check.problems.join("; ")}`, "see `zkml verify`");
    // The context's parts, when the file has them, were just checked to derive the proven context.
    const given = str(ctx, "nonce");
    if (given !== undefined && proof.context.nonce !== undefined && bigintArg(given, "--nonce") !== BigInt(proof.context.nonce))
      throw new ZkmlError("USAGE", `--nonce ${given}: the proof's context was made with nonce ${proof.context.nonce}, and the contract checks it`);
    const nonceText = given ?? proof.context.nonce;
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
