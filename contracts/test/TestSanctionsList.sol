// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ISanctionsList} from "../interfaces/ISanctionsList.sol";

/// @title TestSanctionsList
/// @notice TEST DOUBLE of an off-chain-governed sanctions oracle (Chainalysis' on-chain SanctionsList is
///         fed from the off-chain OFAC/UN/EU lists by its owner): it cannot run here, so the tests set the
///         list directly. Same view (`isSanctioned`) as the real oracle.
contract TestSanctionsList is ISanctionsList {
    mapping(address addr => bool) private _sanctioned;

    /// @notice Put `addr` on (or off) the list. Open to anyone: test double only.
    function setSanctioned(address addr, bool sanctioned) external {
        _sanctioned[addr] = sanctioned;
    }

    /// @inheritdoc ISanctionsList
    function isSanctioned(address addr) external view returns (bool) {
        return _sanctioned[addr];
    }
}
