/**
 * The batch verifier of a Groth16 model: a contract that inherits the model's snarkjs verifier
 * (its verification-key constants, its single-proof verifyProof) and adds verifyProofs, which
 * checks k proofs with k + 3 pairings (the algebra and transcript of verifier/batch.ts).
 * Nothing of the build folder is pasted but the key's digest (a keccak hash we compute) and the
 * number of public signals (a checked small integer): the key's points are the parent's constants.
 */
import { batchDomain, type Groth16Key } from "./batch.js";
import { fillTemplate } from "./template.js";

/** Σⱼ (r − sⱼ)·ICⱼ added to the point at `out`: unrolled, as the IC constants are named ones. */
function icTerms(nPublic: number): string {
  const lines: string[] = [];
  for (let j = 1; j <= nPublic; j++) {
    lines.push(`
                mstore(scratch, IC${j}x)
                mstore(add(scratch, 32), IC${j}y)
                mstore(add(scratch, 64), sub(r, mload(add(sums, ${32 * (j + 1)}))))
                good := and(good, staticcall(gas(), 7, scratch, 96, scratch, 64))
                mstore(add(scratch, 64), mload(out))
                mstore(add(scratch, 96), mload(add(out, 32)))
                good := and(good, staticcall(gas(), 6, scratch, 128, out, 64))`);
  }
  return lines.join("");
}

/** The batch verifier contract of a Groth16 key (contracts/templates/Groth16BatchVerifier.sol.tmpl). */
export function groth16BatchVerifierSource(vk: Groth16Key, parentContract: string, contractName: string, header: string): string {
  // batchDomain validates the key (nPublic a small integer matching IC, every coordinate below
  // q) before nPublic is pasted; the domain itself is a keccak hash we computed.
  const domain = batchDomain(vk);
  const nPublic = vk.nPublic;
  return fillTemplate("Groth16BatchVerifier.sol.tmpl", {
    HEADER: header,
    PARENT: parentContract,
    CONTRACT: contractName,
    N_PUBLIC: nPublic,
    BATCH_DOMAIN: domain,
    IC_TERMS: icTerms(nPublic),
  });
}
