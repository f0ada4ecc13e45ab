"""Edge arms of the conversion router and the Uniswap V3 venue adapter that the rule tests do not reach:
the Venue Authorization's own checks, the admin setters' zero address, a Swap Authorization with dirty
address words or zero identifiers, a venue adapter on the sanctions oracle, and the adapter driven
directly (an adapter deployed with an account as its router, over the scene's real pool or a fresh one):
its constructor, token pair and amount checks, a pool that owes nothing, a payer token that answers
`false`, and the price limit clamped inside the pool's bounds. Every refusal is asserted with its exact
error and arguments, and with nothing moved."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import replace

import pytest
from eth_account.messages import encode_typed_data

from dbis import uniswap
from dbis.engine import reverts
from dbis.rail import conversion_local as local
from tests.conversion.conftest import refused

UNIT = local.UNIT
SMALL = 1_000 * UNIT
ZERO32 = local.cv.ZERO32
MIN_SQRT_RATIO = 4295128739
MAX_SQRT_RATIO = 1461446703485210103287273052203988822378723970342
# Swap Authorization words (a static struct, in place after the selector)
TOKEN_IN_WORD = 3
APPROVAL_SIGNERS = ("ops-a", "compliance", "treasury")


# ------------------------------------------------------------------ helpers


def _venues(scene) -> tuple:
    return tuple(scene.router.venueOf(local.VENUE))


@contextmanager
def _venue_refused(scene, error, *args):
    """`refused`, and the venue record unchanged too."""
    before = _venues(scene)
    with refused(scene, error, *args):
        yield
    assert _venues(scene) == before


def _direct_adapter(scene, pool=None, min_liquidity=local.MIN_LIQUIDITY):
    """A venue adapter whose router is the scene's admin account (so the test can call `swap`)."""
    return scene.chain.deploy("DBISUniswapV3VenueAdapter", scene.admin, (pool or scene.pool).address, min_liquidity,
                              local.MAX_IMPACT_BPS, sender=scene.admin)


def _holdings(scene, tokens, pool, *holders):
    return {(str(t.address), str(h)): t.balanceOf(h) for t in tokens for h in (pool.address, *holders)}, \
        tuple(pool.slot0())


@contextmanager
def _adapter_refused(scene, tokens, pool, error, *args):
    """The block reverts with exactly `error(*args)`; no balance of `tokens` and no pool price moved."""
    before = _holdings(scene, tokens, pool, scene.admin, scene.trader)
    with reverts(error, *args):
        yield
    assert _holdings(scene, tokens, pool, scene.admin, scene.trader) == before, "a refused swap moved something"


# ------------------------------------------------------------------ router: views and venue governance


def test_domain_separator_is_the_eip712_domain_of_the_router_on_chain_138(scene) -> None:
    auth = scene.auth(SMALL)
    expected = encode_typed_data(full_message=auth.typed_data()).header
    assert scene.router.domainSeparator() == expected


def test_venue_authorization_for_another_chain_is_refused(scene) -> None:
    auth = scene.venue_auth(chainId=1)
    with _venue_refused(scene, "WrongChainId", local.CHAIN_ID, 1):
        scene.approve_venue(auth, *APPROVAL_SIGNERS)


def test_venue_authorization_past_its_deadline_is_refused(scene) -> None:
    auth = scene.venue_auth(deadline=scene.chain.timestamp - 1)
    with _venue_refused(scene, "AuthorizationExpired", auth.deadline, scene.chain.timestamp):
        scene.approve_venue(auth, *APPROVAL_SIGNERS)


def test_venue_authorization_with_a_zero_venue_id_is_refused(scene) -> None:
    auth = scene.venue_auth(venue=ZERO32)
    with _venue_refused(scene, "ZeroValue"):
        scene.approve_venue(auth, *APPROVAL_SIGNERS)
    assert scene.router.venueOf(ZERO32)[0] == uniswap.ZERO_ADDRESS


def test_venue_authorization_naming_an_adapter_without_code_is_refused(scene) -> None:
    auth = replace(scene.venue_auth(), adapter=str(scene.chain.account("not-a-contract")))
    with _venue_refused(scene, "ZeroValue"):
        scene.approve_venue(auth, *APPROVAL_SIGNERS)


# ------------------------------------------------------------------ router: admin setters


def test_quote_issuer_zero_address_is_refused(scene) -> None:
    with refused(scene, "ZeroValue"):
        scene.router.setQuoteIssuer(uniswap.ZERO_ADDRESS, True, sender=scene.admin)
    assert scene.router.quoteIssuerAllowed(uniswap.ZERO_ADDRESS) is False


def test_denylisting_the_zero_address_is_refused(scene) -> None:
    with refused(scene, "ZeroValue"):
        scene.router.setDenylisted(uniswap.ZERO_ADDRESS, True, sender=scene.admin)
    assert scene.router.denylisted(uniswap.ZERO_ADDRESS) is False


def test_elevated_threshold_for_the_zero_token_is_refused(scene) -> None:
    with refused(scene, "ZeroValue"):
        scene.router.setElevatedThreshold(uniswap.ZERO_ADDRESS, 1, sender=scene.admin)
    assert scene.router.elevatedThreshold(uniswap.ZERO_ADDRESS) == 0


# ------------------------------------------------------------------ router: Swap Authorization checks


def test_swap_authorization_with_dirty_address_bits_reverts_empty(scene) -> None:
    auth = scene.auth(SMALL)
    data = bytearray(scene.router.convert.encode(auth.as_abi(), scene.sign(auth, "ops-a", "ops-b")))
    data[4 + 32 * TOKEN_IN_WORD] = 0x01  # tokenIn's top byte: not a clean address
    before = scene.state(auth)
    with reverts() as caught:
        scene.chain.transact_raw(scene.router.address, bytes(data), sender=scene.trader)
    assert caught[0].error.name is None and caught[0].error.args == ()  # revert() with no data
    assert scene.state(auth) == before


@pytest.mark.parametrize("field", ["messageId", "quoteHash", "amountIn"])
def test_swap_authorization_with_a_zero_identifier_or_amount_is_refused(scene, field) -> None:
    auth = scene.auth(0) if field == "amountIn" else scene.auth(SMALL, **{field: ZERO32})
    with refused(scene, "ZeroValue", auth=auth):
        scene.convert(auth, "ops-a", "ops-b")


def test_venue_adapter_on_the_sanctions_oracle_is_refused(scene) -> None:
    scene.sanctions.setSanctioned(scene.adapter.address, True, sender=scene.admin)
    auth = scene.auth(SMALL)
    with refused(scene, "AddressSanctioned", scene.adapter.address, auth=auth):
        scene.convert(auth, "ops-a", "ops-b")


# ------------------------------------------------------------------ adapter: constructor and swap checks


def test_adapter_constructor_refuses_a_zero_router(scene) -> None:
    with reverts("ZeroValue"):
        scene.chain.deploy("DBISUniswapV3VenueAdapter", uniswap.ZERO_ADDRESS, scene.pool.address,
                           local.MIN_LIQUIDITY, local.MAX_IMPACT_BPS, sender=scene.admin)


def test_adapter_constructor_refuses_a_pool_without_code(scene) -> None:
    with reverts("ZeroValue"):
        scene.chain.deploy("DBISUniswapV3VenueAdapter", scene.router.address, scene.chain.account("no-pool"),
                           local.MIN_LIQUIDITY, local.MAX_IMPACT_BPS, sender=scene.admin)


@pytest.mark.parametrize("pair", ["token0-in-wrong-out", "neither-token-in"])
def test_adapter_refuses_a_token_pair_other_than_its_pool(scene, pair) -> None:
    direct = _direct_adapter(scene)
    token0 = direct.token0()
    stranger = str(scene.router.address)
    token_in, token_out = (token0, token0) if pair == "token0-in-wrong-out" else (stranger, token0)
    with _adapter_refused(scene, (scene.cw, scene.gru), scene.pool, "TokenPairMismatch", token_in, token_out):
        direct.swap(scene.trader, scene.trader, token_in, token_out, SMALL, sender=scene.admin)


def test_adapter_refuses_a_zero_amount(scene) -> None:
    direct = _direct_adapter(scene)
    with _adapter_refused(scene, (scene.cw, scene.gru), scene.pool, "ZeroValue"):
        direct.swap(scene.trader, scene.trader, direct.token0(), direct.token1(), 0, sender=scene.admin)


def test_adapter_refuses_an_amount_above_int256_max(scene) -> None:
    direct = _direct_adapter(scene)
    amount = 2**255
    with _adapter_refused(scene, (scene.cw, scene.gru), scene.pool, "AmountTooLarge", amount):
        direct.swap(scene.trader, scene.trader, direct.token1(), direct.token0(), amount, sender=scene.admin)


# ------------------------------------------------------------------ adapter: the pool callback


def test_a_pool_without_liquidity_owes_nothing_and_the_swap_is_refused(scene) -> None:
    factory = scene.chain.at(uniswap.FACTORY, scene.pool.factory())
    t0, t1 = uniswap.sort_tokens(str(scene.cw.address), str(scene.gru.address))
    factory.createPool(t0, t1, 500, sender=scene.admin)  # a second fee tier: initialised, never funded
    empty = scene.chain.at(uniswap.POOL, factory.getPool(t0, t1, 500))
    empty.initialize(uniswap.PARITY_SQRT_PRICE_X96, sender=scene.admin)
    assert empty.liquidity() == 0
    direct = _direct_adapter(scene, empty, min_liquidity=0)
    for token in (scene.cw, scene.gru):
        token.approve(direct.address, 2**256 - 1, sender=scene.trader)
    # the pool crosses an empty range to the price limit and calls back with (0, 0)
    with _adapter_refused(scene, (scene.cw, scene.gru), empty, "NothingOwed"):
        direct.swap(scene.trader, scene.trader, t1, t0, SMALL, sender=scene.admin)


def test_a_payer_token_answering_false_is_refused(scene) -> None:
    soft = scene.chain.deploy("FalseReturnERC20", "Soft-fail token", "SOFT", sender=scene.admin)
    pool, _ = local.deploy_uniswap(scene.chain, scene.admin, soft, scene.gru)
    direct = _direct_adapter(scene, pool)
    soft.mint(scene.trader, SMALL, sender=scene.admin)  # balance, but no allowance to the adapter
    with _adapter_refused(scene, (soft, scene.gru), pool, "SafeERC20FailedOperation", soft.address):
        direct.swap(scene.trader, scene.trader, soft.address, scene.gru.address, SMALL, sender=scene.admin)


def test_a_direct_swap_with_the_allowance_pays_the_pool_and_the_recipient(scene) -> None:
    """The same soft-fail token with the allowance: the swap completes (the refusal above is the token's answer)."""
    soft = scene.chain.deploy("FalseReturnERC20", "Soft-fail token", "SOFT", sender=scene.admin)
    pool, _ = local.deploy_uniswap(scene.chain, scene.admin, soft, scene.gru)
    direct = _direct_adapter(scene, pool)
    soft.mint(scene.trader, SMALL, sender=scene.admin)
    soft.approve(direct.address, SMALL, sender=scene.trader)
    before = _holdings(scene, (soft, scene.gru), pool, scene.trader)[0]
    receipt = direct.swap(scene.trader, scene.trader, soft.address, scene.gru.address, SMALL, sender=scene.admin)
    out = receipt.return_value
    assert 0 < out < SMALL
    moved = {k: v - before[k] for k, v in _holdings(scene, (soft, scene.gru), pool, scene.trader)[0].items()}
    trader, at_pool = str(scene.trader), str(pool.address)
    assert moved == {(str(soft.address), at_pool): SMALL, (str(soft.address), trader): -SMALL,
                     (str(scene.gru.address), at_pool): -out, (str(scene.gru.address), trader): out}


# ------------------------------------------------------------------ adapter: price limit bounds


def test_price_limit_selling_token0_never_goes_below_the_pool_minimum(scene) -> None:
    assert scene.adapter.priceLimit(MIN_SQRT_RATIO + 1, True) == MIN_SQRT_RATIO + 1


def test_price_limit_selling_token1_never_goes_above_the_pool_maximum(scene) -> None:
    assert scene.adapter.priceLimit(MAX_SQRT_RATIO - 1, False) == MAX_SQRT_RATIO - 1
