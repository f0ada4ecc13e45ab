"""The DBIS Rail conversion router as a campaign system, swapping through the real Uniswap V3 pool.

Operations: governed conversions (2 or 3 signers, with and without COMPLIANCE, replayed, expired,
over-long deadlines, unknown quote issuers, minimum outputs above the market), public swaps that
move the real pool, venue re-approval by a 3-signer quorum with COMPLIANCE, and time passing (the
venue approval expires). Each conversion is predicted by the off-chain rule checker
(`dbis.rail.conversion.check_swap`, the commands' own check); what only the pool can tell (output
under `minAmountOut`, price impact over the venue limit) may refuse a conversion the rules pass,
and then nothing may move.

Invariants after every step: the router and the venue adapter never hold a token; for each token
the trader and the pool together hold exactly what they held at deployment (value only moves
between them); every executed messageId keeps its quoteHash and never executes again.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any, Callable

from dbis import uniswap
from dbis.engine import FastChain, Reverted
from dbis.rail import conversion as cv
from dbis.rail import conversion_local as local
from tests.property.model_support import ModelMismatch

SIGNER_SETS = {"base": ("ops-a", "ops-b"), "elevated": ("ops-a", "ops-b", "compliance"),
               "no_compliance": ("ops-a", "ops-b", "treasury"), "short": ("ops-a",)}
POOL_OUTCOMES = ("OutputBelowMinimum", "PriceImpactTooHigh")
UNIT = local.UNIT


class ConversionHarness:
    def __init__(self, chain: FastChain) -> None:
        self.chain = chain
        self.scene = s = local.build(chain)
        self.holders = (s.trader, s.pool.address)
        self.totals = {t: sum(t.balanceOf(h) for h in self.holders) for t in (s.cw, s.gru)}
        self.executed: dict[str, str] = {}  # messageId -> quoteHash
        self.outcomes: Counter[str] = Counter()
        self.transitions = 0

    def reset(self) -> None:
        self.executed = {}

    def convert(self, amount: int, signers: str, fault: str, reverse: bool, pick: int) -> None:
        s = self.scene
        token_in, token_out = (s.gru, s.cw) if reverse else (s.cw, s.gru)
        if fault == "replay" and self.executed:
            message = sorted(self.executed)[pick % len(self.executed)]
            auth = s.auth(amount, token_in=token_in, token_out=token_out, messageId=message)
        else:
            over: dict[str, Any] = {
                "expired": {"deadline": self.chain.timestamp - 1},
                "over_long": {"deadline": self.chain.timestamp + 10 * local.DEADLINE_WINDOW},
                "unknown_issuer": {"quoteIssuer": str(s.admin)},
                "high_min_out": {"minAmountOut": amount * 2},
            }.get(fault, {})
            auth = s.auth(amount, token_in=token_in, token_out=token_out, **over)
        signatures = s.sign(auth, *SIGNER_SETS[signers])
        signer_addresses = [s.signer(n) for n in SIGNER_SETS[signers]]
        failures = cv.check_swap(auth, signatures, local.scene_view(s, auth, signer_addresses))
        expected = failures[0].rule if failures else None
        before = s.state(auth)
        in_before, out_before = token_in.balanceOf(s.trader), token_out.balanceOf(s.trader)
        self.transitions += 1
        try:
            receipt = s.convert(auth, signatures=signatures)
            got = None
        except Reverted as exc:
            got = exc.error.name
        self.outcomes[f"convert:{got or 'ok'}"] += 1
        if got != expected and not (expected is None and got in POOL_OUTCOMES):
            raise ModelMismatch(f"convert({amount}, {signers}, {fault}): expected {expected or 'success'}, "
                                f"got {got or 'success'}")
        if got is not None:
            if s.state(auth) != before:
                raise ModelMismatch(f"a refused conversion ({got}) moved something")
            return
        event = receipt.events("ConversionExecuted")[0].args
        paid, received = in_before - token_in.balanceOf(s.trader), token_out.balanceOf(s.trader) - out_before
        if paid != auth.amountIn or received != event["amountOut"] or received < auth.minAmountOut:
            raise ModelMismatch(f"conversion paid {paid} (signed {auth.amountIn}), received {received} "
                                f"(event {event['amountOut']}, minimum {auth.minAmountOut})")
        self.executed[auth.messageId] = auth.quoteHash

    def push_price(self, amount: int, reverse: bool) -> None:
        """A public swap straight through the real SwapRouter (anyone can move the pool)."""
        s = self.scene
        token_in, token_out = (s.gru, s.cw) if reverse else (s.cw, s.gru)
        self.transitions += 1
        before = s.state()
        try:
            s.swap_router.exactInputSingle((token_in.address, token_out.address, local.FEE, s.trader,
                                            uniswap.DEADLINE, amount, 0, 0), sender=s.trader)
        except Reverted as exc:
            # Uniswap's own refusal: 'SPL' once earlier swaps pushed the price to the end of the
            # liquidity (the price limit can no longer be crossed). Nothing may move.
            if str(exc.error) != "Error('SPL')" and exc.error.args != ("SPL",):
                raise
            if s.state() != before:
                raise ModelMismatch("a refused public swap moved something") from exc
            self.outcomes["publicSwap:SPL"] += 1
            return
        self.outcomes["publicSwap:ok"] += 1

    def reapprove_venue(self) -> None:
        s = self.scene
        self.transitions += 1
        s.approve_venue(s.venue_auth(), "ops-a", "compliance", "treasury")
        self.outcomes["approveVenue:ok"] += 1

    def check_invariants(self) -> None:
        s = self.scene
        for token, total in self.totals.items():
            held = sum(token.balanceOf(h) for h in self.holders)
            stray = token.balanceOf(s.router.address) + token.balanceOf(s.adapter.address)
            if held != total or stray:
                raise ModelMismatch(f"{token.symbol()}: trader + pool hold {held} (deployment {total}), "
                                    f"router + adapter hold {stray}")
        if self.executed:
            message = max(self.executed)
            if "0x" + bytes(s.router.quoteHashOf(message)).hex() != self.executed[message].lower():
                raise ModelMismatch(f"quoteHashOf({message}) lost its quote hash")


class ConversionSystem:
    name = "conversion"

    def __init__(self, chain: FastChain) -> None:
        self.harness = ConversionHarness(chain)

    def operations(self) -> dict[str, tuple[int, Callable[[random.Random], dict[str, Any]]]]:
        def amount(r: random.Random) -> int:
            return r.choice([UNIT, r.randint(1, 5_000) * UNIT, local.ELEVATED + UNIT, r.randint(1, 400_000) * UNIT])

        return {
            "convert": (6, lambda r: {"amount": amount(r), "reverse": r.random() < 0.4,
                                      "signers": r.choice(["base"] * 4 + ["elevated"] * 3 + ["no_compliance", "short"]),
                                      "fault": r.choice(["none"] * 8 + ["replay", "expired", "over_long",
                                                                        "unknown_issuer", "high_min_out"]),
                                      "pick": r.randint(0, 1_000)}),
            "push_price": (2, lambda r: {"amount": r.choice([UNIT, 1_000 * UNIT, 50_000 * UNIT, 300_000 * UNIT]),
                                         "reverse": r.random() < 0.5}),
            "reapprove_venue": (1, lambda r: {}),
        }

    def apply(self, op: str, args: dict[str, Any]) -> None:
        {"convert": self.harness.convert, "push_price": self.harness.push_price,
         "reapprove_venue": self.harness.reapprove_venue}[op](**args)

    def check(self) -> None:
        self.harness.check_invariants()

    def reset(self) -> None:
        self.harness.reset()

    def addresses(self) -> set[bytes]:
        s = self.harness.scene
        return {bytes.fromhex(str(c.address)[2:]) for c in (s.registry, s.coins, s.sanctions, s.router, s.adapter,
                                                            s.pool, s.swap_router, s.cw, s.gru)}
