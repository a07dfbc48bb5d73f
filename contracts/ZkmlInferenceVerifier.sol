// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IZkmlVerifier} from "./IZkmlVerifier.sol";

/// @title Replay-safe, context-bound verification of zkml inference proofs.
/// @notice zkml generates a contract per model that inherits this one and the snarkjs verifier
/// (Groth16, PLONK or FFLONK) of that model's circuit, and implements `_verifyProof` by calling it.
abstract contract ZkmlInferenceVerifier is IZkmlVerifier {
    /// BN254 scalar field order: every public signal must be below it.
    uint256 internal constant FIELD_R =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;

    bytes32 public immutable override modelId;

    /// One bit per (sender, nonce): 256 nonces share a storage word, so a sender that counts
    /// its nonces up pays for a fresh word once every 256 proofs.
    mapping(address => mapping(uint256 => uint256)) private usedNonceBits;

    constructor(bytes32 modelId_) {
        modelId = modelId_;
    }

    /// keccak256(chainid, this contract, sender, nonce) shifted to 244 bits: below the field,
    /// with room for the class in the low 8 bits of the public classContext signal.
    function contextOf(address sender, uint256 nonce) public view override returns (uint256) {
        return uint256(keccak256(abi.encode(block.chainid, address(this), sender, nonce))) >> 12;
    }

    function nonceUsed(address sender, uint256 nonce) public view override returns (bool) {
        return usedNonceBits[sender][nonce >> 8] & (uint256(1) << (nonce & 0xff)) != 0;
    }

    function verifyInference(bytes calldata proof, uint256[2] calldata pubSignals, uint256 nonce)
        external
        override
        returns (uint8 class)
    {
        if (pubSignals[0] >= FIELD_R) revert PublicSignalNotInField(0);
        if (pubSignals[1] >= FIELD_R) revert PublicSignalNotInField(1);
        uint256 expected = contextOf(msg.sender, nonce);
        if (pubSignals[1] >> 8 != expected) revert WrongContext(expected, pubSignals[1] >> 8);
        uint256 word = nonce >> 8;
        uint256 bit = uint256(1) << (nonce & 0xff);
        uint256 bits = usedNonceBits[msg.sender][word];
        if (bits & bit != 0) revert NonceAlreadyUsed(msg.sender, nonce);
        if (!_verifyProof(proof, pubSignals)) revert InvalidProof();
        usedNonceBits[msg.sender][word] = bits | bit;
        class = uint8(pubSignals[1] & 0xff);
        emit InferenceVerified(modelId, msg.sender, nonce, pubSignals[0], class);
    }

    /// Decodes `proof` for the model's snarkjs verifier and calls it. A proof of the wrong
    /// length is not a proof: false, not a revert without a reason.
    function _verifyProof(bytes calldata proof, uint256[2] calldata pubSignals) internal view virtual returns (bool);
}
