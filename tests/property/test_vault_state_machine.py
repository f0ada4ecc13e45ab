"""Stateful property test of DBISEngineXVirtualBatchVault (Hypothesis rule-based state machine).

Random sequences of seeding, rail withdrawals, lender funding and withdrawals, exact-output
proofs (fresh and reused proof IDs, every recipient kind), flash loans through cooperative and
misbehaving borrowers, flash-term changes, pause/unpause, donations and rescues, and calls by an
account without the role. Each rule predicts its exact outcome from the model in
`vault_machine.py` and fails on any difference; after every step the invariants compare the
vault's whole observable state with the model:

* the reserves are equal and equal to the model's;
* the vault's cWUSDC, USDC and XAUt balances are reserves + lender bucket + the surplus the
  model tracks (donations in, rescues out), and `surplusOf` agrees;
* a proof ID never runs twice; the recipient receives exactly amountOut;
* a flash loan never lends pool USDC and never exceeds the bucket or the cap; fees land in the
  bucket; `maxFlashLoan` and `paused` agree with the model.

Runs on `dbis.engine.FastChain` (in-process revm), never on Ape's provider.
"""

from __future__ import annotations

import os

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from .vault_machine import (
    BORROWERS,
    DONATION_TOKENS,
    RECIPIENTS,
    RUNBOOK_RESERVE,
    CAP_MAX,
    UNIT,
    VaultHarness,
)

_HARNESS: VaultHarness | None = None


def harness() -> VaultHarness:
    """One deployment per process; every example starts from its snapshot."""
    global _HARNESS
    if _HARNESS is None:
        _HARNESS = VaultHarness()
    return _HARNESS


# Amounts: dust, typical, large, and the runbook's figures (1 cWUSDC, the 85.763529 reserve,
# 5,000,000,000 cWUSDC per recipient).
# Zero is reached through `picks` ("zero") and the explicit zero modes, not by chance.
amounts = st.one_of(
    st.integers(1, 1_000),
    st.integers(1, 10**9),
    st.integers(1, 10**13),
    st.sampled_from([UNIT, RUNBOOK_RESERVE, 5_000_000_000 * UNIT]),
)
proof_outs = st.one_of(
    st.integers(0, 100_000),
    st.integers(1, 10**9),
    st.integers(1, 5 * 10**15),
    st.sampled_from([UNIT, RUNBOOK_RESERVE, 5_000_000_000 * UNIT]),
)
# How a rule picks an amount relative to the model: the raw draw, the whole available amount,
# one more than available, a part of it, or zero.
picks = st.sampled_from(["raw", "all", "all+1", "part", "zero"])
# Flash loans mostly ask for what is available, so that every borrower reaches its callback.
flash_picks = st.sampled_from(["part", "part", "part", "all", "all", "all+1", "raw", "zero"])


def pick(choice: str, raw: int, available: int) -> int:
    return {"raw": raw, "all": available, "all+1": available + 1,
            "part": raw % (available + 1), "zero": 0}[choice]


class VaultStateMachine(RuleBasedStateMachine):
    """The vault and its model, step by step."""

    def __init__(self) -> None:
        super().__init__()
        self.h = harness()
        self.snapshot = self.h.chain.snapshot()
        self.h.reset()

    def teardown(self) -> None:
        self.h.chain.revert(self.snapshot)

    @initialize(amount=st.one_of(st.just(RUNBOOK_RESERVE), st.integers(1, 10**9)),
                bucket=st.one_of(st.just(5 * UNIT), st.integers(0, 10**9)),
                seeded=st.sampled_from([True, True, True, False]))
    def start(self, amount: int, bucket: int, seeded: bool) -> None:
        """Start from the runbook's state (or a random one, or an empty pool)."""
        if seeded:
            self.h.seed(amount, amount)
        if bucket:
            self.h.fund_lender(bucket)

    # ---------------------------------------------------------------- rail liquidity

    @rule(amount=amounts, mode=st.sampled_from(["equal"] * 4 + ["unequal", "zero"]), delta=st.integers(1, 10))
    def seed(self, amount: int, mode: str, delta: int) -> None:
        if mode == "zero":
            self.h.seed(0, 0)
        elif mode == "unequal":
            self.h.seed(amount, amount + delta)
        else:
            self.h.seed(amount, amount)

    @rule(choice=picks, raw=amounts, skew=st.sampled_from([0, 0, 0, 1, -1]), to_zero=st.booleans())
    def withdraw_pool_liquidity(self, choice: str, raw: int, skew: int, to_zero: bool) -> None:
        cw = pick(choice, raw, self.h.model.reserve)
        self.h.withdraw_pool(cw, max(cw + skew, 0), to_zero=to_zero and raw % 7 == 0)

    # ---------------------------------------------------------------- lender bucket

    @rule(amount=amounts, zero=st.integers(0, 9))
    def fund_lender(self, amount: int, zero: int) -> None:
        self.h.fund_lender(0 if zero == 0 else amount)

    @rule(choice=picks, raw=amounts)
    def withdraw_lender_usdc(self, choice: str, raw: int) -> None:
        self.h.withdraw_lender(pick(choice, raw, self.h.model.bucket))

    @rule(cap=st.one_of(st.just(0), amounts, st.sampled_from([0, UNIT, CAP_MAX, CAP_MAX + 1])),
          fee_bps=st.one_of(st.sampled_from([0, 0, 1, 9, 30, 100]), st.integers(0, 101)))
    def set_flash_terms(self, cap: int, fee_bps: int) -> None:
        self.h.set_flash_terms(cap, fee_bps)

    # ---------------------------------------------------------------- proofs

    @rule(amount_out=proof_outs,
          extra_in=st.one_of(st.just(0), st.just(0), st.integers(1, 10**6)),
          reuse=st.one_of(st.none(), st.none(), st.integers(0, 1_000)),
          recipient=st.sampled_from(["fresh"] * 6 + ["holder", "surplus"] + list(RECIPIENTS)),
          overask=st.integers(0, 9), zero_hash=st.integers(0, 19))
    def proof(self, amount_out: int, extra_in: int, reuse: int | None, recipient: str,
              overask: int, zero_hash: int) -> None:
        self.h.proof(amount_out, extra_in=extra_in, reuse=reuse, recipient_kind=recipient,
                     overask=overask == 0, zero_hash=zero_hash == 0)

    # ---------------------------------------------------------------- flash loans

    @rule(borrower=st.sampled_from(["proof"] * 4 + ["noop"] * 2 + list(BORROWERS)),
          choice=flash_picks, raw=amounts,
          reuse=st.one_of(st.none(), st.none(), st.none(), st.integers(0, 1_000)),
          wrong_token=st.integers(0, 14),
          float_topup=st.one_of(st.just(0), st.just(0), st.integers(1, 10**7)))
    def flash_loan(self, borrower: str, choice: str, raw: int, reuse: int | None, wrong_token: int,
                   float_topup: int) -> None:
        amount = pick(choice, raw, self.h.model.max_flash() or self.h.model.bucket)
        self.h.flash(borrower, amount, reuse=reuse, wrong_token=wrong_token == 0, float_topup=float_topup)

    # ---------------------------------------------------------------- pause

    @rule(action=st.sampled_from(["pause", "unpause", "unpause", "unpause"]))
    def pause_or_unpause(self, action: str) -> None:
        """Pause (EnforcedPause when already paused) or unpause (ExpectedPause when not paused);
        with the rule below the vault spends about a seventh of the steps paused."""
        if action == "pause":
            self.h.pause()
        else:
            self.h.unpause()

    @precondition(lambda self: self.h.model.paused)
    @rule()
    def unpause(self) -> None:
        self.h.unpause()

    @rule(amount_out=st.sampled_from([UNIT, 5_000_000_000 * UNIT]))
    def runbook_proof(self, amount_out: int) -> None:
        """The runbook's proofs: 1 cWUSDC (canary) or 5,000,000,000 cWUSDC to a fresh recipient."""
        self.h.proof(amount_out)

    # ---------------------------------------------------------------- rescue

    @rule(token=st.sampled_from(DONATION_TOKENS), amount=st.integers(1, 10**9))
    def donate(self, token: str, amount: int) -> None:
        self.h.donate(token, amount)

    @rule(token=st.sampled_from(DONATION_TOKENS), choice=picks, raw=amounts, to_zero=st.integers(0, 9))
    def rescue(self, token: str, choice: str, raw: int, to_zero: int) -> None:
        self.h.rescue(token, pick(choice, raw, self.h.model.surplus[token]), to_zero=to_zero == 0)

    # ---------------------------------------------------------------- access control

    @rule(op=st.sampled_from(["seed", "withdrawPool", "fund", "withdrawLender", "terms", "proof",
                              "pause", "unpause", "rescue"]), amount=st.integers(1, 10**6))
    def unauthorized(self, op: str, amount: int) -> None:
        h = self.h
        {
            "seed": lambda: h.seed(amount, amount, unauthorized=True),
            "withdrawPool": lambda: h.withdraw_pool(amount, amount, unauthorized=True),
            "fund": lambda: h.fund_lender(amount, unauthorized=True),
            "withdrawLender": lambda: h.withdraw_lender(amount, unauthorized=True),
            "terms": lambda: h.set_flash_terms(amount, 1, unauthorized=True),
            "proof": lambda: h.proof(amount, unauthorized=True),
            "pause": lambda: h.pause(unauthorized=True),
            "unpause": lambda: h.unpause(unauthorized=True),
            "rescue": lambda: h.rescue("usdc", amount, unauthorized=True),
        }[op]()

    # ---------------------------------------------------------------- invariants

    @invariant()
    def vault_matches_model(self) -> None:
        self.h.check_invariants()


TestVaultStateMachine = VaultStateMachine.TestCase
TestVaultStateMachine.settings = settings(
    settings.get_profile(os.environ.get("DBIS_PROPERTY_PROFILE", "dbis-property"))
)
