// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ZkmlData} from "../ZkmlData.sol";
import {IZkmlHashedInputModel} from "./IZkmlDataModel.sol";
import {PoolState} from "./PoolState.sol";

/// @title Example consumer: a vault that rebalances only on a proven decision of its model.
/// @notice The model (examples/vault-agent) maps the pool's state (two reserves, four prices) to
/// one of three actions; its input is hashed and its output private (the scores stay hidden,
/// the action is the proof's class). In one transaction the vault reads the pool, checks that
/// the proof is over that state as of a recent block, and acts. A proof over other reserves,
/// other decimals, or a block older than MAX_AGE is refused.
contract RebalancingVault {
    enum Action {
        Hold,
        ToA,
        ToB
    }

    /// How many blocks a decision stays good for.
    uint256 public constant MAX_AGE = 5;

    PoolState public immutable pool;
    IZkmlHashedInputModel public immutable model;
    int256 public immutable inputFrac;
    bool public immutable nonNegative;

    /// Share of the vault held in token A, in percent: what an action moves.
    uint256 public shareA = 50;
    uint256 public actions;

    error Stale(uint256 snapshot, uint256 current);
    error NotPoolState(uint256 expected, uint256 got);

    event Rebalanced(Action action, uint256 shareA, uint256 snapshot, address agent);

    constructor(PoolState pool_, IZkmlHashedInputModel model_) {
        pool = pool_;
        model = model_;
        inputFrac = model_.INPUT_FRAC();
        nonNegative = model_.INPUT_NONNEGATIVE();
    }

    /// The model's input from the pool now: reserve A in millions (6 decimals), reserve B in
    /// thousands (18 decimals), prices in thousands of USD (8 decimals).
    function modelInput() public view returns (int256[] memory input, uint256 snapshot) {
        (uint256 a, uint256 b, int256[4] memory p) = pool.state();
        input = new int256[](6);
        input[0] = ZkmlData.quantize(int256(a), 0, 1e12, inputFrac, nonNegative);
        input[1] = ZkmlData.quantize(int256(b), 0, 1e21, inputFrac, nonNegative);
        for (uint256 i = 0; i < 4; i++) input[2 + i] = ZkmlData.quantize(p[i], 0, 1e11, inputFrac, nonNegative);
        snapshot = block.number;
    }

    /// Acts on the proven decision for the pool's current state, read at block `snapshot`.
    function act(bytes calldata proof, uint256[2] calldata pubSignals, uint256 nonce, uint256 snapshot, uint256 outputCommitment) external {
        if (snapshot > block.number || block.number - snapshot > MAX_AGE) revert Stale(snapshot, block.number);
        (int256[] memory input,) = modelInput();
        uint256 expected = model.statementOf(input, outputCommitment);
        if (pubSignals[0] != expected) revert NotPoolState(expected, pubSignals[0]);
        Action action = Action(model.verifyInferenceAt(msg.sender, proof, pubSignals, nonce, snapshot));
        if (action == Action.ToA && shareA <= 90) shareA += 10;
        else if (action == Action.ToB && shareA >= 10) shareA -= 10;
        actions++;
        emit Rebalanced(action, shareA, snapshot, msg.sender);
    }
}
