// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {ExactTransfer} from "../libraries/ExactTransfer.sol";
import {DBISEngineXSurplusRescue} from "./DBISEngineXSurplusRescue.sol";

/// @title DBIS Engine X XAUt-backed USDC borrow vault
/// @notice Borrowers deposit XAUt collateral and borrow official USDC from a pre-funded lender
///         bucket. Debt is paid in USDC only (a repayment may carry cWUSDC public-swap proof
///         hashes, which are recorded, but cWUSDC itself is never accepted).
/// @dev Units: XAUt and USDC amounts in their own decimals; prices are USD per 1 XAUt with 8
///      decimals; health factors with 18 decimals (1e18 = 1.0); the borrow index with 27.
///
///      Debt: each position holds `debtShares`; debt = debtShares x borrowIndex / 1e27, rounded
///      UP. The index grows at the fixed APR `borrowRateBps` with simple interest between two
///      accruals (index += index x rate x dt / (10000 x 365 days), rounded up), compounded at each
///      accrual (every state-changing call that touches debt accrues first). Interest is owed to
///      the lender bucket: it enters `lenderUsdcIdle` when repaid.
///
///      Accounted state: `totalCollateral` XAUt and `lenderUsdcIdle` USDC; anything else the
///      vault holds is unaccounted surplus, the only thing `withdraw` (rescue) can move.
///
///      Roles: the default admin (two-step transfer with delay) configures, withdraws lender USDC
///      and surplus and unpauses; OPERATOR_ROLE funds the lender bucket; PRICE_UPDATER_ROLE sets
///      the owner price; PAUSER_ROLE pauses. Pause blocks deposit, borrow and collateral
///      withdrawal, never repay or liquidation: users can always reduce risk.
///
///      Fee-on-transfer tokens are refused: every inbound transfer is measured
///      (`TransferAmountMismatch`). USDT-style tokens without return values work via SafeERC20.
contract DBISEngineXXautUsdcBorrowVault is DBISEngineXSurplusRescue, Pausable {
    using SafeERC20 for IERC20;
    using ExactTransfer for IERC20;

    /// @notice Risk parameters (bps of 10,000 unless noted).
    struct RiskParams {
        uint16 ltvBps;
        uint16 liquidationThresholdBps;
        uint16 liquidationBonusBps;
        uint16 closeFactorBps;
        uint64 minHealthFactor; // 1e18 = 1.0
        uint128 borrowCap; // largest total debt, USDC units
        uint16 borrowRateBps; // fixed APR, default 0
    }

    /// @notice Price parameters.
    struct PriceParams {
        uint32 maxPriceAge; // seconds an owner price stays usable
        uint16 maxPriceMoveBps; // largest move of one owner price update
        AggregatorV3Interface feed; // address(0) = owner price only
        uint32 feedMaxAge; // seconds a feed answer stays usable
    }

    /// @notice One borrower's position.
    struct Position {
        uint128 collateral; // XAUt
        uint128 debtShares; // debt / borrowIndex
    }

    /// @dev The amounts of one liquidation.
    struct LiquidationAmounts {
        uint256 repaid; // USDC paid by the liquidator
        uint256 seized; // XAUt sent to the liquidator
        uint256 writtenOff; // debt written off as bad debt
        uint256 sharesBurned; // debt shares removed from the position
        uint256 healthFactor; // before the liquidation
    }

    /// @notice Role allowed to fund the lender bucket.
    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");
    /// @notice Role allowed to pause the vault.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice Role allowed to set the owner price.
    bytes32 public constant PRICE_UPDATER_ROLE = keccak256("PRICE_UPDATER_ROLE");
    /// @notice Basis-point denominator.
    uint256 public constant BPS = 10_000;
    /// @notice Health-factor unit (1.0).
    uint256 public constant WAD = 1e18;
    /// @notice Borrow-index unit.
    uint256 public constant RAY = 1e27;
    /// @notice Decimals of every price (USD per 1 XAUt).
    uint8 public constant PRICE_DECIMALS = 8;
    /// @notice Largest fixed APR (100%).
    uint256 public constant MAX_BORROW_RATE_BPS = 10_000;
    /// @notice Year used by the APR.
    uint256 public constant SECONDS_PER_YEAR = 365 days;
    /// @notice Below this health factor a liquidation may repay the whole debt (Aave v3.3: 0.95).
    uint256 public constant CLOSE_FACTOR_HF_THRESHOLD = 0.95e18;
    /// @notice A position whose debt or collateral value is below this many USD may be liquidated
    ///         in full whatever its health (Aave v3.3: 2,000 USD).
    uint256 public constant DUST_THRESHOLD_USD = 2_000;
    /// @notice A partial liquidation must leave at least this many USD of debt and of collateral
    ///         value, or close the position (Aave v3.3 "no dust left behind": 1,000 USD).
    uint256 public constant MIN_LEFTOVER_USD = 1_000;
    /// @notice Largest feed decimals accepted.
    uint8 public constant MAX_FEED_DECIMALS = 36;

    /// @notice The XAUt collateral token.
    IERC20 public immutable xaut;
    /// @notice The official USDC debt token.
    IERC20 public immutable usdc;
    /// @dev 10 ** usdc decimals.
    uint256 private immutable _usdcUnit;
    /// @dev 10 ** (xaut decimals + PRICE_DECIMALS).
    uint256 private immutable _collateralPriceUnit;
    /// @notice DUST_THRESHOLD_USD in USDC units.
    uint256 public immutable dustThreshold;
    /// @notice MIN_LEFTOVER_USD in USDC units.
    uint256 public immutable minLeftover;

    // Storage is packed by access pattern (slot order below is part of the design, see
    // docs/decisions.md): the borrow index (never zero) shares a slot with totalCollateral so that
    // the first deposit into an empty vault writes no fresh slot but the position's; the debt
    // total and the idle USDC, which borrow, repay and liquidation all change, share one slot.

    RiskParams private _risk;
    PriceParams private _priceParams;
    /// @notice Decimals of the configured feed (0 without a feed).
    uint8 public feedDecimals;
    /// @notice Last owner price (8 decimals), 0 before the first update.
    uint128 public ownerPrice;
    /// @notice Timestamp of the last owner price.
    uint48 public ownerPriceUpdatedAt;
    /// @notice Timestamp of the last accrual.
    uint40 public lastAccrual;

    /// @notice Borrow index (27 decimals), starts at 1e27.
    uint128 public borrowIndex;
    /// @notice Sum of all positions' collateral.
    uint128 public totalCollateral;

    /// @notice Sum of all positions' debt shares.
    uint128 public totalDebtShares;
    /// @notice USDC available to lend or to withdraw by the admin.
    uint128 public lenderUsdcIdle;

    /// @notice Debt written off when positions ran out of collateral (USDC units, cumulative).
    uint128 public badDebt;

    mapping(address borrower => Position) private _positions;
    /// @notice Repayment proofs: proofHash => public swap tx hash (zero = unused).
    mapping(bytes32 proofHash => bytes32 publicSwapTxHash) public repaymentProofs;

    /// @notice XAUt was deposited.
    event CollateralDeposited(address indexed borrower, uint256 amount, uint256 newCollateral);
    /// @notice XAUt was withdrawn.
    event CollateralWithdrawn(address indexed borrower, address indexed to, uint256 amount, uint256 newCollateral);
    /// @notice USDC was borrowed.
    event Borrowed(address indexed borrower, address indexed to, uint256 amount, uint256 newDebt);
    /// @notice Debt was repaid.
    event Repaid(address indexed borrower, address indexed payer, uint256 amount, uint256 newDebt);
    /// @notice A repayment carried cWUSDC public-swap proof hashes.
    event RepaidWithProof(
        address indexed borrower,
        address indexed payer,
        uint256 amount,
        bytes32 indexed proofHash,
        bytes32 publicSwapTxHash
    );
    /// @notice A position was liquidated.
    event Liquidated(
        address indexed borrower,
        address indexed liquidator,
        uint256 repaid,
        uint256 seized,
        uint256 healthFactorBefore
    );
    /// @notice Debt left after a position's collateral ran out was written off.
    event BadDebtRecorded(address indexed borrower, uint256 amount, uint256 totalBadDebt);
    /// @notice USDC was added to the lender bucket.
    event LenderFunded(address indexed operator, uint256 amount, uint256 newIdle);
    /// @notice USDC was taken out of the lender bucket.
    event LenderUsdcWithdrawn(address indexed to, uint256 amount, uint256 newIdle);
    /// @notice The owner price was set.
    event PriceUpdated(uint256 oldPrice, uint256 newPrice, uint256 timestamp);
    /// @notice Risk parameters were set.
    event RiskParamsSet(RiskParams risk);
    /// @notice Price parameters were set.
    event PriceParamsSet(PriceParams priceParams, uint8 feedDecimals);

    error ZeroHash();
    error InvalidRecipient(address recipient);
    error UnsupportedToken(address token);
    error AmountTooLarge(uint256 amount);
    error InvalidRiskParams();
    error InvalidPriceParams();
    error ZeroPrice();
    error PriceMoveTooLarge(uint256 oldPrice, uint256 newPrice, uint256 maxMoveBps);
    error PriceUnavailable();
    error StalePrice(uint256 updatedAt, uint256 maxAge);
    error InsufficientCollateral(uint256 requested, uint256 available);
    error InsufficientLenderUsdc(uint256 requested, uint256 available);
    error BorrowCapExceeded(uint256 totalDebtAfter, uint256 cap);
    error LtvExceeded(uint256 debtAfter, uint256 maxDebt);
    error HealthFactorTooLow(uint256 healthFactor, uint256 minHealthFactor);
    error NoDebt(address borrower);
    error RepayTooSmall(uint256 amount);
    error NotLiquidatable(address borrower, uint256 healthFactor);
    error MustNotLeaveDust(uint256 debtLeft, uint256 collateralValueLeft);
    error ProofAlreadyUsed(bytes32 proofHash);

    /// @param xaut_ The XAUt collateral token.
    /// @param usdc_ The official USDC token.
    /// @param admin Initial default admin (owner).
    /// @param adminTransferDelay Delay of a default-admin transfer, in seconds.
    /// @param risk Initial risk parameters (bounds as in `setRiskParams`).
    /// @param priceParams Initial price parameters (bounds as in `setPriceParams`).
    constructor(
        IERC20 xaut_,
        IERC20 usdc_,
        address admin,
        uint48 adminTransferDelay,
        RiskParams memory risk,
        PriceParams memory priceParams
    ) AccessControlDefaultAdminRules(adminTransferDelay, admin) {
        if (address(xaut_) == address(0) || address(usdc_) == address(0)) revert ZeroAddress();
        if (address(xaut_) == address(usdc_)) revert UnsupportedToken(address(usdc_));
        uint8 xautDecimals = IERC20Metadata(address(xaut_)).decimals();
        uint8 usdcDecimals = IERC20Metadata(address(usdc_)).decimals();
        if (xautDecimals > 18) revert UnsupportedToken(address(xaut_));
        if (usdcDecimals > 18) revert UnsupportedToken(address(usdc_));
        xaut = xaut_;
        usdc = usdc_;
        _usdcUnit = 10 ** usdcDecimals;
        dustThreshold = DUST_THRESHOLD_USD * 10 ** usdcDecimals;
        minLeftover = MIN_LEFTOVER_USD * 10 ** usdcDecimals;
        _collateralPriceUnit = 10 ** (uint256(xautDecimals) + PRICE_DECIMALS);
        borrowIndex = uint128(RAY);
        lastAccrual = uint40(block.timestamp);
        _setRiskParams(risk);
        _setPriceParams(priceParams);
    }

    // ------------------------------------------------------------------ collateral

    /// @notice Deposit `amount` XAUt pulled from the caller as the caller's collateral.
    /// @dev The arrival is measured: a fee-on-transfer collateral token is refused.
    /// @param amount XAUt to deposit.
    function depositCollateral(uint256 amount) external whenNotPaused nonReentrant {
        if (amount == 0) revert ZeroAmount();
        uint256 newTotal = uint256(totalCollateral) + amount;
        if (newTotal > type(uint128).max) revert AmountTooLarge(amount);
        Position storage pos = _positions[msg.sender];
        uint256 newCollateral = uint256(pos.collateral) + amount;
        pos.collateral = uint128(newCollateral);
        totalCollateral = uint128(newTotal);
        xaut.transferFromExact(msg.sender, address(this), amount);
        emit CollateralDeposited(msg.sender, amount, newCollateral);
    }

    /// @notice Withdraw `amount` of the caller's collateral to `to`.
    /// @dev With debt, needs a fresh price, and afterwards debt <= LTV x collateral value and
    ///      health factor >= minHealthFactor. Without debt no price is needed.
    /// @param amount XAUt to withdraw, at most the caller's collateral.
    /// @param to Receiver of the XAUt.
    function withdrawCollateral(uint256 amount, address to) external whenNotPaused nonReentrant {
        if (to == address(0)) revert ZeroAddress();
        if (to == address(this)) revert InvalidRecipient(to);
        if (amount == 0) revert ZeroAmount();
        Position memory pos = _positions[msg.sender];
        if (amount > pos.collateral) revert InsufficientCollateral(amount, pos.collateral);
        uint256 newCollateral = pos.collateral - amount;
        if (pos.debtShares != 0) {
            uint256 px = price();
            uint256 index = _accrue();
            _requireSafe(newCollateral, _debtOf(pos.debtShares, index), px);
        }
        _positions[msg.sender].collateral = uint128(newCollateral);
        totalCollateral -= uint128(amount);
        xaut.safeTransfer(to, amount);
        emit CollateralWithdrawn(msg.sender, to, amount, newCollateral);
    }

    // ------------------------------------------------------------------ debt

    /// @notice Borrow `amount` USDC from the lender bucket against the caller's collateral.
    /// @dev Needs a fresh price. Afterwards: debt <= LTV x collateral value (value rounded down),
    ///      health factor >= minHealthFactor, total debt <= borrowCap; `amount` <= idle USDC.
    ///      New debt shares = amount x 1e27 / borrowIndex, rounded UP.
    /// @param amount USDC to borrow.
    /// @param to Receiver of the USDC.
    function borrow(uint256 amount, address to) external whenNotPaused nonReentrant {
        if (to == address(0)) revert ZeroAddress();
        if (to == address(this)) revert InvalidRecipient(to);
        if (amount == 0) revert ZeroAmount();
        uint256 px = price();
        uint256 index = _accrue();
        uint256 idle = lenderUsdcIdle;
        if (amount > idle) revert InsufficientLenderUsdc(amount, idle);
        Position memory pos = _positions[msg.sender];
        uint256 newShares = Math.mulDiv(amount, RAY, index, Math.Rounding.Ceil);
        uint256 sharesAfter = uint256(pos.debtShares) + newShares;
        uint256 totalSharesAfter = uint256(totalDebtShares) + newShares;
        if (totalSharesAfter > type(uint128).max) revert AmountTooLarge(amount);
        uint256 totalDebtAfter = _debtOf(totalSharesAfter, index);
        uint256 cap = _risk.borrowCap;
        if (totalDebtAfter > cap) revert BorrowCapExceeded(totalDebtAfter, cap);
        uint256 debtAfter = _debtOf(sharesAfter, index);
        _requireSafe(pos.collateral, debtAfter, px);

        _positions[msg.sender].debtShares = uint128(sharesAfter);
        totalDebtShares = uint128(totalSharesAfter);
        lenderUsdcIdle = uint128(idle - amount);
        usdc.safeTransfer(to, amount);
        emit Borrowed(msg.sender, to, amount, debtAfter);
    }

    /// @notice Repay the caller's debt with USDC pulled from the caller. Works while paused and
    ///         without a price.
    /// @param amount USDC to repay; capped at the debt; `type(uint256).max` repays all.
    /// @return repaid USDC actually repaid.
    function repay(uint256 amount) external nonReentrant returns (uint256 repaid) {
        repaid = _repay(msg.sender, amount);
    }

    /// @notice Repay `borrower`'s debt with USDC pulled from the caller. Works while paused.
    /// @param borrower Position to repay.
    /// @param amount USDC to repay; capped at the debt; `type(uint256).max` repays all.
    /// @return repaid USDC actually repaid.
    function repayFor(address borrower, uint256 amount) external nonReentrant returns (uint256 repaid) {
        repaid = _repay(borrower, amount);
    }

    /// @notice Repay `borrower`'s debt in USDC pulled from the caller and record the cWUSDC
    ///         public-swap proof that sourced the USDC. cWUSDC itself is never accepted.
    /// @param borrower Position to repay.
    /// @param amount USDC to repay; capped at the debt; `type(uint256).max` repays all.
    /// @param publicSwapTxHash Hash of the public cWUSDC -> USDC swap transaction (nonzero).
    /// @param proofHash Hash of the proof package (nonzero, never used before).
    /// @return repaid USDC actually repaid.
    function repayWithProof(address borrower, uint256 amount, bytes32 publicSwapTxHash, bytes32 proofHash)
        external
        nonReentrant
        returns (uint256 repaid)
    {
        if (publicSwapTxHash == bytes32(0) || proofHash == bytes32(0)) revert ZeroHash();
        if (repaymentProofs[proofHash] != bytes32(0)) revert ProofAlreadyUsed(proofHash);
        repaymentProofs[proofHash] = publicSwapTxHash;
        repaid = _repay(borrower, amount);
        emit RepaidWithProof(borrower, msg.sender, repaid, proofHash, publicSwapTxHash);
    }

    // ------------------------------------------------------------------ liquidation

    /// @notice Repay part of an unhealthy position's debt and seize its collateral with a bonus.
    ///         Works while paused; never on a stale or missing price.
    /// @dev Only when healthFactor < 1e18. The repayment is capped at closeFactor x debt
    ///      (rounded down), or at the whole debt when health < CLOSE_FACTOR_HF_THRESHOLD or the debt
    ///      or collateral value is below `dustThreshold` (Aave v3.3). Seize =
    ///      repaid x (10000 + bonus) / 10000 converted to XAUt at the price, both rounded DOWN (in
    ///      the vault's favour: the seize never exceeds what the repayment plus bonus buys, and a
    ///      repayment too small to buy one XAUt unit is refused with RepayTooSmall). If that is all
    ///      the collateral or more, all of it is seized and the repayment is cut
    ///      to collateral value x 10000 / (10000 + bonus) (rounded UP, the vault's favour). A
    ///      partial liquidation (debt and collateral both left) must leave at least `minLeftover`
    ///      of debt and of collateral value, else `MustNotLeaveDust` (Aave v3.3): the liquidator
    ///      repays more (up to all) or less. When the collateral is exhausted while debt remains,
    ///      the remainder is written off as bad debt and the position is zeroed. The liquidator pays USDC and receives XAUt: the borrower is never a party to
    ///      a transfer, so a borrower blacklisted by USDC cannot block its own liquidation.
    /// @param borrower Position to liquidate.
    /// @param repayAmount Largest USDC the liquidator wants to repay (capped as above).
    /// @return repaid USDC paid by the liquidator.
    /// @return seized XAUt sent to the liquidator.
    /// @return writtenOff Debt written off as bad debt.
    function liquidate(address borrower, uint256 repayAmount)
        external
        nonReentrant
        returns (uint256 repaid, uint256 seized, uint256 writtenOff)
    {
        if (repayAmount == 0) revert ZeroAmount();
        uint256 px = price();
        uint256 index = _accrue();
        Position memory pos = _positions[borrower];
        LiquidationAmounts memory a = _liquidationAmounts(pos, repayAmount, px, index, borrower);
        (repaid, seized, writtenOff) = (a.repaid, a.seized, a.writtenOff);

        _positions[borrower] =
            Position({collateral: pos.collateral - uint128(seized), debtShares: pos.debtShares - uint128(a.sharesBurned)});
        totalCollateral -= uint128(seized);
        totalDebtShares -= uint128(a.sharesBurned);
        lenderUsdcIdle += uint128(repaid);
        if (writtenOff != 0) badDebt += uint128(writtenOff);

        if (repaid != 0) usdc.transferFromExact(msg.sender, address(this), repaid);
        if (seized != 0) xaut.safeTransfer(msg.sender, seized);
        emit Liquidated(borrower, msg.sender, repaid, seized, a.healthFactor);
        if (writtenOff != 0) emit BadDebtRecorded(borrower, writtenOff, badDebt);
    }

    /// @dev The amounts of a liquidation (see `liquidate`); reverts when not liquidatable.
    function _liquidationAmounts(Position memory pos, uint256 repayAmount, uint256 px, uint256 index, address borrower)
        private
        view
        returns (LiquidationAmounts memory a)
    {
        uint256 debt = _debtOf(pos.debtShares, index);
        if (debt == 0) revert NoDebt(borrower);
        uint256 value = _collateralValue(pos.collateral, px);
        a.healthFactor = _healthFactor(value, debt);
        if (a.healthFactor >= WAD) revert NotLiquidatable(borrower, a.healthFactor);

        (a.repaid, a.seized) = _repayAndSeize(repayAmount, debt, value, a.healthFactor, pos.collateral, px);
        if (a.seized == 0) revert RepayTooSmall(a.repaid);

        if (a.repaid == debt) {
            a.sharesBurned = pos.debtShares;
        } else if (a.seized == pos.collateral) {
            a.sharesBurned = pos.debtShares;
            a.writtenOff = debt - a.repaid;
        } else {
            _requireNoDust(debt - a.repaid, pos.collateral - a.seized, px);
            a.sharesBurned = Math.mulDiv(a.repaid, RAY, index);
            if (a.sharesBurned == 0) revert RepayTooSmall(a.repaid);
        }
    }

    /// @dev The repayment (capped by the close factor unless a full close is allowed) and the
    ///      collateral it buys with the bonus (rounded down); all the collateral, with the
    ///      repayment cut to what it covers (rounded up), when that is the whole position.
    function _repayAndSeize(uint256 repayAmount, uint256 debt, uint256 value, uint256 hf, uint256 collateral, uint256 px)
        private
        view
        returns (uint256 repaid, uint256 seized)
    {
        uint256 maxRepay = debt;
        if (hf >= CLOSE_FACTOR_HF_THRESHOLD && debt >= dustThreshold && value >= dustThreshold) {
            maxRepay = Math.mulDiv(debt, _risk.closeFactorBps, BPS);
        }
        repaid = repayAmount < maxRepay ? repayAmount : maxRepay;
        uint256 bonusFactor = BPS + _risk.liquidationBonusBps;
        seized = _toCollateral(Math.mulDiv(repaid, bonusFactor, BPS), px);
        if (seized >= collateral) {
            seized = collateral;
            uint256 coverable = Math.mulDiv(value, BPS, bonusFactor, Math.Rounding.Ceil);
            if (repaid > coverable) repaid = coverable;
        }
    }

    // ------------------------------------------------------------------ lender bucket

    /// @notice Add USDC pulled from the caller to the lender bucket.
    /// @param amount USDC to add.
    function fundLender(uint256 amount) external onlyRole(OPERATOR_ROLE) nonReentrant {
        if (amount == 0) revert ZeroAmount();
        uint256 newIdle = uint256(lenderUsdcIdle) + amount;
        if (newIdle > type(uint128).max) revert AmountTooLarge(amount);
        lenderUsdcIdle = uint128(newIdle);
        usdc.transferFromExact(msg.sender, address(this), amount);
        emit LenderFunded(msg.sender, amount, newIdle);
    }

    /// @notice Take idle USDC out of the lender bucket (never USDC lent out). Works while paused.
    /// @param to Receiver of the USDC.
    /// @param amount USDC to withdraw, at most `lenderUsdcIdle`.
    function withdrawLenderUsdc(address to, uint256 amount) external onlyRole(DEFAULT_ADMIN_ROLE) nonReentrant {
        if (to == address(0)) revert ZeroAddress();
        if (amount == 0) revert ZeroAmount();
        uint256 idle = lenderUsdcIdle;
        if (amount > idle) revert InsufficientLenderUsdc(amount, idle);
        lenderUsdcIdle = uint128(idle - amount);
        usdc.safeTransfer(to, amount);
        emit LenderUsdcWithdrawn(to, amount, idle - amount);
    }

    // ------------------------------------------------------------------ rescue

    /// @dev Accounted: the collateral total; the idle lender USDC (lent USDC is not held).
    function _accounted(address token) internal view override returns (uint256) {
        if (token == address(xaut)) return totalCollateral;
        if (token == address(usdc)) return lenderUsdcIdle;
        return 0;
    }

    // ------------------------------------------------------------------ price

    /// @notice Set the owner price (USD per 1 XAUt, 8 decimals) and stamp it with the block time.
    /// @dev Nonzero; the move against the last owner price must be at most maxPriceMoveBps
    ///      (|new - old| x 10000 <= maxPriceMoveBps x old); the first price is unbounded.
    /// @param newPrice The price.
    function setPrice(uint256 newPrice) external onlyRole(PRICE_UPDATER_ROLE) {
        if (newPrice == 0) revert ZeroPrice();
        if (newPrice > type(uint128).max) revert AmountTooLarge(newPrice);
        uint256 old = ownerPrice;
        if (old != 0) {
            uint256 diff = newPrice > old ? newPrice - old : old - newPrice;
            uint256 maxMove = _priceParams.maxPriceMoveBps;
            if (diff * BPS > maxMove * old) revert PriceMoveTooLarge(old, newPrice, maxMove);
        }
        ownerPrice = uint128(newPrice);
        ownerPriceUpdatedAt = uint48(block.timestamp);
        emit PriceUpdated(old, newPrice, block.timestamp);
    }

    /// @notice The usable price (USD per 1 XAUt, 8 decimals).
    /// @dev With a feed: its latest answer (> 0, round complete: answeredInRound >= roundId,
    ///      updatedAt nonzero, not in the future and within feedMaxAge), scaled to 8 decimals
    ///      (rounded down); the owner price is then not used. Without a feed: the owner price
    ///      within maxPriceAge. Reverts `PriceUnavailable` (none, non-positive, incomplete, feed
    ///      call failed) or `StalePrice`.
    /// @return The price.
    function price() public view returns (uint256) {
        PriceParams memory p = _priceParams;
        if (address(p.feed) != address(0)) {
            try p.feed.latestRoundData() returns (
                uint80 roundId, int256 answer, uint256, uint256 updatedAt, uint80 answeredInRound
            ) {
                if (answer <= 0 || updatedAt == 0 || answeredInRound < roundId || updatedAt > block.timestamp) {
                    revert PriceUnavailable();
                }
                if (block.timestamp - updatedAt > p.feedMaxAge) revert StalePrice(updatedAt, p.feedMaxAge);
                uint256 scaled = _scaleFeedAnswer(uint256(answer));
                if (scaled == 0 || scaled > type(uint128).max) revert PriceUnavailable();
                return scaled;
            } catch {
                revert PriceUnavailable();
            }
        }
        uint256 px = ownerPrice;
        if (px == 0) revert PriceUnavailable();
        uint256 at = ownerPriceUpdatedAt;
        if (block.timestamp - at > p.maxPriceAge) revert StalePrice(at, p.maxPriceAge);
        return px;
    }

    // ------------------------------------------------------------------ views

    /// @notice Current risk parameters.
    /// @return The risk parameters.
    function riskParams() external view returns (RiskParams memory) {
        return _risk;
    }

    /// @notice Current price parameters.
    /// @return The price parameters.
    function priceParams() external view returns (PriceParams memory) {
        return _priceParams;
    }

    /// @notice Borrow index as of now (accrual included).
    /// @return The index (27 decimals).
    function currentBorrowIndex() public view returns (uint256) {
        return _indexAt(block.timestamp);
    }

    /// @notice A borrower's position as of now.
    /// @param borrower The borrower.
    /// @return collateral XAUt collateral.
    /// @return debt Debt including accrued interest (rounded up).
    /// @return debtShares Debt shares.
    function position(address borrower) external view returns (uint256 collateral, uint256 debt, uint256 debtShares) {
        Position memory pos = _positions[borrower];
        return (pos.collateral, _debtOf(pos.debtShares, currentBorrowIndex()), pos.debtShares);
    }

    /// @notice Total debt including accrued interest: totalDebtShares x index, rounded up once
    ///         (so it can be below the sum of the positions' rounded-up debts by < 1 unit each).
    /// @return The total debt in USDC units.
    function totalDebt() external view returns (uint256) {
        return _debtOf(totalDebtShares, currentBorrowIndex());
    }

    /// @notice Health factor (1e18 = 1.0): collateral value x liquidationThreshold / debt, with
    ///         the value rounded down, the debt rounded up and the quotient rounded down.
    /// @dev `type(uint256).max` without debt (no price needed); otherwise needs a usable price.
    /// @param borrower The borrower.
    /// @return The health factor.
    function healthFactor(address borrower) external view returns (uint256) {
        Position memory pos = _positions[borrower];
        uint256 debt = _debtOf(pos.debtShares, currentBorrowIndex());
        if (debt == 0) return type(uint256).max;
        return _healthFactor(_collateralValue(pos.collateral, price()), debt);
    }

    /// @notice Largest additional USDC `borrower` could borrow now under LTV and minHealthFactor
    ///         (not bounded by the cap or idle USDC).
    /// @param borrower The borrower.
    /// @return The amount (rounded down).
    function maxBorrowable(address borrower) external view returns (uint256) {
        Position memory pos = _positions[borrower];
        uint256 debt = _debtOf(pos.debtShares, currentBorrowIndex());
        uint256 value = _collateralValue(pos.collateral, price());
        uint256 byLtv = Math.mulDiv(value, _risk.ltvBps, BPS);
        uint256 byHf = Math.mulDiv(value, uint256(_risk.liquidationThresholdBps) * WAD, BPS * uint256(_risk.minHealthFactor));
        uint256 limit = byLtv < byHf ? byLtv : byHf;
        return limit > debt ? limit - debt : 0;
    }

    // ------------------------------------------------------------------ configuration

    /// @notice Set the risk parameters (interest is accrued at the old rate first).
    /// @dev Bounds: 0 < ltv < liquidationThreshold < 10000; liquidationThreshold x (10000 + bonus)
    ///      / 10000 < 10000 (a liquidation never leaves the vault worse off); minHealthFactor >= 1e18;
    ///      0 < closeFactor <= 10000; borrowRateBps <= MAX_BORROW_RATE_BPS.
    /// @param risk The new parameters.
    function setRiskParams(RiskParams calldata risk) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _accrue();
        _setRiskParams(risk);
    }

    /// @notice Set the price parameters.
    /// @dev Bounds: maxPriceAge > 0; 0 < maxPriceMoveBps <= 10000; with a feed, feedMaxAge > 0, the
    ///      feed is a contract answering `decimals()` and feed decimals <= MAX_FEED_DECIMALS (read
    ///      from the feed now and stored).
    /// @param priceParams_ The new parameters.
    function setPriceParams(PriceParams calldata priceParams_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setPriceParams(priceParams_);
    }

    /// @notice Stop deposits, borrowing and collateral withdrawal (never repay or liquidation).
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Resume deposits, borrowing and collateral withdrawal.
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    // ------------------------------------------------------------------ internal

    function _setRiskParams(RiskParams memory r) private {
        if (
            r.ltvBps == 0 || r.ltvBps >= r.liquidationThresholdBps || r.liquidationThresholdBps >= BPS
                || uint256(r.liquidationThresholdBps) * (BPS + r.liquidationBonusBps) >= BPS * BPS
                || r.minHealthFactor < WAD || r.closeFactorBps == 0 || r.closeFactorBps > BPS
                || r.borrowRateBps > MAX_BORROW_RATE_BPS
        ) revert InvalidRiskParams();
        _risk = r;
        emit RiskParamsSet(r);
    }

    function _setPriceParams(PriceParams memory p) private {
        if (p.maxPriceAge == 0 || p.maxPriceMoveBps == 0 || p.maxPriceMoveBps > BPS) revert InvalidPriceParams();
        uint8 dec = 0; // stays 0 without a feed
        if (address(p.feed) != address(0)) {
            if (p.feedMaxAge == 0 || address(p.feed).code.length == 0) revert InvalidPriceParams();
            // A checked staticcall rather than try/catch: a feed whose decimals() reverts, returns
            // no word or a word above MAX_FEED_DECIMALS (or above 255) is refused with the error.
            (bool ok, bytes memory ret) =
                address(p.feed).staticcall(abi.encodeCall(AggregatorV3Interface.decimals, ()));
            if (!ok || ret.length != 32) revert InvalidPriceParams();
            uint256 d = abi.decode(ret, (uint256));
            if (d > MAX_FEED_DECIMALS) revert InvalidPriceParams();
            dec = uint8(d);
        }
        _priceParams = p;
        feedDecimals = dec;
        emit PriceParamsSet(p, dec);
    }

    /// @dev Repay up to `amount` of `borrower`'s debt from the caller. Full repayment burns every
    ///      share; a partial one burns amount x 1e27 / index shares, rounded DOWN.
    function _repay(address borrower, uint256 amount) private returns (uint256 repaid) {
        if (borrower == address(0)) revert ZeroAddress();
        if (amount == 0) revert ZeroAmount();
        uint256 index = _accrue();
        Position memory pos = _positions[borrower];
        uint256 debt = _debtOf(pos.debtShares, index);
        if (debt == 0) revert NoDebt(borrower);
        repaid = amount < debt ? amount : debt;
        uint256 sharesBurned = repaid == debt ? pos.debtShares : Math.mulDiv(repaid, RAY, index);
        if (sharesBurned == 0) revert RepayTooSmall(repaid);
        _positions[borrower].debtShares = pos.debtShares - uint128(sharesBurned);
        totalDebtShares -= uint128(sharesBurned);
        lenderUsdcIdle += uint128(repaid);
        usdc.transferFromExact(msg.sender, address(this), repaid);
        emit Repaid(borrower, msg.sender, repaid, debt - repaid);
    }

    /// @dev Accrue the index to now; returns it.
    function _accrue() private returns (uint256 index) {
        index = borrowIndex;
        if (lastAccrual == block.timestamp) return index;
        uint256 updated = _indexAt(block.timestamp);
        if (updated != index) {
            if (updated > type(uint128).max) revert AmountTooLarge(updated);
            borrowIndex = uint128(updated);
            index = updated;
        }
        lastAccrual = uint40(block.timestamp);
    }

    /// @dev index + index x rate x dt / (10000 x year), the increment rounded UP; no growth
    ///      without debt or with a zero rate.
    function _indexAt(uint256 timestamp) private view returns (uint256) {
        uint256 index = borrowIndex;
        uint256 rate = _risk.borrowRateBps;
        uint256 dt = timestamp - lastAccrual;
        if (rate == 0 || dt == 0 || totalDebtShares == 0) return index;
        return index + Math.mulDiv(index, rate * dt, BPS * SECONDS_PER_YEAR, Math.Rounding.Ceil);
    }

    /// @dev Debt of `shares`: shares x index / 1e27, rounded UP.
    function _debtOf(uint256 shares, uint256 index) private pure returns (uint256) {
        return Math.mulDiv(shares, index, RAY, Math.Rounding.Ceil);
    }

    /// @dev USDC value of `collateral` XAUt at `px`, rounded DOWN.
    function _collateralValue(uint256 collateral, uint256 px) private view returns (uint256) {
        return Math.mulDiv(collateral, px * _usdcUnit, _collateralPriceUnit);
    }

    /// @dev XAUt worth `value` USDC at `px`, rounded DOWN (a liquidator never takes more than its
    ///      repayment plus the bonus buys; the remainder keeps backing the position).
    function _toCollateral(uint256 value, uint256 px) private view returns (uint256) {
        return Math.mulDiv(value, _collateralPriceUnit, px * _usdcUnit);
    }

    /// @dev value x liquidationThreshold / debt in 1e18, rounded DOWN; max without debt.
    function _healthFactor(uint256 value, uint256 debt) private view returns (uint256) {
        if (debt == 0) return type(uint256).max;
        return Math.mulDiv(value, uint256(_risk.liquidationThresholdBps) * WAD, debt * BPS);
    }

    /// @dev Debt must be within LTV x value (rounded down) and health >= minHealthFactor.
    function _requireSafe(uint256 collateral, uint256 debt, uint256 px) private view {
        if (debt == 0) return;
        uint256 value = _collateralValue(collateral, px);
        uint256 maxDebt = Math.mulDiv(value, _risk.ltvBps, BPS);
        if (debt > maxDebt) revert LtvExceeded(debt, maxDebt);
        uint256 hf = _healthFactor(value, debt);
        uint256 minHf = _risk.minHealthFactor;
        if (hf < minHf) revert HealthFactorTooLow(hf, minHf);
    }

    /// @dev A partial liquidation must leave at least `minLeftover` of debt and of collateral value.
    function _requireNoDust(uint256 debtLeft, uint256 collateralLeft, uint256 px) private view {
        uint256 valueLeft = _collateralValue(collateralLeft, px);
        if (debtLeft < minLeftover || valueLeft < minLeftover) revert MustNotLeaveDust(debtLeft, valueLeft);
    }

    /// @dev Scale a feed answer to PRICE_DECIMALS, rounding DOWN.
    function _scaleFeedAnswer(uint256 answer) private view returns (uint256) {
        uint8 dec = feedDecimals;
        if (dec == PRICE_DECIMALS) return answer;
        if (dec > PRICE_DECIMALS) return answer / 10 ** (dec - PRICE_DECIMALS);
        return answer * 10 ** (PRICE_DECIMALS - dec);
    }
}
