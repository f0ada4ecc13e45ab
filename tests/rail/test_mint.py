"""A Mint Authorization signed by a quorum mints exactly once, with an audit-grade event; the burn
path for reversals; the reserve gate (fail closed)."""

from __future__ import annotations

from eth_utils import keccak

from dbis.engine import reverts
from dbis.rail import typed_data as td
from tests.rail.scene import COMPLIANCE, ELEVATED, OPERATIONS, ROLE, STATES, UNIT, h, hx


def test_base_quorum_mints_and_emits_the_audit_event(rail) -> None:
    auth = rail.auth("base")
    receipt = rail.submit(auth, rail.sign(auth, "ops-a", "ops-b"))
    assert rail.token.balanceOf(rail.recipient) == auth.amount == rail.token.totalSupply()
    [event] = receipt.events("MintAuthorizationExecuted")
    args = event.args
    signers = sorted((rail.signers["ops-a"].address, rail.signers["ops-b"].address), key=lambda a: int(a, 16))
    assert args["messageId"] == h("msg:base") and args["lpaId"] == h("lpa:base")
    assert args["accountingRef"] == h("ref:base") and args["isoMessageHash"] == h("iso:base")
    assert (args["token"], args["recipient"], args["amount"]) == (rail.token.address, rail.recipient, auth.amount)
    assert args["digest"] == td.digest(auth) and args["threshold"] == 2 and args["signerCategories"] == OPERATIONS
    assert args["signerCount"] == 2
    assert args["signersHash"] == keccak(b"".join(bytes(12) + bytes.fromhex(a[2:]) for a in signers))
    # The signers themselves are recovered from the transaction's signatures over the event's digest.
    assert td.signers_of(args["digest"], rail.sign(auth, "ops-a", "ops-b")) == signers
    assert rail.router.messageIdUsed(auth.messageId)
    lpa = rail.attestation.lpaOf(auth.lpaId)
    assert lpa[2] is True and lpa[4] == auth.amount  # minted, amount recorded
    assert rail.attestation.canMint(auth.lpaId) is False


def test_elevated_quorum_with_compliance_mints(rail) -> None:
    auth = rail.auth("elevated", amount=ELEVATED + 1)
    assert rail.router.quorumFor(rail.token.address, ELEVATED + 1) == (3, COMPLIANCE)
    assert rail.router.quorumFor(rail.token.address, ELEVATED) == (2, 0)
    rail.submit(auth, rail.sign(auth, "ops-a", "ops-b", "compliance"))
    assert rail.token.balanceOf(rail.recipient) == ELEVATED + 1


def test_eip5267_domain_and_digest_match_python(rail) -> None:
    fields, name, version, chain_id, contract, salt, ext = rail.router.eip712Domain()
    assert (fields, name, version, chain_id, contract) == (b"\x0f", "DBISSettlementRouter", "1", 138,
                                                            rail.router.address)
    assert salt == b"\x00" * 32 and list(ext) == []
    auth = rail.auth("digest", post=False)
    assert rail.router.mintAuthorizationDigest(auth.as_abi()) == td.digest(auth)
    assert rail.router.MINT_AUTHORIZATION_TYPEHASH() == td.MINT_AUTHORIZATION_TYPEHASH


def test_reversal_burn_needs_posted_reversal_and_stays_within_the_mint(rail) -> None:
    auth = rail.auth("rev")
    rail.submit(auth, rail.sign(auth, "ops-a", "ops-b"))
    rail.token.approve(rail.controller.address, auth.amount, sender=rail.recipient)
    ref = h("runbook:burn")
    with rail.refused("LpaNotReversed", h("lpa:rev"), STATES["POSTED_FINAL"]):
        rail.router.burnForReversal(auth.lpaId, rail.recipient, UNIT, ref, sender=rail.admin)
    rail.attestation.transition(auth.lpaId, STATES["POSTED_REVERSAL"], h("ledger:reversal"), sender=rail.ops)
    with rail.refused("AccessControlUnauthorizedAccount", rail.ops, ROLE["ROUTER_ADMIN"]):
        rail.router.burnForReversal(auth.lpaId, rail.recipient, UNIT, ref, sender=rail.ops)
    with rail.refused("BurnExceedsMint", h("lpa:rev"), auth.amount + 1, auth.amount):
        rail.router.burnForReversal(auth.lpaId, rail.recipient, auth.amount + 1, ref, sender=rail.admin)
    receipt = rail.router.burnForReversal(auth.lpaId, rail.recipient, 40 * UNIT, ref, sender=rail.admin)
    assert receipt.events("ReversalBurned")[0].args["amount"] == 40 * UNIT
    assert rail.token.totalSupply() == auth.amount - 40 * UNIT
    with rail.refused("BurnExceedsMint", h("lpa:rev"), 61 * UNIT, 60 * UNIT):
        rail.router.burnForReversal(auth.lpaId, rail.recipient, 61 * UNIT, ref, sender=rail.admin)
    # Without the holder's approval (custody does not permit) the burn is refused.
    rail.token.approve(rail.controller.address, 0, sender=rail.recipient)
    with rail.refused("ERC20InsufficientAllowance", rail.controller.address, 0, UNIT):
        rail.router.burnForReversal(auth.lpaId, rail.recipient, UNIT, ref, sender=rail.admin)


def test_burn_of_an_lpa_never_minted_is_refused(rail) -> None:
    lpa, _ = rail.post("never-minted")
    rail.attestation.transition(lpa, STATES["POSTED_REVERSAL"], h("r"), sender=rail.ops)
    with rail.refused("LpaNotMinted", h("lpa:never-minted")):
        rail.router.burnForReversal(lpa, rail.recipient, 1, h("ref"), sender=rail.admin)


def test_corrective_actions_after_mint_are_recorded_with_their_reference(rail) -> None:
    auth = rail.auth("corrective")
    rail.submit(auth, rail.sign(auth, "ops-a", "ops-b"))
    with rail.refused("LpaNotReversed", h("lpa:corrective"), STATES["POSTED_FINAL"]):
        rail.attestation.recordCorrectiveAction(auth.lpaId, 1, h("offset"), sender=rail.corrective)
    rail.attestation.transition(auth.lpaId, STATES["DISPUTED_HOLD"], h("dispute"), sender=rail.dispute)
    with rail.refused("LpaNotReversed", h("lpa:corrective"), STATES["DISPUTED_HOLD"]):  # §2.1: none under dispute
        rail.attestation.recordCorrectiveAction(auth.lpaId, 1, h("offset"), sender=rail.corrective)
    rail.attestation.transition(auth.lpaId, STATES["POSTED_REVERSAL"], h("decision"), sender=rail.dispute)
    for action, ref in ((1, "runbook:offset+corridor"), (3, "ledger:claim")):
        receipt = rail.attestation.recordCorrectiveAction(auth.lpaId, action, h(ref), sender=rail.corrective)
        [event] = receipt.events("CorrectiveActionRecorded")
        assert (event.args["action"], event.args["actionRef"]) == (action, h(ref))
    with rail.refused("InvalidCorrectiveAction", 2):  # burns go through the router only
        rail.attestation.recordCorrectiveAction(auth.lpaId, 2, h("burn"), sender=rail.corrective)
    with rail.refused("AccessControlUnauthorizedAccount", rail.ops, ROLE["CORRECTIVE_ACTION_ROLE"]):
        rail.attestation.recordCorrectiveAction(auth.lpaId, 1, h("x"), sender=rail.ops)


def test_reserve_gate_fails_closed_and_does_not_gate_burns(rail) -> None:
    gate = rail.chain.deploy("TestReserveGate", True, sender=rail.admin)
    broken = rail.chain.deploy("TestRevertingReserveGate", sender=rail.admin)
    with rail.refused("GateWithoutCode", rail.recipient):
        rail.router.setReserveGate(rail.recipient, sender=rail.admin)
    receipt = rail.router.setReserveGate(gate.address, sender=rail.admin)
    assert receipt.events("ReserveGateSet")[0].args["gate"] == gate.address
    ok = rail.auth("gate-ok")
    rail.submit(ok, rail.sign(ok, "ops-a", "ops-b"))
    gate.setHealthy(False, sender=rail.admin)
    unhealthy = rail.auth("gate-false")
    with rail.refused("ReserveUnhealthy", gate.address, auth=unhealthy):
        rail.submit(unhealthy, rail.sign(unhealthy, "ops-a", "ops-b"))
    rail.router.setReserveGate(broken.address, sender=rail.admin)
    with rail.refused("ReserveUnhealthy", broken.address, auth=unhealthy):
        rail.submit(unhealthy, rail.sign(unhealthy, "ops-a", "ops-b"))
    # Burns for reversals are not gated.
    rail.attestation.transition(ok.lpaId, STATES["POSTED_REVERSAL"], h("rev"), sender=rail.ops)
    rail.token.approve(rail.controller.address, UNIT, sender=rail.recipient)
    rail.router.burnForReversal(ok.lpaId, rail.recipient, UNIT, h("burn"), sender=rail.admin)
    rail.router.setReserveGate("0x" + "00" * 20, sender=rail.admin)
    rail.submit(unhealthy, rail.sign(unhealthy, "ops-a", "ops-b"))  # unbound: no gate asked


def test_only_the_router_mints_and_burns(rail) -> None:
    for who in (rail.admin, rail.ops):
        with reverts("NotRouter", who):
            rail.controller.mint(rail.token.address, who, 1, sender=who)
        with reverts("NotController", who):
            rail.token.mint(who, 1, sender=who)
        with reverts("NotRouter", who):
            rail.controller.burn(rail.token.address, rail.recipient, 1, sender=who)
    with reverts("RouterAlreadyBound", rail.router.address):
        rail.controller.bindRouter(rail.admin, sender=rail.admin)
    with reverts("AccessControlUnauthorizedAccount", rail.ops, ROLE["SETTLEMENT_ROUTER_ROLE"]):
        rail.attestation.consumeForMint(hx("x"), hx("y"), hx("z"), rail.token.address, 1, sender=rail.ops)
