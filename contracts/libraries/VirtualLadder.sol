// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title Virtual ladder pricing
/// @notice Prices an input of any size through a pair of equal constant-product reserves without
///         moving them: the input is split into steps no larger than the reserve, each step is a
///         cWUSDC -> USDC -> cWUSDC round trip with a fee on each leg, and the reserves are
///         restored after every step.
/// @dev Every full step sees the same reserves, so its output is the same number; the ladder's
///      output is therefore `fullSteps * step(reserve) + step(remainder)`, computed in constant gas
///      whatever the amount (5,000,000,000 cWUSDC through an 85.763529 reserve is about 58 million
///      steps). Each leg rounds its output down, so every step and the total are rounded against
///      the caller, never in the caller's favour.
library VirtualLadder {
    uint256 internal constant BPS = 10_000;

    /// @notice Output of the whole ladder.
    /// @param amountIn Input, in token units.
    /// @param reserve Each (equal) reserve, nonzero.
    /// @param feeBps Fee of each leg, in bps (< BPS).
    /// @return amountOut Total output, rounded down.
    /// @return steps Number of steps: full steps plus one for a nonzero remainder.
    function roundTrip(uint256 amountIn, uint256 reserve, uint256 feeBps)
        internal
        pure
        returns (uint256 amountOut, uint256 steps)
    {
        uint256 fullSteps = amountIn / reserve;
        uint256 remainder = amountIn - fullSteps * reserve;
        amountOut = fullSteps * step(reserve, reserve, feeBps);
        steps = fullSteps;
        if (remainder != 0) {
            amountOut += step(remainder, reserve, feeBps);
            steps += 1;
        }
    }

    /// @notice Output of one round trip of `x` (at most `reserve`) through equal reserves.
    /// @dev Leg 1 sells `x` into (reserve, reserve); leg 2 sells leg 1's output back into the moved
    ///      reserves (reserve + x, reserve - out1). Uniswap V2 arithmetic, each leg rounded down.
    function step(uint256 x, uint256 reserve, uint256 feeBps) internal pure returns (uint256) {
        uint256 keep = BPS - feeBps;
        uint256 in1 = x * keep;
        uint256 out1 = Math.mulDiv(in1, reserve, reserve * BPS + in1);
        uint256 in2 = out1 * keep;
        return Math.mulDiv(in2, reserve + x, (reserve - out1) * BPS + in2);
    }
}
