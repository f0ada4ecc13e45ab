"""Gas of the reserve attestation (issue 8), on the in-process engine: what publishing costs and what
the gate adds to every mint. No target is set for these: the proof budget is shown as a yardstick."""

from __future__ import annotations

from eth_utils import keccak

from dbis.engine import FastChain
from dbis.reserve.report import encode_metadata, encode_report

CHAIN_SELECTOR = 5009297550715157269
WORKFLOW_ID = keccak(text="dbis-reserve-workflow")


def rows(chain: FastChain, row: type, budget: int) -> list:
    """Rows in bench.Row format: first and steady-state publications by both paths, and the gate view
    as a caller contract pays it (a transaction to the view, minus the 21,000 + calldata base)."""
    admin, forwarder, owner = chain.account("bench-reserve-admin"), chain.account("bench-reserve-forwarder"), \
        chain.account("bench-reserve-workflow-owner")
    att = chain.deploy("DBISReserveAttestation", admin, 0, forwarder, CHAIN_SELECTOR, 86_400, owner, WORKFLOW_ID,
                       sender=admin)
    att.grantRole(keccak(text="UPDATER_ROLE"), admin, sender=admin)
    metadata = encode_metadata(WORKFLOW_ID, b"dbisreserv", str(owner))
    chain.time_travel(12)
    first = att.onReport(metadata, encode_report(True, CHAIN_SELECTOR, chain.timestamp - 1), sender=forwarder)
    chain.time_travel(12)
    steady = att.onReport(metadata, encode_report(True, CHAIN_SELECTOR, chain.timestamp - 1), sender=forwarder)
    chain.time_travel(12)
    update = att.updateAttestation(False, sender=admin)
    gate = att.isReserveHealthy.transact(sender=admin)
    gate_gas = gate.gas_used - 21_000 - sum(16 if b else 4 for b in att.isReserveHealthy.encode())
    anchor = f"{budget:,}-gas proof target"
    out = [
        row("reserve attestation: onReport, first attestation (Keystone metadata checked)", first.gas_used, "gas",
            anchor, budget, round(first.gas_used / budget, 3)),
        row("reserve attestation: onReport, steady state", steady.gas_used, "gas", anchor, budget,
            round(steady.gas_used / budget, 3)),
        row("reserve attestation: updateAttestation (UPDATER_ROLE), steady state", update.gas_used, "gas", anchor,
            budget, round(update.gas_used / budget, 3)),
        row("reserve gate: isReserveHealthy() execution (what the router's check adds to a mint, plus its CALL)",
            gate_gas, "gas", anchor, budget, round(gate_gas / budget, 3)),
    ]
    return out
