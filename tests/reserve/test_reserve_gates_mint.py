"""The settlement router bound to the real reserve attestation: every mint refused while the reserve
is insolvent, stale or never attested (`ReserveUnhealthy(gate)`, fail closed), allowed again after a
fresh solvent report; reversal burns are never gated.

Runs on the Rail's in-process scene (chain id 138) with DBISReserveAttestation deployed beside it.
"""

from __future__ import annotations

from eth_utils import keccak

from dbis.reserve.report import encode_metadata, encode_report
from tests.rail.scene import STATES, UNIT, RailScene, build_scene, h

CHAIN_SELECTOR = 5009297550715157269
MAX_AGE = 3600
WORKFLOW_ID = keccak(text="dbis-reserve-workflow")


def _attestation(rail: RailScene):
    c = rail.chain
    forwarder, updater, owner = c.account("gate-forwarder"), c.account("gate-updater"), c.account("gate-owner")
    att = c.deploy("DBISReserveAttestation", rail.admin, 0, forwarder, CHAIN_SELECTOR, MAX_AGE, owner, WORKFLOW_ID,
                   sender=rail.admin)
    att.grantRole(keccak(text="UPDATER_ROLE"), updater, sender=rail.admin)

    def deliver(solvent: bool) -> None:
        att.onReport(encode_metadata(WORKFLOW_ID, b"dbisreserv", str(owner)),
                     encode_report(solvent, CHAIN_SELECTOR, c.timestamp), sender=forwarder)

    return att, updater, deliver


def test_mint_refused_while_insolvent_or_stale_then_allowed() -> None:
    rail = build_scene()
    att, updater, deliver = _attestation(rail)
    rail.router.setReserveGate(att.address, sender=rail.admin)

    def attempt(label: str, healthy: bool) -> None:
        auth = rail.auth(label)
        sigs = rail.sign(auth, "ops-a", "ops-b")
        if healthy:
            rail.submit(auth, sigs)
        else:
            with rail.refused("ReserveUnhealthy", att.address, auth=auth):
                rail.submit(auth, sigs)

    attempt("never-attested", healthy=False)  # no attestation yet: fail closed
    rail.chain.time_travel(12)
    deliver(False)
    attempt("insolvent", healthy=False)
    att.updateAttestation(True, sender=updater)
    attempt("solvent", healthy=True)
    rail.chain.time_travel(MAX_AGE + 1)
    assert not att.isReserveHealthy()
    attempt("stale", healthy=False)
    deliver(True)  # a fresh solvent report reopens minting
    attempt("fresh", healthy=True)


def test_reversal_burns_are_not_gated_by_an_insolvent_reserve() -> None:
    rail = build_scene()
    att, updater, _ = _attestation(rail)
    rail.router.setReserveGate(att.address, sender=rail.admin)
    att.updateAttestation(True, sender=updater)
    auth = rail.auth("minted-then-reversed")
    rail.submit(auth, rail.sign(auth, "ops-a", "ops-b"))
    att.updateAttestation(False, sender=updater)
    rail.attestation.transition(auth.lpaId, STATES["POSTED_REVERSAL"], h("rev"), sender=rail.ops)
    rail.token.approve(rail.controller.address, UNIT, sender=rail.recipient)
    before = rail.token.balanceOf(rail.recipient)
    rail.router.burnForReversal(auth.lpaId, rail.recipient, UNIT, h("burn"), sender=rail.admin)
    assert rail.token.balanceOf(rail.recipient) == before - UNIT
    assert not att.isReserveHealthy()
