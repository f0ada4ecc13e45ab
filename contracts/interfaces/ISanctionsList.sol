// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ISanctionsList
/// @notice The screening oracle the conversion router consults (Conversion Router spec v1.5 §6.2): the
///         interface of Chainalysis' on-chain sanctions oracle (`SanctionsList.isSanctioned(address)`),
///         so the deployed oracle, or any list with the same view, plugs in unchanged.
interface ISanctionsList {
    /// @notice Whether `addr` is on the list.
    function isSanctioned(address addr) external view returns (bool);
}
