// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IDBISConversionVenue} from "../interfaces/IDBISConversionVenue.sol";
import {IDBISSignerRegistry} from "../interfaces/IDBISSignerRegistry.sol";
import {ISanctionsList} from "../interfaces/ISanctionsList.sol";
import {SignatureQuorum} from "../libraries/SignatureQuorum.sol";
import {DBISStablecoinRegistry} from "./DBISStablecoinRegistry.sol";

/// @title DBISConversionRouter
/// @notice Executes EIP-712 Swap Authorizations of the DBIS Rail (Conversion Router spec v1.5; domain
///         `DBISConversionRouter`, version `1`, ERC-5267 `eip712Domain()`): for this chain and this router,
///         before its deadline and no further ahead than the policy window, on an allowlisted venue whose
///         approval has not expired, from an allowlisted quote issuer, with ACTIVE stablecoins where they are
///         registered, with neither the caller nor the venue's adapter or pool on the router's denylist or
///         the sanctions oracle, signed by a quorum of the shared signer registry (2, or 3 including
///         COMPLIANCE above the policy threshold — the one SignatureQuorum check), for an unused messageId;
///         the caller's real output, measured by its balance, must reach `minAmountOut`.
///         Venue governance (§3.1, §6.3): a venue is enabled or re-approved only by an EIP-712 Venue
///         Authorization signed by 3 signers including COMPLIANCE; ROUTER_ADMIN disables one at once.
/// @dev Token path: the caller approves the venue adapter; the pool pulls the input from the caller and sends
///      the output to the caller, nothing passes through the router. Storage per conversion: one fresh slot
///      (`quoteHashOf[messageId]`, nonzero = used).
contract DBISConversionRouter is AccessControl, EIP712 {
    /// @notice Manages issuers, denylist, thresholds; disables venues (spec §3.1 "ROUTER_ADMIN").
    bytes32 public constant ROUTER_ADMIN = keccak256("ROUTER_ADMIN");

    /// @notice Quorum sizes and the category an elevated quorum (and a venue approval) must include.
    uint256 public constant BASE_QUORUM = 2;
    uint256 public constant ELEVATED_QUORUM = 3;
    uint256 public constant COMPLIANCE = 2; // DBISSignerRegistry.COMPLIANCE

    /// @notice EIP-712 type of a Swap Authorization (spec §2.1).
    bytes32 public constant SWAP_AUTHORIZATION_TYPEHASH = keccak256(
        "SwapAuthorization(bytes32 messageId,bytes32 lpaId,bytes32 venue,address tokenIn,address tokenOut,uint256 amountIn,uint256 minAmountOut,uint256 deadline,bytes32 quoteHash,address quoteIssuer,uint256 chainId,address verifyingContract)"
    );
    /// @notice EIP-712 type of a Venue Authorization (enable or re-approve a venue, spec §6.1, §6.3).
    bytes32 public constant VENUE_AUTHORIZATION_TYPEHASH = keccak256(
        "VenueAuthorization(bytes32 venue,address adapter,address pool,uint256 approvedUntil,uint256 nonce,uint256 deadline,uint256 chainId,address verifyingContract)"
    );

    /// @notice A Swap Authorization, exactly spec v1.5 §2.1.
    struct SwapAuthorization {
        bytes32 messageId;
        bytes32 lpaId;
        bytes32 venue;
        address tokenIn;
        address tokenOut;
        uint256 amountIn;
        uint256 minAmountOut;
        uint256 deadline;
        bytes32 quoteHash;
        address quoteIssuer;
        uint256 chainId;
        address verifyingContract;
    }

    /// @notice A Venue Authorization: venue id → adapter (and its pool), approved until a time; `nonce` is the
    ///         venue's approval count (a signed approval is used once and dies with the next one).
    struct VenueAuthorization {
        bytes32 venue;
        address adapter;
        address pool;
        uint256 approvedUntil;
        uint256 nonce;
        uint256 deadline;
        uint256 chainId;
        address verifyingContract;
    }

    /// @notice An allowlisted venue, one slot: adapter, approval expiry (0 = disabled), approvals so far, and
    ///         whether its adapter or pool is on the router's denylist now (kept by `setDenylisted`, so a
    ///         conversion screens both without reading the denylist).
    struct Venue {
        IDBISConversionVenue adapter;
        uint40 approvedUntil;
        uint48 nonce;
        bool denylisted;
    }

    /// @dev Offsets of the Swap Authorization's words in calldata (its field order, spec §2.1).
    uint256 private constant MESSAGE_ID = 0x00;
    uint256 private constant VENUE = 0x40;
    uint256 private constant TOKEN_IN = 0x60;
    uint256 private constant TOKEN_OUT = 0x80;
    uint256 private constant AMOUNT_IN = 0xa0;
    uint256 private constant MIN_AMOUNT_OUT = 0xc0;
    uint256 private constant DEADLINE = 0xe0;
    uint256 private constant QUOTE_HASH = 0x100;
    uint256 private constant QUOTE_ISSUER = 0x120;
    uint256 private constant CHAIN_ID = 0x140;
    uint256 private constant VERIFYING = 0x160;

    IDBISSignerRegistry public immutable signerRegistry;
    DBISStablecoinRegistry public immutable stablecoinRegistry;
    /// @notice The sanctions oracle consulted besides the router's own denylist (zero = none).
    ISanctionsList public immutable sanctionsList;
    /// @notice Longest a Swap Authorization's deadline may be ahead of execution (spec §4.1: ≤ 2 minutes).
    uint256 public immutable maxDeadlineWindow;
    /// @notice Longest approval a Venue Authorization may give (periodic re-approval, §6.1).
    uint256 public immutable maxVenueApproval;
    /// @notice Whether a registered stablecoin given as tokenIn must be ACTIVE too (tokenOut always).
    bool public immutable checkTokenIn;

    mapping(bytes32 venue => Venue) private _venues;
    /// @dev The pool each venue was approved with (the denylist bookkeeping; a conversion does not read it).
    mapping(bytes32 venue => address pool) private _venuePools;
    /// @dev The venues ever approved with this address as adapter or pool (whose flag a denylist change updates).
    mapping(address account => bytes32[] venues) private _venuesUsing;
    /// @notice Allowlisted quote issuers (spec §5).
    mapping(address issuer => bool) public quoteIssuerAllowed;
    /// @notice The router's own denylist (spec §6.2).
    mapping(address account => bool) public denylisted;
    /// @notice amountIn above this (per tokenIn) needs the elevated quorum; 0 = every amount is elevated.
    mapping(address tokenIn => uint256) public elevatedThreshold;
    /// @notice The quote each executed messageId used (zero = messageId unused): spec §3.2/§5 audit mapping.
    mapping(bytes32 messageId => bytes32 quoteHash) public quoteHashOf;

    /// @notice Spec v1.5 §3.2, exactly.
    event ConversionExecuted(
        bytes32 indexed messageId,
        bytes32 indexed quoteHash,
        bytes32 venue,
        address tokenIn,
        address tokenOut,
        uint256 amountIn,
        uint256 amountOut,
        address quoteIssuer
    );
    /// @notice A venue was enabled or re-approved by a Venue Authorization.
    event VenueApproved(
        bytes32 indexed venue, address indexed adapter, address indexed pool, uint256 approvedUntil, uint256 nonce, bytes32 digest
    );
    /// @notice ROUTER_ADMIN disabled a venue.
    event VenueDisabled(bytes32 indexed venue, address indexed adapter);
    /// @notice A quote issuer was allowed or removed.
    event QuoteIssuerSet(address indexed issuer, bool allowed);
    /// @notice An address was put on or taken off the router's denylist.
    event DenylistSet(address indexed account, bool denylisted);
    /// @notice A tokenIn's elevated-quorum threshold was set.
    event ElevatedThresholdSet(address indexed tokenIn, uint256 threshold);

    error ZeroValue();
    error WrongChainId(uint256 expected, uint256 actual);
    error WrongVerifyingContract(address expected, address actual);
    error AuthorizationExpired(uint256 deadline, uint256 timestamp);
    error DeadlineTooFar(uint256 deadline, uint256 latest);
    error MessageIdUsed(bytes32 messageId);
    error UnknownVenue(bytes32 venue);
    error VenueNotApproved(bytes32 venue, uint256 approvedUntil, uint256 timestamp);
    error QuoteIssuerNotAllowed(address issuer);
    error StablecoinNotActive(address token, DBISStablecoinRegistry.Status status);
    error AddressDenylisted(address account);
    error AddressSanctioned(address account);
    error OutputBelowMinimum(uint256 amountOut, uint256 minAmountOut);
    error ApprovalPeriodInvalid(uint256 approvedUntil, uint256 latest);
    error VenueNonceMismatch(bytes32 venue, uint256 expected, uint256 actual);
    error AdapterMismatch(address adapter, address pool);

    /// @param admin Holder of DEFAULT_ADMIN_ROLE and the first ROUTER_ADMIN.
    /// @param signerRegistry_ The Rail's signer registry (shared with the settlement router).
    /// @param stablecoinRegistry_ The Rail's stablecoin reference registry.
    /// @param sanctionsList_ Sanctions oracle (`isSanctioned`), zero for none.
    /// @param maxDeadlineWindow_ Policy window of a Swap Authorization's deadline, seconds (nonzero).
    /// @param maxVenueApproval_ Longest venue approval, seconds (1 .. 2^32 - 1, so expiries fit 40 bits).
    /// @param checkTokenIn_ Whether a registered tokenIn must be ACTIVE too.
    constructor(
        address admin,
        IDBISSignerRegistry signerRegistry_,
        DBISStablecoinRegistry stablecoinRegistry_,
        ISanctionsList sanctionsList_,
        uint256 maxDeadlineWindow_,
        uint256 maxVenueApproval_,
        bool checkTokenIn_
    ) EIP712("DBISConversionRouter", "1") {
        if (
            admin == address(0) || address(signerRegistry_) == address(0) || address(stablecoinRegistry_) == address(0)
                || maxDeadlineWindow_ == 0 || maxVenueApproval_ == 0 || maxVenueApproval_ > type(uint32).max
        ) revert ZeroValue();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(ROUTER_ADMIN, admin);
        signerRegistry = signerRegistry_;
        stablecoinRegistry = stablecoinRegistry_;
        sanctionsList = sanctionsList_;
        maxDeadlineWindow = maxDeadlineWindow_;
        maxVenueApproval = maxVenueApproval_;
        checkTokenIn = checkTokenIn_;
    }

    // ------------------------------------------------------------------ conversion

    /// @notice Execute Swap Authorization `auth` signed by `signatures` (packed 65-byte `r ‖ s ‖ v`, strictly
    ///         ascending signers): the caller pays `amountIn` of tokenIn (approved to the venue adapter) and
    ///         receives the output. Reverts with the rule that fails; nothing moves then.
    /// @return amountOut The caller's real tokenOut balance increase.
    function convert(SwapAuthorization calldata auth, bytes calldata signatures) external returns (uint256 amountOut) {
        (IDBISConversionVenue adapter, bool venueDenylisted) = _checkAuthorization(auth);
        _screen(msg.sender);
        _screenVenue(adapter, venueDenylisted);
        (uint256 threshold, uint256 required) = quorumFor(_address(auth, TOKEN_IN), _word(auth, AMOUNT_IN));
        SignatureQuorum.verify(_swapDigest(auth), signatures, signerRegistry, threshold, required);

        quoteHashOf[bytes32(_word(auth, MESSAGE_ID))] = bytes32(_word(auth, QUOTE_HASH));
        amountOut = _swap(auth, adapter);
        _emitConversionExecuted(auth, amountOut);
    }

    // ------------------------------------------------------------------ venue governance

    /// @notice Enable or re-approve venue `auth.venue` → `auth.adapter` (over `auth.pool`) until
    ///         `auth.approvedUntil`, by a Venue Authorization signed by 3 signers including COMPLIANCE. Anyone
    ///         may submit it; the signatures are the authority. The nonce must be the venue's approval count.
    function approveVenue(VenueAuthorization calldata auth, bytes calldata signatures) external {
        if (auth.chainId != block.chainid) revert WrongChainId(block.chainid, auth.chainId);
        if (auth.verifyingContract != address(this)) revert WrongVerifyingContract(address(this), auth.verifyingContract);
        if (block.timestamp > auth.deadline) revert AuthorizationExpired(auth.deadline, block.timestamp);
        if (auth.venue == bytes32(0) || auth.adapter.code.length == 0) revert ZeroValue();
        uint256 latest = block.timestamp + maxVenueApproval;
        if (auth.approvedUntil <= block.timestamp || auth.approvedUntil > latest) {
            revert ApprovalPeriodInvalid(auth.approvedUntil, latest);
        }
        Venue memory venue = _venues[auth.venue];
        if (auth.nonce != venue.nonce) revert VenueNonceMismatch(auth.venue, venue.nonce, auth.nonce);
        IDBISConversionVenue adapter = IDBISConversionVenue(auth.adapter);
        if (adapter.router() != address(this) || adapter.pool() != auth.pool) revert AdapterMismatch(auth.adapter, auth.pool);
        _screen(auth.adapter);
        _screen(auth.pool);
        bytes32 digest = venueAuthorizationDigest(auth);
        SignatureQuorum.verify(digest, signatures, signerRegistry, ELEVATED_QUORUM, COMPLIANCE);

        // Neither is denylisted now (screened above); a later denylist change updates the flag.
        _venues[auth.venue] = Venue(adapter, uint40(auth.approvedUntil), uint48(auth.nonce + 1), false);
        if (auth.adapter != address(venue.adapter)) _venuesUsing[auth.adapter].push(auth.venue);
        if (auth.pool != _venuePools[auth.venue]) {
            _venuePools[auth.venue] = auth.pool;
            _venuesUsing[auth.pool].push(auth.venue);
        }
        emit VenueApproved(auth.venue, auth.adapter, auth.pool, auth.approvedUntil, auth.nonce, digest);
    }

    /// @notice Disable venue `venueId` at once (its approval expires now; the nonce is kept, so no earlier
    ///         Venue Authorization can re-enable it).
    function disableVenue(bytes32 venueId) external onlyRole(ROUTER_ADMIN) {
        Venue storage venue = _venues[venueId];
        if (address(venue.adapter) == address(0)) revert UnknownVenue(venueId);
        venue.approvedUntil = 0;
        emit VenueDisabled(venueId, address(venue.adapter));
    }

    // ------------------------------------------------------------------ configuration

    /// @notice Allow (or remove) quote issuer `issuer` (spec §5).
    function setQuoteIssuer(address issuer, bool allowed) external onlyRole(ROUTER_ADMIN) {
        if (issuer == address(0)) revert ZeroValue();
        quoteIssuerAllowed[issuer] = allowed;
        emit QuoteIssuerSet(issuer, allowed);
    }

    /// @notice Put `account` on (or take it off) the router's denylist (spec §6.2); effective at once, for a
    ///         caller and for every venue whose adapter or pool `account` is.
    function setDenylisted(address account, bool listed) external onlyRole(ROUTER_ADMIN) {
        if (account == address(0)) revert ZeroValue();
        denylisted[account] = listed;
        emit DenylistSet(account, listed);
        bytes32[] storage venues = _venuesUsing[account];
        uint256 n = venues.length;
        for (uint256 i; i < n; ++i) {
            bytes32 id = venues[i];
            Venue storage venue = _venues[id];
            venue.denylisted = denylisted[address(venue.adapter)] || denylisted[_venuePools[id]];
        }
    }

    /// @notice amountIn of `tokenIn` above `threshold` needs the elevated quorum (3 signers with COMPLIANCE).
    function setElevatedThreshold(address tokenIn, uint256 threshold) external onlyRole(ROUTER_ADMIN) {
        if (tokenIn == address(0)) revert ZeroValue();
        elevatedThreshold[tokenIn] = threshold;
        emit ElevatedThresholdSet(tokenIn, threshold);
    }

    // ------------------------------------------------------------------ views

    /// @notice Venue `venueId`: adapter, approval expiry (0 = disabled) and approvals so far (the next nonce).
    function venueOf(bytes32 venueId) external view returns (address adapter, uint256 approvedUntil, uint256 nonce) {
        Venue memory venue = _venues[venueId];
        return (address(venue.adapter), venue.approvedUntil, venue.nonce);
    }

    /// @notice The quorum a conversion of `amountIn` of `tokenIn` needs: (signers, required categories).
    function quorumFor(address tokenIn, uint256 amountIn) public view returns (uint256 threshold, uint256 requiredCategories) {
        if (amountIn > elevatedThreshold[tokenIn]) return (ELEVATED_QUORUM, COMPLIANCE);
        return (BASE_QUORUM, 0);
    }

    /// @notice The EIP-712 digest of `auth` under this router's domain.
    function swapAuthorizationDigest(SwapAuthorization calldata auth) external view returns (bytes32) {
        return _swapDigest(auth);
    }

    /// @notice The EIP-712 digest of venue authorization `auth` under this router's domain.
    function venueAuthorizationDigest(VenueAuthorization calldata auth) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(VENUE_AUTHORIZATION_TYPEHASH, auth)));
    }

    /// @notice The EIP-712 domain separator.
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ------------------------------------------------------------------ internal

    /// @dev Spec §2.3 in order, plus messageId, venue approval and the stablecoin registry; returns the adapter
    ///      and whether its adapter or pool is denylisted.
    ///      The fields are read straight from calldata (`_word`); the four address fields are checked clean once,
    ///      first, as the ABI decoder checks an address it reads (an empty revert).
    function _checkAuthorization(SwapAuthorization calldata auth) private view returns (IDBISConversionVenue, bool) {
        if ((_word(auth, TOKEN_IN) | _word(auth, TOKEN_OUT) | _word(auth, QUOTE_ISSUER) | _word(auth, VERIFYING)) >> 160 != 0) {
            revert();
        }
        uint256 value = _word(auth, CHAIN_ID);
        if (value != block.chainid) revert WrongChainId(block.chainid, value);
        if (_address(auth, VERIFYING) != address(this)) revert WrongVerifyingContract(address(this), _address(auth, VERIFYING));
        value = _word(auth, DEADLINE);
        if (block.timestamp > value) revert AuthorizationExpired(value, block.timestamp);
        uint256 latest = block.timestamp + maxDeadlineWindow;
        if (value > latest) revert DeadlineTooFar(value, latest);
        bytes32 id = bytes32(_word(auth, MESSAGE_ID));
        if (id == bytes32(0) || _word(auth, QUOTE_HASH) == 0 || _word(auth, AMOUNT_IN) == 0) revert ZeroValue();
        if (quoteHashOf[id] != bytes32(0)) revert MessageIdUsed(id);
        id = bytes32(_word(auth, VENUE));
        Venue storage venue = _venues[id];
        assembly ("memory-safe") {
            value := sload(venue.slot) // the whole record in one SLOAD (the optimizer would read it per field)
        }
        address adapter = address(uint160(value));
        if (adapter == address(0)) revert UnknownVenue(id);
        if (block.timestamp > uint40(value >> 160)) revert VenueNotApproved(id, uint40(value >> 160), block.timestamp);
        address account = _address(auth, QUOTE_ISSUER);
        if (!quoteIssuerAllowed[account]) revert QuoteIssuerNotAllowed(account);
        _checkStablecoin(_address(auth, TOKEN_OUT));
        if (checkTokenIn) _checkStablecoin(_address(auth, TOKEN_IN));
        return (IDBISConversionVenue(adapter), value >> 248 != 0);
    }

    /// @dev Word `offset` of the Swap Authorization in calldata (a static struct: 12 words in place).
    function _word(SwapAuthorization calldata auth, uint256 offset) private pure returns (uint256 value) {
        assembly ("memory-safe") {
            value := calldataload(add(auth, offset))
        }
    }

    /// @dev Address field `offset` of the Swap Authorization (checked clean by `_checkAuthorization`).
    function _address(SwapAuthorization calldata auth, uint256 offset) private pure returns (address value) {
        assembly ("memory-safe") {
            value := calldataload(add(auth, offset))
        }
    }

    /// @dev The swap on the venue, the caller paying and receiving; the output is the caller's real balance increase.
    ///      (The calls are written out in assembly: the same calls, reverts bubbled up, without the ABI
    ///      coder's memory round trips on the hot path.)
    function _swap(SwapAuthorization calldata auth, IDBISConversionVenue adapter) private returns (uint256 amountOut) {
        address tokenOut = _address(auth, TOKEN_OUT);
        uint256 before = _balanceOf(tokenOut, msg.sender);
        bytes4 selector = IDBISConversionVenue.swap.selector;
        assembly ("memory-safe") {
            // adapter.swap(msg.sender, msg.sender, tokenIn, tokenOut, amountIn); its answer is not used
            let m := mload(0x40)
            mstore(m, selector)
            mstore(add(m, 0x04), caller())
            mstore(add(m, 0x24), caller())
            mstore(add(m, 0x44), calldataload(add(auth, 0x60))) // tokenIn
            mstore(add(m, 0x64), tokenOut)
            mstore(add(m, 0x84), calldataload(add(auth, 0xa0))) // amountIn
            // (an address variable's upper bits are not guaranteed clean in assembly: masked)
            if iszero(call(gas(), and(adapter, 0xffffffffffffffffffffffffffffffffffffffff), 0, m, 0xa4, 0x00, 0x00)) {
                returndatacopy(m, 0x00, returndatasize())
                revert(m, returndatasize())
            }
        }
        amountOut = _balanceOf(tokenOut, msg.sender) - before;
        uint256 minAmountOut = _word(auth, MIN_AMOUNT_OUT);
        if (amountOut < minAmountOut) revert OutputBelowMinimum(amountOut, minAmountOut);
    }

    /// @dev `IERC20(token).balanceOf(account)`; a revert bubbles up, a short answer reverts.
    function _balanceOf(address token, address account) private view returns (uint256 amount) {
        bytes4 selector = IERC20.balanceOf.selector;
        assembly ("memory-safe") {
            mstore(0x00, selector)
            mstore(0x04, account)
            if iszero(staticcall(gas(), token, 0x00, 0x24, 0x00, 0x20)) {
                let m := mload(0x40)
                returndatacopy(m, 0x00, returndatasize())
                revert(m, returndatasize())
            }
            if lt(returndatasize(), 0x20) { revert(0x00, 0x00) }
            amount := mload(0x00)
        }
    }

    /// @dev A registered stablecoin must be ACTIVE; an unregistered token passes (spec §2.3 "when registered").
    function _checkStablecoin(address token) private view {
        bytes4 selector = DBISStablecoinRegistry.statusOf.selector;
        address registry = address(stablecoinRegistry);
        uint256 status;
        assembly ("memory-safe") {
            // stablecoinRegistry.statusOf(token), the enum checked as the ABI decoder would
            mstore(0x00, selector)
            mstore(0x04, token)
            if iszero(staticcall(gas(), registry, 0x00, 0x24, 0x00, 0x20)) {
                let m := mload(0x40)
                returndatacopy(m, 0x00, returndatasize())
                revert(m, returndatasize())
            }
            status := mload(0x00)
            if or(lt(returndatasize(), 0x20), gt(status, 3)) { revert(0x00, 0x00) }
        }
        if (status > uint256(DBISStablecoinRegistry.Status.ACTIVE)) {
            revert StablecoinNotActive(token, DBISStablecoinRegistry.Status(status));
        }
    }

    /// @dev The EIP-712 digest of `auth`: its 12 static words are hashed as they sit in calldata (the address
    ///      fields were read, hence validated as clean addresses, by the checks before).
    function _swapDigest(SwapAuthorization calldata auth) private view returns (bytes32) {
        bytes32 structHash;
        bytes32 typeHash = SWAP_AUTHORIZATION_TYPEHASH;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, typeHash)
            calldatacopy(add(m, 0x20), auth, 0x180)
            structHash := keccak256(m, 0x1a0)
        }
        return _hashTypedDataV4(structHash);
    }

    /// @dev `emit ConversionExecuted(...)` (spec §3.2) from the calldata words.
    function _emitConversionExecuted(SwapAuthorization calldata auth, uint256 amountOut) private {
        bytes32 topic = ConversionExecuted.selector;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, calldataload(add(auth, 0x40))) // venue
            mstore(add(m, 0x20), calldataload(add(auth, 0x60))) // tokenIn
            mstore(add(m, 0x40), calldataload(add(auth, 0x80))) // tokenOut
            mstore(add(m, 0x60), calldataload(add(auth, 0xa0))) // amountIn
            mstore(add(m, 0x80), amountOut)
            mstore(add(m, 0xa0), calldataload(add(auth, 0x120))) // quoteIssuer
            log3(m, 0xc0, topic, calldataload(auth), calldataload(add(auth, 0x100))) // messageId, quoteHash
        }
    }

    /// @dev The venue's adapter, then its pool: each on the router's denylist (the venue's flag: read the
    ///      denylist only to name which), then the sanctions oracle when one is bound — `_screen`'s order.
    function _screenVenue(IDBISConversionVenue adapter, bool venueDenylisted) private view {
        if (venueDenylisted && denylisted[address(adapter)]) revert AddressDenylisted(address(adapter));
        ISanctionsList list = sanctionsList;
        bool oracle = address(list) != address(0);
        if (oracle && list.isSanctioned(address(adapter))) revert AddressSanctioned(address(adapter));
        if (!venueDenylisted && !oracle) return;
        address pool = adapter.pool();
        if (venueDenylisted) revert AddressDenylisted(pool); // the flag is set and the adapter is not listed
        if (list.isSanctioned(pool)) revert AddressSanctioned(pool);
    }

    /// @dev The router's own denylist, then the sanctions oracle when one is bound.
    function _screen(address account) private view {
        if (denylisted[account]) revert AddressDenylisted(account);
        ISanctionsList list = sanctionsList;
        if (address(list) != address(0) && list.isSanctioned(account)) revert AddressSanctioned(account);
    }
}
