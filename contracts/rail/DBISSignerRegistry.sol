// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IDBISSignerRegistry} from "../interfaces/IDBISSignerRegistry.sol";

/// @title DBISSignerRegistry
/// @notice The DBIS Rail signers (Technical Spec §6.3 with the add-on v1.5 §4.1 block semantics): each
///         signer has a category bitmask, an `effectiveFromBlock` and a `revokedAtBlock`
///         (`type(uint256).max` = never). `SIGNER_ADMIN` adds, re-categorises and revokes; a revoked
///         address is never reinstated (its record is kept forever and cannot be added again).
/// @dev One storage slot per signer (categories, effective block, revocation block, packed), so the
///      quorum check costs one SLOAD per signer. Block numbers are stored as uint64; the "never"
///      sentinel is `type(uint64).max` internally and `type(uint256).max` at the interface.
contract DBISSignerRegistry is AccessControl, IDBISSignerRegistry {
    /// @notice Adds, re-categorises and revokes signers.
    bytes32 public constant SIGNER_ADMIN = keccak256("SIGNER_ADMIN");

    /// @notice Signer categories (bits of the mask).
    uint256 public constant OPERATIONS = 1;
    uint256 public constant COMPLIANCE = 2;
    uint256 public constant TREASURY = 4;
    uint256 public constant TECHNICAL = 8;
    /// @notice Every known category bit; any other bit is refused.
    uint256 public constant ALL_CATEGORIES = OPERATIONS | COMPLIANCE | TREASURY | TECHNICAL;

    /// @notice The "not revoked" sentinel of `revokedAtBlock`.
    uint256 public constant NEVER = type(uint256).max;
    uint64 private constant NEVER64 = type(uint64).max;

    /// @dev Packed record: bits 0-63 effectiveFromBlock (0 = never registered), 64-127 revokedAtBlock
    ///      (NEVER64 = not revoked), 128-143 categories. One word, so one SLOAD per signer in a quorum.
    mapping(address signer => uint256 record) private _records;

    uint256 private constant MASK64 = 0xffffffffffffffff;

    /// @notice A signer was registered.
    event SignerAdded(address indexed signer, uint256 categories, uint256 effectiveFromBlock);
    /// @notice A signer's categories changed.
    event SignerCategoriesSet(address indexed signer, uint256 previousCategories, uint256 categories);
    /// @notice A signer is (or will be) revoked from `revokedAtBlock` on.
    event SignerRevocationSet(address indexed signer, uint256 revokedAtBlock);

    error ZeroAddress();
    error InvalidCategories(uint256 categories);
    error SignerAlreadyRegistered(address signer);
    error BlockInThePast(uint256 blockNumber, uint256 currentBlock);
    error RevocationNotEarlier(address signer, uint256 revokedAtBlock, uint256 requested);

    /// @param admin Holder of DEFAULT_ADMIN_ROLE (grants and revokes SIGNER_ADMIN).
    /// @param signerAdmin First holder of SIGNER_ADMIN.
    constructor(address admin, address signerAdmin) {
        if (admin == address(0) || signerAdmin == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(SIGNER_ADMIN, signerAdmin);
    }

    /// @notice Register `signer` with `categories`, effective from `effectiveFromBlock` (the current
    ///         block or a later one). An address ever registered (revoked included) is refused.
    function addSigner(address signer, uint256 categories, uint256 effectiveFromBlock) external onlyRole(SIGNER_ADMIN) {
        if (signer == address(0)) revert ZeroAddress();
        _checkCategories(categories);
        if (effectiveFromBlock < block.number || effectiveFromBlock >= NEVER64) {
            revert BlockInThePast(effectiveFromBlock, block.number);
        }
        if (_records[signer] != 0) revert SignerAlreadyRegistered(signer);
        _records[signer] = _pack(effectiveFromBlock, NEVER64, categories);
        emit SignerAdded(signer, categories, effectiveFromBlock);
    }

    /// @notice Replace the categories of a registered signer that is not revoked yet (takes effect now).
    function setCategories(address signer, uint256 categories) external onlyRole(SIGNER_ADMIN) {
        _checkCategories(categories);
        (uint256 effective, uint256 revoked, uint256 previous) = _unpack(_registered(signer));
        if (revoked <= block.number) revert SignerRevoked(signer, revoked, block.number);
        _records[signer] = _pack(effective, revoked, categories);
        emit SignerCategoriesSet(signer, previous, categories);
    }

    /// @notice Revoke `signer` from `revokedAtBlock` on (the current block or a later one, add-on §4.3
    ///         emergency revoke). A scheduled revocation may be brought forward, never postponed or lifted.
    function revokeSigner(address signer, uint256 revokedAtBlock) external onlyRole(SIGNER_ADMIN) {
        (uint256 effective, uint256 revoked, uint256 categories) = _unpack(_registered(signer));
        if (revokedAtBlock < block.number) revert BlockInThePast(revokedAtBlock, block.number);
        if (revokedAtBlock >= revoked) revert RevocationNotEarlier(signer, _wide(revoked), revokedAtBlock);
        _records[signer] = _pack(effective, revokedAtBlock, categories);
        emit SignerRevocationSet(signer, revokedAtBlock);
    }

    /// @inheritdoc IDBISSignerRegistry
    function activeCategories(address[] calldata signers, uint256 blockNumber)
        external
        view
        returns (uint256 categories)
    {
        // One SLOAD per signer (the quorum hot path, in assembly): record = _records[signer]; the signer
        // counts iff effectiveFromBlock <= blockNumber < revokedAtBlock. A never-registered signer has a
        // zero record, so revokedAtBlock 0 <= blockNumber refuses it. On the first signer that does not
        // count, `bad` is its index + 1 and `_refuse` names the rule.
        uint256 bad;
        assembly ("memory-safe") {
            mstore(0x20, _records.slot)
            let end := add(signers.offset, shl(5, signers.length))
            for { let p := signers.offset } lt(p, end) { p := add(p, 0x20) } {
                mstore(0x00, calldataload(p)) // a dirty address word finds no record: refused
                let record := sload(keccak256(0x00, 0x40))
                if or(lt(blockNumber, and(record, MASK64)), iszero(lt(blockNumber, and(shr(64, record), MASK64)))) {
                    bad := add(shr(5, sub(p, signers.offset)), 1)
                    break
                }
                categories := or(categories, shr(128, record))
            }
        }
        if (bad != 0) {
            address signer = signers[bad - 1];
            _refuse(signer, _records[signer], blockNumber);
        }
    }

    /// @inheritdoc IDBISSignerRegistry
    function isActive(address signer, uint256 blockNumber) external view returns (bool) {
        (uint256 effective, uint256 revoked,) = _unpack(_records[signer]);
        return effective != 0 && blockNumber >= effective && blockNumber < revoked;
    }

    /// @notice The record of `signer`: categories, effective block and revocation block (`NEVER` = not
    ///         revoked); all zero for an address never registered.
    function signerOf(address signer)
        external
        view
        returns (uint256 categories, uint256 effectiveFromBlock, uint256 revokedAtBlock)
    {
        uint256 record = _records[signer];
        if (record == 0) return (0, 0, 0);
        (uint256 effective, uint256 revoked, uint256 cats) = _unpack(record);
        return (cats, effective, _wide(revoked));
    }

    function _refuse(address signer, uint256 record, uint256 blockNumber) private pure {
        (uint256 effective, uint256 revoked,) = _unpack(record);
        if (effective == 0) revert UnknownSigner(signer);
        if (blockNumber < effective) revert SignerNotYetEffective(signer, effective, blockNumber);
        revert SignerRevoked(signer, revoked, blockNumber);
    }

    function _registered(address signer) private view returns (uint256 record) {
        record = _records[signer];
        if (record == 0) revert UnknownSigner(signer);
    }

    function _checkCategories(uint256 categories) private pure {
        if (categories == 0 || categories & ~ALL_CATEGORIES != 0) revert InvalidCategories(categories);
    }

    function _pack(uint256 effective, uint256 revoked, uint256 categories) private pure returns (uint256) {
        return effective | (revoked << 64) | (categories << 128);
    }

    function _unpack(uint256 record) private pure returns (uint256 effective, uint256 revoked, uint256 categories) {
        return (record & MASK64, (record >> 64) & MASK64, record >> 128);
    }

    function _wide(uint256 blockNumber) private pure returns (uint256) {
        return blockNumber == NEVER64 ? NEVER : blockNumber;
    }
}
