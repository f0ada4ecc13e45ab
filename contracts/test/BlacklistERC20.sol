// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TestERC20} from "./TestERC20.sol";

/// @title USDC-style test token with a blacklist (tests only)
/// @notice Like Circle's USDC: a blacklisted address can neither send nor receive. Anyone may
///         blacklist (test token). 6 decimals, open minting. Never deploy on a public network.
contract BlacklistERC20 is TestERC20 {
    /// @notice Blacklisted addresses.
    mapping(address account => bool listed) public isBlacklisted;

    /// @notice A transfer touched a blacklisted address.
    error Blacklisted(address account);

    /// @param name_ Token name.
    /// @param symbol_ Token symbol.
    constructor(string memory name_, string memory symbol_) TestERC20(name_, symbol_, 6) {}

    /// @notice Blacklist or un-blacklist `account`.
    function setBlacklisted(address account, bool listed) external {
        isBlacklisted[account] = listed;
    }

    /// @dev Refuses any transfer from or to a blacklisted address.
    function _update(address from, address to, uint256 value) internal override {
        if (isBlacklisted[from]) revert Blacklisted(from);
        if (isBlacklisted[to]) revert Blacklisted(to);
        super._update(from, to, value);
    }
}
