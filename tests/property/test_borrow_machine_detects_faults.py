"""The borrow machine's checks can fail: each test plants one fault and expects it to be caught.

The vault's storage (or the model) is corrupted on purpose, as a bug would corrupt it: collateral
that arrives without being accounted, lender USDC that appears from nowhere, a conservation
ledger that loses a unit, an LTV the contract does not enforce, a liquidation threshold that lets
a healthy position be liquidated, totals that drift from the positions. The last test runs the
Hypothesis machine itself over a model that forgets interest and expects a counterexample.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, run_state_machine_as_test

from .borrow_machine import PRICE0, UNIT, WAD, BorrowHarness, BorrowModel, ModelMismatch
from .test_borrow_state_machine import BorrowStateMachine, harness


@pytest.fixture
def h() -> BorrowHarness:
    """The shared harness: price set, lender funded, b0 borrowing at its limit; restored after."""
    shared = harness()
    with shared.chain.anchor():
        shared.reset()
        shared.set_price(PRICE0)
        shared.fund_lender(1_000_000 * UNIT)
        shared.deposit("b0", 10 * UNIT)  # $20,000 of XAUt
        shared.borrow("b0", 14_000 * UNIT)  # 70% LTV
        shared.check_invariants()
        yield shared
    shared.reset()


def _risk_slot(h: BorrowHarness) -> int:
    """The vault slot packing ltv | threshold | bonus | closeFactor | minHF | cap."""
    found = [s for s in range(32)
             if h.chain.get_storage(h.vault, s) & 0xFFFFFFFF == 7000 | (7500 << 16)]
    assert len(found) == 1, found
    return found[0]


def _slot_holding(h: BorrowHarness, value: int, mask: int = 2**128 - 1) -> int:
    found = [s for s in range(32) if h.chain.get_storage(h.vault, s) & mask == value]
    assert len(found) == 1, f"cannot locate the slot holding {value}: {found}"
    return found[0]


def test_untracked_collateral_is_caught(h: BorrowHarness) -> None:
    h.xaut.transfer(h.vault, 1, sender=h.actors["b1"])  # XAUt beyond totalCollateral
    with pytest.raises(ModelMismatch, match="vault holds 10000001 XAUt"):
        h.check_invariants()


def test_usdc_from_nowhere_is_caught(h: BorrowHarness) -> None:
    """lenderUsdcIdle inflated by one unit (model told, so only the balance check can see it)."""
    packed = h.model.shares["b0"] | (h.model.idle << 128)  # totalDebtShares | lenderUsdcIdle
    slot = _slot_holding(h, packed, mask=2**256 - 1)
    word = h.chain.get_storage(h.vault, slot)
    h.chain.set_storage(h.vault, slot, word + (1 << 128))
    h.model.idle += 1
    with pytest.raises(ModelMismatch, match="vault holds .* USDC"):
        h.check_invariants()


def test_lost_usdc_breaks_conservation(h: BorrowHarness) -> None:
    h.model.funded -= 1  # a unit the ledger cannot account for
    with pytest.raises(ModelMismatch, match="USDC not conserved"):
        h.check_invariants()


def test_borrow_above_ltv_is_caught(h: BorrowHarness, monkeypatch: pytest.MonkeyPatch) -> None:
    """The contract enforces LTV 74% instead of 70% and the model's prediction agrees with it:
    the post-state check (debt <= 70% x value) must still fail."""
    slot = _risk_slot(h)
    word = h.chain.get_storage(h.vault, slot)
    h.chain.set_storage(h.vault, slot, (word & ~0xFFFF) | 7400)
    monkeypatch.setattr(h.model, "safe_error", lambda *args: None)
    h.deposit("b1", 10 * UNIT)
    with pytest.raises(ModelMismatch, match="above LTV"):
        h.borrow("b1", 14_500 * UNIT)  # 72.5%


def test_healthy_liquidation_is_caught(h: BorrowHarness) -> None:
    """The contract computes health with a 50% threshold: b0 (healthy at 75%) is liquidatable."""
    slot = _risk_slot(h)
    word = h.chain.get_storage(h.vault, slot)
    h.chain.set_storage(h.vault, slot, (word & ~(0xFFFF << 16)) | (5000 << 16))
    with pytest.raises(ModelMismatch, match="expected revert NotLiquidatable"):
        h.liquidate("b0", 2**256 - 1)


def test_total_shares_drift_is_caught(h: BorrowHarness) -> None:
    packed = h.model.shares["b0"] | (h.model.idle << 128)  # totalDebtShares | lenderUsdcIdle
    slot = _slot_holding(h, packed, mask=2**256 - 1)
    h.chain.set_storage(h.vault, slot, h.chain.get_storage(h.vault, slot) + 1)
    with pytest.raises(ModelMismatch, match="totalDebtShares"):
        h.check_invariants()


class _RatedMachine(BorrowStateMachine):
    """The real machine, every run with a nonzero borrowRateBps (the planted bug below only shows
    where interest accrues; the plain machine draws a zero rate in some runs)."""

    @initialize(rate=st.sampled_from([500, 5_000, 10_000]), min_hf=st.just(WAD),
                cap=st.just(500_000 * UNIT), funded=st.just(1_000_000 * UNIT))
    def start(self, rate: int, min_hf: int, cap: int, funded: int) -> None:
        BorrowStateMachine.start(self, rate, min_hf, cap, funded)


def test_state_machine_finds_a_planted_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real machine over a model that never accrues interest (its index never moves): the
    chain's debts outgrow the model's."""
    monkeypatch.setattr(BorrowModel, "index_at", lambda self, now: self.index)
    with pytest.raises(ModelMismatch):
        run_state_machine_as_test(
            _RatedMachine,
            settings=settings(max_examples=50, stateful_step_count=30, deadline=None, derandomize=True,
                              database=None, phases=[Phase.generate],
                              suppress_health_check=list(HealthCheck)),
        )
