// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC3156FlashBorrower} from "@openzeppelin/contracts/interfaces/IERC3156FlashBorrower.sol";

/// @title Hostile borrower that returns the wrong callback value (test-only)
/// @notice Approves the full repayment but returns `WRONG_MAGIC` instead of
///         `keccak256("ERC3156FlashBorrower.onFlashLoan")`.
contract WrongMagicFlashBorrower is IERC3156FlashBorrower {
    /// @notice The value returned from every callback (a near miss of the ERC-3156 value).
    bytes32 public constant WRONG_MAGIC = keccak256("ERC3156FlashBorrower.onFlashLoan()");

    /// @inheritdoc IERC3156FlashBorrower
    function onFlashLoan(address, address token, uint256 amount, uint256 fee, bytes calldata)
        external
        returns (bytes32)
    {
        IERC20(token).approve(msg.sender, amount + fee);
        return WRONG_MAGIC;
    }
}
