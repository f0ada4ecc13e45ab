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
    signers = [Account.from_key(scene.keys[n]).address for n in names]
    failures = cv.check_swap(auth, sigs, local.scene_view(scene, auth, signers))
    try:
        scene.convert(auth, signatures=sigs)
    except Reverted as exc:
        assert failures and failures[0].rule == exc.error.name == rule, (failures, exc.error)
    else:
        assert rule == "accepted" and failures == []
