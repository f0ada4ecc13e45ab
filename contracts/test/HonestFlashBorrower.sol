// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC3156FlashBorrower} from "@openzeppelin/contracts/interfaces/IERC3156FlashBorrower.sol";

/// @title Well-behaved ERC-3156 borrower that records its callback (test-only)
/// @notice Accepts a loan from any lender, records what the callback saw, approves the exact
///         repayment and returns the ERC-3156 magic value. The fee is paid from a balance the test
///         gives it beforehand. Used as the control case of the flash-loan tests.
contract HonestFlashBorrower is IERC3156FlashBorrower {
    using SafeERC20 for IERC20;

    /// @notice ERC-3156 callback success value.
    bytes32 public constant CALLBACK_SUCCESS = keccak256("ERC3156FlashBorrower.onFlashLoan");

    /// @notice Lender of the last loan.
    address public lastLender;
    /// @notice Initiator of the last loan.
    address public lastInitiator;
    /// @notice Token of the last loan.
    address public lastToken;
    /// @notice Amount of the last loan.
    uint256 public lastAmount;
    /// @notice Fee of the last loan.
    uint256 public lastFee;
    /// @notice Data of the last loan.
    bytes public lastData;
    /// @notice This contract's token balance inside the last callback.
    uint256 public balanceDuringLoan;
    /// @notice Number of callbacks received.
    uint256 public loans;

    /// @inheritdoc IERC3156FlashBorrower
    function onFlashLoan(address initiator, address token, uint256 amount, uint256 fee, bytes calldata data)
        external
        returns (bytes32)
    {
        lastLender = msg.sender;
        lastInitiator = initiator;
        lastToken = token;
        lastAmount = amount;
        lastFee = fee;
        lastData = data;
        balanceDuringLoan = IERC20(token).balanceOf(address(this));
        loans += 1;
        IERC20(token).forceApprove(msg.sender, amount + fee);
        return CALLBACK_SUCCESS;
    }
}
