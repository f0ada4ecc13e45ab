"""Each rule of DBISConversionRouter (spec v1.5 §2.3-§6) and of the Uniswap V3 venue adapter (§4.1)
refused on its own — the authorization is valid in every other respect — with its custom error and
nothing moved (balances, the real pool's price, the messageId record)."""

from __future__ import annotations

import pytest

from dbis import uniswap
from dbis.engine import reverts
from dbis.rail import conversion_local as local
from dbis.rail import typed_data as td
from tests.conversion.conftest import refused

UNIT = local.UNIT
SMALL = 1_000 * UNIT


def test_expired_deadline(scene) -> None:
    auth = scene.auth(SMALL)
    scene.chain.time_travel(61)
    with refused(scene, "AuthorizationExpired", auth.deadline, scene.chain.timestamp, auth=auth):
        scene.convert(auth, "ops-a", "ops-b")


def test_deadline_further_ahead_than_the_policy_window(scene) -> None:
    auth = scene.auth(SMALL, deadline=scene.chain.timestamp + local.DEADLINE_WINDOW + 1)
    with refused(scene, "DeadlineTooFar", auth.deadline, scene.chain.timestamp + local.DEADLINE_WINDOW, auth=auth):
        scene.convert(auth, "ops-a", "ops-b")


def test_wrong_chain_and_wrong_router(scene) -> None:
    auth = scene.auth(SMALL, chainId=1)
    with refused(scene, "WrongChainId", 138, 1, auth=auth):
        scene.convert(auth, "ops-a", "ops-b")
    auth = scene.auth(SMALL, verifyingContract=scene.adapter.address)
    with refused(scene, "WrongVerifyingContract", scene.router.address, scene.adapter.address, auth=auth):
        scene.convert(auth, "ops-a", "ops-b")


def test_unknown_venue(scene) -> None:
    venue = local.cv.venue_id("uniswap-v3:any-other-pool")
    auth = scene.auth(SMALL, venue=venue)
    with refused(scene, "UnknownVenue", bytes.fromhex(venue[2:]), auth=auth):
        scene.convert(auth, "ops-a", "ops-b")


def test_expired_venue_approval(scene) -> None:
    _, until, _ = scene.router.venueOf(local.VENUE)
    scene.chain.time_travel(until - scene.chain.timestamp + 1)
    auth = scene.auth(SMALL)
    with refused(scene, "VenueNotApproved", bytes.fromhex(local.VENUE[2:]), until, scene.chain.timestamp, auth=auth):
        scene.convert(auth, "ops-a", "ops-b")


def test_unknown_quote_issuer(scene) -> None:
    stranger = scene.chain.account("stranger-quote-desk")
    auth = scene.auth(SMALL, quote=scene.quote(SMALL, issuer=stranger))
    with refused(scene, "QuoteIssuerNotAllowed", stranger, auth=auth):
        scene.convert(auth, "ops-a", "ops-b")


@pytest.mark.parametrize("who,source", [("caller", "own"), ("caller", "oracle"), ("pool", "own"),
                                        ("pool", "oracle"), ("adapter", "own")])
def test_denylisted_caller_pool_and_venue(scene, who, source) -> None:
    account = {"caller": scene.trader, "pool": scene.pool.address, "adapter": scene.adapter.address}[who]
    if source == "own":
        scene.router.setDenylisted(account, True, sender=scene.admin)
    else:
        scene.sanctions.setSanctioned(account, True, sender=scene.admin)
    auth = scene.auth(SMALL)
    error = "AddressDenylisted" if source == "own" else "AddressSanctioned"
    with refused(scene, error, account, auth=auth):
        scene.convert(auth, "ops-a", "ops-b")


@pytest.mark.parametrize("side", ["tokenOut", "tokenIn"])
def test_suspended_stablecoin(scene, side) -> None:
    scene.coins.setStatus(local.GRU_ID, 2, sender=scene.admin)  # SUSPENDED
    pair = {"token_in": scene.cw, "token_out": scene.gru} if side == "tokenOut" else \
        {"token_in": scene.gru, "token_out": scene.cw}
    auth = scene.auth(SMALL, **pair)
    with refused(scene, "StablecoinNotActive", scene.gru.address, 2, auth=auth):
        scene.convert(auth, "ops-a", "ops-b")


def test_short_quorum(scene) -> None:
    auth = scene.auth(SMALL)
    with refused(scene, "QuorumNotMet", 1, 2, auth=auth):
        scene.convert(auth, "ops-a")


def test_large_swap_without_compliance(scene) -> None:
    auth = scene.auth(local.ELEVATED + 1)
    with refused(scene, "CategoriesNotCovered", 1 | 4, 2, auth=auth):
        scene.convert(auth, "ops-a", "ops-b", "treasury")
    with refused(scene, "QuorumNotMet", 2, 3, auth=auth):
        scene.convert(auth, "ops-a", "compliance")


def test_signature_by_another_message_or_signer_outside_the_registry(scene) -> None:
    auth, other = scene.auth(SMALL), scene.auth(SMALL)
    _, foreign = other.sign(scene.keys["ops-a"])  # over another authorization: recovers a stranger here
    stranger = td.recover(auth.digest(), foreign)
    sigs = local.cv.assemble([(stranger, foreign), auth.sign(scene.keys["ops-b"])])  # ascending as recovered
    with refused(scene, "UnknownSigner", stranger, auth=auth):
        scene.convert(auth, signatures=sigs)


def test_replayed_message_id(scene) -> None:
    auth = scene.auth(SMALL)
    scene.convert(auth, "ops-a", "ops-b")
    with refused(scene, "MessageIdUsed", bytes.fromhex(auth.messageId[2:]), auth=auth):
        scene.convert(auth, "ops-a", "ops-b")
    again = scene.auth(SMALL, messageId=auth.messageId)  # a fresh quote, same messageId
    with refused(scene, "MessageIdUsed", bytes.fromhex(auth.messageId[2:]), auth=again):
        scene.convert(again, "ops-a", "ops-b")


def test_output_below_min_amount_out_after_the_real_pool_moved(scene) -> None:
    auth = scene.auth(SMALL)  # minAmountOut: the 1:1 quote less 0.1 % spread and 50 bps slippage
    # A real public swap through the SwapRouter sells cWUSDC down to tick -80 (about -0.8 %).
    token_in = scene.cw.address
    limit = uniswap.sqrt_price_at_tick(-80 if int(scene.cw.address, 16) < int(scene.gru.address, 16) else 80)
    scene.swap_router.exactInputSingle((token_in, scene.gru.address, local.FEE, scene.trader, uniswap.DEADLINE,
                                        10**6 * UNIT, 0, limit), sender=scene.trader)
    before = scene.gru.balanceOf(scene.trader)
    with refused(scene, "OutputBelowMinimum", auth=auth) as _:
        scene.convert(auth, "ops-a", "ops-b")
    assert scene.gru.balanceOf(scene.trader) == before


def test_price_impact_over_the_venue_limit(scene) -> None:
    amount = 300_000 * UNIT  # about 1.5 % through the +-5 % position: over the 1 % limit
    auth = scene.auth(amount, minAmountOut=0)
    before = scene.state(auth)
    with reverts("PriceImpactTooHigh") as caught:
        scene.convert(auth, "ops-a", "compliance", "treasury")
    consumed, amount_in, limit = caught[0].error_args
    assert consumed < amount_in == amount and limit == local.MAX_IMPACT_BPS
    assert scene.state(auth) == before


def test_liquidity_under_the_venue_floor(scene) -> None:
    floor = scene.pool.liquidity() + 1
    thin = scene.chain.deploy("DBISUniswapV3VenueAdapter", scene.router.address, scene.pool.address, floor,
                              local.MAX_IMPACT_BPS, sender=scene.admin)
    venue = local.cv.venue_id("uniswap-v3:thin-floor")
    scene.approve_venue(scene.venue_auth(thin, venue=venue), "ops-a", "compliance", "treasury")
    scene.cw.approve(thin.address, 2**256 - 1, sender=scene.trader)
    auth = scene.auth(SMALL, venue=venue)
    with refused(scene, "LiquidityBelowFloor", floor - 1, floor, auth=auth):
        scene.convert(auth, "ops-a", "ops-b")


def test_adapter_takes_orders_only_from_its_router_and_pays_only_its_pool(scene) -> None:
    with reverts("NotRouter", scene.trader):
        scene.adapter.swap(scene.trader, scene.trader, scene.cw.address, scene.gru.address, SMALL, sender=scene.trader)
    with reverts("NotPool", scene.trader):
        scene.adapter.uniswapV3SwapCallback(SMALL, 0, b"\x00" * 12 + bytes.fromhex(scene.trader[2:]),
                                            sender=scene.trader)
