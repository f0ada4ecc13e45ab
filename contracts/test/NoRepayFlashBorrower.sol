// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC3156FlashBorrower} from "@openzeppelin/contracts/interfaces/IERC3156FlashBorrower.sol";

/// @title Hostile borrower that keeps the loan (test-only)
/// @notice Returns the ERC-3156 magic value but never approves the repayment, so the lender
///         cannot pull anything back.
contract NoRepayFlashBorrower is IERC3156FlashBorrower {
    /// @inheritdoc IERC3156FlashBorrower
    function onFlashLoan(address, address, uint256, uint256, bytes calldata) external pure returns (bytes32) {
        return keccak256("ERC3156FlashBorrower.onFlashLoan");
    }
}
