// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TestERC20} from "./TestERC20.sol";

/// @title Test token whose failing `transferFrom` returns false instead of reverting (tests only)
/// @notice Like some pre-OpenZeppelin tokens (0x's ZRX, for one): a `transferFrom` short of balance or
///         allowance returns `false` and moves nothing. 6 decimals, open minting. Never deploy on a
///         public network.
contract FalseReturnERC20 is TestERC20 {
    /// @param name_ Token name.
    /// @param symbol_ Token symbol.
    constructor(string memory name_, string memory symbol_) TestERC20(name_, symbol_, 6) {}

    /// @notice `false` (nothing moved) when `from` lacks the balance or the caller the allowance.
    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        if (balanceOf(from) < value || allowance(from, msg.sender) < value) return false;
        return super.transferFrom(from, to, value);
    }
}
