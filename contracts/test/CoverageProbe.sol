// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Coverage probe (tests only)
/// @notice One decision of each kind the coverage tool measures (an if/else, an if without else,
///         a ternary), for its own test in tests/harness/test_coverage_tool.py. Never deployed.
contract CoverageProbe {
    /// @notice The last value `pick` stored.
    uint256 public last;

    /// @notice Stores `x - 10` or `x + 100`, plus one when `x` is odd.
    /// @param x Any value above 10 takes the first arm.
    /// @return r The value before the parity adjustment.
    function pick(uint256 x) external returns (uint256 r) {
        if (x > 10) {
            r = x - 10; // probe: if-true
        } else {
            r = x + 100; // probe: if-false
        }
        last = x % 2 == 0 ? r + 2 : r + 3; // probe: ternary
    }

    /// @notice `x` capped at 5.
    /// @param x Any value.
    /// @return The smaller of `x` and 5.
    function clamp(uint256 x) external pure returns (uint256) {
        if (x > 5) {
            return 5; // probe: clamp-true
        }
        return x; // probe: clamp-after
    }

    /// @notice Twice `x`; an early return with no code of its own for zero.
    /// @param x Any value.
    /// @return y `2 x`.
    function twice(uint256 x) external pure returns (uint256 y) {
        if (x == 0) return y; // probe: early-return
        y = x * 2; // probe: twice
    }
}
