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

    /// The same per (caller, beneficiary), for verifyInferenceFor.
    mapping(address => mapping(address => mapping(uint256 => uint256))) private usedNonceBitsFor;

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

    /// Two-field and five-field encodings differ in length, so a contextFor value is never a
    /// contextOf value of another sender.
    function contextFor(address caller, address beneficiary, uint256 nonce) public view override returns (uint256) {
        return uint256(keccak256(abi.encode(block.chainid, address(this), caller, beneficiary, nonce))) >> 12;
    }

    function nonceUsedFor(address caller, address beneficiary, uint256 nonce) public view override returns (bool) {
        return usedNonceBitsFor[caller][beneficiary][nonce >> 8] & (uint256(1) << (nonce & 0xff)) != 0;
    }

    /// Six fields: never the encoding of a contextOf or contextFor value.
    function contextAt(address caller, address beneficiary, uint256 nonce, uint256 snapshot) public view override returns (uint256) {
        return uint256(keccak256(abi.encode(block.chainid, address(this), caller, beneficiary, nonce, snapshot))) >> 12;
    }

    function verifyInference(bytes calldata proof, uint256[2] calldata pubSignals, uint256 nonce)
        external
        override
        returns (uint8 class)
    {
        class = _checkOne(proof, pubSignals, nonce, contextOf(msg.sender, nonce), usedNonceBits[msg.sender], msg.sender);
        emit InferenceVerified(modelId, msg.sender, nonce, pubSignals[0], class);
    }

    function verifyInferenceFor(address beneficiary, bytes calldata proof, uint256[2] calldata pubSignals, uint256 nonce)
        external
        override
        returns (uint8 class)
    {
        class = _checkOne(
            proof, pubSignals, nonce, contextFor(msg.sender, beneficiary, nonce), usedNonceBitsFor[msg.sender][beneficiary], beneficiary
        );
        emit InferenceVerifiedFor(modelId, msg.sender, beneficiary, nonce, pubSignals[0], class);
    }

    function verifyInferenceAt(address beneficiary, bytes calldata proof, uint256[2] calldata pubSignals, uint256 nonce, uint256 snapshot)
        external
        override
        returns (uint8 class)
    {
        class = _checkOne(
            proof,
            pubSignals,
            nonce,
            contextAt(msg.sender, beneficiary, nonce, snapshot),
            usedNonceBitsFor[msg.sender][beneficiary],
            beneficiary
        );
        emit InferenceVerifiedAt(modelId, msg.sender, beneficiary, nonce, snapshot, pubSignals[0], class);
    }

    /// The single-proof checks against the `expected` context; marks the nonce in `nonceBits`.
    function _checkOne(
        bytes calldata proof,
        uint256[2] calldata pubSignals,
        uint256 nonce,
        uint256 expected,
        mapping(uint256 => uint256) storage nonceBits,
        address nonceOwner
    ) private returns (uint8) {
        if (pubSignals[0] >= FIELD_R) revert PublicSignalNotInField(0);
        if (pubSignals[1] >= FIELD_R) revert PublicSignalNotInField(1);
        if (pubSignals[1] >> 8 != expected) revert WrongContext(expected, pubSignals[1] >> 8);
        uint256 word = nonce >> 8;
        uint256 bit = uint256(1) << (nonce & 0xff);
        uint256 bits = nonceBits[word];
        if (bits & bit != 0) revert NonceAlreadyUsed(nonceOwner, nonce);
        if (!_verifyProof(proof, pubSignals)) revert InvalidProof();
        nonceBits[word] = bits | bit;
        return uint8(pubSignals[1] & 0xff);
    }

    function verifyInferences(bytes calldata proofs, uint256[2][] calldata pubSignals, uint256[] calldata nonces)
        external
        override
        returns (uint8[] memory classes)
    {
        uint256 k = nonces.length;
        if (k == 0 || pubSignals.length != k || proofs.length != k * _proofBytes()) {
            revert BatchShapeMismatch(proofs.length, pubSignals.length, k);
        }
        classes = new uint8[](k);
        mapping(uint256 => uint256) storage bitsOf = usedNonceBits[msg.sender];
        for (uint256 i = 0; i < k; i++) {
            uint256 commitment = pubSignals[i][0];
            uint256 classContext = pubSignals[i][1];
            uint256 nonce = nonces[i];
            if (commitment >= FIELD_R) revert BatchItemRejected(i, abi.encodeWithSelector(PublicSignalNotInField.selector, 0));
            if (classContext >= FIELD_R) revert BatchItemRejected(i, abi.encodeWithSelector(PublicSignalNotInField.selector, 1));
            uint256 expected = contextOf(msg.sender, nonce);
            if (classContext >> 8 != expected) {
                revert BatchItemRejected(i, abi.encodeWithSelector(WrongContext.selector, expected, classContext >> 8));
            }
            uint256 bit = uint256(1) << (nonce & 0xff);
            uint256 bits = bitsOf[nonce >> 8];
            if (bits & bit != 0) revert BatchItemRejected(i, abi.encodeWithSelector(NonceAlreadyUsed.selector, msg.sender, nonce));
            bitsOf[nonce >> 8] = bits | bit;
            classes[i] = uint8(classContext & 0xff);
            // Logged before the proof check: a failed check reverts the whole batch, logs included.
            emit InferenceVerified(modelId, msg.sender, nonce, commitment, classes[i]);
        }
        if (k == 1) {
            if (!_verifyProof(proofs, pubSignals[0])) revert BatchItemRejected(0, abi.encodeWithSelector(InvalidProof.selector));
        } else if (!_verifyProofBatch(proofs, pubSignals)) {
            revert BatchProofInvalid();
        }
    }

    /// Bytes of one proof of this verifier's system.
    function _proofBytes() internal pure virtual returns (uint256);

    /// Checks k proofs; the default checks them one by one and names the first invalid one.
    /// Groth16 verifiers override it with the batched pairing check.
    function _verifyProofBatch(bytes calldata proofs, uint256[2][] calldata pubSignals) internal view virtual returns (bool) {
        uint256 n = _proofBytes();
        for (uint256 i = 0; i < pubSignals.length; i++) {
            if (!_verifyProof(proofs[i * n:(i + 1) * n], pubSignals[i])) {
                revert BatchItemRejected(i, abi.encodeWithSelector(InvalidProof.selector));
            }
        }
        return true;
    }

    /// Decodes `proof` for the model's snarkjs verifier and calls it. A proof of the wrong
    /// length is not a proof: false, not a revert without a reason.
    function _verifyProof(bytes calldata proof, uint256[2] calldata pubSignals) internal view virtual returns (bool);
}
