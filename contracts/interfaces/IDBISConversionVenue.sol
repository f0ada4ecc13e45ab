// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IDBISConversionVenue
/// @notice A venue adapter of the DBIS conversion router: one allowlisted pool behind it (spec v1.5 §6.1
///         pool-address allowlisting), swaps only for its router, pulls the input straight from the payer
///         into the pool and sends the output straight to the recipient.
interface IDBISConversionVenue {
    /// @notice The router allowed to call `swap`.
    function router() external view returns (address);

    /// @notice The one pool this venue trades on. MUST never change: the router screens the pool approved with
    ///         the venue (its denylist flag is kept per approved pool, issue 6).
    function pool() external view returns (address);

    /// @notice Swap exactly `amountIn` of `tokenIn` from `payer` (which approved this adapter) for `tokenOut`
    ///         sent to `recipient`, within the venue's liquidity floor and price-impact limit (spec §4.1).
    /// @return amountOut The output the pool reports sending (the router measures the real one itself).
    function swap(address payer, address recipient, address tokenIn, address tokenOut, uint256 amountIn)
        external
        returns (uint256 amountOut);
}
