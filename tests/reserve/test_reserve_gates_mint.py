"""The settlement router (issue 5) bound to the real reserve attestation: every mint refused while the
reserve is insolvent or stale (`ReserveUnhealthy(gate)`), allowed again after a fresh solvent report.

Skipped until DBISSettlementRouter is compiled on this branch. The router's API is the one agreed in
session-notes/shared-api.md (`reserveGate`, `setReserveGate`, `ReserveGateSet`, `submitMintAuth`); the
integrator supplies a `mint_scene` fixture from the Rail tests (a router with its quorum, an LPA
POSTED_FINAL and a signed MintAuthorization builder) and finishes the mint assertions.
"""

from __future__ import annotations

import pytest

from dbis import artifacts

from .conftest import MAX_AGE, AttestationScene, deploy_attestation

if "DBISSettlementRouter" not in artifacts.names():
    pytest.skip("DBISSettlementRouter is not compiled on this branch (issue 5)", allow_module_level=True)


@pytest.fixture
def gated(request, project, chain, registry, actors):
    """(mint_scene, attestation scene) with the router's gate bound to a fresh attestation."""
    try:
        mint = request.getfixturevalue("mint_scene")
    except pytest.FixtureLookupError:
        pytest.skip("needs the Rail's mint_scene fixture (integrator)")
    att = deploy_attestation(project, actors)
    mint.router.setReserveGate(att, sender=mint.admin)
    assert mint.router.reserveGate() == att.address
    return mint, AttestationScene(chain, registry, att, dict(actors))


def test_mint_refused_while_insolvent_or_stale_then_allowed(gated) -> None:
    mint, reserve = gated
    router, att = mint.router, reserve.att
    with mint.refused("ReserveUnhealthy", gate=att):  # never attested: fail closed
        mint.submit(mint.authorization("never-attested"))
    reserve.deliver(False, reserve.now())
    with mint.refused("ReserveUnhealthy", gate=att):  # insolvent
        mint.submit(mint.authorization("insolvent"))
    att.updateAttestation(True, sender=reserve.a["updater"])
    mint.submit(mint.authorization("solvent"))  # allowed
    reserve.chain.mine(1, timestamp=att.attestedAt() + MAX_AGE + 1)
    with mint.refused("ReserveUnhealthy", gate=att):  # stale
        mint.submit(mint.authorization("stale"))
    reserve.deliver(True, reserve.now())  # a fresh solvent report reopens minting
    mint.submit(mint.authorization("fresh"))
    assert router.reserveGate() == att.address
