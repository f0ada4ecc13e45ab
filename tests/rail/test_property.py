"""Stateful property: minted supply == executed authorizations − reversal burns; no messageId or
accountingRef executes twice; nothing mints beyond the window allowance (small max_examples)."""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from dbis.engine import Reverted
from tests.rail.scene import STATES, UNIT, build_scene, h

ALLOWANCE = 500 * UNIT
WINDOW = 3_600


class RailMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self) -> None:
        self.rail = build_scene()
        self.rail.controller.setMintLimit(self.rail.token.address, ALLOWANCE, WINDOW, sender=self.rail.admin)
        self.rail.router.setElevatedThreshold(self.rail.token.address, 10**30, sender=self.rail.admin)
        self.n = 0
        self.executed: dict[str, int] = {}  # messageId -> amount
        self.refs: set[str] = set()
        self.burned = 0
        self.window: dict[int, int] = {}
        self.minted_lpas: list[tuple[str, int]] = []  # (lpaId, amount)
        self.reversed: dict[str, int] = {}  # lpaId -> burned so far

    def _window(self) -> int:
        return self.rail.chain.timestamp // WINDOW

    @rule(amount=st.integers(1, 300).map(lambda x: x * UNIT))
    def mint_new(self, amount: int) -> None:
        self.n += 1
        auth = self.rail.auth(f"p{self.n}", amount=amount)
        used = self.window.get(self._window(), 0)
        try:
            self.rail.submit(auth, self.rail.sign(auth, "ops-a", "ops-b"))
        except Reverted as exc:
            assert exc.name == "MintAllowanceExceeded" and used + amount > ALLOWANCE, exc.error
            return
        assert used + amount <= ALLOWANCE
        self.window[self._window()] = used + amount
        self.executed[auth.messageId] = amount
        self.refs.add(auth.accountingRef)
        self.minted_lpas.append((auth.lpaId, amount))
        self.last = auth

    @rule(data=st.data())
    def replay(self, data) -> None:
        if not self.executed:
            return
        mid = data.draw(st.sampled_from(sorted(self.executed)))
        label = next(k for k in range(1, self.n + 1) if "0x" + h(f"msg:p{k}").hex() == mid)
        auth = self.rail.auth(f"p{label}", post=False, amount=self.executed[mid])
        try:
            self.rail.submit(auth, self.rail.sign(auth, "ops-a", "ops-b"))
            raise AssertionError("a messageId executed twice")
        except Reverted as exc:
            assert exc.name == "MessageIdUsed"

    @rule(data=st.data())
    def reuse_accounting_ref(self, data) -> None:
        if not self.minted_lpas:
            return
        lpa, _ = data.draw(st.sampled_from(self.minted_lpas))
        record = self.rail.attestation.lpaOf(lpa)
        self.n += 1
        auth = self.rail.auth(f"p{self.n}", post=False, lpaId=lpa, accountingRef=record[0])
        try:
            self.rail.submit(auth, self.rail.sign(auth, "ops-a", "ops-b"))
            raise AssertionError("an accountingRef executed twice")
        except Reverted as exc:
            assert exc.name in ("AccountingRefUsed", "MintAllowanceExceeded") or exc.name == "LpaNotFinal", exc.error

    @rule(data=st.data(), fraction=st.integers(1, 100))
    def reverse_and_burn(self, data, fraction: int) -> None:
        if not self.minted_lpas:
            return
        lpa, amount = data.draw(st.sampled_from(self.minted_lpas))
        if lpa not in self.reversed:
            self.rail.attestation.transition(lpa, STATES["POSTED_REVERSAL"], h("rev"), sender=self.rail.ops)
            self.reversed[lpa] = 0
        burn = max(1, amount * fraction // 100)
        self.rail.token.approve(self.rail.controller.address, burn, sender=self.rail.recipient)
        try:
            self.rail.router.burnForReversal(lpa, self.rail.recipient, burn, h("burn"), sender=self.rail.admin)
        except Reverted as exc:
            assert exc.name == "BurnExceedsMint" and self.reversed[lpa] + burn > amount, exc.error
            return
        self.reversed[lpa] += burn
        self.burned += burn

    @rule(seconds=st.sampled_from([60, 1_800, 3_600]))
    def wait(self, seconds: int) -> None:
        self.rail.chain.time_travel(seconds)

    @invariant()
    def supply_is_executed_minus_burns(self) -> None:
        if not hasattr(self, "rail"):
            return
        assert self.rail.token.totalSupply() == sum(self.executed.values()) - self.burned
        assert len(self.refs) == len(self.executed)
        assert all(v <= ALLOWANCE for v in self.window.values())


TestRailMachine = RailMachine.TestCase
TestRailMachine.settings = settings(max_examples=12, stateful_step_count=25, deadline=None)
