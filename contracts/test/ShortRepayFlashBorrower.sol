// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC3156FlashBorrower} from "@openzeppelin/contracts/interfaces/IERC3156FlashBorrower.sol";

/// @title Hostile borrower that approves one unit less than it owes (test-only)
/// @notice Returns the ERC-3156 magic value and approves `amount + fee - 1`, although it holds
///         enough to repay in full.
contract ShortRepayFlashBorrower is IERC3156FlashBorrower {
    /// @inheritdoc IERC3156FlashBorrower
    function onFlashLoan(address, address token, uint256 amount, uint256 fee, bytes calldata)
        external
        returns (bytes32)
    {
        IERC20(token).approve(msg.sender, amount + fee - 1);
        return keccak256("ERC3156FlashBorrower.onFlashLoan");
    }
}
