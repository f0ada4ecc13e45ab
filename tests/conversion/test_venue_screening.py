"""The venue record's denylist flag (issue 6 gas design): a conversion screens the venue's adapter and
pool against the router's own denylist through one bit of the venue record, which `setDenylisted`
keeps equal to "the adapter or the pool is denylisted" at every moment. These tests check that the
flag is exactly the per-swap denylist read it replaced: effective at once, lifted at once, per
address, and following a re-approval to another adapter."""

from __future__ import annotations

from dbis.rail import conversion_local as local
from tests.conversion.conftest import refused

SMALL = 1_000 * local.UNIT


def _deny(scene, account, listed: bool = True) -> None:
    scene.router.setDenylisted(account, listed, sender=scene.admin)


def reverts_denylisted(scene, account, auth):
    return refused(scene, "AddressDenylisted", account, auth=auth)


def _converts(scene) -> None:
    auth = scene.auth(SMALL)
    receipt = scene.convert(auth, "ops-a", "ops-b")
    assert receipt.return_value > 0


def test_denying_and_lifting_the_adapter_or_the_pool_takes_effect_at_once(scene) -> None:
    for account in (scene.adapter.address, scene.pool.address):
        _deny(scene, account)
        auth = scene.auth(SMALL)
        with refused(scene, "AddressDenylisted", account, auth=auth):
            scene.convert(auth, "ops-a", "ops-b")
        _deny(scene, account, False)
        _converts(scene)


def test_both_listed_then_one_lifted_still_refuses_with_the_other(scene) -> None:
    _deny(scene, scene.adapter.address)
    _deny(scene, scene.pool.address)
    auth = scene.auth(SMALL)
    with refused(scene, "AddressDenylisted", scene.adapter.address, auth=auth):  # the adapter is screened first
        scene.convert(auth, "ops-a", "ops-b")
    _deny(scene, scene.adapter.address, False)
    with refused(scene, "AddressDenylisted", scene.pool.address, auth=auth):
        scene.convert(auth, "ops-a", "ops-b")
    _deny(scene, scene.pool.address, False)
    _converts(scene)


def test_unrelated_denylist_entries_do_not_touch_the_venue(scene) -> None:
    _deny(scene, scene.chain.account("someone-else"))
    _deny(scene, scene.cw.address)  # a token of the pool, not its address
    _converts(scene)


def test_the_flag_follows_a_reapproval_to_another_adapter(scene) -> None:
    old = scene.adapter
    new = scene.chain.deploy("DBISUniswapV3VenueAdapter", scene.router.address, scene.pool.address,
                             local.MIN_LIQUIDITY, local.MAX_IMPACT_BPS, sender=scene.admin)
    _deny(scene, old.address)
    scene.approve_venue(scene.venue_auth(adapter=new), "ops-a", "compliance", "treasury")
    assert scene.router.venueOf(local.VENUE)[0] == new.address
    for token in (scene.cw, scene.gru):
        token.approve(new.address, 2**256 - 1, sender=scene.trader)
    _converts(scene)  # the old adapter's listing does not follow the venue to the new one
    _deny(scene, old.address, False)
    _deny(scene, old.address)
    _converts(scene)  # nor does re-listing it later
    _deny(scene, new.address)
    auth = scene.auth(SMALL)
    with reverts_denylisted(scene, new.address, auth):
        scene.convert(auth, "ops-a", "ops-b")
    _deny(scene, scene.pool.address)  # the pool stays the venue's: both listed now
    _deny(scene, new.address, False)
    with reverts_denylisted(scene, scene.pool.address, auth):
        scene.convert(auth, "ops-a", "ops-b")



def test_a_disabled_venue_keeps_its_flag_through_reapproval(scene) -> None:
    scene.router.disableVenue(local.VENUE, sender=scene.admin)
    _deny(scene, scene.pool.address)
    # the approval itself screens the pool: refused while it is listed
    with refused(scene, "AddressDenylisted", scene.pool.address):
        scene.approve_venue(scene.venue_auth(), "ops-a", "compliance", "treasury")
    _deny(scene, scene.pool.address, False)
    scene.approve_venue(scene.venue_auth(), "ops-a", "compliance", "treasury")
    _converts(scene)
