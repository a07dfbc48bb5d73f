// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IZkmlRegistry} from "../IZkmlRegistry.sol";

/// circomlibjs's Poseidon contract for 3 inputs (poseidonContract.createCode(3)).
interface IPoseidon3 {
    function poseidon(uint256[3] calldata inputs) external pure returns (uint256);
}

/// @title Example consumer: an oracle of proven appraisals from a regression model.
/// @notice A zkml proof publishes a commitment to the (packed) input and output, not the values.
/// The poster reveals them; the oracle recomputes the commitment with an on-chain Poseidon, so
/// the number it stores is exactly the model's output for that input, with its scale.
/// Limits: one packed input element (up to 31 int8 features) and one output value, so the
/// commitment is a single Poseidon of [2, packedInput, packedOutput] (see docs/CIRCUIT.md).
contract AppraisalOracle {
    IZkmlRegistry public immutable registry;
    bytes32 public immutable modelId;
    IPoseidon3 public immutable poseidon;
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

    event Appraised(uint256 indexed packedInput, int256 value, uint8 frac, address poster);

    constructor(IZkmlRegistry registry_, bytes32 modelId_, IPoseidon3 poseidon_, uint8 outputBits_, uint8 outputFrac_) {
        registry = registry_;
        modelId = modelId_;
        poseidon = poseidon_;
        outputBits = outputBits_;
        outputFrac = outputFrac_;
    }

    /// Verifies the proof through the registry (made for sender = this oracle and `nonce`) and
    /// stores `value` once the revealed input and value match the proof's commitment.
    function post(bytes calldata proof, uint256[2] calldata pubSignals, uint256 nonce, uint256 packedInput, int256 value) external {
        int256 half = int256(1) << (outputBits - 1);
        if (value < -half || value >= half) revert ValueOutOfRange(value);
        uint256 commitment = poseidon.poseidon([uint256(2), packedInput, uint256(value + half)]);
        if (commitment != pubSignals[0]) revert CommitmentMismatch(pubSignals[0], commitment);
        registry.verifyInference(modelId, proof, pubSignals, nonce);
        appraisals[packedInput] = Appraisal({value: value, at: uint64(block.timestamp), poster: msg.sender});
        emit Appraised(packedInput, value, outputFrac, msg.sender);
    }
}
