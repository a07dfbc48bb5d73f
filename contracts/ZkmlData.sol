// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title On-chain side of zkml's data statements: a contract's own values into a model's input,
/// and the public statement a proof over them carries.
/// @notice For a model compiled with a hashed input or output, public signal 0 is
/// sha256(tag ‖ inputPart ‖ outputPart) >> 3 (core/statement.ts, docs/CIRCUIT.md). A contract
/// that holds the input quantizes it with `quantize` exactly as zkml's TypeScript does
/// (quantizeRaw), rebuilds the statement with `encodeValues` and `statement` (or the model
/// verifier's `statementOf`), and compares it with the proof's pubSignals[0]: the proof is then
/// about its data, not data the prover chose.
library ZkmlData {
    /// A value does not fit the side's signed width (an output outside the model's range, or a
    /// quantized input the model cannot take).
    error ValueOutOfRange(uint256 index, int256 value, uint8 bits);
    /// A side has another number of values than the model's.
    error WrongLength(uint256 expected, uint256 got);
    /// quantize: denom must be above 0 and frac within [-64, 64].
    error BadScale(uint256 denom, int256 frac);

    /// The model's int8 for a raw integer: clamp(roundHalfEven((raw - zero) * 2^frac / denom),
    /// lo, 127) with lo = 0 for a non-negative input and -128 otherwise. `denom` is raw units per
    /// 1.0 of the feature (10**decimals for a price, 86400 for days of seconds); `frac` is the
    /// model's input scale (the verifier's INPUT_FRAC). Reverts on overflow, never wraps.
    function quantize(int256 raw, int256 zero, uint256 denom, int256 frac, bool nonNegative) internal pure returns (int256) {
        if (denom == 0 || denom > uint256(type(int256).max) || frac > 64 || frac < -64) revert BadScale(denom, frac);
        int256 num = raw - zero;
        int256 den = int256(denom);
        if (frac >= 0) num = num * int256(uint256(1) << uint256(frac));
        else den = den * int256(uint256(1) << uint256(-frac));
        // Floor division (Solidity's / truncates toward zero), then round half to even.
        int256 q = num / den;
        int256 rem = num - q * den;
        if (rem < 0) {
            q -= 1;
            rem += den;
        }
        int256 twice = 2 * rem;
        if (twice > den || (twice == den && q & 1 == 1)) q += 1;
        int256 lo = nonNegative ? int256(0) : int256(-128);
        if (q < lo) return lo;
        if (q > 127) return 127;
        return q;
    }

    /// A hashed side's bytes: each value as ceil(bits/8) big-endian bytes of v + 2^(bits-1).
    /// Reverts when the count is not `size` or a value does not fit `bits` signed bits.
    function encodeValues(int256[] memory values, uint256 size, uint8 bits) internal pure returns (bytes memory out) {
        if (values.length != size) revert WrongLength(size, values.length);
        if (bits < 2 || bits > 64) revert ValueOutOfRange(0, 0, bits);
        uint256 n = (uint256(bits) + 7) / 8;
        out = new bytes(size * n);
        uint256 bad = type(uint256).max;
        // In assembly: Solidity's checked, byte-indexed form cost ~500 gas per value, this ~140.
        // v + 2^(bits-1) taken mod 2^256 is below 2^bits exactly when v fits `bits` signed bits.
        assembly ("memory-safe") {
            let half := shl(sub(bits, 1), 1)
            let limit := shl(bits, 1)
            let src := add(values, 32)
            let dst := add(out, 32)
            for { let i := 0 } lt(i, size) { i := add(i, 1) } {
                let u := add(mload(add(src, shl(5, i))), half)
                if iszero(lt(u, limit)) {
                    bad := i
                    break
                }
                switch n
                case 1 {
                    mstore8(add(dst, i), u)
                }
                default {
                    let p := add(dst, mul(i, n))
                    for { let b := n } gt(b, 0) { b := sub(b, 1) } {
                        mstore8(add(p, sub(b, 1)), and(u, 0xff))
                        u := shr(8, u)
                    }
                }
            }
        }
        if (bad != type(uint256).max) revert ValueOutOfRange(bad, values[bad], bits);
    }

    /// A private side in the statement: its commitment (from the proof file) as 32 bytes.
    function encodeCommitment(uint256 commitment) internal pure returns (bytes memory) {
        return abi.encodePacked(commitment);
    }

    /// The statement from the tag and the two sides' bytes: sha256(tag ‖ input ‖ output) >> 3,
    /// below the field order as it is.
    function statement(uint256 tag, bytes memory inputPart, bytes memory outputPart) internal pure returns (uint256) {
        return uint256(sha256(abi.encodePacked(tag, inputPart, outputPart))) >> 3;
    }
}
