"""The signature attack list of issue 5: each refused with its custom error, nothing minted or marked."""

from __future__ import annotations

import pytest
from eth_utils import to_checksum_address

from dbis.rail import typed_data as td
from tests.rail.scene import CHAIN_ID, COMPLIANCE, ELEVATED, STATES, UNIT, build_scene, h, hx


def _ordered(pairs):
    return sorted(pairs, key=lambda p: int(p[0], 16))


def test_high_s_twin_of_a_valid_signature_is_refused(rail) -> None:
    auth = rail.auth("high-s")
    (a, sa), (b, sb) = _ordered(rail.raw_sigs(auth, "ops-a", "ops-b"))
    twin = td.high_s_twin(sb)
    assert td.recover(td.digest(auth), sb) == b  # the twin is the same signer, only malleated
    _, s, _ = td.split(twin)
    with rail.refused("SignatureMalleable", 1, s.to_bytes(32, "big"), auth=auth):
        rail.submit(auth, sa + twin)
    rail.submit(auth, sa + sb)  # the canonical form still executes


def test_malformed_signatures_are_refused(rail) -> None:
    auth = rail.auth("malformed")
    (_, sa), (_, sb) = _ordered(rail.raw_sigs(auth, "ops-a", "ops-b"))
    with rail.refused("SignatureInvalid", 1, auth=auth):
        rail.submit(auth, sa + sb[:64] + bytes([29]))  # v outside 27/28
    with rail.refused("SignatureInvalid", 0, auth=auth):
        rail.submit(auth, bytes(65) + sb)  # r = s = 0: recovers nothing
    with rail.refused("SignaturesLengthInvalid", 129, auth=auth):
        rail.submit(auth, sa + sb[:64])


def test_duplicate_signer_is_refused(rail) -> None:
    auth = rail.auth("dup")
    signer, sig = td.sign(auth, rail.signers["ops-a"].key)
    with rail.refused("DuplicateSigner", 1, signer, auth=auth):
        rail.submit(auth, sig + sig)


def test_unsorted_signers_are_refused(rail) -> None:
    auth = rail.auth("unsorted")
    (a, sa), (b, sb) = _ordered(rail.raw_sigs(auth, "ops-a", "ops-b"))
    with rail.refused("SignersNotAscending", 1, b, a, auth=auth):
        rail.submit(auth, sb + sa)


def test_signer_revoked_exactly_at_the_submission_block_is_refused(rail) -> None:
    auth = rail.auth("revoked")
    revoked = rail.signers["ops-b"].address
    at = rail.chain.block_number
    rail.registry.revokeSigner(revoked, at, sender=rail.admin)
    assert rail.registry.isActive(revoked, at - 1) and not rail.registry.isActive(revoked, at)
    with rail.refused("SignerRevoked", revoked, at, at, auth=auth):
        rail.submit(auth, rail.sign(auth, "ops-a", "ops-b"))
    rail.submit(auth, rail.sign(auth, "ops-a", "treasury"))  # another active signer replaces it


def test_signer_revoked_at_a_later_block_still_counts_before_it(rail) -> None:
    auth = rail.auth("revoked-later")
    revoked = rail.signers["ops-b"].address
    rail.registry.revokeSigner(revoked, rail.chain.block_number + 1, sender=rail.admin)
    rail.submit(auth, rail.sign(auth, "ops-a", "ops-b"))
    rail.chain.mine(1)
    late = rail.auth("revoked-later-2")
    with rail.refused("SignerRevoked", revoked, rail.chain.block_number, rail.chain.block_number, auth=late):
        rail.submit(late, rail.sign(late, "ops-a", "ops-b"))


def test_signer_effective_one_block_later_is_refused_until_then(rail) -> None:
    auth = rail.auth("not-yet")
    from eth_account import Account

    key = h("new-signer")
    new = Account.from_key(key).address
    effective = rail.chain.block_number + 1
    rail.registry.addSigner(new, 1, effective, sender=rail.admin)
    sigs = td.assemble([td.sign(auth, key), td.sign(auth, rail.signers["ops-a"].key)])
    with rail.refused("SignerNotYetEffective", new, effective, effective - 1, auth=auth):
        rail.submit(auth, sigs)
    rail.chain.mine(1)
    rail.submit(auth, sigs)
    assert rail.token.balanceOf(rail.recipient) == auth.amount


def test_unknown_signer_is_refused(rail) -> None:
    auth = rail.auth("unknown")
    from eth_account import Account

    key = h("stranger")
    stranger = Account.from_key(key).address
    sigs = td.assemble([td.sign(auth, key), td.sign(auth, rail.signers["ops-a"].key)])
    with rail.refused("UnknownSigner", stranger, auth=auth):
        rail.submit(auth, sigs)


@pytest.mark.parametrize("field", ["chainId", "verifyingContract"])
def test_signature_for_another_chain_or_router_is_refused(rail, field: str) -> None:
    elsewhere = to_checksum_address("0x" + "ab" * 20)
    other = {"chainId": 1, "verifyingContract": elsewhere}[field]
    auth = rail.auth(f"other-{field}")
    # Signed for the other domain: the router refuses the message field itself...
    foreign = td.MintAuthorization.of(**{**auth.__dict__, field: other})
    error = {"chainId": ("WrongChainId", CHAIN_ID, 1),
             "verifyingContract": ("WrongVerifyingContract", rail.router.address, elsewhere)}[field]
    with rail.refused(error[0], *error[1:], auth=auth):
        rail.submit(foreign, rail.sign(foreign, "ops-a", "ops-b"))
    # ...and signatures made for the other domain do not recover the signers on this one.
    signed_elsewhere = rail.sign(foreign, "ops-a", "ops-b")
    recovered = [td.recover(td.digest(auth), signed_elsewhere[i * 65:(i + 1) * 65]) for i in range(2)]
    assert not set(recovered) & {rail.signers["ops-a"].address, rail.signers["ops-b"].address}
    ordered = td.assemble(zip(recovered, (signed_elsewhere[:65], signed_elsewhere[65:])))
    with rail.refused("UnknownSigner", min(recovered, key=lambda a: int(a, 16)), auth=auth):
        rail.submit(auth, ordered)


def test_replayed_message_id_is_refused(rail) -> None:
    auth = rail.auth("replay")
    sigs = rail.sign(auth, "ops-a", "ops-b")
    rail.submit(auth, sigs)
    with rail.refused("MessageIdUsed", h("msg:replay"), auth=auth):
        rail.submit(auth, sigs)


def test_reused_accounting_ref_is_refused(rail) -> None:
    first = rail.auth("ref-once")
    rail.submit(first, rail.sign(first, "ops-a", "ops-b"))
    again = rail.auth("ref-twice", post=False, lpaId=first.lpaId, accountingRef=first.accountingRef)
    with rail.refused("AccountingRefUsed", h("ref:ref-once"), auth=again):
        rail.submit(again, rail.sign(again, "ops-a", "ops-b"))
    # And a second LPA can never be posted for the same accountingRef.
    with rail.refused("AccountingRefBound", h("ref:ref-once"), h("lpa:ref-once")):
        rail.attestation.postLpa(hx("lpa:other"), first.accountingRef, sender=rail.ops)


def test_authorization_for_another_lpas_accounting_ref_is_refused(rail) -> None:
    lpa, _ = rail.post("mismatch")
    auth = rail.auth("mismatch-2", post=False, lpaId=lpa, accountingRef=hx("ref:elsewhere"))
    with rail.refused("AccountingRefMismatch", h("lpa:mismatch"), h("ref:mismatch"), h("ref:elsewhere"), auth=auth):
        rail.submit(auth, rail.sign(auth, "ops-a", "ops-b"))


def test_short_quorum_is_refused(rail) -> None:
    auth = rail.auth("short")
    with rail.refused("QuorumNotMet", 1, 2, auth=auth):
        rail.submit(auth, rail.sign(auth, "ops-a"))
    with rail.refused("QuorumNotMet", 0, 2, auth=auth):
        rail.submit(auth, b"")
    big = rail.auth("short-elevated", amount=ELEVATED + 1)
    with rail.refused("QuorumNotMet", 2, 3, auth=big):
        rail.submit(big, rail.sign(big, "ops-a", "compliance"))


def test_elevated_amount_without_compliance_is_refused(rail) -> None:
    auth = rail.auth("no-compliance", amount=ELEVATED + 1)
    with rail.refused("CategoriesNotCovered", 1 | 4 | 8, COMPLIANCE, auth=auth):
        rail.submit(auth, rail.sign(auth, "ops-a", "treasury", "technical"))
    # Exactly at the threshold the base quorum suffices.
    at = rail.auth("at-threshold", amount=ELEVATED)
    rail.submit(at, rail.sign(at, "ops-a", "ops-b"))


@pytest.mark.parametrize("path", [["POSTED_ADJUSTMENT"], ["POSTED_REVERSAL"], ["DISPUTED_HOLD"]])
def test_lpa_in_each_non_final_state_is_refused(path) -> None:
    rail = build_scene()
    auth = rail.auth(f"state-{path[-1]}")
    target = STATES[path[-1]]
    sender = rail.dispute if path[-1] == "DISPUTED_HOLD" else rail.ops
    rail.attestation.transition(auth.lpaId, target, h("why"), sender=sender)
    assert rail.attestation.canMint(auth.lpaId) is False
    with rail.refused("LpaNotFinal", h(f"lpa:state-{path[-1]}"), target, auth=auth):
        rail.submit(auth, rail.sign(auth, "ops-a", "ops-b"))


def test_unknown_lpa_is_refused(rail) -> None:
    auth = rail.auth("never-posted", post=False)
    with rail.refused("UnknownLpa", h("lpa:never-posted"), auth=auth):
        rail.submit(auth, rail.sign(auth, "ops-a", "ops-b"))


def test_expired_deadline_is_refused(rail) -> None:
    auth = rail.auth("expired", deadline=rail.chain.timestamp - 1)
    with rail.refused("AuthorizationExpired", auth.deadline, rail.chain.timestamp, auth=auth):
        rail.submit(auth, rail.sign(auth, "ops-a", "ops-b"))
    on_time = rail.auth("deadline-now", deadline=rail.chain.timestamp)
    rail.submit(on_time, rail.sign(on_time, "ops-a", "ops-b"))


@pytest.mark.parametrize("status", [2, 3])
def test_token_not_active_is_refused(status: int) -> None:
    rail = build_scene()
    from tests.rail.scene import CANONICAL_ID

    rail.coins.setStatus(CANONICAL_ID, status, sender=rail.admin)
    auth = rail.auth(f"token-{status}")
    with rail.refused("TokenNotActive", rail.token.address, status, auth=auth):
        rail.submit(auth, rail.sign(auth, "ops-a", "ops-b"))
    unregistered = rail.auth(f"token-none-{status}", token=rail.recipient)
    with rail.refused("TokenNotActive", rail.recipient, 0, auth=unregistered):
        rail.submit(unregistered, rail.sign(unregistered, "ops-a", "ops-b"))


def test_window_allowance_is_enforced_and_renews(rail) -> None:
    rail.controller.setMintLimit(rail.token.address, 150 * UNIT, 3600, sender=rail.admin)
    first = rail.auth("window-1")
    rail.submit(first, rail.sign(first, "ops-a", "ops-b"))
    second = rail.auth("window-2")
    with rail.refused("MintAllowanceExceeded", rail.token.address, 100 * UNIT, 50 * UNIT, auth=second):
        rail.submit(second, rail.sign(second, "ops-a", "ops-b"))
    rail.chain.time_travel(3600)
    second = rail.auth("window-2b")
    rail.submit(second, rail.sign(second, "ops-a", "ops-b"))
    assert rail.controller.remainingAllowance(rail.token.address) == 50 * UNIT
