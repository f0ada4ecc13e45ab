// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IDBISSignerRegistry} from "../interfaces/IDBISSignerRegistry.sol";

/// @title SignatureQuorum
/// @notice The one signature-quorum check of the DBIS Rail routers (settlement and conversion): a set of
///         ECDSA signatures over an EIP-712 digest, signers in strictly ascending order (no duplicates),
///         each signer active in the signer registry at `block.number` (add-on v1.5 §4.2), at least
///         `threshold` of them, and the union of their categories covering `requiredCategories`.
/// @dev Signatures are packed in calldata, 65 bytes each as `r ‖ s ‖ v` (the layout of OpenZeppelin's
///      65-byte signatures and Safe's owner signatures). Recovery has OpenZeppelin's ECDSA.tryRecover
///      rules (it refuses high-s (malleable) signatures, `v` other than 27/28 and signatures that recover
///      no address) with the ecrecover precompile called in place. The registry is asked once for the whole set (one SLOAD per signer there), with its
///      calldata built in place around the recovered signers.
library SignatureQuorum {
    /// @notice Length of one packed signature.
    uint256 internal constant SIGNATURE_LENGTH = 65;
    /// @dev secp256k1n / 2: a larger `s` is the malleable twin of a valid signature (EIP-2, OpenZeppelin ECDSA).
    uint256 private constant HALF_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

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
    /// @notice The registry answered with something other than one word (e.g. no code at that address).
    error RegistryAnswerInvalid(address registry);
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
        // The registry call's ABI encoding is built in place: selector ‖ 0x40 ‖ block.number ‖ n ‖ signers.
        // Its `n ‖ signers` tail is exactly the memory layout of an `address[]`, so `signers` points into
        // it and the recovered signers are written once, never copied.
        uint256 callData;
        assembly ("memory-safe") {
            callData := mload(0x40)
            signers := add(callData, 0x44)
            mstore(signers, n)
            mstore(0x40, add(signers, shl(5, add(n, 1))))
        }
        uint256 previous; // the previous signer, as a word (0 before the first)
        for (uint256 i; i < n; ++i) {
            address signer = _signerAt(digest, signatures, i);
            bool ascending;
            assembly ("memory-safe") {
                ascending := gt(signer, previous)
                mstore(add(signers, shl(5, add(i, 1))), signer)
                previous := signer
            }
            if (!ascending) _refuseOrder(i, signers[i - 1], signer);
        }
        categories = _activeCategories(registry, callData, n);
        if (categories & requiredCategories != requiredCategories) {
            revert CategoriesNotCovered(categories, requiredCategories);
        }
    }

    /// @notice keccak256 of the signers as a packed array of 32-byte words (`abi.encodePacked(signers)`):
    ///         the commitment an event records; the signers themselves are recoverable from the
    ///         transaction's signatures and the digest.
    function signersHash(address[] memory signers) internal pure returns (bytes32 hash) {
        assembly ("memory-safe") {
            hash := keccak256(add(signers, 0x20), shl(5, mload(signers)))
        }
    }

    /// @dev `registry.activeCategories(signers, block.number)` with the calldata built in place at
    ///      `callData` (the signers already sit at `callData + 0x44`); a revert of the registry bubbles up.
    function _activeCategories(IDBISSignerRegistry registry, uint256 callData, uint256 n)
        private
        view
        returns (uint256 categories)
    {
        bytes4 selector = IDBISSignerRegistry.activeCategories.selector;
        bool ok;
        uint256 size;
        assembly ("memory-safe") {
            mstore(callData, selector)
            mstore(add(callData, 0x04), 0x40)
            mstore(add(callData, 0x24), number())
            ok := staticcall(gas(), registry, callData, add(0x64, shl(5, n)), 0x00, 0x20)
            size := returndatasize()
            if iszero(ok) {
                let p := mload(0x40)
                returndatacopy(p, 0x00, size)
                revert(p, size)
            }
            categories := mload(0x00)
        }
        if (size != 32) revert RegistryAnswerInvalid(address(registry));
    }

    /// @dev The signer of the `i`-th packed signature; reverts on a high-s (malleable) signature and on one that
    ///      recovers no address (bad `v`, or no point): OpenZeppelin ECDSA.tryRecover's rules, in its order, with
    ///      the ecrecover precompile called in place (its own frame: inlined in `verify`, the locals overflow
    ///      the legacy code generator's stack).
    function _signerAt(bytes32 digest, bytes calldata signatures, uint256 i) private view returns (address signer) {
        bytes32 s;
        assembly ("memory-safe") {
            s := calldataload(add(add(signatures.offset, mul(i, 65)), 32))
        }
        if (uint256(s) > HALF_ORDER) revert SignatureMalleable(i, s);
        assembly ("memory-safe") {
            // digest ‖ v ‖ r ‖ s in the free memory (not allocated: scratch), the answer in scratch slot 0.
            let p := add(signatures.offset, mul(i, 65))
            let m := mload(0x40)
            mstore(m, digest)
            mstore(add(m, 0x20), byte(0, calldataload(add(p, 64))))
            calldatacopy(add(m, 0x40), p, 0x40)
            mstore(0x00, 0)
            // a bad v (not 27/28) or an invalid signature: no answer, so the zeroed slot reads address 0
            pop(staticcall(gas(), 0x01, m, 0x80, 0x00, 0x20))
            signer := mload(0x00)
        }
        if (signer == address(0)) revert SignatureInvalid(i);
    }

    function _refuseOrder(uint256 i, address previous, address signer) private pure {
        if (signer == previous) revert DuplicateSigner(i, signer);
        revert SignersNotAscending(i, previous, signer);
    }
}
