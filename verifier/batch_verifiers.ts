/**
 * Which proof systems verify many proofs in one transaction, and how: one entry per system, a
 * Record over ProofSystem, so a new system decides here (it does not compile until it does).
 * Groth16's batch is a random linear combination of its pairing equations (verifier/batch.ts,
 * the contract from verifier/batch_solidity.ts); PLONK's and FFLONK's snarkjs verifiers check
 * one proof a call, and their proofs are sent one at a time.
 */
import type { ProofSystem } from "../core/proof_system.js";
import { type BatchItem, findInvalidItems, type Groth16Key, groth16ProofWords } from "./batch.js";
import { groth16BatchVerifierSource } from "./batch_solidity.js";

export interface BatchVerifier {
  /** The batch contract's name for a model's contract suffix. */
  contract(suffix: string): string;
  /** Its Solidity: a contract extending the system's snarkjs verifier `parent`. */
  source(verificationKey: unknown, parent: string, name: string, header: string): string;
  /** The wrapper's `_verifyProofBatch` (the weights commitment pinned where the weights are private). */
  wrapperBody(modelCommitment: string | undefined): string;
  /** A proof's words as the batch check reads them (PROOF_INVALID when malformed). */
  words(proof: unknown): bigint[];
  /** The items that do not verify, ascending: one combined check when all do, bisection otherwise. */
  findInvalid(verificationKey: unknown, items: readonly BatchItem[]): Promise<number[]>;
}

/** The wrapper's override: each proof's two public signals, and MODEL_COMMITMENT as the third when pinned. */
function verifyBatchBody(modelCommitment: string | undefined): string {
  const n = modelCommitment === undefined ? 2 : 3;
  const pin =
    modelCommitment === undefined
      ? ""
      : `
            flat[i * 3 + 2] = MODEL_COMMITMENT;`;
  return `
    function _verifyProofBatch(bytes calldata proofs, uint256[2][] calldata pubSignals) internal view override returns (bool) {
        uint256 k = pubSignals.length;
        uint256[] memory flat = new uint256[](k * ${n});
        for (uint256 i = 0; i < k; i++) {
            flat[i * ${n}] = pubSignals[i][0];
            flat[i * ${n} + 1] = pubSignals[i][1];${pin}
        }
        return _verifyProofs(proofs, flat);
    }
`;
}

const groth16: BatchVerifier = {
  contract: (suffix) => `Groth16BatchVerifier_${suffix}`,
  source: (vk, parent, name, header) => groth16BatchVerifierSource(vk as Groth16Key, parent, name, header),
  wrapperBody: verifyBatchBody,
  words: groth16ProofWords,
  findInvalid: (vk, items) => findInvalidItems(vk as Groth16Key, items),
};

export const BATCH_VERIFIERS: Readonly<Record<ProofSystem, BatchVerifier | undefined>> = { groth16, plonk: undefined, fflonk: undefined };

/** The system's batch verification, or undefined where its proofs go one at a time. */
export function batchVerifier(system: ProofSystem): BatchVerifier | undefined {
  return Object.hasOwn(BATCH_VERIFIERS, system) ? BATCH_VERIFIERS[system] : undefined;
}
