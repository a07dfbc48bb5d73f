import { inferenceTransaction, readProofFile } from "../../src/index.js";
import { bigintArg, requirePositional, str, type Verb } from "../io.js";

export const calldataVerb: Verb = {
  name: "calldata",
  usage: "zkml calldata DIR proof.json [--nonce N] [--json]",
  help: `Prints the calldata of the transaction that submits proof.json to DIR's verifier, for a wallet, a
multisig or cast: verifyInference(proof, [commitment, classContext], nonce), or, when the proof
was made for a beneficiary (zkml prove --beneficiary), the arguments a dApp contract passes on
to verifyInferenceFor(beneficiary, proof, [commitment, classContext], nonce), or, with a snapshot
(zkml prove --snapshot or --from-chain), to verifyInferenceAt(beneficiary, proof, signals, nonce,
snapshot). For a model with a hashed input or output the JSON also gives "statement": what the
consumer's statementOf takes (a hashed side's int values, a private side's commitment). The proof file is
verified against DIR first (as zkml verify does): nothing is encoded that the contract would
refuse, and the JSON's "to" is the contract the verified context names.

  --nonce N   the nonce, for a proof whose file gives only the context's value (a proof
              with its context's parts takes the nonce they were made with)`,
  options: { nonce: { type: "string" } },
  async run(ctx) {
    const dir = requirePositional(ctx, 0, "the build folder", "calldata");
    const file = requirePositional(ctx, 1, "the proof file", "calldata");
    const given = str(ctx, "nonce");
    const tx = await inferenceTransaction(dir, await readProofFile(file), given === undefined ? undefined : bigintArg(given, "--nonce"));
    ctx.say(tx.data);
    ctx.result({ ...tx });
    return 0;
  },
};
