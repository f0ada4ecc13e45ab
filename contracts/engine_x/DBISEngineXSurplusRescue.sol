// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

/// @title DBIS Engine X surplus rescue
/// @notice The rescue rule both Engine X vaults share: the admin may move only what a vault holds
///         beyond its accounted balances (`surplusOf`), never reserves, collateral or lender USDC.
/// @dev Each vault defines what it accounts for by implementing `_accounted`.
abstract contract DBISEngineXSurplusRescue is AccessControlDefaultAdminRules, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice Unaccounted surplus was rescued.
    event SurplusWithdrawn(address indexed token, address indexed to, uint256 amount);

    error ZeroAmount();
    error ZeroAddress();
    error InsufficientSurplus(address token, uint256 requested, uint256 available);

    /// @notice Amount of `token` the vault holds beyond what it accounts for.
    /// @param token Any ERC-20 token.
    /// @return The unaccounted balance, the only part `withdraw` can move.
    function surplusOf(address token) public view returns (uint256) {
        uint256 balance = IERC20(token).balanceOf(address(this));
        uint256 accounted = _accounted(token);
        return balance > accounted ? balance - accounted : 0;
    }

    /// @notice Rescue unaccounted surplus; accounted balances can never be taken here.
    /// @param token Token to rescue.
    /// @param to Receiver.
    /// @param amount Amount, at most `surplusOf(token)`.
    function withdraw(address token, address to, uint256 amount) external onlyRole(DEFAULT_ADMIN_ROLE) nonReentrant {
        if (to == address(0)) revert ZeroAddress();
        if (amount == 0) revert ZeroAmount();
        uint256 surplus = surplusOf(token);
        if (amount > surplus) revert InsufficientSurplus(token, amount, surplus);
        IERC20(token).safeTransfer(to, amount);
        emit SurplusWithdrawn(token, to, amount);
    }

    /// @dev The balance of `token` the vault owes to its users and lenders.
    function _accounted(address token) internal view virtual returns (uint256);
}
