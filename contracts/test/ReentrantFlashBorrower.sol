// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC3156FlashBorrower} from "@openzeppelin/contracts/interfaces/IERC3156FlashBorrower.sol";

/// @title Hostile borrower that re-enters a contract from inside its flash-loan callback (test-only)
/// @notice The owner stores a call (`target`, `payload`); `onFlashLoan` makes that call first and
///         bubbles its revert unchanged, then repays in full. With no call stored it is an honest
///         borrower (the control case). `execute` lets the owner act as this contract, so that it
///         can hold vault roles (operator, even default admin) and prove that a role does not open
///         a re-entry path.
contract ReentrantFlashBorrower is IERC3156FlashBorrower {
    using SafeERC20 for IERC20;

    /// @notice Deployer; the only account that may configure or act through this contract.
    address public immutable owner;
    /// @notice Contract re-entered from the callback (zero = no re-entry).
    address public target;
    /// @notice Calldata of the re-entering call.
    bytes public payload;

    error NotOwner();

    constructor() {
        owner = msg.sender;
    }

    /// @notice Store the call made from inside the next callbacks.
    function setReentry(address target_, bytes calldata payload_) external {
        if (msg.sender != owner) revert NotOwner();
        target = target_;
        payload = payload_;
    }

    /// @notice Call `target_` as this contract (outside any loan); bubbles a revert.
    function execute(address target_, bytes calldata data) external returns (bytes memory) {
        if (msg.sender != owner) revert NotOwner();
        return _call(target_, data);
    }

    /// @inheritdoc IERC3156FlashBorrower
    function onFlashLoan(address, address token, uint256 amount, uint256 fee, bytes calldata)
        external
        returns (bytes32)
    {
        if (target != address(0)) _call(target, payload);
        IERC20(token).forceApprove(msg.sender, amount + fee);
        return keccak256("ERC3156FlashBorrower.onFlashLoan");
    }

    function _call(address to, bytes memory data) private returns (bytes memory ret) {
        bool ok;
        (ok, ret) = to.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 32), mload(ret))
            }
        }
    }
}
