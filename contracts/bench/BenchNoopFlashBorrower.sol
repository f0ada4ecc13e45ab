// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC3156FlashBorrower} from "@openzeppelin/contracts/interfaces/IERC3156FlashBorrower.sol";
import {IERC3156FlashLender} from "@openzeppelin/contracts/interfaces/IERC3156FlashLender.sol";

/// @title No-op ERC-3156 borrower (benchmarks and tests only)
/// @notice The cheapest possible borrower: it approves `repayToken` to the lender once, for the
///         maximum, at construction, and its callback does nothing but return `reply`. With
///         `reply` = `keccak256("ERC3156FlashBorrower.onFlashLoan")` and `repayToken` = the
///         borrowed token it measures a lender's bare flash-loan round trip (`dbis.bench`, against
///         the Engine X vault and OpenZeppelin's ERC20FlashMint). Any other `reply`, or a
///         `repayToken` other than the borrowed one, makes it a misbehaving borrower (wrong
///         callback value, repayment not approved) for the property tests. Never deploy on a
///         public network.
contract BenchNoopFlashBorrower is IERC3156FlashBorrower {
    /// @notice The ERC-3156 lender this borrower borrows from.
    IERC3156FlashLender public immutable lender;
    /// @notice Value returned by `onFlashLoan`.
    bytes32 public immutable reply;

    /// @param lender_ The ERC-3156 lender.
    /// @param repayToken Token approved to the lender for the maximum amount.
    /// @param reply_ Value the callback returns.
    constructor(IERC3156FlashLender lender_, IERC20 repayToken, bytes32 reply_) {
        lender = lender_;
        reply = reply_;
        repayToken.approve(address(lender_), type(uint256).max);
    }

    /// @notice Borrow `amount` of `token` from the lender and hand it straight back.
    /// @param token Token to borrow.
    /// @param amount Amount to borrow.
    function run(address token, uint256 amount) external {
        lender.flashLoan(this, token, amount, "");
    }

    /// @inheritdoc IERC3156FlashBorrower
    function onFlashLoan(address, address, uint256, uint256, bytes calldata) external view returns (bytes32) {
        return reply;
    }
}
