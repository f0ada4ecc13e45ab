"""Successful conversions through the real Uniswap V3 pool (2 signers small, 3 with COMPLIANCE large):
the caller pays exactly amountIn into the pool, receives the real output, nothing rests in the router
or the adapter, ConversionExecuted carries the spec §3.2 fields and quoteHash is stored. Venue
governance (§3.1, §6.3): 3 signers including COMPLIANCE to enable or re-approve, a signed approval is
used once, the router admin disables at once."""

from __future__ import annotations

from dbis.engine import reverts
from dbis.rail import conversion_local as local
from tests.conversion.conftest import refused

UNIT = local.UNIT


def _check_success(scene, auth, receipt) -> None:
    (log,) = receipt.events("ConversionExecuted")
    out = receipt.return_value
    assert log.args == {"messageId": bytes.fromhex(auth.messageId[2:]), "quoteHash": bytes.fromhex(auth.quoteHash[2:]),
                        "venue": bytes.fromhex(auth.venue[2:]), "tokenIn": auth.tokenIn, "tokenOut": auth.tokenOut,
                        "amountIn": auth.amountIn, "amountOut": out, "quoteIssuer": auth.quoteIssuer}
    assert out >= auth.minAmountOut
    assert scene.router.quoteHashOf(auth.messageId) == bytes.fromhex(auth.quoteHash[2:])


def _balances(scene):
    return {n: (scene.cw.balanceOf(a), scene.gru.balanceOf(a)) for n, a in
            (("trader", scene.trader), ("pool", scene.pool.address), ("router", scene.router.address),
             ("adapter", scene.adapter.address))}


def test_small_conversion_with_two_signers(scene) -> None:
    auth = scene.auth(1_000 * UNIT)
    before = _balances(scene)
    receipt = scene.convert(auth, "ops-a", "ops-b")
    _check_success(scene, auth, receipt)
    after = _balances(scene)
    out = receipt.return_value
    assert after["trader"] == (before["trader"][0] - auth.amountIn, before["trader"][1] + out)
    assert after["pool"] == (before["pool"][0] + auth.amountIn, before["pool"][1] - out)
    assert after["router"] == after["adapter"] == (0, 0)


def test_large_conversion_with_three_signers_including_compliance(scene) -> None:
    auth = scene.auth(local.ELEVATED + 1, token_in=scene.gru, token_out=scene.cw)  # the other direction
    receipt = scene.convert(auth, "ops-a", "compliance", "treasury")
    _check_success(scene, auth, receipt)


def test_the_two_signer_quorum_holds_up_to_the_threshold_exactly(scene) -> None:
    _check_success(scene, auth := scene.auth(local.ELEVATED), scene.convert(auth, "technical", "ops-b"))


def test_venue_approval_needs_three_signers_with_compliance(scene) -> None:
    venue = local.cv.venue_id("uniswap-v3:second")
    auth = scene.venue_auth(venue=venue)
    with reverts("CategoriesNotCovered", 1 | 4 | 8, 2):
        scene.approve_venue(auth, "ops-a", "treasury", "technical")
    with reverts("QuorumNotMet", 2, 3):
        scene.approve_venue(auth, "ops-a", "compliance")
    assert scene.router.venueOf(venue) == (local.uniswap.ZERO_ADDRESS, 0, 0)
    receipt = scene.approve_venue(auth, "ops-a", "compliance", "treasury")
    (log,) = receipt.events("VenueApproved")
    assert (log.args["adapter"], log.args["pool"], log.args["approvedUntil"], log.args["nonce"]) == \
        (scene.adapter.address, scene.pool.address, auth.approvedUntil, 0)
    assert scene.router.venueOf(venue) == (scene.adapter.address, auth.approvedUntil, 1)


def test_disable_is_immediate_and_an_old_approval_cannot_revive_the_venue(scene) -> None:
    old = scene.venue_auth(nonce=0)  # the approval build() used
    stranger = scene.chain.account("stranger")
    with reverts("AccessControlUnauthorizedAccount"):
        scene.router.disableVenue(local.VENUE, sender=stranger)
    scene.router.disableVenue(local.VENUE, sender=scene.admin)
    auth = scene.auth(1_000 * UNIT)
    with refused(scene, "VenueNotApproved", bytes.fromhex(local.VENUE[2:]), 0, scene.chain.timestamp, auth=auth):
        scene.convert(auth, "ops-a", "ops-b")
    with reverts("VenueNonceMismatch", bytes.fromhex(local.VENUE[2:]), 1, 0):
        scene.approve_venue(old, "ops-a", "compliance", "treasury")
    scene.approve_venue(scene.venue_auth(), "ops-a", "compliance", "treasury")  # re-approval, nonce 1
    _check_success(scene, auth, scene.convert(auth, "ops-a", "ops-b"))


def test_venue_approval_period_and_adapter_binding_are_checked(scene) -> None:
    too_long = scene.venue_auth(approved_for=local.VENUE_APPROVAL + 1)
    with reverts("ApprovalPeriodInvalid", too_long.approvedUntil, scene.chain.timestamp + local.VENUE_APPROVAL):
        scene.approve_venue(too_long, "ops-a", "compliance", "treasury")
    wrong_pool = scene.venue_auth(pool=scene.gru.address)
    with reverts("AdapterMismatch", scene.adapter.address, scene.gru.address):
        scene.approve_venue(wrong_pool, "ops-a", "compliance", "treasury")
    scene.router.setDenylisted(scene.pool.address, True, sender=scene.admin)
    with reverts("AddressDenylisted", scene.pool.address):
        scene.approve_venue(scene.venue_auth(), "ops-a", "compliance", "treasury")


def test_configuration_is_refused_when_invalid_and_admin_only(scene) -> None:
    c, a = scene.chain, scene.admin
    with reverts("ZeroValue"):
        c.deploy("DBISConversionRouter", a, scene.registry.address, scene.coins.address, local.uniswap.ZERO_ADDRESS,
                 0, local.VENUE_APPROVAL, False, sender=a)
    with reverts("ZeroValue"):
        c.deploy("DBISConversionRouter", a, scene.registry.address, scene.coins.address, local.uniswap.ZERO_ADDRESS,
                 120, 2**32, False, sender=a)
    for bps in (0, 10_000):
        with reverts("PriceImpactOutOfRange", bps):
            c.deploy("DBISUniswapV3VenueAdapter", scene.router.address, scene.pool.address, 0, bps, sender=a)
    stranger = c.account("stranger")
    for call in (lambda: scene.router.setQuoteIssuer(stranger, True, sender=stranger),
                 lambda: scene.router.setDenylisted(scene.trader, True, sender=stranger),
                 lambda: scene.router.setElevatedThreshold(scene.cw.address, 0, sender=stranger)):
        with reverts("AccessControlUnauthorizedAccount"):
            call()
    receipt = scene.router.setDenylisted(scene.trader, True, sender=a)
    assert receipt.events("DenylistSet")[0].args == {"account": scene.trader, "denylisted": True}
