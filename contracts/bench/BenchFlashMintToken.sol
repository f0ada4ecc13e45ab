// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20FlashMint} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20FlashMint.sol";

/// @title OpenZeppelin ERC20FlashMint reference token (benchmarks only)
/// @notice Stock OpenZeppelin 5.x ERC20FlashMint (fee 0, no fee receiver: the loan is minted and
///         burnt), used by `dbis.bench` as a reference ERC-3156 lender next to the Engine X vault.
///         Open minting: never deploy on a public network.
contract BenchFlashMintToken is ERC20, ERC20FlashMint {
    constructor() ERC20("Bench Flash Mint USD", "bFMUSD") {}

    /// @notice 6 decimals, like USDC.
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @notice Mint `amount` to `to` (anyone may mint: bench token).
    /// @param to Receiver.
    /// @param amount Amount.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
