// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {IMorphoFlashLoanCallback} from "@morpho-org/morpho-blue/src/interfaces/IMorphoCallbacks.sol";

interface IApprove {
    function approve(address spender, uint256 amount) external returns (bool);
}

interface IMorphoFlashLoan {
    function flashLoan(address token, uint256 assets, bytes calldata data) external;
}

/// @title No-op Morpho Blue flash borrower (benchmark only, compiled by `dbis.bench`)
/// @notice Approves the borrowed token to Morpho once, for the maximum, at construction; the
///         callback does nothing, so Morpho's `flashLoan` pulls the loan straight back. The
///         counterpart of `contracts/bench/BenchNoopFlashBorrower.sol` for Morpho Blue.
contract NoopMorphoFlashBorrower is IMorphoFlashLoanCallback {
    /// @notice Morpho Blue.
    IMorphoFlashLoan public immutable morpho;

    /// @param morpho_ Morpho Blue.
    /// @param token Token approved to Morpho for the maximum amount.
    constructor(IMorphoFlashLoan morpho_, address token) {
        morpho = morpho_;
        IApprove(token).approve(address(morpho_), type(uint256).max);
    }

    /// @notice Borrow `assets` of `token` from Morpho and hand it straight back.
    function run(address token, uint256 assets) external {
        morpho.flashLoan(token, assets, "");
    }

    /// @inheritdoc IMorphoFlashLoanCallback
    function onMorphoFlashLoan(uint256, bytes calldata) external {}
}
