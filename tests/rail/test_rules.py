"""The off-chain rule checks (dbis.rail.rules) name the same rule the router reverts with, for every
refusal of the attack list, on the same chain state (read by `read_view` through the engine)."""

from __future__ import annotations

from dataclasses import replace

from dbis.engine import Reverted
from dbis.rail import rules
from dbis.rail import typed_data as td
from tests.rail.scene import ELEVATED, STATES, UNIT, h, scene_view

BASE_VIEW = rules.ChainView(
    chain_id=138, router="0x" + "11" * 20, block_number=10, timestamp=1_000, message_id_used=False,
    lpa_state="POSTED_FINAL", lpa_accounting_ref="0x" + h("ref:x").hex(), lpa_minted=False, token_status="ACTIVE",
    elevated_threshold=ELEVATED, remaining_allowance=10**15, reserve_gate=None, reserve_healthy=True,
)


def _agree(rail, auth: td.MintAuthorization, packed: bytes) -> str | None:
    """Check off-chain, then submit; both must name the same rule (or both pass)."""
    failures = rules.check(auth, packed, scene_view(rail, auth, rules.signers_in(auth, packed)))
    try:
        rail.submit(auth, packed)
        chain = None
    except Reverted as exc:
        chain = exc.name
    first = failures[0].rule if failures else None
    assert first == chain, (failures, chain)
    return chain


def test_rules_agree_with_the_router_on_every_refusal(rail) -> None:
    ok = rail.auth("rules-ok")
    assert _agree(rail, ok, rail.sign(ok, "ops-a", "ops-b")) is None
    assert _agree(rail, ok, rail.sign(ok, "ops-a", "ops-b")) == "MessageIdUsed"
    short = rail.auth("rules-short")
    assert _agree(rail, short, rail.sign(short, "ops-a")) == "QuorumNotMet"
    (a, sa), (b, sb) = sorted(rail.raw_sigs(short, "ops-a", "ops-b"), key=lambda p: int(p[0], 16))
    assert _agree(rail, short, sb + sa) == "SignersNotAscending"
    assert _agree(rail, short, sa + sa) == "DuplicateSigner"
    assert _agree(rail, short, sa + td.high_s_twin(sb)) == "SignatureMalleable"
    big = rail.auth("rules-big", amount=ELEVATED + 1)
    assert _agree(rail, big, rail.sign(big, "ops-a", "ops-b", "treasury")) == "CategoriesNotCovered"
    late = rail.auth("rules-late", deadline=rail.chain.timestamp - 1)
    assert _agree(rail, late, rail.sign(late, "ops-a", "ops-b")) == "AuthorizationExpired"
    other = rail.auth("rules-chain", chainId=1)
    assert _agree(rail, other, rail.sign(other, "ops-a", "ops-b")) == "WrongChainId"
    rail.registry.revokeSigner(rail.signers["ops-b"].address, rail.chain.block_number, sender=rail.admin)
    revoked = rail.auth("rules-revoked")
    assert _agree(rail, revoked, rail.sign(revoked, "ops-a", "ops-b")) == "SignerRevoked"
    held = rail.auth("rules-held")
    rail.attestation.transition(held.lpaId, STATES["DISPUTED_HOLD"], h("d"), sender=rail.dispute)
    assert _agree(rail, held, rail.sign(held, "ops-a", "treasury")) == "LpaNotFinal"
    gate = rail.chain.deploy("TestReserveGate", False, sender=rail.admin)
    rail.router.setReserveGate(gate.address, sender=rail.admin)
    sick = rail.auth("rules-gate")
    assert _agree(rail, sick, rail.sign(sick, "ops-a", "treasury")) == "ReserveUnhealthy"


def test_every_failing_rule_is_listed_first_one_first() -> None:
    auth = td.MintAuthorization.of(messageId=h("m"), lpaId=h("l"), accountingRef=h("ref:x"), isoMessageHash=h("i"),
                                   token="0x" + "22" * 20, recipient="0x" + "33" * 20, amount=5 * UNIT,
                                   deadline=999, chainId=1, verifyingContract="0x" + "44" * 20)
    view = replace(BASE_VIEW, message_id_used=True, lpa_state="POSTED_REVERSAL", token_status="SUSPENDED",
                   reserve_gate="0x" + "55" * 20, reserve_healthy=False)
    names = [f.rule for f in rules.check(auth, b"", view)]
    assert names == ["ReserveUnhealthy", "WrongChainId", "WrongVerifyingContract", "AuthorizationExpired",
                     "MessageIdUsed", "TokenNotActive", "QuorumNotMet", "LpaNotFinal"]
    assert all(str(f).startswith(f.rule + ": ") for f in rules.check(auth, b"", view))
