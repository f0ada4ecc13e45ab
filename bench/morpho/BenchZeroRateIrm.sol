// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {IIrm} from "@morpho-org/morpho-blue/src/interfaces/IIrm.sol";
import {MarketParams, Market} from "@morpho-org/morpho-blue/src/interfaces/IMorpho.sol";

/// @title Zero-rate Morpho Blue IRM (benchmark only, compiled by `dbis.bench`)
/// @notice Always 0, the counterpart of our vault's default `borrowRateBps` = 0.
contract BenchZeroRateIrm is IIrm {
    /// @inheritdoc IIrm
    function borrowRate(MarketParams memory, Market memory) external pure returns (uint256) {
        return 0;
    }

    /// @inheritdoc IIrm
    function borrowRateView(MarketParams memory, Market memory) external pure returns (uint256) {
        return 0;
    }
}
