// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IZkmlRegistry} from "../IZkmlRegistry.sol";

/// @title Example consumer: pays once, to the first account that proves an inference of a given
/// model ending in a given class (e.g. "an input the MNIST model reads as a 7").
/// @notice The claimant first submits the proof to the registry themselves, so the proof's
/// context binds their own address: a proof copied from the mempool cannot be claimed by anyone
/// else. The bounty then only reads the registry's record.
contract ClassBounty {
    IZkmlRegistry public immutable registry;
    bytes32 public immutable modelId;
    uint8 public immutable targetClass;
    address public winner;

    error NotProven(address claimant, uint256 nonce);
    error WrongModel(bytes32 modelId);
    error WrongClass(uint8 class);
    error AlreadyPaid(address winner);

    event BountyPaid(address indexed winner, uint256 nonce, uint256 amount);

    constructor(IZkmlRegistry registry_, bytes32 modelId_, uint8 targetClass_) payable {
        registry = registry_;
        modelId = modelId_;
        targetClass = targetClass_;
    }

    /// @param nonce the nonce the claimant verified their proof with at the registry
    function claim(uint256 nonce) external {
        if (winner != address(0)) revert AlreadyPaid(winner);
        (bool verified, bytes32 proven, uint8 class) = registry.resultOf(msg.sender, nonce);
        if (!verified) revert NotProven(msg.sender, nonce);
        if (proven != modelId) revert WrongModel(proven);
        if (class != targetClass) revert WrongClass(class);
        winner = msg.sender;
        uint256 amount = address(this).balance;
        emit BountyPaid(msg.sender, nonce, amount);
        (bool ok,) = payable(msg.sender).call{value: amount}("");
        require(ok, "transfer failed");
    }
}
