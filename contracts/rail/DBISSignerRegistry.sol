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

    struct SignerRecord {
        uint64 effectiveFromBlock; // 0 = never registered (additions are at block >= 1)
        uint64 revokedAtBlock; // NEVER64 = not revoked
        uint16 categories;
    }

    mapping(address signer => SignerRecord) private _signers;

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
        if (_signers[signer].effectiveFromBlock != 0) revert SignerAlreadyRegistered(signer);
        _signers[signer] = SignerRecord(uint64(effectiveFromBlock), NEVER64, uint16(categories));
        emit SignerAdded(signer, categories, effectiveFromBlock);
    }

    /// @notice Replace the categories of a registered signer that is not revoked yet (takes effect now).
    function setCategories(address signer, uint256 categories) external onlyRole(SIGNER_ADMIN) {
        _checkCategories(categories);
        SignerRecord memory r = _registered(signer);
        if (r.revokedAtBlock <= block.number) revert SignerRevoked(signer, r.revokedAtBlock, block.number);
        _signers[signer].categories = uint16(categories);
        emit SignerCategoriesSet(signer, r.categories, categories);
    }

    /// @notice Revoke `signer` from `revokedAtBlock` on (the current block or a later one, add-on §4.3
    ///         emergency revoke). A scheduled revocation may be brought forward, never postponed or lifted.
    function revokeSigner(address signer, uint256 revokedAtBlock) external onlyRole(SIGNER_ADMIN) {
        SignerRecord memory r = _registered(signer);
        if (revokedAtBlock < block.number) revert BlockInThePast(revokedAtBlock, block.number);
        if (revokedAtBlock >= r.revokedAtBlock) revert RevocationNotEarlier(signer, _wide(r.revokedAtBlock), revokedAtBlock);
        _signers[signer].revokedAtBlock = uint64(revokedAtBlock);
        emit SignerRevocationSet(signer, revokedAtBlock);
    }

    /// @inheritdoc IDBISSignerRegistry
    function activeCategories(address[] calldata signers, uint256 blockNumber)
        external
        view
        returns (uint256 categories)
    {
        uint256 n = signers.length;
        for (uint256 i; i < n; ++i) {
            address signer = signers[i];
            SignerRecord memory r = _signers[signer];
            if (blockNumber < r.effectiveFromBlock || blockNumber >= r.revokedAtBlock || r.effectiveFromBlock == 0) {
                _refuse(signer, r, blockNumber);
            }
            categories |= r.categories;
        }
    }

    /// @inheritdoc IDBISSignerRegistry
    function isActive(address signer, uint256 blockNumber) external view returns (bool) {
        SignerRecord memory r = _signers[signer];
        return r.effectiveFromBlock != 0 && blockNumber >= r.effectiveFromBlock && blockNumber < r.revokedAtBlock;
    }

    /// @notice The record of `signer`: categories, effective block and revocation block (`NEVER` = not
    ///         revoked); all zero for an address never registered.
    function signerOf(address signer)
        external
        view
        returns (uint256 categories, uint256 effectiveFromBlock, uint256 revokedAtBlock)
    {
        SignerRecord memory r = _signers[signer];
        if (r.effectiveFromBlock == 0) return (0, 0, 0);
        return (r.categories, r.effectiveFromBlock, _wide(r.revokedAtBlock));
    }

    function _refuse(address signer, SignerRecord memory r, uint256 blockNumber) private pure {
        if (r.effectiveFromBlock == 0) revert UnknownSigner(signer);
        if (blockNumber < r.effectiveFromBlock) revert SignerNotYetEffective(signer, r.effectiveFromBlock, blockNumber);
        revert SignerRevoked(signer, r.revokedAtBlock, blockNumber);
    }

    function _registered(address signer) private view returns (SignerRecord memory r) {
        r = _signers[signer];
        if (r.effectiveFromBlock == 0) revert UnknownSigner(signer);
    }

    function _checkCategories(uint256 categories) private pure {
        if (categories == 0 || categories & ~ALL_CATEGORIES != 0) revert InvalidCategories(categories);
    }

    function _wide(uint64 blockNumber) private pure returns (uint256) {
        return blockNumber == NEVER64 ? NEVER : blockNumber;
    }
}
