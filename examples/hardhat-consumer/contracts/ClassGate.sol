// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IZkmlVerifier} from "zkml/contracts/IZkmlVerifier.sol";

/// @notice A dApp contract that acts on its users' inferences: a user proves that the model maps
/// their (hidden) input to a class, with a context naming this contract and themselves; the
/// contract passes the proof to the verifier on their behalf and records the class. Nobody else
/// can use the user's proof (the context names them), here or through another contract, and the
/// verifier uses each nonce once.
contract ClassGate {
    IZkmlVerifier public immutable verifier;
    mapping(address => uint8) public classOf;
    mapping(address => uint256) public claims;

    event Claimed(address indexed user, uint8 class, uint256 commitment);

    constructor(IZkmlVerifier verifier_) {
        verifier = verifier_;
    }

    function claim(bytes calldata proof, uint256[2] calldata pubSignals, uint256 nonce) external returns (uint8 class) {
        class = verifier.verifyInferenceFor(msg.sender, proof, pubSignals, nonce);
        classOf[msg.sender] = class;
        claims[msg.sender] += 1;
        emit Claimed(msg.sender, class, pubSignals[0]);
    }
}
