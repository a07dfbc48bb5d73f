// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IZkmlRegistry} from "../IZkmlRegistry.sol";

/// circomlibjs's Poseidon contract for 5 inputs (poseidonContract.createCode(5)).
interface IPoseidon5 {
    function poseidon(uint256[5] calldata inputs) external pure returns (uint256);
}

/// @title Example consumer: an oracle of proven appraisals from a regression model.
/// @notice A zkml proof publishes a blinded commitment to the (packed) input and output, not the
/// values. The poster reveals them with the blinding factor; the oracle recomputes the
/// commitment with an on-chain Poseidon, so the number it stores is exactly the model's output
/// for that input, with its scale.
/// Limits: one packed input element (up to 31 int8 features) and one output value, so the
/// commitment is a single Poseidon of [4, blinding, layoutTag, packedInput, packedOutput]
/// (see docs/CIRCUIT.md).
/// A post is bound to its poster: the registry sees this oracle as the sender, so the nonce the
/// proof was made for is derived from (poster, posterNonce). A copier who front-runs a pending
/// post derives another nonce, whose context the proof does not carry, and each poster's nonces
/// are their own to spend.
contract AppraisalOracle {
    uint256 internal constant FIELD_R =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;

    IZkmlRegistry public immutable registry;
    bytes32 public immutable modelId;
    IPoseidon5 public immutable poseidon;
    /// The commitment's layout element (input/output lengths and bits) of the model's circuit.
    uint256 public immutable layoutTag;
    /// The output is an integer q at scale 2^-outputFrac, packed with outputBits bits.
    uint8 public immutable outputBits;
    uint8 public immutable outputFrac;

    struct Appraisal {
        int256 value;
        uint64 at;
        address poster;
    }

    /// By packed input: the features the model was run on (int8 each, offset by 128).
    mapping(uint256 => Appraisal) public appraisals;

    error CommitmentMismatch(uint256 expected, uint256 got);
    error ValueOutOfRange(int256 value);
    error NotInField();

    event Appraised(uint256 indexed packedInput, int256 value, uint8 frac, address poster);

    constructor(IZkmlRegistry registry_, bytes32 modelId_, IPoseidon5 poseidon_, uint256 layoutTag_, uint8 outputBits_, uint8 outputFrac_) {
        registry = registry_;
        modelId = modelId_;
        poseidon = poseidon_;
        layoutTag = layoutTag_;
        outputBits = outputBits_;
        outputFrac = outputFrac_;
    }

    /// The registry nonce a proof for `poster`'s `posterNonce` is made for (sender: this oracle).
    function registryNonce(address poster, uint256 posterNonce) public pure returns (uint256) {
        return uint256(keccak256(abi.encode(poster, posterNonce)));
    }

    /// Verifies the proof through the registry and stores `value` once the revealed input, value
    /// and blinding open the proof's commitment.
    function post(
        bytes calldata proof,
        uint256[2] calldata pubSignals,
        uint256 posterNonce,
        uint256 packedInput,
        int256 value,
        uint256 blinding
    ) external {
        // Poseidon reduces its inputs mod r: an unreduced alias would store under another key.
        if (packedInput >= FIELD_R || blinding >= FIELD_R) revert NotInField();
        int256 half = int256(1) << (outputBits - 1);
        if (value < -half || value >= half) revert ValueOutOfRange(value);
        uint256 commitment = poseidon.poseidon([uint256(4), blinding, layoutTag, packedInput, uint256(value + half)]);
        if (commitment != pubSignals[0]) revert CommitmentMismatch(pubSignals[0], commitment);
        registry.verifyInference(modelId, proof, pubSignals, registryNonce(msg.sender, posterNonce));
        appraisals[packedInput] = Appraisal({value: value, at: uint64(block.timestamp), poster: msg.sender});
        emit Appraised(packedInput, value, outputFrac, msg.sender);
    }
}
