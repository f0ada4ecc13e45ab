// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

/// @title DBISStablecoinRegistry
/// @notice Canonical stablecoin IDs of the DBIS Rail → token, decimals and status (ACTIVE, SUSPENDED,
///         RETIRED). The settlement router mints only a token that is ACTIVE here. RETIRED is final.
contract DBISStablecoinRegistry is AccessControl {
    /// @notice Registers stablecoins and changes their status.
    bytes32 public constant REGISTRY_ADMIN = keccak256("REGISTRY_ADMIN");

    /// @notice NONE = not registered.
    enum Status {
        NONE,
        ACTIVE,
        SUSPENDED,
        RETIRED
    }

    struct Stablecoin {
        address token;
        uint8 decimals;
        Status status;
    }

    mapping(bytes32 id => Stablecoin) private _coins;
    /// @notice The canonical ID of a registered token (zero = none).
    mapping(address token => bytes32 id) public idOf;
    /// @dev The status of each registered token, kept next to `_coins[id].status` so `statusOf` (the routers'
    ///      hot path) is one SLOAD instead of two (`idOf`, then the record).
    mapping(address token => Status) private _tokenStatus;

    /// @notice A stablecoin was registered (ACTIVE).
    event StablecoinRegistered(bytes32 indexed id, address indexed token, uint8 decimals);
    /// @notice A stablecoin's status changed.
    event StablecoinStatusSet(bytes32 indexed id, address indexed token, Status from, Status to);

    error ZeroValue();
    error IdTaken(bytes32 id);
    error TokenTaken(address token, bytes32 id);
    error DecimalsMismatch(address token, uint8 expected, uint8 actual);
    error UnknownStablecoin(bytes32 id);
    error StatusChangeNotAllowed(bytes32 id, Status from, Status to);

    /// @param admin Holder of DEFAULT_ADMIN_ROLE and the first REGISTRY_ADMIN.
    constructor(address admin) {
        if (admin == address(0)) revert ZeroValue();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(REGISTRY_ADMIN, admin);
    }

    /// @notice Register `token` under canonical `id` as ACTIVE; `decimals` must match the token's own.
    function register(bytes32 id, address token, uint8 decimals) external onlyRole(REGISTRY_ADMIN) {
        if (id == bytes32(0) || token == address(0)) revert ZeroValue();
        if (_coins[id].status != Status.NONE) revert IdTaken(id);
        if (idOf[token] != bytes32(0)) revert TokenTaken(token, idOf[token]);
        uint8 actual = IERC20Metadata(token).decimals();
        if (actual != decimals) revert DecimalsMismatch(token, decimals, actual);
        _coins[id] = Stablecoin(token, decimals, Status.ACTIVE);
        idOf[token] = id;
        _tokenStatus[token] = Status.ACTIVE;
        emit StablecoinRegistered(id, token, decimals);
    }

    /// @notice ACTIVE ↔ SUSPENDED, and either to RETIRED (final).
    function setStatus(bytes32 id, Status to) external onlyRole(REGISTRY_ADMIN) {
        Stablecoin storage coin = _coins[id];
        Status from = coin.status;
        if (from == Status.NONE) revert UnknownStablecoin(id);
        if (from == Status.RETIRED || to == Status.NONE || to == from) revert StatusChangeNotAllowed(id, from, to);
        coin.status = to;
        _tokenStatus[coin.token] = to;
        emit StablecoinStatusSet(id, coin.token, from, to);
    }

    /// @notice The record of canonical ID `id`.
    function stablecoin(bytes32 id) external view returns (Stablecoin memory) {
        return _coins[id];
    }

    /// @notice The status of `token` (NONE when not registered): one SLOAD.
    function statusOf(address token) external view returns (Status) {
        return _tokenStatus[token];
    }
}
