// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IUniswapV3PoolLike
/// @notice The part of a Uniswap V3 pool the suite uses (the indexed liquidity vault reads it, the
///         conversion venue adapter also swaps): the signatures of Uniswap v3-core 1.0
///         IUniswapV3PoolState, IUniswapV3PoolDerivedState, IUniswapV3PoolImmutables and
///         IUniswapV3PoolActions.swap, restated here because v3-core is pinned to solc 0.7.
interface IUniswapV3PoolLike {
    /// @notice The first token of the pool, by address order.
    function token0() external view returns (address);

    /// @notice The second token of the pool, by address order.
    function token1() external view returns (address);

    /// @notice The pool's current price, tick and oracle state.
    function slot0()
        external
        view
        returns (
            uint160 sqrtPriceX96,
            int24 tick,
            uint16 observationIndex,
            uint16 observationCardinality,
            uint16 observationCardinalityNext,
            uint8 feeProtocol,
            bool unlocked
        );

    /// @notice The liquidity active at the current tick (in range).
    function liquidity() external view returns (uint128);

    /// @notice Tick and seconds-per-liquidity accumulators `secondsAgos[i]` seconds ago.
    function observe(uint32[] calldata secondsAgos)
        external
        view
        returns (int56[] memory tickCumulatives, uint160[] memory secondsPerLiquidityCumulativeX128s);

    /// @notice Swap token0 for token1 (`zeroForOne`) or back; a positive `amountSpecified` is an exact input.
    ///         The pool stops at `sqrtPriceLimitX96` and calls `uniswapV3SwapCallback` on the caller for payment.
    function swap(
        address recipient,
        bool zeroForOne,
        int256 amountSpecified,
        uint160 sqrtPriceLimitX96,
        bytes calldata data
    ) external returns (int256 amount0, int256 amount1);
}
