// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Test WETH9 (local chains and tests only)
/// @notice The WETH9 surface Uniswap V3's periphery needs (deposit, withdraw, ERC-20), written
///         for solc 0.8 because the canonical WETH9 source is 0.4. Never deploy on a public network.
contract TestWETH9 {
    /// @notice Token name.
    string public constant name = "Wrapped Ether";
    /// @notice Token symbol.
    string public constant symbol = "WETH";
    /// @notice Token decimals.
    uint8 public constant decimals = 18;

    /// @notice Balances.
    mapping(address account => uint256 balance) public balanceOf;
    /// @notice Allowances.
    mapping(address owner => mapping(address spender => uint256 amount)) public allowance;

    /// @notice ERC-20 approval.
    event Approval(address indexed owner, address indexed spender, uint256 value);
    /// @notice ERC-20 transfer.
    event Transfer(address indexed from, address indexed to, uint256 value);
    /// @notice Ether wrapped.
    event Deposit(address indexed account, uint256 amount);
    /// @notice Ether unwrapped.
    event Withdrawal(address indexed account, uint256 amount);

    error InsufficientBalance(uint256 balance, uint256 needed);
    error InsufficientAllowance(uint256 allowance, uint256 needed);
    error EtherTransferFailed();

    /// @notice Wrap the ether sent.
    receive() external payable {
        deposit();
    }

    /// @notice Wrap the ether sent.
    function deposit() public payable {
        balanceOf[msg.sender] += msg.value;
        emit Deposit(msg.sender, msg.value);
    }

    /// @notice Unwrap `amount` to the caller.
    /// @param amount Wei to unwrap.
    function withdraw(uint256 amount) external {
        uint256 balance = balanceOf[msg.sender];
        if (balance < amount) revert InsufficientBalance(balance, amount);
        balanceOf[msg.sender] = balance - amount;
        emit Withdrawal(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert EtherTransferFailed();
    }

    /// @notice Total wrapped ether.
    function totalSupply() external view returns (uint256) {
        return address(this).balance;
    }

    /// @notice ERC-20 approve.
    /// @param spender Spender.
    /// @param amount Allowance.
    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    /// @notice ERC-20 transfer.
    /// @param to Receiver.
    /// @param amount Amount.
    function transfer(address to, uint256 amount) external returns (bool) {
        return transferFrom(msg.sender, to, amount);
    }

    /// @notice ERC-20 transferFrom.
    /// @param from Owner.
    /// @param to Receiver.
    /// @param amount Amount.
    function transferFrom(address from, address to, uint256 amount) public returns (bool) {
        uint256 balance = balanceOf[from];
        if (balance < amount) revert InsufficientBalance(balance, amount);
        if (from != msg.sender) {
            uint256 allowed = allowance[from][msg.sender];
            if (allowed != type(uint256).max) {
                if (allowed < amount) revert InsufficientAllowance(allowed, amount);
                allowance[from][msg.sender] = allowed - amount;
            }
        }
        balanceOf[from] = balance - amount;
        balanceOf[to] += amount;
        emit Transfer(from, to, amount);
        return true;
    }
}
