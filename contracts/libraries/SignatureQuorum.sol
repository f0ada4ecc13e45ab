// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IDBISSignerRegistry} from "../interfaces/IDBISSignerRegistry.sol";

/// @title SignatureQuorum
/// @notice The one signature-quorum check of the DBIS Rail routers (settlement and conversion): a set of
///         ECDSA signatures over an EIP-712 digest, signers in strictly ascending order (no duplicates),
///         each signer active in the signer registry at `block.number` (add-on v1.5 §4.2), at least
///         `threshold` of them, and the union of their categories covering `requiredCategories`.
/// @dev Signatures are packed in calldata, 65 bytes each as `r ‖ s ‖ v` (the layout of OpenZeppelin's
///      65-byte signatures and Safe's owner signatures). Recovery is OpenZeppelin's ECDSA.tryRecover,
///      which refuses high-s (malleable) signatures, `v` other than 27/28 and signatures that recover
///      no address. The registry is asked once for the whole set (one SLOAD per signer there).
library SignatureQuorum {
    /// @notice Length of one packed signature.
    uint256 internal constant SIGNATURE_LENGTH = 65;

    /// @notice `signatures` is not a whole number of 65-byte signatures.
    error SignaturesLengthInvalid(uint256 length);
    /// @notice Fewer signatures than the quorum needs.
    error QuorumNotMet(uint256 signatures, uint256 threshold);
    /// @notice Signature `index` is malformed (bad `v`, or recovers no address).
    error SignatureInvalid(uint256 index);
    /// @notice Signature `index` has a high `s` (the malleable twin of a valid signature).
    error SignatureMalleable(uint256 index, bytes32 s);
    /// @notice Signature `index` recovers the same signer as the one before it.
    error DuplicateSigner(uint256 index, address signer);
    /// @notice Signature `index` recovers a signer not above the one before it (strictly ascending order).
    error SignersNotAscending(uint256 index, address previous, address signer);
    /// @notice The signers' categories do not cover the required ones.
    error CategoriesNotCovered(uint256 covered, uint256 required);

    /// @notice Verify a quorum of signatures over `digest`; revert with the rule that fails.
    /// @param digest The EIP-712 digest that was signed.
    /// @param signatures Packed 65-byte signatures, sorted by strictly ascending recovered signer.
    /// @param registry The signer registry (activity at `block.number`, categories).
    /// @param threshold Minimum number of signatures.
    /// @param requiredCategories Category bits the signers together must hold (0 = none).
    /// @return signers The recovered signers, ascending.
    /// @return categories The union of their categories.
    function verify(
        bytes32 digest,
        bytes calldata signatures,
        IDBISSignerRegistry registry,
        uint256 threshold,
        uint256 requiredCategories
    ) internal view returns (address[] memory signers, uint256 categories) {
        uint256 length = signatures.length;
        if (length % SIGNATURE_LENGTH != 0) revert SignaturesLengthInvalid(length);
        uint256 n = length / SIGNATURE_LENGTH;
        if (n < threshold || n == 0) revert QuorumNotMet(n, threshold);
        signers = new address[](n);
        address previous;
        for (uint256 i; i < n; ++i) {
            address signer = _signerAt(digest, signatures, i);
            if (signer <= previous) {
                if (signer == previous) revert DuplicateSigner(i, signer);
                revert SignersNotAscending(i, previous, signer);
            }
            signers[i] = signer;
            previous = signer;
        }
        categories = registry.activeCategories(signers, block.number);
        if (categories & requiredCategories != requiredCategories) {
            revert CategoriesNotCovered(categories, requiredCategories);
        }
    }

    /// @dev The signer of the `i`-th packed signature; reverts on a malformed or high-s signature.
    function _signerAt(bytes32 digest, bytes calldata signatures, uint256 i) private pure returns (address signer) {
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly ("memory-safe") {
            let p := add(signatures.offset, mul(i, 65))
            r := calldataload(p)
            s := calldataload(add(p, 32))
            v := byte(0, calldataload(add(p, 64)))
        }
        ECDSA.RecoverError err;
        (signer, err,) = ECDSA.tryRecover(digest, v, r, s);
        if (err != ECDSA.RecoverError.NoError) {
            if (err == ECDSA.RecoverError.InvalidSignatureS) revert SignatureMalleable(i, s);
            revert SignatureInvalid(i);
        }
    }
}
