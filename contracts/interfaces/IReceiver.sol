// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

/// @title IReceiver (Chainlink CRE / Keystone report receiver)
/// @notice The callback Chainlink's `KeystoneForwarder` delivers a verified workflow report to, written
///         here because the Chainlink npm package is not a dependency. Same signature and semantics:
///         the forwarder checks the DON signatures, then calls `onReport(rawReport[45:109],
///         rawReport[109:])`, and it delivers only to receivers that declare this interface through
///         ERC-165.
interface IReceiver is IERC165 {
    /// @notice Handle one report delivered by the forwarder.
    /// @param metadata 64 packed bytes: workflowId (bytes32), workflowName (bytes10), workflowOwner
    ///        (address), reportName (bytes2).
    /// @param report The workflow's report payload, byte for byte as the workflow produced it.
    function onReport(bytes calldata metadata, bytes calldata report) external;
}
