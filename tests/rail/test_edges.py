"""Edge arms of the Rail contracts the scenario tests leave out: constructor and setter checks of
zero values, the mint-controller window and lowered-allowance arms, the router's domain separator
view, and a signer registry whose answer is not one word (SignatureQuorum fails closed).

Every refusal is checked by its exact custom error and an unchanged chain state (for constructors:
the whole chain, `FastChain.state_dump()`; elsewhere `RailScene.refused` plus the record touched).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

import pytest
from eth_abi import encode
from eth_account.messages import encode_typed_data
from eth_utils import keccak

from dbis.engine import reverts
from dbis.rail import typed_data as td
from tests.rail.scene import ALLOWANCE, CANONICAL_ID, CHAIN_ID, ELEVATED, STATES, UNIT, WINDOW, h, hx

ZERO = "0x" + "00" * 20
ZERO32 = b"\x00" * 32


@contextmanager
def _nothing_deployed(rail, error: str, *args: Any) -> Iterator[None]:
    """The block reverts with exactly `error(*args)` and the chain holds exactly what it held before."""
    before = rail.chain.state_dump()
    with reverts(error, *args):
        yield
    assert rail.chain.state_dump() == before, "a refused deployment changed the chain"


def _mint(rail, label: str, amount: int = 100 * UNIT) -> None:
    auth = rail.auth(label, amount=amount)
    rail.submit(auth, rail.sign(auth, "ops-a", "ops-b"))


# ------------------------------------------------------------------ constructors


def test_gru_token_constructor_refuses_a_zero_controller(rail) -> None:
    with _nothing_deployed(rail, "ZeroController"):
        rail.chain.deploy("DBISGRUToken", "GRU USD", "GRUUSD", 6, ZERO, sender=rail.admin)


def test_ledger_attestation_constructor_refuses_a_zero_admin(rail) -> None:
    with _nothing_deployed(rail, "ZeroValue"):
        rail.chain.deploy("DBISLedgerAttestation", ZERO, sender=rail.admin)


def test_mint_controller_constructor_refuses_a_zero_admin(rail) -> None:
    with _nothing_deployed(rail, "ZeroValue"):
        rail.chain.deploy("DBISMintController", ZERO, sender=rail.admin)


@pytest.mark.parametrize("zero", ["admin", "signerAdmin"])
def test_signer_registry_constructor_refuses_a_zero_admin(rail, zero: str) -> None:
    args = {"admin": rail.admin, "signerAdmin": rail.admin, zero: ZERO}
    with _nothing_deployed(rail, "ZeroAddress"):
        rail.chain.deploy("DBISSignerRegistry", args["admin"], args["signerAdmin"], sender=rail.admin)


def test_stablecoin_registry_constructor_refuses_a_zero_admin(rail) -> None:
    with _nothing_deployed(rail, "ZeroValue"):
        rail.chain.deploy("DBISStablecoinRegistry", ZERO, sender=rail.admin)


@pytest.mark.parametrize("zero", range(5))
def test_settlement_router_constructor_refuses_any_zero_address(rail, zero: int) -> None:
    args = [rail.admin, rail.registry.address, rail.attestation.address, rail.coins.address,
            rail.controller.address]
    args[zero] = ZERO
    with _nothing_deployed(rail, "ZeroValue"):
        rail.chain.deploy("DBISSettlementRouter", *args, sender=rail.admin)


# ------------------------------------------------------------------ setters and admin paths


def test_bind_router_refuses_zero_before_the_already_bound_check(rail) -> None:
    with rail.refused("ZeroValue"):
        rail.controller.bindRouter(ZERO, sender=rail.admin)
    assert rail.controller.router() == rail.router.address


def test_set_elevated_threshold_refuses_the_zero_token(rail) -> None:
    with rail.refused("ZeroValue"):
        rail.router.setElevatedThreshold(ZERO, 5, sender=rail.admin)
    assert rail.router.elevatedThreshold(ZERO) == 0


@pytest.mark.parametrize("zero", ["id", "token"])
def test_stablecoin_register_refuses_a_zero_id_or_token(rail, zero: str) -> None:
    other = rail.chain.deploy("DBISGRUToken", "GRU EUR", "GRUEUR", 6, rail.controller.address,
                              sender=rail.admin)
    args = {"id": h("eur"), "token": other.address}
    args[zero] = ZERO32 if zero == "id" else ZERO
    with rail.refused("ZeroValue"):
        rail.coins.register(args["id"], args["token"], 6, sender=rail.admin)
    assert rail.coins.statusOf(other.address) == 0 and rail.coins.stablecoin(h("eur"))[2] == 0
    assert rail.coins.stablecoin(CANONICAL_ID) == (rail.token.address, 6, 1)


def test_corrective_action_refuses_a_zero_action_ref(rail) -> None:
    lpa, _ = rail.post("corrective-zero")
    with rail.refused("ZeroValue"):
        rail.attestation.recordCorrectiveAction(lpa, 1, ZERO32, sender=rail.corrective)
    assert rail.attestation.stateOf(lpa) == STATES["POSTED_FINAL"]


def test_corrective_action_refuses_an_unknown_lpa(rail) -> None:
    lpa = h("lpa:never-posted")
    with rail.refused("UnknownLpa", lpa):
        rail.attestation.recordCorrectiveAction(lpa, 1, h("runbook:x"), sender=rail.corrective)
    assert rail.attestation.lpaOf(lpa)[1] == STATES["NONE"]


def test_burn_for_reversal_refuses_a_zero_action_ref(rail) -> None:
    auth = rail.auth("burn-zero-ref")
    rail.submit(auth, rail.sign(auth, "ops-a", "ops-b"))
    rail.attestation.transition(auth.lpaId, STATES["POSTED_REVERSAL"], h("ledger:reversal"), sender=rail.ops)
    rail.token.approve(rail.controller.address, auth.amount, sender=rail.recipient)
    with rail.refused("ZeroValue", auth=auth):
        rail.router.burnForReversal(auth.lpaId, rail.recipient, UNIT, ZERO32, sender=rail.admin)
    assert rail.attestation.lpaOf(auth.lpaId)[5] == 0  # nothing burned


# ------------------------------------------------------------------ submitMintAuth zero fields


@pytest.mark.parametrize("field", ["amount", "recipient", "messageId"])
def test_mint_authorization_with_a_zero_field_is_refused(rail, field: str) -> None:
    zero = {"amount": 0, "recipient": ZERO, "messageId": "0x" + "00" * 32}[field]
    auth = rail.auth(f"zero-{field}", **{field: zero})
    with rail.refused("ZeroValue", auth=auth):
        rail.submit(auth, rail.sign(auth, "ops-a", "ops-b"))
    assert rail.attestation.canMint(auth.lpaId) is True


# ------------------------------------------------------------------ mint-controller windows


def test_limit_of_returns_the_whole_record(rail) -> None:
    _mint(rail, "limit-of")
    index = rail.chain.timestamp // WINDOW
    assert rail.controller.limitOf(rail.token.address) == (ALLOWANCE, WINDOW, index, 100 * UNIT)
    assert rail.controller.limitOf(rail.recipient) == (0, 0, 0, 0)


def test_setting_a_limit_within_the_same_window_keeps_what_was_minted(rail) -> None:
    _mint(rail, "same-window")
    rail.controller.setMintLimit(rail.token.address, 500 * UNIT, WINDOW, sender=rail.admin)
    index = rail.chain.timestamp // WINDOW
    assert rail.controller.limitOf(rail.token.address) == (500 * UNIT, WINDOW, index, 100 * UNIT)
    assert rail.controller.remainingAllowance(rail.token.address) == 400 * UNIT


def test_remaining_allowance_is_zero_after_the_allowance_is_lowered_below_the_minted(rail) -> None:
    _mint(rail, "lowered-view")
    rail.controller.setMintLimit(rail.token.address, 50 * UNIT, WINDOW, sender=rail.admin)
    assert rail.controller.remainingAllowance(rail.token.address) == 0


def test_mint_after_the_allowance_is_lowered_below_the_minted_is_refused_with_zero_remaining(rail) -> None:
    _mint(rail, "lowered-mint")
    rail.controller.setMintLimit(rail.token.address, 50 * UNIT, WINDOW, sender=rail.admin)
    auth = rail.auth("lowered-mint-2", amount=UNIT)
    with rail.refused("MintAllowanceExceeded", rail.token.address, UNIT, 0, auth=auth):
        rail.submit(auth, rail.sign(auth, "ops-a", "ops-b"))


def test_remaining_allowance_renews_in_a_new_window_without_a_mint(rail) -> None:
    _mint(rail, "renew-view")
    assert rail.controller.remainingAllowance(rail.token.address) == ALLOWANCE - 100 * UNIT
    rail.chain.time_travel(WINDOW)
    assert rail.controller.remainingAllowance(rail.token.address) == ALLOWANCE
    assert rail.controller.limitOf(rail.token.address)[3] == 100 * UNIT  # the record itself is untouched


# ------------------------------------------------------------------ router views and the quorum library


def test_domain_separator_is_the_eip712_domain_hash(rail) -> None:
    expected = keccak(encode(
        ["bytes32", "bytes32", "bytes32", "uint256", "address"],
        [keccak(text="EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
         keccak(text=td.DOMAIN_NAME), keccak(text=td.DOMAIN_VERSION), CHAIN_ID, rail.router.address]))
    assert rail.router.domainSeparator() == expected
    auth = rail.auth("domain", post=False)
    # ...and the domain the signers sign under.
    assert encode_typed_data(full_message=td.typed_data(auth)).header == expected


def _router_with_registry(rail, registry: str):
    router = rail.chain.deploy("DBISSettlementRouter", rail.admin, registry, rail.attestation.address,
                               rail.coins.address, rail.controller.address, sender=rail.admin)
    rail.attestation.grantRole(hx("SETTLEMENT_ROUTER_ROLE"), router.address, sender=rail.admin)
    router.setElevatedThreshold(rail.token.address, ELEVATED, sender=rail.admin)  # as the scene's router
    return router


@pytest.mark.parametrize("registry", ["no code", "two-word answer"])
def test_quorum_refuses_a_registry_whose_answer_is_not_one_word(rail, registry: str) -> None:
    address = (rail.chain.account("not-a-registry") if registry == "no code"
               else rail.chain.deploy("TestOversizedSignerRegistry", sender=rail.admin).address)
    router = _router_with_registry(rail, address)
    auth = rail.auth(f"bad-registry-{registry}", verifyingContract=router.address)
    with rail.refused("RegistryAnswerInvalid", address, auth=auth):
        router.submitMintAuth(auth.as_abi(), rail.sign(auth, "ops-a", "ops-b"), sender=rail.admin)
    assert router.messageIdUsed(auth.messageId) is False
