// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {DBISGRUToken} from "./DBISGRUToken.sol";

/// @title DBISMintController
/// @notice The GRU mint controller: only the settlement router mints, and for each token no more than
///         an allowance per fixed time window (USDC-style minter allowance, renewed every window).
///         Reversal burns go through here too. The router is bound once and never changed.
contract DBISMintController is AccessControl {
    /// @notice Sets the per-token window allowances and binds the router.
    bytes32 public constant CONTROLLER_ADMIN = keccak256("CONTROLLER_ADMIN");

    struct Limit {
        uint128 allowance; // per window; 0 = token not enabled
        uint64 window; // seconds
        uint64 windowIndex; // block.timestamp / window of the last mint
        uint128 mintedInWindow;
    }

    /// @notice The settlement router (zero until bound).
    address public router;
    mapping(address token => Limit) private _limits;

    /// @notice The router was bound.
    event RouterBound(address indexed router);
    /// @notice A token's window allowance was set.
    event MintLimitSet(address indexed token, uint256 allowance, uint256 window);
    /// @notice Minted through the controller.
    event ControllerMinted(address indexed token, address indexed to, uint256 amount, uint256 mintedInWindow);
    /// @notice Burned through the controller.
    event ControllerBurned(address indexed token, address indexed from, uint256 amount);

    error ZeroValue();
    error RouterAlreadyBound(address router);
    error NotRouter(address caller);
    error TokenNotEnabled(address token);
    error MintAllowanceExceeded(address token, uint256 requested, uint256 remaining);

    /// @param admin Holder of DEFAULT_ADMIN_ROLE and the first CONTROLLER_ADMIN.
    constructor(address admin) {
        if (admin == address(0)) revert ZeroValue();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(CONTROLLER_ADMIN, admin);
    }

    modifier onlyRouter() {
        if (msg.sender != router || msg.sender == address(0)) revert NotRouter(msg.sender);
        _;
    }

    /// @notice Bind the settlement router (once).
    function bindRouter(address router_) external onlyRole(CONTROLLER_ADMIN) {
        if (router_ == address(0)) revert ZeroValue();
        if (router != address(0)) revert RouterAlreadyBound(router);
        router = router_;
        emit RouterBound(router_);
    }

    /// @notice Allow at most `allowance` of `token` per `window` seconds (allowance 0 disables the token).
    function setMintLimit(address token, uint256 allowance, uint256 window) external onlyRole(CONTROLLER_ADMIN) {
        if (token == address(0) || window == 0 || window > type(uint64).max || allowance > type(uint128).max) {
            revert ZeroValue();
        }
        Limit storage limit = _limits[token];
        uint64 index = uint64(block.timestamp / window);
        if (limit.window != window || limit.windowIndex != index) {
            limit.mintedInWindow = 0;
        }
        limit.allowance = uint128(allowance);
        limit.window = uint64(window);
        limit.windowIndex = index;
        emit MintLimitSet(token, allowance, window);
    }

    /// @notice Mint `amount` of `token` to `to` within the current window's allowance. Only the router.
    function mint(address token, address to, uint256 amount) external onlyRouter {
        Limit memory limit = _limits[token];
        if (limit.allowance == 0) revert TokenNotEnabled(token);
        uint64 index = uint64(block.timestamp / limit.window);
        uint256 used = index == limit.windowIndex ? limit.mintedInWindow : 0;
        uint256 remaining = used >= limit.allowance ? 0 : limit.allowance - used; // an allowance lowered mid-window
        if (amount > remaining) revert MintAllowanceExceeded(token, amount, remaining);
        used += amount;
        _limits[token].windowIndex = index;
        _limits[token].mintedInWindow = uint128(used);
        emit ControllerMinted(token, to, amount, used);
        DBISGRUToken(token).mint(to, amount);
    }

    /// @notice Burn `amount` of `token` from `from` (which approved this controller). Only the router.
    function burn(address token, address from, uint256 amount) external onlyRouter {
        emit ControllerBurned(token, from, amount);
        DBISGRUToken(token).burnFrom(from, amount);
    }

    /// @notice What `token` may still mint in the current window.
    function remainingAllowance(address token) external view returns (uint256) {
        Limit memory limit = _limits[token];
        if (limit.allowance == 0) return 0;
        uint256 used = uint64(block.timestamp / limit.window) == limit.windowIndex ? limit.mintedInWindow : 0;
        return used >= limit.allowance ? 0 : limit.allowance - used;
    }

    /// @notice The limit record of `token`.
    function limitOf(address token) external view returns (Limit memory) {
        return _limits[token];
    }
}
