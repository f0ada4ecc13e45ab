// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Feed whose `decimals()` is malformed (tests only)
/// @notice Answers `latestRoundData` like a Chainlink aggregator, but `decimals()` reverts
///         (mode 0), returns nothing (mode 1) or returns a word above 255 (mode 2): a contract
///         that looks like a feed without being one. The borrow vault must refuse each with
///         `InvalidPriceParams`. Never deploy on a public network.
contract MalformedDecimalsFeed {
    /// @notice How `decimals()` misbehaves (0 revert, 1 empty return, 2 a word above 255).
    uint256 public immutable mode;

    /// @param mode_ 0: revert, 1: return no data, 2: return 300.
    constructor(uint256 mode_) {
        mode = mode_;
    }

    /// @notice Malformed on purpose, per `mode`.
    fallback() external {
        if (msg.sig != bytes4(keccak256("decimals()"))) revert();
        uint256 m = mode;
        if (m == 0) revert();
        if (m == 1) return;
        assembly ("memory-safe") {
            mstore(0, 300)
            return(0, 32)
        }
    }

    /// @notice A fresh, complete round answering $2,000 with 8 decimals.
    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return (1, 2000e8, block.timestamp, block.timestamp, 1);
    }
}
