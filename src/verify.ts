/**
 * Off-chain verification of a proof file: the proof against the build folder's
 * verification key, and the revealed input/output against the public commitment and class.
 */
import { commitInference } from "../core/commitment.js";
import { FILES } from "../core/compiled.js";
import { splitClassContext } from "../core/context.js";
import type { ProofFile } from "../core/proof_file.js";
import { provenClass } from "../core/qmodel.js";
import { verifySnark } from "../verifier/verify.js";
import { openReady } from "./build.js";

export interface VerifyResult {
  valid: boolean;
  /** keys: made against this build folder's current verification key (false after a new setup). */
  /** modelCommitment: private-weights circuits only, the proof's weights commitment is the build's. */
  checks: { model: boolean; keys: boolean; proof: boolean; commitment: boolean; class: boolean; modelCommitment?: boolean };
  class?: number;
  context?: string;
  ms: number;
}

export async function verifyProofFile(dir: string, proof: ProofFile): Promise<VerifyResult> {
  const t0 = performance.now();
  const ready = await openReady(dir);
  const model = proof.model?.modelId === ready.info.modelId;
  const keys = proof.model?.vkey === ready.setup.outputs[FILES.vkey];
  const system = ready.setupInfo.system;
  const ok = proof.system === system && (await verifySnark(system, ready.verificationKey, proof.publicSignals, proof.proof));
  const expectedWeights = ready.info.modelCommitment;
  const modelCommitment = expectedWeights === undefined ? undefined : proof.publicSignals[2] === expectedWeights;
  const signalCount = proof.publicSignals.length === ready.info.publicSignals.length;
  let commitment = false;
  let cls = false;
  let split: { context: bigint; cls: number } | undefined;
  try {
    const { inputBits, outputBits } = ready.info.layout;
    const c = await commitInference(proof.input.values.map(BigInt), proof.output.values.map(BigInt), { inputBits, outputBits });
    commitment = c === BigInt(proof.publicSignals[0]!);
    split = splitClassContext(BigInt(proof.publicSignals[1]!));
    cls = split.cls === proof.output.class && provenClass(proof.output.values) === proof.output.class;
  } catch {
    // Revealed values that cannot even be packed do not match any commitment.
  }
  return {
    valid: model && ok && signalCount && commitment && cls && modelCommitment !== false,
    checks: { model, keys, proof: ok, commitment, class: cls, ...(modelCommitment !== undefined && { modelCommitment }) },
    class: split?.cls,
    context: split ? "0x" + split.context.toString(16) : undefined,
    ms: performance.now() - t0,
  };
}
