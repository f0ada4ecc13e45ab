// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title DBISLedgerAttestation
/// @notice Ledger Posting Authorizations (LPAs) of the DBIS Rail with the state machine of the Ledger
///         Attestation add-on v1.5 §2: an LPA is posted `POSTED_FINAL`, moves only along the transitions
///         of §2.2 (every other transition is refused), `DISPUTED_HOLD` is entered and left only by the
///         dispute role, one accountingRef backs at most one LPA (Rulebook §3.2), a Mint Authorization may
///         use an LPA only in `POSTED_FINAL` and only once, and after a mint the corrective actions of the
///         Reversal Policy Matrix (§3.2) are recorded with their reference.
contract DBISLedgerAttestation is AccessControl {
    /// @notice Posts LPAs and makes the ledger/ops transitions.
    bytes32 public constant LEDGER_OPS_ROLE = keccak256("LEDGER_OPS_ROLE");
    /// @notice The designated dispute role: the only one that enters or leaves DISPUTED_HOLD.
    bytes32 public constant DISPUTE_ROLE = keccak256("DISPUTE_ROLE");
    /// @notice Records the primary and tertiary corrective actions (offset + corridor restriction, debt claim).
    bytes32 public constant CORRECTIVE_ACTION_ROLE = keccak256("CORRECTIVE_ACTION_ROLE");
    /// @notice The settlement router: consumes an LPA for a mint and records reversal burns.
    bytes32 public constant SETTLEMENT_ROUTER_ROLE = keccak256("SETTLEMENT_ROUTER_ROLE");

    /// @notice LPA states (add-on §2.1); NONE = no such LPA.
    enum LpaState {
        NONE,
        POSTED_FINAL,
        POSTED_ADJUSTMENT,
        POSTED_REVERSAL,
        DISPUTED_HOLD
    }

    /// @notice Corrective actions after a mint (add-on §3.2), by priority.
    enum CorrectiveAction {
        NONE,
        LEDGER_OFFSET_AND_CORRIDOR_RESTRICTION,
        BURN,
        DEBT_CLAIM
    }

    struct Lpa {
        bytes32 accountingRef;
        LpaState state;
        bool minted;
        address token; // set by the mint
        uint128 mintedAmount;
        uint128 burnedAmount;
    }

    mapping(bytes32 lpaId => Lpa) private _lpas;
    /// @notice The LPA an accountingRef backs (zero = none).
    mapping(bytes32 accountingRef => bytes32 lpaId) public lpaOfAccountingRef;

    /// @notice An LPA was posted (state POSTED_FINAL).
    event LpaPosted(bytes32 indexed lpaId, bytes32 indexed accountingRef, address indexed by);
    /// @notice An LPA changed state.
    event LpaTransitioned(bytes32 indexed lpaId, LpaState from, LpaState to, bytes32 reasonRef, address indexed by);
    /// @notice A Mint Authorization consumed the LPA (the state at issuance is POSTED_FINAL, add-on §2.2).
    event LpaMinted(bytes32 indexed lpaId, bytes32 indexed messageId, address token, uint256 amount);
    /// @notice A corrective action after a mint was recorded (add-on §3.2).
    event CorrectiveActionRecorded(
        bytes32 indexed lpaId, CorrectiveAction indexed action, bytes32 actionRef, uint256 amount, address indexed by
    );

    error ZeroValue();
    error UnknownLpa(bytes32 lpaId);
    error LpaExists(bytes32 lpaId);
    error AccountingRefBound(bytes32 accountingRef, bytes32 lpaId);
    error TransitionNotAllowed(bytes32 lpaId, LpaState from, LpaState to);
    error LpaNotFinal(bytes32 lpaId, LpaState state);
    error AccountingRefMismatch(bytes32 lpaId, bytes32 expected, bytes32 given);
    error AccountingRefUsed(bytes32 accountingRef);
    error LpaNotMinted(bytes32 lpaId);
    error LpaNotReversed(bytes32 lpaId, LpaState state);
    error InvalidCorrectiveAction(CorrectiveAction action);
    error BurnExceedsMint(bytes32 lpaId, uint256 requested, uint256 remaining);

    /// @param admin Holder of DEFAULT_ADMIN_ROLE (grants the other roles).
    constructor(address admin) {
        if (admin == address(0)) revert ZeroValue();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ------------------------------------------------------------------ posting and transitions

    /// @notice Post LPA `lpaId` for `accountingRef` in POSTED_FINAL. One accountingRef backs at most one LPA.
    function postLpa(bytes32 lpaId, bytes32 accountingRef) external onlyRole(LEDGER_OPS_ROLE) {
        if (lpaId == bytes32(0) || accountingRef == bytes32(0)) revert ZeroValue();
        if (_lpas[lpaId].state != LpaState.NONE) revert LpaExists(lpaId);
        bytes32 bound = lpaOfAccountingRef[accountingRef];
        if (bound != bytes32(0)) revert AccountingRefBound(accountingRef, bound);
        lpaOfAccountingRef[accountingRef] = lpaId;
        _lpas[lpaId].accountingRef = accountingRef;
        _lpas[lpaId].state = LpaState.POSTED_FINAL;
        emit LpaPosted(lpaId, accountingRef, msg.sender);
    }

    /// @notice Move LPA `lpaId` to `to` along an add-on §2.2 transition, by the role that transition needs.
    /// @param reasonRef Reference of the ledger entry or dispute decision behind the move.
    function transition(bytes32 lpaId, LpaState to, bytes32 reasonRef) external {
        Lpa storage lpa = _lpas[lpaId];
        LpaState from = lpa.state;
        if (from == LpaState.NONE) revert UnknownLpa(lpaId);
        bytes32 role = transitionRole(from, to);
        if (role == bytes32(0)) revert TransitionNotAllowed(lpaId, from, to);
        _checkRole(role);
        lpa.state = to;
        emit LpaTransitioned(lpaId, from, to, reasonRef, msg.sender);
    }

    /// @notice The role a transition needs, or zero when the add-on §2.2 does not allow it.
    /// @dev FINAL→ADJUSTMENT, FINAL→REVERSAL, ADJUSTMENT→FINAL, ADJUSTMENT→REVERSAL: ledger/ops.
    ///      FINAL→HOLD, ADJUSTMENT→HOLD, HOLD→FINAL|ADJUSTMENT|REVERSAL: dispute role. REVERSAL is terminal.
    function transitionRole(LpaState from, LpaState to) public pure returns (bytes32) {
        if (to == LpaState.DISPUTED_HOLD) {
            return (from == LpaState.POSTED_FINAL || from == LpaState.POSTED_ADJUSTMENT) ? DISPUTE_ROLE : bytes32(0);
        }
        if (from == LpaState.DISPUTED_HOLD) {
            return (to == LpaState.POSTED_FINAL || to == LpaState.POSTED_ADJUSTMENT || to == LpaState.POSTED_REVERSAL)
                ? DISPUTE_ROLE
                : bytes32(0);
        }
        if (from == LpaState.POSTED_FINAL) {
            return (to == LpaState.POSTED_ADJUSTMENT || to == LpaState.POSTED_REVERSAL) ? LEDGER_OPS_ROLE : bytes32(0);
        }
        if (from == LpaState.POSTED_ADJUSTMENT) {
            return (to == LpaState.POSTED_FINAL || to == LpaState.POSTED_REVERSAL) ? LEDGER_OPS_ROLE : bytes32(0);
        }
        return bytes32(0);
    }

    // ------------------------------------------------------------------ the settlement router

    /// @notice Consume LPA `lpaId` for the mint of Mint Authorization `messageId`: the LPA must be
    ///         POSTED_FINAL, back `accountingRef`, and not have been minted. Only the settlement router.
    function consumeForMint(bytes32 lpaId, bytes32 accountingRef, bytes32 messageId, address token, uint256 amount)
        external
        onlyRole(SETTLEMENT_ROUTER_ROLE)
    {
        Lpa storage lpa = _lpas[lpaId];
        LpaState state = lpa.state;
        if (state == LpaState.NONE) revert UnknownLpa(lpaId);
        if (lpa.accountingRef != accountingRef) revert AccountingRefMismatch(lpaId, lpa.accountingRef, accountingRef);
        if (lpa.minted) revert AccountingRefUsed(accountingRef);
        if (state != LpaState.POSTED_FINAL) revert LpaNotFinal(lpaId, state);
        lpa.minted = true;
        lpa.token = token;
        lpa.mintedAmount = SafeCast.toUint128(amount);
        emit LpaMinted(lpaId, messageId, token, amount);
    }

    /// @notice Record a reversal burn of `amount` for LPA `lpaId` (secondary action, §3.2): the LPA must be
    ///         POSTED_REVERSAL and minted, and burns never exceed the minted amount. Only the router.
    /// @return token The token minted for this LPA (the one to burn).
    function recordReversalBurn(bytes32 lpaId, uint256 amount, bytes32 actionRef)
        external
        onlyRole(SETTLEMENT_ROUTER_ROLE)
        returns (address token)
    {
        Lpa storage lpa = _mintedReversal(lpaId);
        uint256 remaining = lpa.mintedAmount - lpa.burnedAmount;
        if (amount == 0 || amount > remaining) revert BurnExceedsMint(lpaId, amount, remaining);
        lpa.burnedAmount += uint128(amount); // amount <= remaining <= mintedAmount (a uint128)
        emit CorrectiveActionRecorded(lpaId, CorrectiveAction.BURN, actionRef, amount, msg.sender);
        return lpa.token;
    }

    /// @notice Record the primary (ledger offset + corridor restriction) or tertiary (debt/claim entry)
    ///         corrective action for a minted LPA in POSTED_REVERSAL, with its runbook/ledger reference (`actionRef`).
    ///         Burns are recorded by the router's burn path only.
    function recordCorrectiveAction(bytes32 lpaId, CorrectiveAction action, bytes32 actionRef)
        external
        onlyRole(CORRECTIVE_ACTION_ROLE)
    {
        if (action != CorrectiveAction.LEDGER_OFFSET_AND_CORRIDOR_RESTRICTION && action != CorrectiveAction.DEBT_CLAIM) {
            revert InvalidCorrectiveAction(action);
        }
        if (actionRef == bytes32(0)) revert ZeroValue();
        _mintedReversal(lpaId);
        emit CorrectiveActionRecorded(lpaId, action, actionRef, 0, msg.sender);
    }

    // ------------------------------------------------------------------ views

    /// @notice True only when LPA `lpaId` is POSTED_FINAL and not yet used by a mint.
    function canMint(bytes32 lpaId) external view returns (bool) {
        Lpa storage lpa = _lpas[lpaId];
        return lpa.state == LpaState.POSTED_FINAL && !lpa.minted;
    }

    /// @notice The state of LPA `lpaId` (NONE when unknown).
    function stateOf(bytes32 lpaId) external view returns (LpaState) {
        return _lpas[lpaId].state;
    }

    /// @notice The whole record of LPA `lpaId`.
    function lpaOf(bytes32 lpaId) external view returns (Lpa memory) {
        return _lpas[lpaId];
    }

    function _mintedReversal(bytes32 lpaId) private view returns (Lpa storage lpa) {
        lpa = _lpas[lpaId];
        if (lpa.state == LpaState.NONE) revert UnknownLpa(lpaId);
        if (!lpa.minted) revert LpaNotMinted(lpaId);
        if (lpa.state != LpaState.POSTED_REVERSAL) revert LpaNotReversed(lpaId, lpa.state);
    }
}
