"""The DBIS Rail settlement path as a campaign system, bound to the campaign's reserve attestation.

The settlement router's reserve gate is the `reserve` system's DBISReserveAttestation, so the
campaign checks a cross-contract rule on every mint: GRU is minted only while that attestation is
solvent and fresh. Each submission is predicted by the off-chain rule checker `dbis.rail.rules`
fed from this *model* (message IDs used, LPA states, minted flags, the window's allowance, the
reserve model's health), never from chain reads; the router must refuse with exactly the first
failing rule or succeed when none fails.

Invariants after every step: GRU total supply and the recipient's balance equal the executed
authorizations minus the reversal burns; the controller's remaining allowance equals the model's;
every executed messageId reads as used; no accountingRef minted twice.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

from dbis.engine import FastChain, Reverted
from dbis.rail import rules
from dbis.rail import typed_data as td
from dbis.rail.local import ALLOWANCE, CHAIN_ID, ELEVATED, STATES, UNIT, WINDOW, build_scene, h
from tests.campaign.reserve import ReserveHarness
from tests.property.model_support import ModelMismatch

SIGNER_SETS = {
    "base": ("ops-a", "ops-b"),
    "elevated": ("ops-a", "ops-b", "compliance"),
    "three_no_compliance": ("ops-a", "ops-b", "treasury"),
    "short": ("ops-a",),
}


@dataclass
class LpaModel:
    amount: int
    state: str = "POSTED_FINAL"
    burned: int = 0


@dataclass
class RailModel:
    executed: dict[str, int] = field(default_factory=dict)  # messageId -> amount
    labels: dict[str, str] = field(default_factory=dict)  # messageId -> label (for replays)
    lpas: dict[str, LpaModel] = field(default_factory=dict)  # minted LPAs
    window_used: dict[int, int] = field(default_factory=dict)
    burned: int = 0


class RailHarness:
    """Signer registry, ledger attestation, stablecoin registry, mint controller, GRU and the router."""

    def __init__(self, chain: FastChain, reserve: ReserveHarness) -> None:
        if chain.chain_id != CHAIN_ID:
            raise ValueError(f"the Rail runs on chain id {CHAIN_ID}")
        self.chain = chain
        self.reserve = reserve
        self.scene = build_scene(chain)
        self.scene.router.setReserveGate(reserve.attestation.address, sender=self.scene.admin)
        self.records = {s.address: rules.SignerRecord(*self.scene.registry.signerOf(s.address))
                        for s in self.scene.signers.values()}
        self.model = RailModel()
        self.outcomes: Counter[str] = Counter()
        self.transitions = 0
        self._labels = 0

    def reset(self) -> None:
        self.model = RailModel()

    def _label(self) -> str:
        self._labels += 1
        return f"campaign-{self._labels}"

    def _view(self, auth: td.MintAuthorization, minted_lpa: LpaModel | None, posted: bool) -> rules.ChainView:
        m, now = self.model, self.chain.timestamp
        used = m.window_used.get(now // WINDOW, 0)
        lpa_state = (minted_lpa.state if minted_lpa else "POSTED_FINAL") if posted else "NONE"
        return rules.ChainView(
            chain_id=CHAIN_ID, router=self.scene.router.address, block_number=self.chain.block_number,
            timestamp=now, message_id_used=auth.messageId in m.executed, lpa_state=lpa_state,
            lpa_accounting_ref=auth.accountingRef, lpa_minted=minted_lpa is not None, token_status="ACTIVE",
            elevated_threshold=ELEVATED, remaining_allowance=max(ALLOWANCE - used, 0),
            reserve_gate=self.reserve.attestation.address, reserve_healthy=self.reserve.model.healthy(now),
            signers=self.records)

    def mint(self, amount: int, signers: str, fault: str = "none", pick: int = 0) -> None:
        """Submit a Mint Authorization; `fault` replays an executed one or expires the deadline."""
        s, m = self.scene, self.model
        if fault == "replay" and m.executed:
            message = sorted(m.executed)[pick % len(m.executed)]
            label, amount = m.labels[message], m.executed[message]
            auth = s.auth(label, amount=amount, post=False)
        else:
            label = self._label()
            overrides = {"deadline": self.chain.timestamp - 1} if fault == "expired" else {}
            auth = s.auth(label, amount=amount, **overrides)  # posts a fresh LPA (POSTED_FINAL) first
        minted_lpa = m.lpas.get(auth.lpaId)
        signatures = s.sign(auth, *SIGNER_SETS[signers])
        failures = rules.check(auth, signatures, self._view(auth, minted_lpa, posted=True))
        expected = failures[0].rule if failures else None
        self.transitions += 1
        try:
            s.submit(auth, signatures)
            got = None
        except Reverted as exc:
            got = exc.error.name
        self.outcomes[f"submitMintAuth:{got or 'ok'}"] += 1
        if got != expected:
            raise ModelMismatch(f"submitMintAuth({label}, {amount}, {signers}, {fault}): expected "
                                f"{expected or 'success'}, got {got or 'success'}")
        if got is None:
            window = self.chain.timestamp // WINDOW
            m.window_used[window] = m.window_used.get(window, 0) + amount
            m.executed[auth.messageId] = amount
            m.labels[auth.messageId] = label
            m.lpas[auth.lpaId] = LpaModel(amount)

    def reverse_and_burn(self, pick: int, fraction: int) -> None:
        """Move a minted LPA to POSTED_REVERSAL (once) and burn a share of its mint from the recipient."""
        s, m = self.scene, self.model
        if not m.lpas:
            return
        lpa_id = sorted(m.lpas)[pick % len(m.lpas)]
        lpa = m.lpas[lpa_id]
        if lpa.state != "POSTED_REVERSAL":
            s.attestation.transition(lpa_id, STATES["POSTED_REVERSAL"], h("campaign-reversal"), sender=s.ops)
            lpa.state = "POSTED_REVERSAL"
        burn = max(1, lpa.amount * fraction // 100)
        s.token.approve(s.controller.address, burn, sender=s.recipient)
        expected = "BurnExceedsMint" if lpa.burned + burn > lpa.amount else None
        self.transitions += 1
        try:
            s.router.burnForReversal(lpa_id, s.recipient, burn, h("campaign-burn"), sender=s.admin)
            got = None
        except Reverted as exc:
            got = exc.error.name
        self.outcomes[f"burnForReversal:{got or 'ok'}"] += 1
        if got != expected:
            raise ModelMismatch(f"burnForReversal({burn} of {lpa.amount}, burned {lpa.burned}): expected "
                                f"{expected or 'success'}, got {got or 'success'}")
        if got is None:
            lpa.burned += burn
            m.burned += burn

    def check_invariants(self) -> None:
        s, m, now = self.scene, self.model, self.chain.timestamp
        supply = sum(m.executed.values()) - m.burned
        state = (s.token.totalSupply(), s.token.balanceOf(s.recipient),
                 s.controller.remainingAllowance(s.token.address))
        expected = (supply, supply, max(ALLOWANCE - m.window_used.get(now // WINDOW, 0), 0))
        if state != expected:
            raise ModelMismatch(f"rail (supply, recipient, remaining allowance) = {state}, model {expected}")
        if m.executed:
            last = max(m.executed, key=lambda k: m.labels[k])
            if not s.router.messageIdUsed(last):
                raise ModelMismatch(f"executed messageId {last} does not read as used")


class RailSystem:
    """The campaign's view of the Rail; needs the reserve system's harness (its gate)."""

    name = "rail"

    def __init__(self, chain: FastChain, reserve: ReserveHarness) -> None:
        self.harness = RailHarness(chain, reserve)

    def operations(self) -> dict[str, tuple[int, Callable[[random.Random], dict[str, Any]]]]:
        def amount(r: random.Random) -> int:
            return r.choice([UNIT, r.randint(1, 1_000) * UNIT, ELEVATED, ELEVATED + 1, r.randint(1, 400_000) * UNIT])

        return {
            "mint": (8, lambda r: {"amount": amount(r),
                                   "signers": r.choice(["base"] * 5 + ["elevated"] * 3 + ["three_no_compliance", "short"]),
                                   "fault": r.choice(["none"] * 8 + ["replay", "expired"]),
                                   "pick": r.randint(0, 1_000)}),
            "reverse_and_burn": (2, lambda r: {"pick": r.randint(0, 1_000), "fraction": r.choice([1, 25, 50, 100, 101])}),
        }

    def apply(self, op: str, args: dict[str, Any]) -> None:
        {"mint": self.harness.mint, "reverse_and_burn": self.harness.reverse_and_burn}[op](**args)

    def check(self) -> None:
        self.harness.check_invariants()

    def reset(self) -> None:
        self.harness.reset()

    def addresses(self) -> set[bytes]:
        s = self.harness.scene
        return {bytes.fromhex(str(c.address)[2:]) for c in (s.registry, s.attestation, s.coins, s.controller, s.token,
                                                            s.router, self.harness.reserve.attestation)}
