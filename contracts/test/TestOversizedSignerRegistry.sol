// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Oversized signer registry (tests only)
/// @notice Answers `activeCategories` with two words instead of one, so SignatureQuorum must refuse the
///         answer (RegistryAnswerInvalid) rather than read its first word. Never deployed outside tests.
contract TestOversizedSignerRegistry {
    /// @notice Two words: every category bit set, then a stray word.
    function activeCategories(address[] calldata, uint256) external pure returns (uint256, uint256) {
        return (15, 15);
    }
}
