// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title DBISGRUToken
/// @notice A GRU stablecoin of the DBIS Rail. Only its mint controller mints, and burns (reversal burns,
///         add-on v1.5 §3.2) only from an account that approved the controller (custody permits).
contract DBISGRUToken is ERC20 {
    /// @notice The only minter and burner.
    address public immutable controller;
    uint8 private immutable _decimals;

    error NotController(address caller);
    error ZeroController();

    /// @param name_ ERC-20 name.
    /// @param symbol_ ERC-20 symbol.
    /// @param decimals_ ERC-20 decimals.
    /// @param controller_ The DBISMintController.
    constructor(string memory name_, string memory symbol_, uint8 decimals_, address controller_) ERC20(name_, symbol_) {
        if (controller_ == address(0)) revert ZeroController();
        controller = controller_;
        _decimals = decimals_;
    }

    modifier onlyController() {
        if (msg.sender != controller) revert NotController(msg.sender);
        _;
    }

    /// @inheritdoc ERC20
    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    /// @notice Mint `amount` to `to`. Only the controller.
    function mint(address to, uint256 amount) external onlyController {
        _mint(to, amount);
    }

    /// @notice Burn `amount` from `account`, spending its allowance to the controller. Only the controller.
    function burnFrom(address account, uint256 amount) external onlyController {
        _spendAllowance(account, msg.sender, amount);
        _burn(account, amount);
    }
}
