// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {DBISEngineXIndexedLiquidityVault} from "../engine_x/DBISEngineXIndexedLiquidityVault.sol";
import {IUniswapV3PoolLike} from "../interfaces/IUniswapV3PoolLike.sol";

/// @title Hostile same-transaction price pusher (tests only)
/// @notice An allowlisted operator turned hostile: in ONE transaction it swaps the real Uniswap
///         V3 pool to a chosen price (e.g. back to 1:1 while the market is off peg), records an
///         indexed proof against that momentary price, and swaps the price back. The vault must
///         refuse it when a TWAP window is configured.
contract PricePushRecorder {
    using SafeERC20 for IERC20;

    IUniswapV3PoolLike public immutable pool;
    DBISEngineXIndexedLiquidityVault public immutable vault;

    error NotPool(address caller);

    constructor(IUniswapV3PoolLike pool_, DBISEngineXIndexedLiquidityVault vault_) {
        pool = pool_;
        vault = vault_;
    }

    /// @notice Push the pool to `pushTo`, record, then push it back to where it was.
    function pushRecordRestore(
        uint160 pushTo,
        bytes32 proofId,
        bytes32 swapTx,
        bytes32 liquidityTx,
        uint256 amount,
        bytes32 isoHash,
        bytes32 auditHash
    ) external {
        (uint160 start,,,,,,) = pool.slot0();
        _swapTo(pushTo);
        vault.recordIndexedProof(proofId, swapTx, liquidityTx, amount, isoHash, auditHash);
        _swapTo(start);
    }

    /// @dev Swap with an unbounded amount until the price limit `target` is reached.
    function _swapTo(uint160 target) private {
        (uint160 current,,,,,,) = pool.slot0();
        if (current == target) return;
        bool zeroForOne = target < current;
        pool.swap(address(this), zeroForOne, type(int128).max, target, "");
    }

    /// @notice Uniswap V3 swap callback: pay what the pool is owed from this contract's balance.
    function uniswapV3SwapCallback(int256 amount0Delta, int256 amount1Delta, bytes calldata) external {
        if (msg.sender != address(pool)) revert NotPool(msg.sender);
        if (amount0Delta > 0) IERC20(pool.token0()).safeTransfer(msg.sender, uint256(amount0Delta));
        if (amount1Delta > 0) IERC20(pool.token1()).safeTransfer(msg.sender, uint256(amount1Delta));
    }
}
