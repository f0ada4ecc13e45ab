// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";

/// @title Settable Chainlink-style feed (tests only)
/// @notice Stands in for the off-chain oracle network: every field of the latest round is set by
///         anyone. Can also be made to revert. Never deploy on a public network.
contract MockAggregatorV3 is AggregatorV3Interface {
    uint8 private immutable _decimals;
    uint80 private _roundId;
    int256 private _answer;
    uint256 private _startedAt;
    uint256 private _updatedAt;
    uint80 private _answeredInRound;
    /// @notice When true, `latestRoundData` reverts.
    bool public broken;

    /// @param decimals_ Decimals of the answer.
    constructor(uint8 decimals_) {
        _decimals = decimals_;
    }

    /// @notice Set every field of the latest round.
    function setRoundData(uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
        external
    {
        _roundId = roundId;
        _answer = answer;
        _startedAt = startedAt;
        _updatedAt = updatedAt;
        _answeredInRound = answeredInRound;
    }

    /// @notice Make `latestRoundData` revert (or not).
    function setBroken(bool broken_) external {
        broken = broken_;
    }

    /// @inheritdoc AggregatorV3Interface
    function decimals() external view returns (uint8) {
        return _decimals;
    }

    /// @inheritdoc AggregatorV3Interface
    function description() external pure returns (string memory) {
        return "XAUt / USD (mock)";
    }

    /// @inheritdoc AggregatorV3Interface
    function version() external pure returns (uint256) {
        return 4;
    }

    /// @inheritdoc AggregatorV3Interface
    function getRoundData(uint80)
        external
        view
        returns (uint80, int256, uint256, uint256, uint80)
    {
        return (_roundId, _answer, _startedAt, _updatedAt, _answeredInRound);
    }

    /// @inheritdoc AggregatorV3Interface
    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        require(!broken, "feed down");
        return (_roundId, _answer, _startedAt, _updatedAt, _answeredInRound);
    }
}
