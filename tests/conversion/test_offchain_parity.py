"""The off-chain rule check (`dbis.rail.conversion.check_swap`, what the commands run before sending)
names the same rule the router reverts with, rule by rule, on the same chain state; and it passes
exactly when the router accepts."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from eth_account import Account

from dbis.engine import Reverted
from dbis.rail import conversion as cv
from dbis.rail import conversion_local as local

UNIT = local.UNIT
SMALL = 1_000 * UNIT


def _view(scene: local.ConversionScene, auth: cv.SwapAuthorization, signers: list[str]) -> cv.ConversionView:
    r = scene.router
    adapter, until, nonce = r.venueOf(auth.venue)
    known = int(str(adapter), 16) != 0
    pool = scene.chain.at("DBISUniswapV3VenueAdapter", adapter).pool() if known else None
    screened = [a for a in (str(scene.trader), str(adapter) if known else None, str(pool) if pool else None) if a]
    records = {}
    for s in signers:
        cats, eff, rev = scene.registry.signerOf(s)
        records[s] = cv.SignerRecord(cats, eff, rev)
    return cv.ConversionView(
        chain_id=138, router=str(r.address), block_number=scene.chain.block_number, timestamp=scene.chain.timestamp,
        caller=str(scene.trader), max_deadline_window=r.maxDeadlineWindow(), max_venue_approval=r.maxVenueApproval(),
        check_token_in=r.checkTokenIn(), message_used=int.from_bytes(r.quoteHashOf(auth.messageId), "big") != 0,
        venue_adapter=str(adapter) if known else None, venue_pool=str(pool) if pool else None,
        venue_approved_until=until, venue_nonce=nonce, issuer_allowed=r.quoteIssuerAllowed(auth.quoteIssuer),
        token_status={t.lower(): cv.TOKEN_STATUSES[scene.coins.statusOf(t)] for t in (auth.tokenIn, auth.tokenOut)},
        denylisted=frozenset(a.lower() for a in screened if r.denylisted(a)),
        sanctioned=frozenset(a.lower() for a in screened if scene.sanctions.isSanctioned(a)),
        elevated_threshold=r.elevatedThreshold(auth.tokenIn), signers=records,
        pool_liquidity=scene.pool.liquidity() if known else None,
        min_liquidity=scene.chain.at("DBISUniswapV3VenueAdapter", adapter).minLiquidity() if known else 0)


def _expired(s):
    a = s.auth(SMALL)
    s.chain.time_travel(61)
    return a, ("ops-a", "ops-b")


def _replayed(s):
    a = s.auth(SMALL)
    s.convert(a, "ops-a", "ops-b")
    return a, ("ops-a", "ops-b")


def _suspended(s):
    s.coins.setStatus(local.GRU_ID, 2, sender=s.admin)
    return s.auth(SMALL), ("ops-a", "ops-b")


def _denylisted(s):
    s.router.setDenylisted(s.trader, True, sender=s.admin)
    return s.auth(SMALL), ("ops-a", "ops-b")


def _sanctioned_pool(s):
    s.sanctions.setSanctioned(s.pool.address, True, sender=s.admin)
    return s.auth(SMALL), ("ops-a", "ops-b")


def _disabled(s):
    s.router.disableVenue(local.VENUE, sender=s.admin)
    return s.auth(SMALL), ("ops-a", "ops-b")


CASES: dict[str, Callable[[Any], tuple[cv.SwapAuthorization, tuple[str, ...]]]] = {
    "AuthorizationExpired": _expired,
    "DeadlineTooFar": lambda s: (s.auth(SMALL, deadline=s.chain.timestamp + 121), ("ops-a", "ops-b")),
    "WrongChainId": lambda s: (s.auth(SMALL, chainId=1), ("ops-a", "ops-b")),
    "UnknownVenue": lambda s: (s.auth(SMALL, venue=cv.venue_id("nope")), ("ops-a", "ops-b")),
    "VenueNotApproved": _disabled,
    "QuoteIssuerNotAllowed": lambda s: (s.auth(SMALL, quote=s.quote(SMALL, issuer=s.trader)), ("ops-a", "ops-b")),
    "StablecoinNotActive": _suspended,
    "AddressDenylisted": _denylisted,
    "AddressSanctioned": _sanctioned_pool,
    "QuorumNotMet": lambda s: (s.auth(SMALL), ("ops-a",)),
    "CategoriesNotCovered": lambda s: (s.auth(local.ELEVATED + 1), ("ops-a", "ops-b", "treasury")),
    "MessageIdUsed": _replayed,
    "accepted": lambda s: (s.auth(SMALL), ("ops-a", "ops-b")),
}


@pytest.mark.parametrize("rule", list(CASES))
def test_offchain_check_names_the_routers_rule(scene, rule) -> None:
    auth, names = CASES[rule](scene)
    sigs = scene.sign(auth, *names)
    failures = cv.check_swap(auth, sigs, _view(scene, auth, [Account.from_key(scene.keys[n]).address for n in names]))
    try:
        scene.convert(auth, signatures=sigs)
    except Reverted as exc:
        assert failures and failures[0].rule == exc.error.name == rule, (failures, exc.error)
    else:
        assert rule == "accepted" and failures == []
