// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title USDT-style test token: `transfer`, `transferFrom` and `approve` return nothing
/// @notice Mimics Tether USD on Ethereum mainnet: the three mutating ERC-20 functions have no
///         return value (so a caller that decodes a `bool` reverts), and `approve` refuses to move
///         a nonzero allowance to another nonzero value. 6 decimals, open minting.
///         Test-only; never deploy on a public network.
/// @dev Deliberately does not implement `IERC20`: its signatures differ in the return type.
contract NoReturnERC20 {
    /// @notice Token name.
    string public constant name = "Tether USD (test)";
    /// @notice Token symbol.
    string public constant symbol = "USDT";
    /// @notice Token decimals.
    uint8 public constant decimals = 6;
    /// @notice Total supply.
    uint256 public totalSupply;
    /// @notice Balances.
    mapping(address => uint256) public balanceOf;
    /// @notice Allowances.
    mapping(address => mapping(address => uint256)) public allowance;

    /// @notice ERC-20 Transfer.
    event Transfer(address indexed from, address indexed to, uint256 value);
    /// @notice ERC-20 Approval.
    event Approval(address indexed owner, address indexed spender, uint256 value);

    /// @notice Mint `amount` to `to` (anyone may mint: test token).
    function mint(address to, uint256 amount) external {
        totalSupply += amount;
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    /// @notice Transfer without a return value.
    function transfer(address to, uint256 amount) external {
        _move(msg.sender, to, amount);
    }

    /// @notice TransferFrom without a return value; an infinite allowance is not decreased.
    function transferFrom(address from, address to, uint256 amount) external {
        uint256 allowed = allowance[from][msg.sender];
        require(allowed >= amount, "USDT: allowance");
        if (allowed != type(uint256).max) allowance[from][msg.sender] = allowed - amount;
        _move(from, to, amount);
    }

    /// @notice Approve without a return value; nonzero -> nonzero is refused (USDT's race guard).
    function approve(address spender, uint256 amount) external {
        require(amount == 0 || allowance[msg.sender][spender] == 0, "USDT: approve from nonzero");
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
    }

    function _move(address from, address to, uint256 amount) private {
        require(balanceOf[from] >= amount, "USDT: balance");
        balanceOf[from] -= amount;
        balanceOf[to] += amount;
        emit Transfer(from, to, amount);
    }
}
