// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Chainlink-style price feed interface (AggregatorV3Interface)
/// @notice The subset of Chainlink's `AggregatorV3Interface` that Engine X reads, written here
///         because the Chainlink npm package is not a dependency. Same signatures and semantics.
interface AggregatorV3Interface {
    /// @notice Decimals of `answer`.
    function decimals() external view returns (uint8);

    /// @notice Human-readable description of the feed.
    function description() external view returns (string memory);

    /// @notice Version of the aggregator.
    function version() external view returns (uint256);

    /// @notice Data of round `roundId`.
    function getRoundData(uint80 roundId)
        external
        view
        returns (uint80 roundId_, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);

    /// @notice Data of the latest round.
    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
}
