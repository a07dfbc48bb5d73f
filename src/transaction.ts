/** The transaction that submits a proof file, made only from a proof that verifies: what `zkml calldata` and the Hardhat task print. */
import { Interface } from "ethers";
import { ZkmlError } from "../core/errors.js";
import type { ProofFile } from "../core/proof_file.js";
import { IZKML_VERIFIER_ABI } from "../verifier/abi.js";
import type { Hex } from "../verifier/calldata.js";
import { inferenceCalldata } from "../verifier/chain.js";
import { openReady, type ReadyModel } from "./build.js";
import { requireValidProof } from "./verify.js";

export interface InferenceTransaction {
  function: "verifyInference" | "verifyInferenceFor" | "verifyInferenceAt";
  /** The contract the verified context names (null for a proof bound to a bare context value). */
  to: string | null;
  data: Hex;
  args: { beneficiary?: string; proof: Hex; pubSignals: string[]; nonce: string; snapshot?: string };
  /**
   * For a data-statement model: what a consumer contract rebuilds public signal 0 from, as its
   * statementOf takes it (a hashed side's int values, a private side's commitment).
   */
  statement?: { input?: number[]; inputCommitment?: string; output?: number[]; outputCommitment?: string };
}

const VERIFIER = new Interface(IZKML_VERIFIER_ABI);

/**
 * verifyInference (or, with a beneficiary, verifyInferenceFor) calldata for `proof`, after it
 * verifies against the build: nothing is encoded that the contract would refuse, and `to` comes
 * from the verified context. `nonce` is for a proof bound to a bare context value; one whose
 * context has its parts takes their nonce (another one is refused: the contract checks it).
 */
export async function inferenceTransaction(build: string | ReadyModel, proof: ProofFile, nonce?: bigint): Promise<InferenceTransaction> {
  const ready = typeof build === "string" ? await openReady(build) : build;
  await requireValidProof(ready, proof);
  const bound = proof.context.nonce === undefined ? undefined : BigInt(proof.context.nonce);
  if (nonce !== undefined && bound !== undefined && nonce !== bound)
    throw new ZkmlError("USAGE", `nonce ${nonce}: the proof's context was made with nonce ${bound}, and the contract checks it`);
  const n = nonce ?? bound;
  if (n === undefined) throw new ZkmlError("USAGE", "the proof names no nonce (its context is a bare value): give the one the context was made with");
  const [bytes, signals] = await inferenceCalldata(proof, n);
  const beneficiary = proof.context.beneficiary;
  const snapshot = proof.context.snapshot === undefined ? undefined : BigInt(proof.context.snapshot);
  const fn = snapshot !== undefined ? "verifyInferenceAt" : beneficiary ? "verifyInferenceFor" : "verifyInference";
  const data = (
    snapshot !== undefined
      ? VERIFIER.encodeFunctionData(fn, [beneficiary, bytes, signals, n, snapshot])
      : beneficiary
        ? VERIFIER.encodeFunctionData(fn, [beneficiary, bytes, signals, n])
        : VERIFIER.encodeFunctionData(fn, [bytes, signals, n])
  ) as Hex;
  const st = proof.statement;
  return {
    function: fn,
    to: proof.context.contract ?? null,
    data,
    args: {
      ...(beneficiary && { beneficiary }),
      proof: bytes,
      pubSignals: signals.map(String),
      nonce: n.toString(),
      ...(snapshot !== undefined && { snapshot: snapshot.toString() }),
    },
    ...(st && {
      statement: {
        ...(st.input === "hashed" ? { input: proof.input.values } : { inputCommitment: st.inputCommitment }),
        ...(st.output === "hashed" ? { output: proof.output.values } : { outputCommitment: st.outputCommitment }),
      },
    }),
  };
}
