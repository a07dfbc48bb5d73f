/**
 * Checking many proof files of one build at once, off-chain, with the algebra and transcript of
 * the batch verifier contract: what a caller runs before paying for verifyInferences, and after
 * a BatchProofInvalid revert to find the proofs to drop.
 */
import { FILES } from "../core/build_files.js";
import { ZkmlError } from "../core/errors.js";
import { type ProofFile, proofFileShapeProblem } from "../core/proof_file.js";
import { backend, proofEncodingProblem } from "../core/systems/index.js";
import type { BatchItem } from "../verifier/batch.js";
import { batchVerifier } from "../verifier/batch_verifiers.js";
import { openReady, type ReadyModel } from "./build.js";

export interface BatchCheck {
  /** Every proof verifies against the build's key (checked as the contract checks a batch). */
  valid: boolean;
  /** Indices of the proofs that do not (found by bisection when the batch fails), ascending. */
  invalid: number[];
  /** Per invalid index, why (a shape, key or system mismatch, or the pairing check). */
  problems: Record<number, string>;
  ms: number;
}

/**
 * Batch-verifies proof files against a build folder whose system has a batch verifier (Groth16): one pairing product for all when
 * they are valid; otherwise the invalid ones by bisection. Only the proofs are checked here, not
 * what their files reveal (the commitment openings): `verifyProofFile` checks those, one by one.
 */
export async function verifyProofBatch(model: string | ReadyModel, proofs: readonly ProofFile[]): Promise<BatchCheck> {
  const t0 = performance.now();
  const ready = typeof model === "string" ? await openReady(model) : model;
  const { system } = ready.setupInfo;
  const batch = batchVerifier(system);
  if (!batch) {
    throw new ZkmlError("USAGE", `${ready.dir}'s keys are ${system}, whose proofs are verified one at a time`, "verify the proofs one by one (zkml verify)");
  }
  const encodingOf = backend(system);
  const problems: Record<number, string> = {};
  const items: { index: number; item: BatchItem }[] = [];
  const nPublic = ready.info.publicSignals.length;
  // The contract takes a context (its nonce) once: a second proof of one context fails the batch.
  const contexts = new Map<string, number>();
  proofs.forEach((p, index) => {
    const shape = proofFileShapeProblem(p);
    const encoding = shape ? undefined : proofEncodingProblem(system, encodingOf, p.proof);
    const first = shape ? undefined : contexts.get(p.publicSignals[1] ?? "");
    if (shape) problems[index] = shape;
    else if (p.system !== system) problems[index] = `system: ${p.system}, not ${system}`;
    else if (encoding) problems[index] = `proof.${encoding}`;
    else if (first !== undefined) problems[index] = `publicSignals[1]: the context of proof ${first} again (the contract takes a nonce once)`;
    else if (p.model.vkey !== ready.setup.outputs[FILES.vkey]) problems[index] = "model.vkey: not this build's verification key";
    else if (p.publicSignals.length !== nPublic || !p.publicSignals.every((s) => /^[0-9]{1,78}$/.test(s)))
      problems[index] = `publicSignals: expected ${nPublic} decimal strings`;
    else {
      try {
        items.push({ index, item: { words: batch.words(p.proof), publicSignals: p.publicSignals.map(BigInt) } });
        contexts.set(p.publicSignals[1]!, index);
      } catch (e) {
        problems[index] = (e as Error).message;
      }
    }
  });
  // One batch check when all are valid; bisection (which starts with that check) otherwise.
  for (const bad of await batch.findInvalid(
    ready.verificationKey,
    items.map((i) => i.item),
  )) {
    problems[items[bad]!.index] = "proof: does not verify against this build's verification key";
  }
  const invalid = Object.keys(problems)
    .map(Number)
    .sort((a, b) => a - b);
  return { valid: proofs.length > 0 && invalid.length === 0, invalid, problems, ms: performance.now() - t0 };
}
