// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TestERC20} from "./TestERC20.sol";

/// @title Fee-on-transfer test token with a switchable fee
/// @notice Every transfer between two nonzero addresses burns `feeBps` of the amount, so the
///         receiver gets less than was sent. The fee can be turned on after a vault was seeded
///         with it, to show that later inbound transfers are still measured. Test-only.
contract FeeOnTransferERC20 is TestERC20 {
    /// @notice Fee burnt on each transfer, in bps of the amount (0 = plain ERC-20).
    uint256 public feeBps;

    /// @param name_ Token name.
    /// @param symbol_ Token symbol.
    constructor(string memory name_, string memory symbol_) TestERC20(name_, symbol_, 6) {}

    /// @notice Set the transfer fee (anyone may: test token).
    /// @param feeBps_ Fee in bps, at most 10,000.
    function setFeeBps(uint256 feeBps_) external {
        require(feeBps_ <= 10_000, "fee > 100%");
        feeBps = feeBps_;
    }

    /// @dev Burns the fee out of every transfer that is neither a mint nor a burn.
    function _update(address from, address to, uint256 value) internal override {
        uint256 fee = from == address(0) || to == address(0) ? 0 : value * feeBps / 10_000;
        if (fee != 0) super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}
