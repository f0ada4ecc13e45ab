"""DBISReserveAttestation: the boolean, its two ways in, and every refusal (state unchanged)."""

from __future__ import annotations

import pytest
from eth_abi import encode as abi_encode
from eth_utils import keccak

from dbis.abi import decode_log

from .conftest import (CHAIN_SELECTOR, MAX_AGE, UPDATER_ROLE, WORKFLOW_ID, ZERO32, ZERO_ADDRESS, AttestationScene,
                       deploy_attestation)


def _status(receipt, att) -> list[tuple[bool, int]]:
    """ReserveStatusUpdated of one transaction, decoded from the node's receipt (not a cache)."""
    raw = att.chain_manager.provider.web3.eth.get_transaction_receipt(receipt.txn_hash)
    events = [decode_log(dict(log)) for log in raw["logs"]]
    return [(e["args"]["isSolvent"], e["args"]["timestamp"]) for e in events if e["event"] == "ReserveStatusUpdated"]


def test_configuration_is_immutable_and_interfaces_declared(scene: AttestationScene) -> None:
    att, a = scene.att, scene.a
    assert (att.forwarder(), att.chainSelector(), att.maxAge()) == (a["forwarder"].address, CHAIN_SELECTOR, MAX_AGE)
    assert (att.expectedWorkflowOwner(), bytes(att.expectedWorkflowId())) == (a["workflow_owner"].address, WORKFLOW_ID)
    assert not att.isReserveHealthy() and att.attestedAt() == 0  # never attested: fail closed
    for interface in ("0x805f2132", "0x01ffc9a7", "0x7965db0b"):  # IReceiver (onReport), IERC165, IAccessControl
        assert att.supportsInterface(interface), interface
    assert att.supportsInterface(keccak(text="isReserveHealthy()")[:4])  # IDBISReserveGate
    assert not att.supportsInterface("0x2a2a2a2a") and not att.supportsInterface("0xffffffff")


@pytest.mark.parametrize("case", ["forwarder", "selector", "max_age"])
def test_constructor_refuses_a_missing_setting(project, registry, chain, actors, case) -> None:
    a = actors
    args = {"forwarder": a["forwarder"], "selector": CHAIN_SELECTOR, "max_age": MAX_AGE}
    args[case] = ZERO_ADDRESS if case == "forwarder" else 0
    expected = "ZeroAddress" if case == "forwarder" else "InvalidConfiguration"
    scene = AttestationScene(chain, registry, None, a)
    with scene.reverts(expected):
        project.DBISReserveAttestation.deploy(a["admin"], 0, args["forwarder"], args["selector"], args["max_age"],
                                              ZERO_ADDRESS, ZERO32, sender=a["admin"])


def test_updater_publishes_the_boolean_stamped_now(scene: AttestationScene) -> None:
    receipt = scene.att.updateAttestation(True, sender=scene.a["updater"])
    stamp = scene.chain.provider.web3.eth.get_block(receipt.block_number)["timestamp"]
    assert _status(receipt, scene.att) == [(True, stamp)]
    assert scene.state() == {"isSolvent": True, "attestedAt": stamp, "isReserveHealthy": True}
    receipt = scene.att.updateAttestation(False, sender=scene.a["updater"])
    assert [s for s, _ in _status(receipt, scene.att)] == [False]
    assert not scene.att.isReserveHealthy()


def test_stranger_cannot_update(scene: AttestationScene) -> None:
    scene.att.updateAttestation(True, sender=scene.a["updater"])
    with scene.refused("AccessControlUnauthorizedAccount", account=scene.a["stranger"], neededRole=UPDATER_ROLE):
        scene.att.updateAttestation(False, sender=scene.a["stranger"])


def test_forwarder_report_is_accepted_with_its_scheduled_time(scene: AttestationScene) -> None:
    at = scene.now() - 60
    receipt = scene.deliver(True, at)
    assert _status(receipt, scene.att) == [(True, at)]
    assert scene.state() == {"isSolvent": True, "attestedAt": at, "isReserveHealthy": True}
    receipt = scene.deliver(False, at + 1)
    assert _status(receipt, scene.att) == [(False, at + 1)] and not scene.att.isReserveHealthy()


def test_report_from_a_stranger_is_refused(scene: AttestationScene) -> None:
    with scene.refused("UnauthorizedForwarder", sender=scene.a["stranger"]):
        scene.deliver(True, scene.now(), sender=scene.a["stranger"])
    with scene.refused("UnauthorizedForwarder", sender=scene.a["updater"]):  # the updater role is not the forwarder
        scene.deliver(True, scene.now(), sender=scene.a["updater"])


def test_stale_and_replayed_reports_are_refused(scene: AttestationScene) -> None:
    at = scene.now() - 100
    scene.deliver(False, at)
    with scene.refused("StaleReport", scheduledExecutionTime=at, attestedAt=at):  # the same report again
        scene.deliver(False, at)
    with scene.refused("StaleReport", scheduledExecutionTime=at - 1, attestedAt=at):  # an older one
        scene.deliver(True, at - 1)
    scene.att.updateAttestation(False, sender=scene.a["updater"])  # a direct update moves the bar to now
    stamp = scene.att.attestedAt()
    with scene.refused("StaleReport", scheduledExecutionTime=at + 1, attestedAt=stamp):
        scene.deliver(True, at + 1)


def test_report_from_the_future_is_refused(scene: AttestationScene) -> None:
    ahead = scene.now() + 3600
    with scene.refused("ReportFromFuture", scheduledExecutionTime=ahead):
        scene.deliver(True, ahead)


def test_report_for_another_chain_is_refused(scene: AttestationScene) -> None:
    with scene.refused("WrongChainSelector", chainSelector=CHAIN_SELECTOR + 1):
        scene.deliver(True, scene.now(), chain_selector=CHAIN_SELECTOR + 1)


def test_report_from_another_workflow_or_owner_is_refused(scene: AttestationScene) -> None:
    other = b"\x11" * 32
    with scene.refused("InvalidWorkflowId", workflowId=other):
        scene.deliver(True, scene.now(), metadata=scene.metadata(workflow_id=other))
    with scene.refused("InvalidWorkflowOwner", workflowOwner=scene.a["stranger"]):
        scene.deliver(True, scene.now(), metadata=scene.metadata(owner=scene.a["stranger"]))


@pytest.mark.parametrize("length", [0, 62, 74])
def test_metadata_not_in_the_forwarder_layout_is_refused(scene: AttestationScene, length: int) -> None:
    with scene.refused("InvalidMetadataLength", length=length):
        scene.deliver(True, scene.now(), metadata=(scene.metadata() + b"\x00" * 10)[:length])


@pytest.mark.parametrize("report", [
    b"",
    abi_encode(["bool", "uint64"], [True, CHAIN_SELECTOR]),
    abi_encode(["uint256", "uint64", "uint64"], [2, CHAIN_SELECTOR, 1]),  # flag neither 0 nor 1
    abi_encode(["bool", "uint256", "uint64"], [True, 2**64, 1]),  # selector wider than uint64
    abi_encode(["bool", "uint64", "uint256"], [True, CHAIN_SELECTOR, 2**64]),
    abi_encode(["bool", "uint64", "uint64", "uint256"], [True, CHAIN_SELECTOR, 1, 0]),
], ids=["empty", "short", "flag", "selector", "time", "long"])
def test_malformed_report_is_refused(scene: AttestationScene, report: bytes) -> None:
    with scene.refused("MalformedReport"):
        scene.att.onReport(scene.metadata(), report, sender=scene.a["forwarder"])


def test_without_workflow_checks_any_workflow_is_accepted(project, chain, registry, actors) -> None:
    att = deploy_attestation(project, actors, owner=ZERO_ADDRESS, workflow_id=ZERO32)
    scene = AttestationScene(chain, registry, att, dict(actors))
    scene.deliver(True, scene.now(), metadata=scene.metadata(workflow_id=b"\x22" * 32, owner=actors["stranger"]))
    assert att.isReserveHealthy()


def test_attestation_older_than_max_age_is_unhealthy(scene: AttestationScene) -> None:
    chain = scene.chain
    scene.att.updateAttestation(True, sender=scene.a["updater"])
    stamp = scene.att.attestedAt()
    chain.mine(1, timestamp=stamp + MAX_AGE)
    assert scene.att.isReserveHealthy()  # exactly maxAge old: still usable
    chain.mine(1, timestamp=stamp + MAX_AGE + 1)
    assert not scene.att.isReserveHealthy() and scene.att.isSolvent()  # stale: fail closed
    scene.deliver(True, stamp + MAX_AGE + 1)  # a fresh solvent report restores it
    assert scene.att.isReserveHealthy()
