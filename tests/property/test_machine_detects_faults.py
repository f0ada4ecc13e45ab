"""The state machine's checks can fail: each test plants one fault and expects it to be caught.

A property test that cannot fail proves nothing. Here the vault's state (or the model) is
corrupted on purpose, exactly as a bug would corrupt it, and the harness must raise: unequal
reserves, funds that appear without the model knowing (an untracked donation), a replayed
proof ID, a flash loan beyond the bucket, a fee that does not land in the bucket, a recipient
paid the wrong amount. The last test runs the Hypothesis machine itself against a broken model
and expects Hypothesis to find a counterexample.
"""

from __future__ import annotations

import pytest
from eth_utils import keccak
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from .test_vault_state_machine import VaultStateMachine, harness
from .vault_machine import RUNBOOK_RESERVE, UNIT, ModelMismatch, VaultHarness


@pytest.fixture
def h() -> VaultHarness:
    """The shared harness, seeded like the runbook, restored afterwards."""
    shared = harness()
    snapshot = shared.chain.snapshot()
    shared.reset()
    shared.seed(RUNBOOK_RESERVE, RUNBOOK_RESERVE)
    shared.fund_lender(5 * UNIT)
    shared.check_invariants()
    yield shared
    shared.chain.revert(snapshot)
    shared.reset()


def _slot_holding(h: VaultHarness, value: int, candidates: range = range(64)) -> int:
    """The vault storage slot (among `candidates`) that holds `value` (layout-independent)."""
    found = [s for s in candidates if h.chain.get_storage(h.vault, s) == value]
    assert len(found) == 1, f"cannot locate the slot holding {value}: {found}"
    return found[0]


def test_unequal_reserves_are_caught(h: VaultHarness) -> None:
    packed = RUNBOOK_RESERVE | (RUNBOOK_RESERVE << 128)  # poolCwusdcReserve | poolUsdcReserve
    slot = _slot_holding(h, packed)
    h.chain.set_storage(h.vault, slot, RUNBOOK_RESERVE | ((RUNBOOK_RESERVE - 1) << 128))
    with pytest.raises(ModelMismatch, match="reserves differ"):
        h.check_invariants()


def test_untracked_funds_are_caught(h: VaultHarness) -> None:
    h.cwusdc.transfer(h.vault, 1, sender=h.donor)  # a donation the model was not told about
    with pytest.raises(ModelMismatch, match="vault holds"):
        h.check_invariants()


def test_lost_funds_are_caught(h: VaultHarness) -> None:
    h.donate("usdc", 10)
    h.model.surplus["usdc"] += 1  # the model believes in one unit more than the vault holds
    with pytest.raises(ModelMismatch):
        h.check_invariants()


def test_replayed_proof_id_is_caught(h: VaultHarness) -> None:
    h.proof(UNIT)
    proof_id = h.model.proof_ids[-1]
    # Forget that the ID was used, as a bug in the contract would: locate proofIdUsed[proof_id].
    slots = [s for s in range(64)
             if h.chain.get_storage(h.vault, int.from_bytes(keccak(proof_id + s.to_bytes(32, "big")), "big")) == 1]
    assert len(slots) == 1, slots
    h.chain.set_storage(h.vault, int.from_bytes(keccak(proof_id + slots[0].to_bytes(32, "big")), "big"), 0)
    with pytest.raises(ModelMismatch, match="ProofIdAlreadyUsed"):
        h.proof(UNIT, reuse=0)


def test_flash_loan_beyond_the_bucket_is_caught(h: VaultHarness) -> None:
    h.flash("proof", UNIT, float_topup=UNIT)  # cooperative borrower, fine
    h.model.bucket += 10 * UNIT  # the model now allows a loan the vault must refuse
    with pytest.raises(ModelMismatch, match="FlashAmountExceedsMax"):
        h.flash("proof", 12 * UNIT)


def test_fee_not_in_bucket_is_caught(h: VaultHarness) -> None:
    h.set_flash_terms(0, 9)
    h.flash("proof", UNIT, float_topup=UNIT)
    h.model.bucket -= h.model.flash_fee(UNIT)  # as if the fee had not been credited
    with pytest.raises(ModelMismatch, match="lender bucket"):
        h.check_invariants()


def test_short_payment_to_recipient_is_caught(h: VaultHarness, monkeypatch: pytest.MonkeyPatch) -> None:
    """A recipient that ends up one unit short (as if the vault paid amountOut - 1)."""
    real_balances = h.balances
    calls = []

    def balances(token: str, *holders: object) -> list[int]:
        values = real_balances(token, *holders)
        calls.append(1)
        if len(calls) == 2:  # the read after the proof: the fresh recipient is the last holder
            values[-1] -= 1
        return values

    monkeypatch.setattr(h, "balances", balances)
    with pytest.raises(AssertionError, match="moved 999999, expected 1000000"):
        h.proof(UNIT)


class _ForgetfulMachine(VaultStateMachine):
    """The real machine over a model that forgets donations: Hypothesis must catch it."""

    def __init__(self) -> None:
        super().__init__()
        h = self.h

        def donate(token: str, amount: int) -> None:
            h.transitions += 1
            h.tokens[token].transfer(h.vault, amount, sender=h.donor)  # model not updated

        h.donate = donate  # type: ignore[method-assign]

    def teardown(self) -> None:
        del self.h.donate  # restore the class method on the shared harness
        super().teardown()


def test_state_machine_finds_a_planted_bug() -> None:
    with pytest.raises(ModelMismatch):
        run_state_machine_as_test(
            _ForgetfulMachine,
            settings=settings(max_examples=50, stateful_step_count=30, deadline=None, derandomize=True,
                              database=None, phases=[Phase.generate],
                              suppress_health_check=list(HealthCheck)),
        )
