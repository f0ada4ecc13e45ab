// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

import {IDBISReserveGate} from "../interfaces/IDBISReserveGate.sol";
import {IReceiver} from "../interfaces/IReceiver.sol";

/// @title DBIS reserve attestation (proof of reserve, boolean only)
/// @notice Publishes one fact about the reserve backing the Rail: solvent or not. The figures behind
///         it (reserves, liabilities) never reach the chain. The settlement router asks
///         `isReserveHealthy()` before every mint and fails closed.
/// @dev Two ways in, one state:
///      - `updateAttestation(bool)` by UPDATER_ROLE (the reserve workflow run by an operator), stamped
///        with `block.timestamp`;
///      - `onReport(metadata, report)` from the configured Chainlink CRE forwarder, for a workflow run
///        by a DON. `report = abi.encode(bool isSolvent, uint64 chainSelector, uint64
///        scheduledExecutionTime)`. The DON signatures do not commit to a chain and the forwarder lets
///        a failed delivery be retried, so the report names its chain and must be strictly newer than
///        the last accepted attestation (a replay or an older report is refused). A report from the
///        future is refused too: it would stay "fresh" too long and block every later report.
///      An attestation older than `maxAge` counts as unhealthy, whatever it says.
///      Configuration is immutable: a new forwarder, chain selector, workflow or maximum age means a
///      new attestation contract, to which the router's admin re-points the gate.
contract DBISReserveAttestation is AccessControlDefaultAdminRules, IReceiver, IDBISReserveGate {
    /// @notice Role allowed to publish an attestation directly.
    bytes32 public constant UPDATER_ROLE = keccak256("UPDATER_ROLE");

    /// @dev Length of the metadata the Keystone forwarder passes on (`rawReport[45:109]`).
    uint256 private constant METADATA_LENGTH = 64;
    /// @dev Length of `abi.encode(bool, uint64, uint64)`.
    uint256 private constant REPORT_LENGTH = 96;

    /// @notice The only address `onReport` accepts (Chainlink's KeystoneForwarder on this chain).
    address public immutable forwarder;
    /// @notice The chain selector a report must name (this chain's).
    uint64 public immutable chainSelector;
    /// @notice Seconds an attestation stays usable.
    uint32 public immutable maxAge;
    /// @notice Workflow owner a report must come from; address(0) = not checked.
    address public immutable expectedWorkflowOwner;
    /// @notice Workflow id a report must come from; bytes32(0) = not checked.
    bytes32 public immutable expectedWorkflowId;

    /// @notice The last accepted solvency flag.
    bool public isSolvent;
    /// @notice When the last accepted attestation was observed (0 = never attested).
    uint64 public attestedAt;

    /// @notice A new attestation was accepted.
    /// @param isSolvent Whether reserves cover liabilities.
    /// @param timestamp When it was observed (report's scheduled execution time, or the block time).
    event ReserveStatusUpdated(bool isSolvent, uint256 timestamp);

    /// @notice An address that is not required to be nonzero was zero.
    error ZeroAddress();
    /// @notice A constructor value that must be nonzero was zero.
    error InvalidConfiguration();
    /// @notice `onReport` was called by someone other than the forwarder.
    error UnauthorizedForwarder(address sender);
    /// @notice The metadata is not the 64 bytes the Keystone forwarder delivers.
    error InvalidMetadataLength(uint256 length);
    /// @notice The report came from another workflow.
    error InvalidWorkflowId(bytes32 workflowId);
    /// @notice The report came from another workflow owner.
    error InvalidWorkflowOwner(address workflowOwner);
    /// @notice The report is not `abi.encode(bool, uint64, uint64)`.
    error MalformedReport();
    /// @notice The report is for another chain.
    error WrongChainSelector(uint64 chainSelector);
    /// @notice The report is not newer than the last accepted attestation (stale or replayed).
    error StaleReport(uint64 scheduledExecutionTime, uint64 attestedAt);
    /// @notice The report claims an execution time after the current block.
    error ReportFromFuture(uint64 scheduledExecutionTime);

    /// @param admin First default admin (grants UPDATER_ROLE).
    /// @param adminTransferDelay Delay of a two-step default-admin transfer, seconds.
    /// @param forwarder_ The CRE forwarder allowed to call `onReport`.
    /// @param chainSelector_ This chain's selector, as reports name it.
    /// @param maxAge_ Seconds an attestation stays usable (nonzero).
    /// @param workflowOwner_ Workflow owner to require, or address(0).
    /// @param workflowId_ Workflow id to require, or bytes32(0).
    constructor(
        address admin,
        uint48 adminTransferDelay,
        address forwarder_,
        uint64 chainSelector_,
        uint32 maxAge_,
        address workflowOwner_,
        bytes32 workflowId_
    ) AccessControlDefaultAdminRules(adminTransferDelay, admin) {
        if (forwarder_ == address(0)) revert ZeroAddress();
        if (chainSelector_ == 0 || maxAge_ == 0) revert InvalidConfiguration();
        forwarder = forwarder_;
        chainSelector = chainSelector_;
        maxAge = maxAge_;
        expectedWorkflowOwner = workflowOwner_;
        expectedWorkflowId = workflowId_;
    }

    /// @notice Publish the solvency flag directly, observed now.
    /// @param isSolvent_ Whether reserves cover liabilities.
    function updateAttestation(bool isSolvent_) external onlyRole(UPDATER_ROLE) {
        _attest(isSolvent_, uint64(block.timestamp));
    }

    /// @inheritdoc IReceiver
    /// @dev Refuses: a caller other than the forwarder; metadata that is not 64 bytes; another workflow
    ///      id or owner when configured; a malformed report; another chain selector; a scheduled
    ///      execution time not after the last accepted attestation, or after the current block.
    function onReport(bytes calldata metadata, bytes calldata report) external {
        if (msg.sender != forwarder) revert UnauthorizedForwarder(msg.sender);
        if (metadata.length != METADATA_LENGTH) revert InvalidMetadataLength(metadata.length);
        // Keystone layout: workflowId [0:32], workflowName [32:42], workflowOwner [42:62], reportName [62:64].
        bytes32 workflowId = bytes32(metadata[0:32]);
        address workflowOwner = address(bytes20(metadata[42:62]));
        if (expectedWorkflowId != bytes32(0) && workflowId != expectedWorkflowId) {
            revert InvalidWorkflowId(workflowId);
        }
        if (expectedWorkflowOwner != address(0) && workflowOwner != expectedWorkflowOwner) {
            revert InvalidWorkflowOwner(workflowOwner);
        }

        (bool solvent, uint64 selector, uint64 scheduled) = _decodeReport(report);
        if (selector != chainSelector) revert WrongChainSelector(selector);
        if (scheduled <= attestedAt) revert StaleReport(scheduled, attestedAt);
        if (scheduled > block.timestamp) revert ReportFromFuture(scheduled);
        _attest(solvent, scheduled);
    }

    /// @inheritdoc IDBISReserveGate
    function isReserveHealthy() external view returns (bool) {
        uint64 at = attestedAt;
        return isSolvent && at != 0 && block.timestamp - at <= maxAge;
    }

    /// @notice ERC-165: IReceiver (the forwarder checks it), IDBISReserveGate and AccessControl.
    /// @param interfaceId The interface asked about.
    function supportsInterface(bytes4 interfaceId)
        public
        view
        override(AccessControlDefaultAdminRules, IERC165)
        returns (bool)
    {
        return interfaceId == type(IReceiver).interfaceId || interfaceId == type(IDBISReserveGate).interfaceId
            || super.supportsInterface(interfaceId);
    }

    function _attest(bool solvent, uint64 at) private {
        isSolvent = solvent;
        attestedAt = at;
        emit ReserveStatusUpdated(solvent, at);
    }

    /// @dev Strict decoding with a custom error: exactly three words, a 0/1 flag, uint64 values.
    function _decodeReport(bytes calldata report) private pure returns (bool, uint64, uint64) {
        if (report.length != REPORT_LENGTH) revert MalformedReport();
        (uint256 flag, uint256 selector, uint256 scheduled) = abi.decode(report, (uint256, uint256, uint256));
        if (flag > 1 || selector > type(uint64).max || scheduled > type(uint64).max) revert MalformedReport();
        return (flag == 1, uint64(selector), uint64(scheduled));
    }
}
