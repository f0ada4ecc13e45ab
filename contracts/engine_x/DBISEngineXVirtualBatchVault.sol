// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC3156FlashLender} from "@openzeppelin/contracts/interfaces/IERC3156FlashLender.sol";
import {IERC3156FlashBorrower} from "@openzeppelin/contracts/interfaces/IERC3156FlashBorrower.sol";
import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {VirtualLadder} from "../libraries/VirtualLadder.sol";
import {ExactTransfer, TransferAmountMismatch} from "../libraries/ExactTransfer.sol";
import {DBISEngineXSurplusRescue} from "./DBISEngineXSurplusRescue.sol";

/// @title DBIS Engine X virtual batch vault
/// @notice Maintained 1:1 cWUSDC/USDC accounting rail with a separately accounted USDC lender
///         bucket that lends through ERC-3156 flash loans.
/// @dev Accounted state is `poolCwusdcReserve`, `poolUsdcReserve` and `lenderUsdcAvailable`;
///      every other token unit the vault holds is unaccounted surplus and is the only thing
///      `withdraw` (rescue) can move. Exact-output proofs never touch the reserves: the input is
///      priced through a *virtual ladder* (see {VirtualLadder}) and paid out directly from the
///      caller, so the rail stays 1:1 before and after every proof.
///
///      Roles: the default admin (two-step transfer with delay, OpenZeppelin
///      AccessControlDefaultAdminRules) configures and withdraws; OPERATOR_ROLE seeds, funds the
///      lender bucket and runs proofs; PAUSER_ROLE pauses. Unpausing needs the admin.
///      Withdrawals stay open while paused so that funds can always be recovered.
///
///      Tokens whose transfers deliver less than the amount sent (fee-on-transfer) are refused:
///      every inbound transfer is measured and must arrive in full (`TransferAmountMismatch`).
contract DBISEngineXVirtualBatchVault is IERC3156FlashLender, DBISEngineXSurplusRescue, Pausable {
    using SafeERC20 for IERC20;
    using ExactTransfer for IERC20;

    /// @notice Role allowed to seed the pool, fund the lender bucket and run proofs.
    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");
    /// @notice Role allowed to pause the vault.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice Value an ERC-3156 borrower must return from `onFlashLoan`.
    bytes32 public constant CALLBACK_SUCCESS = keccak256("ERC3156FlashBorrower.onFlashLoan");
    /// @notice Basis-point denominator.
    uint256 public constant BPS = 10_000;
    /// @notice Upper bound of the virtual ladder fee (10%).
    uint256 public constant MAX_VIRTUAL_FEE_BPS = 1_000;
    /// @notice Upper bound of the flash fee (1%).
    uint256 public constant MAX_FLASH_FEE_BPS = 100;

    /// @notice The cWUSDC token (6 decimals).
    IERC20 public immutable cwusdc;
    /// @notice The official USDC token (6 decimals).
    IERC20 public immutable usdc;
    /// @notice Fee of each constant-product leg of the virtual ladder, in bps.
    uint256 public immutable virtualFeeBps;
    /// @notice Largest round-trip loss a proof may show in its preview, in bps (rounded up).
    uint256 public immutable maxRoundTripLossBps;

    // Storage note: Pausable's `_paused` flag is the last inherited variable, so the next three
    // pack into its slot: a flash loan reads pause state, bucket, cap and fee in one SLOAD.

    /// @notice USDC available to flash borrowers (never pool USDC).
    uint128 public lenderUsdcAvailable;
    /// @notice Largest single flash loan; 0 means no cap beyond the lender bucket.
    uint104 public maxFlashLoanCap;
    /// @notice Flash fee in bps of the borrowed amount, rounded up, credited to the lender bucket.
    uint16 public flashFeeBps;

    /// @notice Accounted cWUSDC reserve of the 1:1 rail.
    uint128 public poolCwusdcReserve;
    /// @notice Accounted USDC reserve of the 1:1 rail.
    uint128 public poolUsdcReserve;

    /// @notice Receiver of `preview - amountOut` of every proof.
    address public surplusReceiver;
    /// @notice Receiver of `amountIn - preview` (the ladder's rounding and fee) of every proof.
    address public roundingReceiver;

    /// @notice Borrowers (ERC-3156 receivers) allowed to take flash loans.
    mapping(address borrower => bool allowed) public flashBorrowerAllowed;
    /// @notice Proof IDs already run; a proof ID never runs twice.
    mapping(bytes32 proofId => bool used) public proofIdUsed;

    /// @notice The rail was seeded with equal amounts.
    event PoolSeeded(address indexed operator, uint256 amount, uint256 newReserve);
    /// @notice Rail liquidity was withdrawn, leaving equal reserves.
    event PoolLiquidityWithdrawn(address indexed to, uint256 amount, uint256 newReserve);
    /// @notice USDC was added to the lender bucket.
    event LenderFunded(address indexed operator, uint256 amount, uint256 newAvailable);
    /// @notice USDC was taken out of the lender bucket.
    event LenderUsdcWithdrawn(address indexed to, uint256 amount, uint256 newAvailable);
    /// @notice Evidence of one exact-output virtual proof.
    event VirtualProofAuditEvidence(
        bytes32 indexed proofId,
        address indexed recipient,
        uint256 amountIn,
        uint256 amountOut,
        bytes32 isoHash,
        bytes32 auditHash,
        bytes32 pegHash,
        uint256 poolCwusdcReserve,
        uint256 poolUsdcReserve
    );
    /// @notice A flash loan was repaid; `fee` went to the lender bucket.
    event FlashLoan(address indexed receiver, address indexed initiator, uint256 amount, uint256 fee);
    /// @notice A borrower was added to or removed from the allowlist.
    event FlashBorrowerSet(address indexed borrower, bool allowed);
    /// @notice The flash-loan cap and fee were changed.
    event FlashTermsSet(uint256 maxFlashLoanCap, uint256 flashFeeBps);
    /// @notice The proof receivers were changed.
    event ReceiversSet(address surplusReceiver, address roundingReceiver);

    error ZeroHash();
    error InvalidRecipient(address recipient);
    error InvalidBps(uint256 bps, uint256 max);
    error AmountTooLarge(uint256 amount);
    error UnequalAmounts(uint256 cwusdcAmount, uint256 usdcAmount);
    error ReservesNotEqual(uint256 cwusdcReserve, uint256 usdcReserve);
    error InsufficientReserve(uint256 requested, uint256 available);
    error InsufficientLenderUsdc(uint256 requested, uint256 available);
    error EmptyPool();
    error ProofIdAlreadyUsed(bytes32 proofId);
    error RoundTripLossTooHigh(uint256 lossBps, uint256 maxLossBps);
    error AmountOutExceedsPreview(uint256 amountOut, uint256 previewOut);
    error UnsupportedToken(address token);
    error FlashAmountExceedsMax(uint256 amount, uint256 maxAmount);
    error FlashBorrowerNotAllowed(address receiver);
    error FlashCallbackFailed(bytes32 returned);
    error FlashRepaymentNotApproved(uint256 needed, uint256 allowance);

    /// @param cwusdc_ The cWUSDC token.
    /// @param usdc_ The official USDC token.
    /// @param admin Initial default admin (owner).
    /// @param adminTransferDelay Delay of a default-admin transfer, in seconds.
    /// @param surplusReceiver_ Receiver of `preview - amountOut`.
    /// @param roundingReceiver_ Receiver of `amountIn - preview`.
    /// @param virtualFeeBps_ Fee of each ladder leg, at most `MAX_VIRTUAL_FEE_BPS`.
    /// @param maxRoundTripLossBps_ Largest preview loss a proof accepts, at most `BPS`.
    constructor(
        IERC20 cwusdc_,
        IERC20 usdc_,
        address admin,
        uint48 adminTransferDelay,
        address surplusReceiver_,
        address roundingReceiver_,
        uint256 virtualFeeBps_,
        uint256 maxRoundTripLossBps_
    ) AccessControlDefaultAdminRules(adminTransferDelay, admin) {
        if (address(cwusdc_) == address(0) || address(usdc_) == address(0)) revert ZeroAddress();
        if (address(cwusdc_) == address(usdc_)) revert UnsupportedToken(address(usdc_));
        if (virtualFeeBps_ > MAX_VIRTUAL_FEE_BPS) revert InvalidBps(virtualFeeBps_, MAX_VIRTUAL_FEE_BPS);
        if (maxRoundTripLossBps_ > BPS) revert InvalidBps(maxRoundTripLossBps_, BPS);
        cwusdc = cwusdc_;
        usdc = usdc_;
        virtualFeeBps = virtualFeeBps_;
        maxRoundTripLossBps = maxRoundTripLossBps_;
        _setReceivers(surplusReceiver_, roundingReceiver_);
    }

    // ------------------------------------------------------------------ rail liquidity

    /// @notice Seed the 1:1 rail with equal amounts of cWUSDC and USDC pulled from the caller.
    /// @param cwusdcAmount cWUSDC to add; must equal `usdcAmount`.
    /// @param usdcAmount USDC to add; must equal `cwusdcAmount`.
    function seedPool(uint256 cwusdcAmount, uint256 usdcAmount)
        external
        onlyRole(OPERATOR_ROLE)
        whenNotPaused
        nonReentrant
    {
        if (cwusdcAmount != usdcAmount) revert UnequalAmounts(cwusdcAmount, usdcAmount);
        if (cwusdcAmount == 0) revert ZeroAmount();
        uint256 newReserve = uint256(poolCwusdcReserve) + cwusdcAmount;
        if (newReserve > type(uint128).max) revert AmountTooLarge(cwusdcAmount);
        poolCwusdcReserve = uint128(newReserve);
        poolUsdcReserve = uint128(newReserve);
        cwusdc.transferFromExact(msg.sender, address(this), cwusdcAmount);
        usdc.transferFromExact(msg.sender, address(this), usdcAmount);
        emit PoolSeeded(msg.sender, cwusdcAmount, newReserve);
    }

    /// @notice Withdraw rail liquidity; the reserves must stay equal (1:1) afterwards.
    /// @param to Receiver of both tokens.
    /// @param cwusdcAmount cWUSDC to withdraw.
    /// @param usdcAmount USDC to withdraw; must equal `cwusdcAmount`.
    function withdrawPoolLiquidity(address to, uint256 cwusdcAmount, uint256 usdcAmount)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
        nonReentrant
    {
        if (to == address(0)) revert ZeroAddress();
        if (cwusdcAmount == 0 && usdcAmount == 0) revert ZeroAmount();
        uint256 cwReserve = poolCwusdcReserve;
        uint256 usdcReserve = poolUsdcReserve;
        if (cwusdcAmount > cwReserve) revert InsufficientReserve(cwusdcAmount, cwReserve);
        if (usdcAmount > usdcReserve) revert InsufficientReserve(usdcAmount, usdcReserve);
        uint256 newCw = cwReserve - cwusdcAmount;
        uint256 newUsdc = usdcReserve - usdcAmount;
        if (newCw != newUsdc) revert ReservesNotEqual(newCw, newUsdc);
        poolCwusdcReserve = uint128(newCw);
        poolUsdcReserve = uint128(newUsdc);
        cwusdc.safeTransfer(to, cwusdcAmount);
        usdc.safeTransfer(to, usdcAmount);
        emit PoolLiquidityWithdrawn(to, cwusdcAmount, newCw);
    }

    // ------------------------------------------------------------------ lender bucket

    /// @notice Add USDC pulled from the caller to the lender bucket.
    /// @param amount USDC to add.
    function fundLender(uint256 amount) external onlyRole(OPERATOR_ROLE) nonReentrant {
        if (amount == 0) revert ZeroAmount();
        uint256 newAvailable = uint256(lenderUsdcAvailable) + amount;
        if (newAvailable > type(uint128).max) revert AmountTooLarge(amount);
        lenderUsdcAvailable = uint128(newAvailable);
        usdc.transferFromExact(msg.sender, address(this), amount);
        emit LenderFunded(msg.sender, amount, newAvailable);
    }

    /// @notice Take USDC out of the lender bucket.
    /// @param to Receiver of the USDC.
    /// @param amount USDC to withdraw, at most `lenderUsdcAvailable`.
    function withdrawLenderUsdc(address to, uint256 amount) external onlyRole(DEFAULT_ADMIN_ROLE) nonReentrant {
        if (to == address(0)) revert ZeroAddress();
        if (amount == 0) revert ZeroAmount();
        uint256 available = lenderUsdcAvailable;
        if (amount > available) revert InsufficientLenderUsdc(amount, available);
        lenderUsdcAvailable = uint128(available - amount);
        usdc.safeTransfer(to, amount);
        emit LenderUsdcWithdrawn(to, amount, available - amount);
    }

    // ------------------------------------------------------------------ rescue

    /// @dev Accounted: the cWUSDC reserve; the USDC reserve plus the lender bucket.
    function _accounted(address token) internal view override returns (uint256) {
        if (token == address(cwusdc)) return poolCwusdcReserve;
        if (token == address(usdc)) return uint256(poolUsdcReserve) + lenderUsdcAvailable;
        return 0;
    }

    // ------------------------------------------------------------------ virtual proofs

    /// @notice Price `amountIn` cWUSDC through the virtual ladder of the current reserves.
    /// @dev Closed form, constant gas whatever the amount (see {VirtualLadder}). Output is rounded
    ///      down and the loss in bps rounded up, both against the caller.
    /// @param amountIn cWUSDC put through the ladder.
    /// @return amountOut cWUSDC the ladder returns.
    /// @return lossBps Round-trip loss, in bps of `amountIn`, rounded up.
    /// @return steps Number of ladder steps (each at most one reserve in size).
    function previewVirtualProof(uint256 amountIn)
        public
        view
        returns (uint256 amountOut, uint256 lossBps, uint256 steps)
    {
        uint256 reserve = poolCwusdcReserve;
        if (reserve == 0) revert EmptyPool();
        if (amountIn == 0) revert ZeroAmount();
        (amountOut, steps) = VirtualLadder.roundTrip(amountIn, reserve, virtualFeeBps);
        lossBps = Math.mulDiv(amountIn - amountOut, BPS, amountIn, Math.Rounding.Ceil);
    }

    /// @notice Deliver exactly `amountOut` cWUSDC to `recipient` against `amountIn` cWUSDC priced
    ///         through the virtual ladder, and anchor the proof hashes on-chain.
    /// @dev Pulls from the caller: `amountOut` to the recipient, `preview - amountOut` to the
    ///      surplus receiver and `amountIn - preview` to the rounding receiver. Reserves are read,
    ///      never written: they are equal and unchanged after the proof. The recipient's balance
    ///      is measured so that a token taking a transfer fee is refused.
    /// @param recipient Receiver of exactly `amountOut`.
    /// @param amountIn cWUSDC the caller puts through the ladder.
    /// @param amountOut cWUSDC the recipient receives; at most the preview output.
    /// @param proofId Unique proof ID; never runs twice.
    /// @param isoHash keccak256 of the canonical ISO 20022 message.
    /// @param auditHash keccak256 of the canonical audit envelope.
    /// @param pegHash keccak256 of the canonical peg proof.
    function runVirtualProofExactOutTo(
        address recipient,
        uint256 amountIn,
        uint256 amountOut,
        bytes32 proofId,
        bytes32 isoHash,
        bytes32 auditHash,
        bytes32 pegHash
    ) external onlyRole(OPERATOR_ROLE) whenNotPaused nonReentrant {
        if (recipient == address(0) || recipient == address(this)) revert InvalidRecipient(recipient);
        if (proofId == bytes32(0) || isoHash == bytes32(0) || auditHash == bytes32(0) || pegHash == bytes32(0)) {
            revert ZeroHash();
        }
        if (proofIdUsed[proofId]) revert ProofIdAlreadyUsed(proofId);
        uint256 reserve = poolCwusdcReserve;
        if (reserve != poolUsdcReserve) revert ReservesNotEqual(reserve, poolUsdcReserve);
        if (amountOut == 0) revert ZeroAmount();
        (uint256 previewOut, uint256 lossBps,) = previewVirtualProof(amountIn);
        if (lossBps > maxRoundTripLossBps) revert RoundTripLossTooHigh(lossBps, maxRoundTripLossBps);
        if (amountOut > previewOut) revert AmountOutExceedsPreview(amountOut, previewOut);

        proofIdUsed[proofId] = true;
        _payProof(recipient, amountIn, amountOut, previewOut);

        emit VirtualProofAuditEvidence(
            proofId, recipient, amountIn, amountOut, isoHash, auditHash, pegHash, reserve, reserve
        );
    }

    // ------------------------------------------------------------------ ERC-3156 lender

    /// @notice Largest USDC flash loan available now: the lender bucket, bounded by the cap.
    /// @param token Token asked for; anything but USDC, or a paused vault, gives 0.
    /// @return The largest amount `flashLoan` accepts.
    function maxFlashLoan(address token) public view returns (uint256) {
        if (token != address(usdc) || paused()) return 0;
        uint256 available = lenderUsdcAvailable;
        uint256 cap = maxFlashLoanCap;
        return cap != 0 && cap < available ? cap : available;
    }

    /// @notice Fee of a USDC flash loan, rounded up.
    /// @param token Must be USDC.
    /// @param amount Amount borrowed.
    /// @return The fee, credited to the lender bucket on repayment.
    function flashFee(address token, uint256 amount) public view returns (uint256) {
        if (token != address(usdc)) revert UnsupportedToken(token);
        return Math.mulDiv(amount, flashFeeBps, BPS, Math.Rounding.Ceil);
    }

    /// @notice ERC-3156 flash loan of USDC from the lender bucket to an allowlisted borrower.
    /// @dev The borrower must return `CALLBACK_SUCCESS` and approve `amount + fee`, which is pulled
    ///      back; the fee is credited to the lender bucket. Pool USDC is never lent.
    /// @param receiver Allowlisted ERC-3156 borrower.
    /// @param token Must be USDC.
    /// @param amount Amount lent, at most `maxFlashLoan(token)`.
    /// @param data Passed to the borrower unchanged.
    /// @return Always true; every failure reverts.
    function flashLoan(IERC3156FlashBorrower receiver, address token, uint256 amount, bytes calldata data)
        external
        whenNotPaused
        nonReentrant
        returns (bool)
    {
        if (token != address(usdc)) revert UnsupportedToken(token);
        if (!flashBorrowerAllowed[address(receiver)]) revert FlashBorrowerNotAllowed(address(receiver));
        if (amount == 0) revert ZeroAmount();
        uint256 maxAmount = maxFlashLoan(token);
        if (amount > maxAmount) revert FlashAmountExceedsMax(amount, maxAmount);
        uint256 fee = flashFee(token, amount);

        uint256 balanceBefore = usdc.balanceOf(address(this));
        usdc.safeTransfer(address(receiver), amount);
        bytes32 returned = receiver.onFlashLoan(msg.sender, token, amount, fee, data);
        if (returned != CALLBACK_SUCCESS) revert FlashCallbackFailed(returned);
        uint256 repayment = amount + fee;
        uint256 allowance = usdc.allowance(address(receiver), address(this));
        if (allowance < repayment) revert FlashRepaymentNotApproved(repayment, allowance);
        usdc.safeTransferFrom(address(receiver), address(this), repayment);
        uint256 received = usdc.balanceOf(address(this)) + amount - balanceBefore;
        if (received < repayment) revert TransferAmountMismatch(address(usdc), repayment, received);

        if (fee != 0) lenderUsdcAvailable += uint128(fee);
        emit FlashLoan(address(receiver), msg.sender, amount, fee);
        return true;
    }

    // ------------------------------------------------------------------ configuration

    /// @notice Allow or disallow a flash borrower.
    /// @param borrower ERC-3156 receiver.
    /// @param allowed Whether it may borrow.
    function setFlashBorrower(address borrower, bool allowed) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (borrower == address(0)) revert ZeroAddress();
        flashBorrowerAllowed[borrower] = allowed;
        emit FlashBorrowerSet(borrower, allowed);
    }

    /// @notice Set the flash-loan cap (0 = bucket only) and fee.
    /// @param cap Largest single loan, 0 for no cap.
    /// @param feeBps Fee in bps, at most `MAX_FLASH_FEE_BPS`.
    function setFlashTerms(uint256 cap, uint256 feeBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (feeBps > MAX_FLASH_FEE_BPS) revert InvalidBps(feeBps, MAX_FLASH_FEE_BPS);
        if (cap > type(uint104).max) revert AmountTooLarge(cap);
        maxFlashLoanCap = uint104(cap);
        flashFeeBps = uint16(feeBps);
        emit FlashTermsSet(cap, feeBps);
    }

    /// @notice Set the receivers of proof surplus and rounding.
    /// @param surplusReceiver_ Receiver of `preview - amountOut`.
    /// @param roundingReceiver_ Receiver of `amountIn - preview`.
    function setReceivers(address surplusReceiver_, address roundingReceiver_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setReceivers(surplusReceiver_, roundingReceiver_);
    }

    /// @notice Stop proofs, seeding and flash loans.
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Resume proofs, seeding and flash loans.
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    // ------------------------------------------------------------------ internal

    function _setReceivers(address surplusReceiver_, address roundingReceiver_) private {
        if (surplusReceiver_ == address(0) || roundingReceiver_ == address(0)) revert ZeroAddress();
        if (surplusReceiver_ == address(this) || roundingReceiver_ == address(this)) {
            revert InvalidRecipient(address(this));
        }
        surplusReceiver = surplusReceiver_;
        roundingReceiver = roundingReceiver_;
        emit ReceiversSet(surplusReceiver_, roundingReceiver_);
    }

    /// @dev Pay a proof from the caller: exactly `amountOut` to the recipient (measured), the preview
    ///      surplus to the surplus receiver and the ladder loss to the rounding receiver.
    ///      A loop proof (recipient == caller) still moves `amountOut` through the token, but a
    ///      self-transfer leaves the balance unchanged, so it is not measured.
    function _payProof(address recipient, uint256 amountIn, uint256 amountOut, uint256 previewOut) private {
        if (recipient == msg.sender) {
            cwusdc.safeTransferFrom(msg.sender, recipient, amountOut);
        } else {
            cwusdc.transferFromExact(msg.sender, recipient, amountOut);
        }
        if (previewOut > amountOut) cwusdc.safeTransferFrom(msg.sender, surplusReceiver, previewOut - amountOut);
        if (amountIn > previewOut) cwusdc.safeTransferFrom(msg.sender, roundingReceiver, amountIn - previewOut);
    }
}
