// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Feed without `decimals()` (tests only)
/// @notice Answers `latestRoundData` like a Chainlink aggregator but has no `decimals()` (and no
///         fallback, so calling it reverts): a contract that looks like a feed without being one.
///         The borrow vault must refuse it when it is configured. Never deploy on a public network.
contract NoDecimalsFeed {
    /// @notice A fresh, complete round answering $2,000 with 8 decimals.
    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return (1, 2000e8, block.timestamp, block.timestamp, 1);
    }
}
