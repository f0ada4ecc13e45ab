// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IDBISReserveGate} from "../interfaces/IDBISReserveGate.sol";
import {IDBISSignerRegistry} from "../interfaces/IDBISSignerRegistry.sol";
import {SignatureQuorum} from "../libraries/SignatureQuorum.sol";
import {DBISLedgerAttestation} from "./DBISLedgerAttestation.sol";
import {DBISMintController} from "./DBISMintController.sol";
import {DBISStablecoinRegistry} from "./DBISStablecoinRegistry.sol";

/// @title DBISSettlementRouter
/// @notice Executes EIP-712 Mint Authorizations of the DBIS Rail (domain `DBISSettlementRouter`, version
///         `1`, ERC-5267 `eip712Domain()`): a quorum of registered signers (2, or 3 including COMPLIANCE
///         above the token's elevated threshold), each active at the submission block, over an
///         authorization for this chain and this router, before its deadline, for an unused messageId, an
///         LPA in POSTED_FINAL that backs the authorization's accountingRef (used once), an ACTIVE
///         stablecoin and, when a reserve gate is bound, a healthy reserve (fail closed). The burn path
///         for reversals needs the LPA in POSTED_REVERSAL.
contract DBISSettlementRouter is AccessControl, EIP712 {
    /// @notice Sets thresholds and the reserve gate, and runs reversal burns (add-on §3.2 "ROUTER_ADMIN").
    bytes32 public constant ROUTER_ADMIN = keccak256("ROUTER_ADMIN");

    /// @notice Quorum sizes and the category an elevated quorum must include.
    uint256 public constant BASE_QUORUM = 2;
    uint256 public constant ELEVATED_QUORUM = 3;
    uint256 public constant COMPLIANCE = 2; // DBISSignerRegistry.COMPLIANCE

    /// @notice EIP-712 type of a Mint Authorization.
    bytes32 public constant MINT_AUTHORIZATION_TYPEHASH = keccak256(
        "MintAuthorization(bytes32 messageId,bytes32 lpaId,bytes32 accountingRef,bytes32 isoMessageHash,address token,address recipient,uint256 amount,uint256 deadline,uint256 chainId,address verifyingContract)"
    );

    /// @notice A Mint Authorization (the EIP-712 message; chainId and verifyingContract repeat the domain's).
    struct MintAuthorization {
        bytes32 messageId;
        bytes32 lpaId;
        bytes32 accountingRef;
        bytes32 isoMessageHash;
        address token;
        address recipient;
        uint256 amount;
        uint256 deadline;
        uint256 chainId;
        address verifyingContract;
    }

    IDBISSignerRegistry public immutable signerRegistry;
    DBISLedgerAttestation public immutable ledgerAttestation;
    DBISStablecoinRegistry public immutable stablecoinRegistry;
    DBISMintController public immutable mintController;

    /// @notice The proof-of-reserve gate asked before every mint (zero = not bound).
    address public reserveGate;
    /// @notice Amounts above this need the elevated quorum (per token; 0 = every amount is elevated).
    mapping(address token => uint256) public elevatedThreshold;
    /// @notice Executed Mint Authorizations.
    mapping(bytes32 messageId => bool) public messageIdUsed;

    /// @notice A Mint Authorization was executed: what was minted, against which LPA and ledger entry, under
    ///         which digest, at which quorum, by how many signers holding which categories, and
    ///         `signersHash` = keccak256 of the ascending signer addresses as 32-byte words (the signers are
    ///         recovered from the transaction's signatures over `digest`; the hash pins the exact set).
    event MintAuthorizationExecuted(
        bytes32 indexed messageId,
        bytes32 indexed lpaId,
        bytes32 indexed accountingRef,
        bytes32 isoMessageHash,
        address token,
        address recipient,
        uint256 amount,
        bytes32 digest,
        uint256 threshold,
        uint256 signerCount,
        uint256 signerCategories,
        bytes32 signersHash
    );
    /// @notice A reversal burn ran (add-on §3.2 secondary action).
    event ReversalBurned(bytes32 indexed lpaId, address indexed token, address indexed from, uint256 amount, bytes32 actionRef);
    /// @notice The reserve gate was bound (or unbound with zero).
    event ReserveGateSet(address gate);
    /// @notice A token's elevated-quorum threshold was set.
    event ElevatedThresholdSet(address indexed token, uint256 threshold);

    error ZeroValue();
    error GateWithoutCode(address gate);
    error WrongChainId(uint256 expected, uint256 actual);
    error WrongVerifyingContract(address expected, address actual);
    error AuthorizationExpired(uint256 deadline, uint256 timestamp);
    error MessageIdUsed(bytes32 messageId);
    error TokenNotActive(address token, DBISStablecoinRegistry.Status status);
    error ReserveUnhealthy(address gate);

    /// @param admin Holder of DEFAULT_ADMIN_ROLE and the first ROUTER_ADMIN.
    constructor(
        address admin,
        IDBISSignerRegistry signerRegistry_,
        DBISLedgerAttestation ledgerAttestation_,
        DBISStablecoinRegistry stablecoinRegistry_,
        DBISMintController mintController_
    ) EIP712("DBISSettlementRouter", "1") {
        if (
            admin == address(0) || address(signerRegistry_) == address(0) || address(ledgerAttestation_) == address(0)
                || address(stablecoinRegistry_) == address(0) || address(mintController_) == address(0)
        ) revert ZeroValue();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(ROUTER_ADMIN, admin);
        signerRegistry = signerRegistry_;
        ledgerAttestation = ledgerAttestation_;
        stablecoinRegistry = stablecoinRegistry_;
        mintController = mintController_;
    }

    // ------------------------------------------------------------------ mint

    /// @notice Execute Mint Authorization `auth` signed by `signatures` (packed 65-byte `r ‖ s ‖ v`,
    ///         strictly ascending signers). Reverts with the rule that fails.
    /// @return digest The EIP-712 digest that was signed.
    function submitMintAuth(MintAuthorization calldata auth, bytes calldata signatures)
        external
        returns (bytes32 digest)
    {
        _checkReserve();
        if (auth.chainId != block.chainid) revert WrongChainId(block.chainid, auth.chainId);
        if (auth.verifyingContract != address(this)) revert WrongVerifyingContract(address(this), auth.verifyingContract);
        if (block.timestamp > auth.deadline) revert AuthorizationExpired(auth.deadline, block.timestamp);
        if (messageIdUsed[auth.messageId]) revert MessageIdUsed(auth.messageId);
        if (auth.amount == 0 || auth.recipient == address(0) || auth.messageId == bytes32(0)) revert ZeroValue();
        DBISStablecoinRegistry.Status status = stablecoinRegistry.statusOf(auth.token);
        if (status != DBISStablecoinRegistry.Status.ACTIVE) revert TokenNotActive(auth.token, status);

        digest = mintAuthorizationDigest(auth);
        (uint256 threshold, uint256 required) = quorumFor(auth.token, auth.amount);
        (address[] memory signers, uint256 categories) =
            SignatureQuorum.verify(digest, signatures, signerRegistry, threshold, required);

        messageIdUsed[auth.messageId] = true;
        ledgerAttestation.consumeForMint(auth.lpaId, auth.accountingRef, auth.messageId, auth.token, auth.amount);
        mintController.mint(auth.token, auth.recipient, auth.amount);
        emit MintAuthorizationExecuted(
            auth.messageId,
            auth.lpaId,
            auth.accountingRef,
            auth.isoMessageHash,
            auth.token,
            auth.recipient,
            auth.amount,
            digest,
            threshold,
            signers.length,
            categories,
            SignatureQuorum.signersHash(signers)
        );
    }

    /// @notice Burn `amount` of the GRU minted for LPA `lpaId` from `from` (which approved the mint
    ///         controller) after a reversal: the LPA must be POSTED_REVERSAL and the burns never exceed the
    ///         mint. Not gated by the reserve. `actionRef` is the runbook/ledger reference of the decision.
    function burnForReversal(bytes32 lpaId, address from, uint256 amount, bytes32 actionRef)
        external
        onlyRole(ROUTER_ADMIN)
    {
        if (actionRef == bytes32(0)) revert ZeroValue();
        address token = ledgerAttestation.recordReversalBurn(lpaId, amount, actionRef);
        mintController.burn(token, from, amount);
        emit ReversalBurned(lpaId, token, from, amount, actionRef);
    }

    // ------------------------------------------------------------------ configuration

    /// @notice Bind the reserve gate (`address(0)` unbinds it). A nonzero gate must have code.
    function setReserveGate(address gate) external onlyRole(ROUTER_ADMIN) {
        if (gate != address(0) && gate.code.length == 0) revert GateWithoutCode(gate);
        reserveGate = gate;
        emit ReserveGateSet(gate);
    }

    /// @notice Amounts of `token` above `threshold` need the elevated quorum (3 signers with COMPLIANCE).
    function setElevatedThreshold(address token, uint256 threshold) external onlyRole(ROUTER_ADMIN) {
        if (token == address(0)) revert ZeroValue();
        elevatedThreshold[token] = threshold;
        emit ElevatedThresholdSet(token, threshold);
    }

    // ------------------------------------------------------------------ views

    /// @notice The quorum an authorization of `amount` of `token` needs: (signers, required categories).
    function quorumFor(address token, uint256 amount) public view returns (uint256 threshold, uint256 requiredCategories) {
        if (amount > elevatedThreshold[token]) return (ELEVATED_QUORUM, COMPLIANCE);
        return (BASE_QUORUM, 0);
    }

    /// @notice The EIP-712 digest of `auth` under this router's domain.
    function mintAuthorizationDigest(MintAuthorization calldata auth) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(MINT_AUTHORIZATION_TYPEHASH, auth)));
    }

    /// @notice The EIP-712 domain separator.
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @dev Fail closed: a bound gate that answers false, reverts, or answers garbage refuses the mint.
    function _checkReserve() private view {
        address gate = reserveGate;
        if (gate == address(0)) return;
        (bool ok, bytes memory answer) = gate.staticcall(abi.encodeCall(IDBISReserveGate.isReserveHealthy, ()));
        if (!ok || answer.length != 32 || abi.decode(answer, (uint256)) != 1) revert ReserveUnhealthy(gate);
    }
}
