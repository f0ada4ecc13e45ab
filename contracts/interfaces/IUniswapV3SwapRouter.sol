// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Uniswap V3 SwapRouter, exactInputSingle only
/// @notice The one function of `@uniswap/v3-periphery`'s `ISwapRouter` the reserve monitor calls, with
///         the same struct and signature, so the harness can encode it from the build artifacts. The
///         router it calls is the real SwapRouter bytecode from the npm package.
interface IUniswapV3SwapRouter {
    /// @notice Parameters of a single-pool exact-input swap (Uniswap's `ExactInputSingleParams`).
    struct ExactInputSingleParams {
        address tokenIn;
        address tokenOut;
        uint24 fee;
        address recipient;
        uint256 deadline;
        uint256 amountIn;
        uint256 amountOutMinimum;
        uint160 sqrtPriceLimitX96;
    }

    /// @notice Swap exactly `amountIn` of `tokenIn` for at least `amountOutMinimum` of `tokenOut`.
    /// @return amountOut The amount of `tokenOut` received.
    function exactInputSingle(ExactInputSingleParams calldata params) external payable returns (uint256 amountOut);
}
