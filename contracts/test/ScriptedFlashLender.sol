// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC3156FlashLender} from "@openzeppelin/contracts/interfaces/IERC3156FlashLender.sol";
import {IERC3156FlashBorrower} from "@openzeppelin/contracts/interfaces/IERC3156FlashBorrower.sol";

/// @title Scripted ERC-3156 lender (test-only)
/// @notice Stands in for the vault as a borrower's configured lender so that a test can drive the
///         borrower's callback with any arguments: `callBorrower` calls `onFlashLoan` as the lender
///         and moves no tokens; `flashLoan` lends nothing and returns `false`.
contract ScriptedFlashLender is IERC3156FlashLender {
    /// @notice The borrower's callback returned `returned`.
    event CallbackReturned(bytes32 returned);

    /// @inheritdoc IERC3156FlashLender
    function maxFlashLoan(address) external pure returns (uint256) {
        return 0;
    }

    /// @inheritdoc IERC3156FlashLender
    function flashFee(address, uint256) external pure returns (uint256) {
        return 0;
    }

    /// @notice Lends nothing, calls nothing and reports failure.
    function flashLoan(IERC3156FlashBorrower, address, uint256, bytes calldata) external pure returns (bool) {
        return false;
    }

    /// @notice Call `receiver.onFlashLoan` as this lender with the given arguments.
    function callBorrower(
        IERC3156FlashBorrower receiver,
        address initiator,
        address token,
        uint256 amount,
        uint256 fee,
        bytes calldata data
    ) external returns (bytes32 returned) {
        returned = receiver.onFlashLoan(initiator, token, amount, fee, data);
        emit CallbackReturned(returned);
    }
}
