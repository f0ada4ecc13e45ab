// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IDBISReserveGate
/// @notice The proof-of-reserve view the DBIS settlement router asks before every mint.
interface IDBISReserveGate {
    /// @notice True only while the last accepted attestation says the reserve is solvent and it is
    ///         not older than the gate's maximum age (fail closed otherwise).
    function isReserveHealthy() external view returns (bool);
}
