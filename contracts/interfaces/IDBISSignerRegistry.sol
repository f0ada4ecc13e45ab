// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IDBISSignerRegistry
/// @notice The view the signature-quorum library asks: the category union of a set of signers, every
///         one of them active at a given block (add-on v1.5 §4.2), or a revert naming the first one
///         that is not.
interface IDBISSignerRegistry {
    /// @notice `signer` was never registered.
    error UnknownSigner(address signer);
    /// @notice `signer` becomes effective only at `effectiveFromBlock`, after `blockNumber`.
    error SignerNotYetEffective(address signer, uint256 effectiveFromBlock, uint256 blockNumber);
    /// @notice `signer` is revoked from `revokedAtBlock`, at or before `blockNumber`.
    error SignerRevoked(address signer, uint256 revokedAtBlock, uint256 blockNumber);

    /// @notice The union of the categories of `signers`, each active at `blockNumber`
    ///         (`effectiveFromBlock <= blockNumber < revokedAtBlock`); reverts on the first that is not.
    /// @param signers The recovered signers (order is the caller's concern).
    /// @param blockNumber The block at which every signer must be active (the submission block).
    /// @return categories The bitwise OR of the signers' category masks.
    function activeCategories(address[] calldata signers, uint256 blockNumber)
        external
        view
        returns (uint256 categories);

    /// @notice Whether `signer` is active at `blockNumber`.
    function isActive(address signer, uint256 blockNumber) external view returns (bool);
}
