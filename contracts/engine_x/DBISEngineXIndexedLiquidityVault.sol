// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

import {IUniswapV3PoolLike} from "../interfaces/IUniswapV3PoolLike.sol";

/// @title DBIS Engine X indexed liquidity vault
/// @notice Records public-proof evidence against a real Uniswap V3 cWUSDC/USDC pool: a proof is
///         accepted only while the pool is at the 1:1 peg (spot tick, and the time-weighted tick
///         when a TWAP window is configured), has in-range liquidity and holds the configured
///         token floors. Each accepted proof anchors its public swap and liquidity transaction
///         hashes, ISO and audit hashes, and what the pool showed at that moment.
/// @dev The vault holds no funds and moves none: it reads the pool and stores one bit per proof
///      ID. Every gate limit is immutable, so a proof recorded by this address always met the
///      same limits; changing a limit means deploying a new vault.
///
///      Same-block manipulation: a caller can move the pool's spot price in the transaction that
///      records (push, record, push back). With `twapWindow > 0` the time-weighted tick over the
///      window must also be within the drift; a price pushed within the recording transaction
///      carries zero weight in it (the pool writes at most one observation per block, with the
///      tick from before the push), so such a proof is refused. Without a TWAP window only the
///      spot tick is checked; production configurations should set a window.
///
///      Roles: the default admin (two-step transfer with delay) grants OPERATOR_ROLE (the
///      operator allowlist, the only accounts that record) and PAUSER_ROLE; unpausing needs
///      the admin.
contract DBISEngineXIndexedLiquidityVault is AccessControlDefaultAdminRules, Pausable {
    /// @notice Role of the allowlisted operators that record proofs.
    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");
    /// @notice Role allowed to pause recording.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice Largest usable tick of a Uniswap V3 pool (TickMath.MAX_TICK).
    int24 public constant MAX_TICK = 887_272;

    /// @notice The gate limits, fixed at deployment.
    /// @param parityTick The tick of the 1:1 price (0 for two tokens with equal decimals).
    /// @param maxTickDrift Largest distance, in ticks, of the spot (and TWAP) tick from `parityTick`.
    /// @param twapWindow Seconds of the time-weighted tick check; 0 checks the spot tick only.
    /// @param minLiquidity Smallest in-range `liquidity()` accepted; at least 1.
    /// @param maxProofAmount Largest proof amount; 0 means no maximum.
    /// @param minBalance0 Smallest token0 balance of the pool; 0 means no floor.
    /// @param minBalance1 Smallest token1 balance of the pool; 0 means no floor.
    struct Limits {
        int24 parityTick;
        uint24 maxTickDrift;
        uint32 twapWindow;
        uint128 minLiquidity;
        uint256 maxProofAmount;
        uint256 minBalance0;
        uint256 minBalance1;
    }

    /// @notice The Uniswap V3 pool the proofs are recorded against.
    IUniswapV3PoolLike public immutable pool;
    /// @notice The pool's token0.
    IERC20 public immutable token0;
    /// @notice The pool's token1.
    IERC20 public immutable token1;
    /// @notice See {Limits}.
    int24 public immutable parityTick;
    /// @notice See {Limits}.
    uint24 public immutable maxTickDrift;
    /// @notice See {Limits}.
    uint32 public immutable twapWindow;
    /// @notice See {Limits}.
    uint128 public immutable minLiquidity;
    /// @notice See {Limits}.
    uint256 public immutable maxProofAmount;
    /// @notice See {Limits}.
    uint256 public immutable minBalance0;
    /// @notice See {Limits}.
    uint256 public immutable minBalance1;

    /// @notice Proof IDs already recorded; a proof ID is recorded once.
    mapping(bytes32 proofId => bool used) public proofIdUsed;

    /// @notice Evidence of one indexed proof and of the pool state it was accepted against.
    /// @param twapTick The time-weighted tick over `twapWindow`; equals `spotTick` when the window is 0.
    /// @param balance0 The pool's token0 balance; `balance1` its token1 balance.
    event IndexedProofRecorded(
        bytes32 indexed proofId,
        address indexed operator,
        bytes32 publicSwapTxHash,
        bytes32 liquidityTxHash,
        uint256 amount,
        bytes32 isoHash,
        bytes32 auditHash,
        int24 spotTick,
        int24 twapTick,
        uint128 liquidity,
        uint256 balance0,
        uint256 balance1
    );
    /// @notice The vault was deployed with these limits against this pool.
    event LimitsSet(address indexed pool, Limits limits);

    error ZeroHash();
    error ZeroAmount();
    error InvalidPool(address pool);
    error InvalidLimits();
    error ProofIdAlreadyUsed(bytes32 proofId);
    error ProofAmountAboveMax(uint256 amount, uint256 maxProofAmount);
    error SpotTickOutOfRange(int24 spotTick, int24 parityTick, uint24 maxTickDrift);
    error TwapTickOutOfRange(int24 twapTick, int24 parityTick, uint24 maxTickDrift);
    error TwapUnavailable(uint32 twapWindow);
    error InsufficientLiquidity(uint128 liquidity, uint128 minLiquidity);
    error PoolBalanceBelowFloor(address token, uint256 balance, uint256 floor);

    /// @param pool_ The Uniswap V3 pool (token0/token1 are read from it).
    /// @param admin Initial default admin.
    /// @param adminTransferDelay Delay of a default-admin transfer, in seconds.
    /// @param limits The gate limits (see {Limits}).
    constructor(IUniswapV3PoolLike pool_, address admin, uint48 adminTransferDelay, Limits memory limits)
        AccessControlDefaultAdminRules(adminTransferDelay, admin)
    {
        if (address(pool_).code.length == 0) revert InvalidPool(address(pool_));
        if (
            limits.minLiquidity == 0 || limits.parityTick > MAX_TICK || limits.parityTick < -MAX_TICK
                || int256(uint256(limits.maxTickDrift)) > MAX_TICK
        ) revert InvalidLimits();
        pool = pool_;
        token0 = IERC20(pool_.token0());
        token1 = IERC20(pool_.token1());
        parityTick = limits.parityTick;
        maxTickDrift = limits.maxTickDrift;
        twapWindow = limits.twapWindow;
        minLiquidity = limits.minLiquidity;
        maxProofAmount = limits.maxProofAmount;
        minBalance0 = limits.minBalance0;
        minBalance1 = limits.minBalance1;
        emit LimitsSet(address(pool_), limits);
    }

    /// @notice Record one indexed public-LP proof after checking every gate against the live pool.
    /// @dev Reverts with the custom error of the first gate that fails; stores only `proofIdUsed`.
    /// @param proofId Unique proof identifier; never recorded twice.
    /// @param publicSwapTxHash Hash of the public swap transaction through the pool.
    /// @param liquidityTxHash Hash of the transaction that added the pool liquidity.
    /// @param amount Proof amount (token units), at most `maxProofAmount` when it is set.
    /// @param isoHash Hash of the ISO 20022 evidence.
    /// @param auditHash Hash of the audit envelope.
    function recordIndexedProof(
        bytes32 proofId,
        bytes32 publicSwapTxHash,
        bytes32 liquidityTxHash,
        uint256 amount,
        bytes32 isoHash,
        bytes32 auditHash
    ) external onlyRole(OPERATOR_ROLE) whenNotPaused {
        if (
            proofId == bytes32(0) || publicSwapTxHash == bytes32(0) || liquidityTxHash == bytes32(0)
                || isoHash == bytes32(0) || auditHash == bytes32(0)
        ) revert ZeroHash();
        if (amount == 0) revert ZeroAmount();
        if (proofIdUsed[proofId]) revert ProofIdAlreadyUsed(proofId);
        if (maxProofAmount != 0 && amount > maxProofAmount) revert ProofAmountAboveMax(amount, maxProofAmount);

        (, int24 spotTick,,,,,) = pool.slot0();
        if (!_withinDrift(spotTick)) revert SpotTickOutOfRange(spotTick, parityTick, maxTickDrift);
        int24 twapTick = spotTick;
        if (twapWindow != 0) {
            twapTick = _twapTick();
            if (!_withinDrift(twapTick)) revert TwapTickOutOfRange(twapTick, parityTick, maxTickDrift);
        }
        uint128 inRange = pool.liquidity();
        if (inRange < minLiquidity) revert InsufficientLiquidity(inRange, minLiquidity);
        uint256 balance0 = token0.balanceOf(address(pool));
        if (balance0 < minBalance0) revert PoolBalanceBelowFloor(address(token0), balance0, minBalance0);
        uint256 balance1 = token1.balanceOf(address(pool));
        if (balance1 < minBalance1) revert PoolBalanceBelowFloor(address(token1), balance1, minBalance1);

        proofIdUsed[proofId] = true;
        emit IndexedProofRecorded(
            proofId,
            msg.sender,
            publicSwapTxHash,
            liquidityTxHash,
            amount,
            isoHash,
            auditHash,
            spotTick,
            twapTick,
            inRange,
            balance0,
            balance1
        );
    }

    /// @notice Stop recording proofs.
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Resume recording proofs.
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    /// @dev Whether `tick` is within `maxTickDrift` of `parityTick` (int256: no overflow).
    function _withinDrift(int24 tick) private view returns (bool) {
        int256 distance = int256(tick) - int256(parityTick);
        if (distance < 0) distance = -distance;
        return distance <= int256(uint256(maxTickDrift));
    }

    /// @dev The arithmetic-mean tick over `twapWindow`, rounded toward negative infinity (as
    ///      Uniswap's OracleLibrary.consult); `TwapUnavailable` when the pool's oracle does not
    ///      reach that far back (observation cardinality too small or too recent).
    function _twapTick() private view returns (int24) {
        uint32[] memory secondsAgos = new uint32[](2);
        secondsAgos[0] = twapWindow;
        try pool.observe(secondsAgos) returns (int56[] memory tickCumulatives, uint160[] memory) {
            int56 delta = tickCumulatives[1] - tickCumulatives[0];
            int56 window = int56(uint56(twapWindow));
            int56 mean = delta / window;
            if (delta < 0 && delta % window != 0) mean--;
            return int24(mean);
        } catch {
            revert TwapUnavailable(twapWindow);
        }
    }
}
