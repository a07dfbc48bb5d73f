/**
 * The batch verifier of a Groth16 model: a contract that inherits the model's snarkjs verifier
 * (its verification-key constants, its single-proof verifyProof) and adds verifyProofs, which
 * checks k proofs with k + 3 pairings (the algebra and transcript of verifier/batch.ts).
 * Nothing of the build folder is pasted but the key's digest (a keccak hash we compute) and the
 * number of public signals (a checked small integer): the key's points are the parent's constants.
 */
import { batchDomain, type Groth16Key } from "./batch.js";

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

export function groth16BatchVerifierSource(vk: Groth16Key, parentContract: string, contractName: string, header: string): string {
  // batchDomain validates the key (nPublic a small integer matching IC, every coordinate below
  // q) before nPublic is pasted; the domain itself is a keccak hash we computed.
  const domain = batchDomain(vk);
  const nPublic = vk.nPublic;
  return `// SPDX-License-Identifier: MIT
${header}
pragma solidity ^0.8.20;

import {${parentContract}} from "./${parentContract}.sol";

/// @notice Batch verification of this key's Groth16 proofs: k proofs with k + 3 pairings
/// instead of 4k. The k pairing equations are combined with coefficients r_i derived from a
/// keccak transcript of every proof word and public signal (docs/CIRCUIT.md, "Batch verification").
contract ${contractName} is ${parentContract} {
    uint256 internal constant N_PUBLIC = ${nPublic};
    /// keccak256(abi.encode(keccak256("zkml.groth16.batch.v1"), this key's words)).
    bytes32 internal constant BATCH_DOMAIN = ${domain};

    /// True iff every proof verifies with its public signals. \`proofs\`: k proofs of 8 words
    /// (pA, pB, pC as verifyProof takes them) in a row; \`pubSignals\`: their k * N_PUBLIC signals.
    function verifyProofs(bytes calldata proofs, uint256[] calldata pubSignals) external view returns (bool) {
        return _verifyProofs(proofs, pubSignals);
    }

    /// The transcript hash the coefficients come from: r_i = keccak256(seed, i) mod r.
    function batchSeed(bytes calldata proofs, uint256[] calldata pubSignals) external pure returns (bytes32) {
        return keccak256(abi.encodePacked(BATCH_DOMAIN, proofs, pubSignals));
    }

    function _verifyProofs(bytes calldata proofs, uint256[] memory pubSignals) internal view returns (bool ok) {
        uint256 k = proofs.length >> 8;
        if (k == 0 || proofs.length != k << 8 || pubSignals.length != k * N_PUBLIC) return false;
        for (uint256 i = 0; i < pubSignals.length; i++) {
            if (pubSignals[i] >= r) return false;
        }
        // rs[i]: the coefficients; sums[0] = sum of r_i, sums[j] = sum of r_i * x_ij (mod r)
        uint256[] memory rs = new uint256[](k);
        uint256[] memory sums = new uint256[](N_PUBLIC + 1);
        {
            bytes32 seed = keccak256(abi.encodePacked(BATCH_DOMAIN, proofs, pubSignals));
            for (uint256 i = 0; i < k; i++) {
                uint256 ri = uint256(keccak256(abi.encodePacked(seed, i))) % r;
                if (ri == 0) ri = 1;
                rs[i] = ri;
                sums[0] = addmod(sums[0], ri, r);
                for (uint256 j = 0; j < N_PUBLIC; j++) {
                    sums[j + 1] = addmod(sums[j + 1], mulmod(ri, pubSignals[i * N_PUBLIC + j], r), r);
                }
            }
        }
        // (k + 3) pairs of (G1, G2) for the pairing precompile
        uint256[] memory pairs = new uint256[]((k + 3) * 6);
        assembly {
            let scratch := mload(0x40)
            let pp := add(pairs, 32)
            let good := 1
            // the last pair's G1 point accumulates -(sum r_i * C_i); a new array is zeros, the
            // point at infinity
            let cAcc := add(pp, mul(add(k, 2), 192))
            for { let i := 0 } lt(i, k) { i := add(i, 1) } {
                let ri := mload(add(rs, shl(5, add(i, 1))))
                let off := add(proofs.offset, shl(8, i))
                let out := add(pp, mul(i, 192))
                // (r_i * A_i, B_i)
                mstore(scratch, calldataload(off))
                mstore(add(scratch, 32), calldataload(add(off, 32)))
                mstore(add(scratch, 64), ri)
                good := and(good, staticcall(gas(), 7, scratch, 96, out, 64))
                calldatacopy(add(out, 64), add(off, 64), 128)
                // cAcc += (r - r_i) * C_i
                mstore(scratch, calldataload(add(off, 192)))
                mstore(add(scratch, 32), calldataload(add(off, 224)))
                mstore(add(scratch, 64), sub(r, ri))
                good := and(good, staticcall(gas(), 7, scratch, 96, scratch, 64))
                mstore(add(scratch, 64), mload(cAcc))
                mstore(add(scratch, 96), mload(add(cAcc, 32)))
                good := and(good, staticcall(gas(), 6, scratch, 128, cAcc, 64))
                // A precompile that fails (a point off the curve) burns the gas it was given:
                // stop at once, with 1/64 of it left to revert with a reason.
                if iszero(good) { break }
            }
            if good {
                let out := add(pp, mul(k, 192))
                // (-(sum r_i) * alpha, beta)
                mstore(scratch, alphax)
                mstore(add(scratch, 32), alphay)
                mstore(add(scratch, 64), sub(r, mload(add(sums, 32))))
                good := and(good, staticcall(gas(), 7, scratch, 96, out, 64))
                mstore(add(out, 64), betax1)
                mstore(add(out, 96), betax2)
                mstore(add(out, 128), betay1)
                mstore(add(out, 160), betay2)
                // (-(sum r_i * vk_x(i)), gamma) = (sum r_i) * IC0 + sum_j sums[j] * ICj, negated
                out := add(out, 192)
                mstore(scratch, IC0x)
                mstore(add(scratch, 32), IC0y)
                mstore(add(scratch, 64), sub(r, mload(add(sums, 32))))
                good := and(good, staticcall(gas(), 7, scratch, 96, out, 64))${icTerms(nPublic)}
                mstore(add(out, 64), gammax1)
                mstore(add(out, 96), gammax2)
                mstore(add(out, 128), gammay1)
                mstore(add(out, 160), gammay2)
                // (-(sum r_i * C_i), delta)
                out := add(out, 192)
                mstore(add(out, 64), deltax1)
                mstore(add(out, 96), deltax2)
                mstore(add(out, 128), deltay1)
                mstore(add(out, 160), deltay2)
                good := and(good, staticcall(gas(), 8, pp, mul(add(k, 3), 192), scratch, 32))
            }
            ok := and(good, eq(mload(scratch), 1))
        }
    }
}
`;
}
