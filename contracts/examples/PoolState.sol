// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title Example data source: a pool's reserves and its recent prices.
/// @notice Token A has 6 decimals (a stablecoin), token B 18; prices are USD with 8 decimals,
/// as price oracles publish them. The vault example (RebalancingVault.sol) reads all of it.
contract PoolState {
    uint256 public reserveA;
    uint256 public reserveB;
    int256[4] public prices;

    function set(uint256 a, uint256 b, int256[4] calldata p) external {
        reserveA = a;
        reserveB = b;
        prices = p;
    }

    function state() external view returns (uint256, uint256, int256[4] memory) {
        return (reserveA, reserveB, prices);
    }
}
