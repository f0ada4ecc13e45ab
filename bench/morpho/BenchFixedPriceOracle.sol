// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {IOracle} from "@morpho-org/morpho-blue/src/interfaces/IOracle.sol";

/// @title Fixed-price Morpho Blue oracle (benchmark only, compiled by `dbis.bench`)
/// @notice Returns the price its owner last set (Morpho's scale: 1e36 x loan units per collateral
///         unit); the owner moves it to make a position unhealthy for the liquidation row.
contract BenchFixedPriceOracle is IOracle {
    /// @notice The only account allowed to set the price.
    address public immutable owner;
    /// @inheritdoc IOracle
    uint256 public price;

    /// @param price_ Initial price.
    constructor(uint256 price_) {
        owner = msg.sender;
        price = price_;
    }

    /// @notice Set the price (owner only).
    function setPrice(uint256 price_) external {
        require(msg.sender == owner, "not owner");
        price = price_;
    }
}
