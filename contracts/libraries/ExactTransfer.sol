// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @notice A measured transfer delivered less (or more) than was sent: fee-on-transfer and
///         rebasing tokens are refused.
/// @param token The token.
/// @param expected The amount sent.
/// @param received The amount that arrived.
error TransferAmountMismatch(address token, uint256 expected, uint256 received);

/// @title Exact (measured) token transfers
/// @notice One definition of the fee-on-transfer refusal every DBIS vault applies to inbound
///         tokens: the receiver's balance is read before and after, and anything but an exact
///         arrival reverts with `TransferAmountMismatch`. USDT-style tokens without return
///         values work (SafeERC20).
library ExactTransfer {
    using SafeERC20 for IERC20;

    /// @notice Move exactly `amount` of `token` from `from` to `to` (allowance from `from` to the
    ///         caller), measured at `to`.
    /// @dev `from == to` moves nothing measurable; callers handle that case themselves.
    /// @param token The token.
    /// @param from Payer (must have approved the calling contract).
    /// @param to Receiver whose balance is measured.
    /// @param amount Amount that must arrive.
    function transferFromExact(IERC20 token, address from, address to, uint256 amount) internal {
        uint256 before = token.balanceOf(to);
        token.safeTransferFrom(from, to, amount);
        uint256 received = token.balanceOf(to) - before;
        if (received != amount) revert TransferAmountMismatch(address(token), amount, received);
    }
}
