// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IDBISConversionVenue} from "../interfaces/IDBISConversionVenue.sol";
import {IUniswapV3PoolLike} from "../interfaces/IUniswapV3PoolLike.sol";

/// @title DBISUniswapV3VenueAdapter
/// @notice A conversion venue of the DBIS Rail over ONE real Uniswap V3 pool (spec v1.5 §6.1: an allowlisted
///         pool address, not "any pool"). Only its router may swap. The swap calls the pool directly: the
///         pool sends the output straight to the recipient and, in the swap callback, the adapter moves the
///         input straight from the payer into the pool (one token movement each way, nothing rests here).
///         Execution policy (§4.1), immutable per venue: the pool's in-range liquidity must be at least
///         `minLiquidity`, and the swap may move the pool's price of the input token by at most
///         `maxPriceImpactBps` — enforced as the pool's own price limit, so a swap that would go further
///         stops there, does not consume its whole input and is refused.
contract DBISUniswapV3VenueAdapter is IDBISConversionVenue {

    /// @notice Basis points in one.
    uint256 public constant BPS = 10_000;
    /// @dev v3-core TickMath bounds of sqrtPriceX96 (exclusive limits of a swap).
    uint160 internal constant MIN_SQRT_RATIO = 4295128739;
    uint160 internal constant MAX_SQRT_RATIO = 1461446703485210103287273052203988822378723970342;
    uint256 internal constant Q96 = 2 ** 96;

    /// @inheritdoc IDBISConversionVenue
    address public immutable router;
    /// @inheritdoc IDBISConversionVenue
    address public immutable pool;
    /// @notice The pool's tokens (address order).
    address public immutable token0;
    address public immutable token1;
    /// @notice Minimum in-range liquidity of the pool for a swap (§4.1 min liquidity threshold).
    uint128 public immutable minLiquidity;
    /// @notice Maximum move of the pool price of the input token caused by one swap, in bps (§4.1).
    uint256 public immutable maxPriceImpactBps;
    /// @dev sqrt(1 - maxPriceImpactBps / BPS) in Q96, rounded up (the stricter limit).
    uint256 internal immutable _sqrtFactorX96;

    error ZeroValue();
    error PriceImpactOutOfRange(uint256 maxPriceImpactBps);
    error NotRouter(address caller);
    error NotPool(address caller);
    error NothingOwed();
    error TokenPairMismatch(address tokenIn, address tokenOut);
    error AmountTooLarge(uint256 amountIn);
    error LiquidityBelowFloor(uint128 liquidity, uint128 minLiquidity);
    error PriceImpactTooHigh(uint256 consumed, uint256 amountIn, uint256 maxPriceImpactBps);

    /// @param router_ The conversion router (the only caller of `swap`).
    /// @param pool_ The Uniswap V3 pool of this venue.
    /// @param minLiquidity_ Minimum in-range liquidity (0 = no floor).
    /// @param maxPriceImpactBps_ Maximum price impact of one swap, 1..9999 bps.
    constructor(address router_, IUniswapV3PoolLike pool_, uint128 minLiquidity_, uint256 maxPriceImpactBps_) {
        if (router_ == address(0) || address(pool_).code.length == 0) revert ZeroValue();
        if (maxPriceImpactBps_ == 0 || maxPriceImpactBps_ >= BPS) revert PriceImpactOutOfRange(maxPriceImpactBps_);
        router = router_;
        pool = address(pool_);
        token0 = pool_.token0();
        token1 = pool_.token1();
        minLiquidity = minLiquidity_;
        maxPriceImpactBps = maxPriceImpactBps_;
        _sqrtFactorX96 = Math.sqrt(((BPS - maxPriceImpactBps_) << 192) / BPS, Math.Rounding.Ceil);
    }

    /// @inheritdoc IDBISConversionVenue
    /// @dev Exact input: reverts unless the pool takes all of `amountIn` within the price-impact limit.
    function swap(address payer, address recipient, address tokenIn, address tokenOut, uint256 amountIn)
        external
        returns (uint256 amountOut)
    {
        if (msg.sender != router) revert NotRouter(msg.sender);
        bool zeroForOne = tokenIn == token0;
        if (!(zeroForOne ? tokenOut == token1 : (tokenIn == token1 && tokenOut == token0))) {
            revert TokenPairMismatch(tokenIn, tokenOut);
        }
        if (amountIn == 0) revert ZeroValue();
        if (amountIn > uint256(type(int256).max)) revert AmountTooLarge(amountIn);
        uint160 limit = _checkedLimit(zeroForOne);
        address pool_ = pool;
        bytes4 selector = IUniswapV3PoolLike.swap.selector;
        uint256 consumed;
        assembly ("memory-safe") {
            // (int256 amount0, int256 amount1) = pool.swap(recipient, zeroForOne, amountIn, limit, abi.encode(payer))
            let m := mload(0x40)
            mstore(m, selector)
            mstore(add(m, 0x04), recipient)
            mstore(add(m, 0x24), zeroForOne)
            mstore(add(m, 0x44), amountIn)
            mstore(add(m, 0x64), limit)
            mstore(add(m, 0x84), 0xa0)
            mstore(add(m, 0xa4), 0x20)
            mstore(add(m, 0xc4), payer)
            if iszero(call(gas(), pool_, 0, m, 0xe4, m, 0x40)) {
                returndatacopy(m, 0x00, returndatasize())
                revert(m, returndatasize())
            }
            if lt(returndatasize(), 0x40) { revert(0x00, 0x00) }
            // the input the pool took, and minus the output it sent
            switch zeroForOne
            case 0 {
                consumed := mload(add(m, 0x20))
                amountOut := sub(0, mload(m))
            }
            default {
                consumed := mload(m)
                amountOut := sub(0, mload(add(m, 0x20)))
            }
        }
        if (consumed != amountIn) revert PriceImpactTooHigh(consumed, amountIn, maxPriceImpactBps);
    }

    /// @dev The liquidity floor, then the price limit of this swap from the pool's current price (the two pool
    ///      views called in assembly: slot0's first word is all that is read of its seven).
    function _checkedLimit(bool zeroForOne) private view returns (uint160) {
        address pool_ = pool;
        bytes4 liquiditySelector = IUniswapV3PoolLike.liquidity.selector;
        bytes4 slot0Selector = IUniswapV3PoolLike.slot0.selector;
        uint256 liquidity;
        uint256 sqrtPriceX96;
        assembly ("memory-safe") {
            mstore(0x00, liquiditySelector)
            let ok := staticcall(gas(), pool_, 0x00, 0x04, 0x00, 0x20)
            liquidity := mload(0x00)
            if iszero(and(ok, iszero(lt(returndatasize(), 0x20)))) { revert(0x00, 0x00) }
            mstore(0x00, slot0Selector)
            ok := staticcall(gas(), pool_, 0x00, 0x04, 0x00, 0x20)
            sqrtPriceX96 := mload(0x00)
            if iszero(and(ok, iszero(lt(returndatasize(), 0xe0)))) { revert(0x00, 0x00) }
            // the ABI decoder's range checks of a uint128 and a uint160
            if or(shr(128, liquidity), shr(160, sqrtPriceX96)) { revert(0x00, 0x00) }
        }
        if (liquidity < minLiquidity) revert LiquidityBelowFloor(uint128(liquidity), minLiquidity);
        return priceLimit(uint160(sqrtPriceX96), zeroForOne);
    }

    /// @notice Pool callback: pay the input the pool asks for, straight from the payer (only the pool; only
    ///         during a swap this adapter started, since only the adapter's swap makes the pool call back here).
    /// @param amount0Delta Token0 owed to the pool (positive) or sent by it (negative).
    /// @param amount1Delta Token1 owed to the pool (positive) or sent by it (negative).
    /// @param data ABI-encoded payer.
    function uniswapV3SwapCallback(int256 amount0Delta, int256 amount1Delta, bytes calldata data) external {
        if (msg.sender != pool) revert NotPool(msg.sender);
        address payer = abi.decode(data, (address));
        if (amount0Delta > 0) _pull(token0, payer, uint256(amount0Delta));
        else if (amount1Delta > 0) _pull(token1, payer, uint256(amount1Delta));
        else revert NothingOwed();
    }

    /// @dev `token.transferFrom(payer, msg.sender, amount)` with SafeERC20's acceptance rule (a call that
    ///      succeeds and returns `true`, or returns nothing from an address with code), in place.
    function _pull(address token, address payer, uint256 amount) private {
        bytes4 selector = IERC20.transferFrom.selector;
        bool ok;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, selector)
            mstore(add(m, 0x04), payer)
            mstore(add(m, 0x24), caller())
            mstore(add(m, 0x44), amount)
            mstore(0x00, 0)
            if iszero(call(gas(), token, 0, m, 0x64, 0x00, 0x20)) {
                returndatacopy(m, 0x00, returndatasize())
                revert(m, returndatasize())
            }
            switch returndatasize()
            case 0 { ok := gt(extcodesize(token), 0) }
            default { ok := eq(mload(0x00), 1) }
        }
        if (!ok) revert SafeERC20.SafeERC20FailedOperation(token);
    }

    /// @notice The pool price limit of a swap from `sqrtPriceX96`: the price of the input token may fall by at
    ///         most `maxPriceImpactBps` (token0 in: sqrtP·√(1−b); token1 in: sqrtP/√(1−b)), rounded toward the
    ///         current price (stricter), inside the pool's bounds.
    /// @dev No 512-bit product is needed: sqrtPriceX96 < 2^160 and the factor < 2^96, so each product (and the
    ///      rounding term added to it) stays below 2^256.
    function priceLimit(uint160 sqrtPriceX96, bool zeroForOne) public view returns (uint160) {
        uint256 factor = _sqrtFactorX96;
        unchecked {
            if (zeroForOne) {
                uint256 down = (uint256(sqrtPriceX96) * factor + (Q96 - 1)) / Q96; // rounded up
                return down <= MIN_SQRT_RATIO ? MIN_SQRT_RATIO + 1 : uint160(down);
            }
            uint256 up = (uint256(sqrtPriceX96) * Q96) / factor; // rounded down
            return up >= MAX_SQRT_RATIO ? MAX_SQRT_RATIO - 1 : uint160(up);
        }
    }
}
