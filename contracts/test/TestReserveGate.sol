// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IDBISReserveGate} from "../interfaces/IDBISReserveGate.sol";

/// @notice Test-only reserve gate whose answer the test sets (stands in for DBISReserveAttestation, whose
///         real feed is an off-chain oracle network).
contract TestReserveGate is IDBISReserveGate {
    bool public healthy;

    constructor(bool healthy_) {
        healthy = healthy_;
    }

    function setHealthy(bool healthy_) external {
        healthy = healthy_;
    }

    function isReserveHealthy() external view returns (bool) {
        return healthy;
    }
}

/// @notice Test-only reserve gate that always reverts (the router must fail closed).
contract TestRevertingReserveGate is IDBISReserveGate {
    error GateDown();

    function isReserveHealthy() external pure returns (bool) {
        revert GateDown();
    }
}
