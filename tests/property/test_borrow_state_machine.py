"""Stateful property test of DBISEngineXXautUsdcBorrowVault (Hypothesis rule-based state machine).

Random sequences, by three borrowers, a liquidator and the operator/admin, of collateral deposits
and withdrawals, borrows, repayments (own and on behalf), owner-price moves within and beyond the
per-update limit, time passing (interest with a nonzero borrowRateBps in some runs, and stale
prices), liquidations, lender funding and withdrawals, and calls without the role. Each rule
predicts its exact outcome (success amounts or the exact custom error) from the model in
`borrow_machine.py`; after every step `check_invariants` compares the vault with the model and
checks the issue's invariants (see that module's docstring).

Runs on `dbis.engine.FastChain` (in-process revm), never on Ape's provider.
"""

from __future__ import annotations

import os

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from .borrow_machine import BORROWERS, PRICE0, UINT256_MAX, UNIT, WAD, BorrowHarness, Risk

_HARNESS: BorrowHarness | None = None


def harness() -> BorrowHarness:
    """One deployment per process; every example starts from its snapshot (clock included)."""
    global _HARNESS
    if _HARNESS is None:
        _HARNESS = BorrowHarness()
    return _HARNESS


borrowers = st.sampled_from(BORROWERS)
# XAUt amounts (6 decimals; 1 XAUt = 1e6 ~ $2,000): dust to 200 XAUt.
xaut_amounts = st.one_of(st.integers(1, 1_000), st.integers(1, 10 * UNIT), st.integers(1, 200 * UNIT))
usdc_amounts = st.one_of(st.integers(1, 1_000), st.integers(1, 10_000 * UNIT), st.integers(1, 400_000 * UNIT))
picks = st.sampled_from(["raw", "all", "all", "all+1", "part", "part", "part", "zero"])


def pick(choice: str, raw: int, available: int) -> int:
    return {"raw": raw, "all": available, "all+1": available + 1,
            "part": raw % (available + 1), "zero": 0}[choice]


class BorrowStateMachine(RuleBasedStateMachine):
    """The borrow vault and its model, step by step."""

    def __init__(self) -> None:
        super().__init__()
        self.h = harness()
        self._anchor = self.h.chain.anchor()  # restores state *and* block time on teardown
        self._anchor.__enter__()
        self.h.reset()

    def teardown(self) -> None:
        self._anchor.__exit__(None, None, None)

    @initialize(rate=st.sampled_from([0, 0, 500, 5_000, 10_000]),
                min_hf=st.sampled_from([WAD, WAD, 11 * WAD // 10]),
                cap=st.sampled_from([500_000 * UNIT, 500_000 * UNIT, 20_000 * UNIT]),
                funded=st.one_of(st.just(1_000_000 * UNIT), st.integers(0, 50_000 * UNIT)))
    def start(self, rate: int, min_hf: int, cap: int, funded: int) -> None:
        risk = Risk(rate=rate, min_hf=min_hf, cap=cap)
        if risk != Risk():
            self.h.set_risk(risk)
        self.h.set_price(PRICE0)
        if funded:
            self.h.fund_lender(funded)

    # ---------------------------------------------------------------- collateral

    @rule(who=borrowers, amount=xaut_amounts, zero=st.sampled_from([False] * 29 + [True]))
    def deposit_collateral(self, who: str, amount: int, zero: bool) -> None:
        self.h.deposit(who, 0 if zero else amount)

    @rule(who=borrowers, choice=picks, raw=xaut_amounts)
    def withdraw_collateral(self, who: str, choice: str, raw: int) -> None:
        self.h.withdraw(who, pick(choice, raw, self.h.model.collateral[who]))

    # ---------------------------------------------------------------- debt

    @rule(who=borrowers, choice=st.sampled_from(["max", "max", "max+1", "part", "part", "raw", "zero"]), raw=usdc_amounts)
    def borrow(self, who: str, choice: str, raw: int) -> None:
        """Mostly near the limit (maxBorrowable), so that LTV, health and cap all bind."""
        h = self.h
        try:
            limit = min(h.vault.maxBorrowable(h.actors[who]), h.model.idle)
        except Exception:  # no usable price: the raw amount (the borrow must fail the same way)
            limit = raw
        amount = {"max": limit, "max+1": limit + 1, "part": raw % (limit + 1), "raw": raw, "zero": 0}[choice]
        h.borrow(who, amount)

    @rule(who=borrowers, choice=st.sampled_from(["all", "max", "part", "part", "part", "raw", "tiny", "zero"]),
          raw=usdc_amounts, payer=st.sampled_from([None, None, "liquidator", *BORROWERS]))
    def repay(self, who: str, choice: str, raw: int, payer: str | None) -> None:
        h = self.h
        debt = h.model.debt_of(h.model.shares[who], h.model.index_at(h.now))
        amount = {"all": debt, "max": UINT256_MAX, "part": raw % (debt + 1), "raw": raw, "tiny": 1,
                  "zero": 0}[choice]
        h.repay(who, amount, payer=payer)

    # ---------------------------------------------------------------- price and time

    @rule(move_bps=st.one_of(st.integers(-1000, 1000), st.sampled_from([-1000, -1000, -700, 0, 1000]),
                             st.integers(-9000, 20000)),
          zero=st.sampled_from([False] * 49 + [True]))
    def set_price(self, move_bps: int, zero: bool) -> None:
        """A move within the per-update limit (mostly downwards, to reach liquidations) or beyond."""
        old = self.h.model.price or PRICE0
        self.h.set_price(0 if zero else max(old + old * move_bps // 10_000, 1))

    @rule(seconds=st.sampled_from([1, 12, 600, 3_599, 3_601, 86_400, 30 * 86_400, 365 * 86_400]),
          refresh=st.integers(0, 3))
    def time_passes(self, seconds: int, refresh: int) -> None:
        """Time passes (interest accrues); mostly the updater then re-posts the same price, else
        the price goes stale (StalePrice for borrow, withdrawal with debt and liquidation)."""
        self.h.time_passes(seconds)
        if refresh and self.h.model.price:
            self.h.set_price(self.h.model.price)

    @rule(who=borrowers, collateral=st.one_of(st.integers(1, 10 * UNIT), st.integers(UNIT, 200 * UNIT)),
          share_bps=st.sampled_from([10_000, 10_000, 9_999, 9_000, 5_000]))
    def open_position(self, who: str, collateral: int, share_bps: int) -> None:
        """Deposit, then borrow (a share of) everything the position allows."""
        h = self.h
        h.deposit(who, collateral)
        if h.model.price_error(h.now) is None:
            limit = min(h.vault.maxBorrowable(h.actors[who]), h.model.idle)
            if limit * share_bps // 10_000:
                h.borrow(who, limit * share_bps // 10_000)

    # ---------------------------------------------------------------- liquidation

    @rule(who=borrowers, choice=st.sampled_from(["max", "max", "max", "part", "part", "raw", "tiny", "zero"]), raw=usdc_amounts)
    def liquidate(self, who: str, choice: str, raw: int) -> None:
        h = self.h
        debt = h.model.debt_of(h.model.shares[who], h.model.index_at(h.now))
        amount = {"max": UINT256_MAX, "part": raw % (debt + 1), "raw": raw, "tiny": 1, "zero": 0}[choice]
        h.liquidate(who, amount)

    @rule(who=borrowers, steps=st.integers(1, 3), choice=st.sampled_from(["max", "max", "part"]),
          raw=usdc_amounts)
    def crash_and_liquidate(self, who: str, steps: int, choice: str, raw: int) -> None:
        """The price falls by the largest allowed move (1 to 3 updates), then a liquidation."""
        h = self.h
        for _ in range(steps):
            if h.model.price:
                h.set_price(h.model.price - h.model.price * 1000 // 10_000)
        self.liquidate(who, choice, raw)

    # ---------------------------------------------------------------- lender bucket

    @rule(amount=usdc_amounts, zero=st.sampled_from([False] * 19 + [True]))
    def fund_lender(self, amount: int, zero: bool) -> None:
        self.h.fund_lender(0 if zero else amount)

    @rule(choice=picks, raw=usdc_amounts)
    def withdraw_lender_usdc(self, choice: str, raw: int) -> None:
        self.h.withdraw_lender(pick(choice, raw, self.h.model.idle))

    @rule(op=st.sampled_from(["fund", "withdrawLender", "price"]), amount=st.integers(1, 10**6))
    def unauthorized(self, op: str, amount: int) -> None:
        h = self.h
        {"fund": lambda: h.fund_lender(amount, unauthorized=True),
         "withdrawLender": lambda: h.withdraw_lender(amount, unauthorized=True),
         "price": lambda: h.set_price(PRICE0, unauthorized=True)}[op]()

    # ---------------------------------------------------------------- invariants

    @invariant()
    def vault_matches_model(self) -> None:
        self.h.check_invariants()


TestBorrowStateMachine = BorrowStateMachine.TestCase
TestBorrowStateMachine.settings = settings(
    settings.get_profile(os.environ.get("DBIS_BORROW_PROPERTY_PROFILE", "dbis-borrow-property"))
)

