// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title Example data source: a marketplace's record of sale prices (wei, 18 decimals).
/// @notice The appraisal example (SalesAppraisal.sol) reads the last sales from here; the sale
/// count is the snapshot id a proof over them names.
contract SalesLedger {
    uint256[] private prices;

    event Sold(uint256 indexed index, uint256 price);

    function recordSale(uint256 price) external {
        prices.push(price);
        emit Sold(prices.length - 1, price);
    }

    function saleCount() external view returns (uint256) {
        return prices.length;
    }

    /// The last `n` sale prices, oldest first.
    function lastSales(uint256 n) external view returns (uint256[] memory out) {
        require(prices.length >= n, "not enough sales");
        out = new uint256[](n);
        for (uint256 i = 0; i < n; i++) out[i] = prices[prices.length - n + i];
    }
}
