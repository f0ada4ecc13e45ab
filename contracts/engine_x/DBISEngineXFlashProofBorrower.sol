// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC3156FlashLender} from "@openzeppelin/contracts/interfaces/IERC3156FlashLender.sol";
import {IERC3156FlashBorrower} from "@openzeppelin/contracts/interfaces/IERC3156FlashBorrower.sol";
import {Ownable2Step, Ownable} from "@openzeppelin/contracts/access/Ownable2Step.sol";

/// @title DBIS Engine X flash proof borrower
/// @notice ERC-3156 borrower for the Engine X vault. Its owner starts a flash loan carrying one
///         proof step; inside the loan the borrower proves it holds the borrowed USDC and the fee, consumes the
///         step's proof ID, emits the proof hashes and approves the exact repayment.
/// @dev The fee is paid from USDC the owner deposited in this contract beforehand. `onFlashLoan`
///      accepts only the configured lender as caller and only this contract as initiator, so a
///      third party cannot make it borrow (and pay fees) by naming it as a receiver.
contract DBISEngineXFlashProofBorrower is IERC3156FlashBorrower, Ownable2Step {
    using SafeERC20 for IERC20;

    /// @notice Value returned to the lender on success.
    bytes32 public constant CALLBACK_SUCCESS = keccak256("ERC3156FlashBorrower.onFlashLoan");

    /// @notice The ERC-3156 lender (the Engine X vault).
    IERC3156FlashLender public immutable lender;
    /// @notice The token borrowed (USDC).
    IERC20 public immutable token;

    /// @notice Proof IDs already proven through a flash loan.
    mapping(bytes32 proofId => bool used) public proofIdUsed;

    /// @notice One proof step, carried through the loan's `data`.
    struct ProofStep {
        bytes32 proofId;
        bytes32 isoHash;
        bytes32 auditHash;
        bytes32 pegHash;
    }

    /// @notice The borrowed amount was held inside the loan and repaid with `fee`.
    event FlashProofExecuted(
        bytes32 indexed proofId, uint256 amount, uint256 fee, bytes32 isoHash, bytes32 auditHash, bytes32 pegHash
    );
    /// @notice Tokens were swept out of the borrower by its owner.
    event Swept(address indexed token, address indexed to, uint256 amount);

    error ZeroAddress();
    error ZeroAmount();
    error ZeroHash();
    error UntrustedLender(address caller);
    error UntrustedInitiator(address initiator);
    error UnexpectedToken(address token);
    error ProofIdAlreadyUsed(bytes32 proofId);
    error InsufficientRepaymentFunds(uint256 needed, uint256 held);
    error FlashLoanFailed();

    /// @param lender_ The ERC-3156 lender.
    /// @param token_ The token borrowed.
    /// @param owner_ Owner allowed to start loans and sweep.
    constructor(IERC3156FlashLender lender_, IERC20 token_, address owner_) Ownable(owner_) {
        if (address(lender_) == address(0) || address(token_) == address(0)) revert ZeroAddress();
        lender = lender_;
        token = token_;
    }

    /// @notice Borrow `amount` and run `step` inside the loan.
    /// @param amount Amount to borrow.
    /// @param step Proof step: a fresh nonzero proof ID and nonzero hashes.
    function runFlashProof(uint256 amount, ProofStep calldata step) external onlyOwner {
        if (amount == 0) revert ZeroAmount();
        _checkStep(step);
        if (!lender.flashLoan(this, address(token), amount, abi.encode(step))) revert FlashLoanFailed();
    }

    /// @notice ERC-3156 callback; only the lender may call it, only for loans this contract started.
    /// @param initiator Who started the loan; must be this contract.
    /// @param token_ Token lent; must be `token`.
    /// @param amount Amount lent.
    /// @param fee Fee owed.
    /// @param data ABI-encoded {ProofStep}.
    /// @return `CALLBACK_SUCCESS`.
    function onFlashLoan(address initiator, address token_, uint256 amount, uint256 fee, bytes calldata data)
        external
        returns (bytes32)
    {
        if (msg.sender != address(lender)) revert UntrustedLender(msg.sender);
        if (initiator != address(this)) revert UntrustedInitiator(initiator);
        if (token_ != address(token)) revert UnexpectedToken(token_);
        ProofStep memory step = abi.decode(data, (ProofStep));
        _checkStep(step);
        uint256 held = token.balanceOf(address(this));
        if (held < amount + fee) revert InsufficientRepaymentFunds(amount + fee, held);

        proofIdUsed[step.proofId] = true;
        token.forceApprove(address(lender), amount + fee);
        emit FlashProofExecuted(step.proofId, amount, fee, step.isoHash, step.auditHash, step.pegHash);
        return CALLBACK_SUCCESS;
    }

    /// @notice Move tokens held by the borrower (fee float, leftovers) to `to`.
    /// @param token_ Token to sweep.
    /// @param to Receiver.
    /// @param amount Amount.
    function sweep(IERC20 token_, address to, uint256 amount) external onlyOwner {
        if (to == address(0)) revert ZeroAddress();
        if (amount == 0) revert ZeroAmount();
        token_.safeTransfer(to, amount);
        emit Swept(address(token_), to, amount);
    }

    function _checkStep(ProofStep memory step) private view {
        if (step.proofId == bytes32(0) || step.isoHash == bytes32(0) || step.auditHash == bytes32(0)
            || step.pegHash == bytes32(0)) revert ZeroHash();
        if (proofIdUsed[step.proofId]) revert ProofIdAlreadyUsed(step.proofId);
    }
}
