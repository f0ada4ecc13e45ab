"""The pure helpers of dbis.uniswap against v3-core's own constants (no chain)."""

from __future__ import annotations

import pytest

from dbis import uniswap

MIN_SQRT_RATIO = 4295128739  # TickMath.MIN_SQRT_RATIO
MAX_SQRT_RATIO = 1461446703485210103287273052203988822378723970342  # TickMath.MAX_SQRT_RATIO


def test_sqrt_price_at_tick_matches_tickmath_bounds_and_parity() -> None:
    assert uniswap.sqrt_price_at_tick(0) == uniswap.PARITY_SQRT_PRICE_X96 == 2**96
    assert uniswap.sqrt_price_at_tick(uniswap.MIN_TICK) == MIN_SQRT_RATIO
    assert uniswap.sqrt_price_at_tick(uniswap.MAX_TICK) == MAX_SQRT_RATIO
    with pytest.raises(ValueError):
        uniswap.sqrt_price_at_tick(uniswap.MAX_TICK + 1)


@pytest.mark.parametrize("tick", [-887_272, -50_001, -11, -1, 0, 1, 10, 50, 80, 276_324, 887_271])
def test_tick_at_sqrt_price_is_the_floor(tick: int) -> None:
    price = uniswap.sqrt_price_at_tick(tick)
    assert uniswap.tick_at_sqrt_price(price) == tick
    if tick > uniswap.MIN_TICK:
        assert uniswap.tick_at_sqrt_price(price - 1) == tick - 1


def test_pool_address_sorts_tokens_and_full_range_fits_the_spacing() -> None:
    factory = "0x1F98431c8aD98523631AE4a59f267346ea31F984"
    a, b = "0x" + "11" * 20, "0x" + "22" * 20
    assert uniswap.pool_address(factory, a, b, 100) == uniswap.pool_address(factory, b, a, 100)
    assert uniswap.pool_address(factory, a, b, 100) != uniswap.pool_address(factory, a, b, 500)
    assert uniswap.full_range(60) == (-887_220, 887_220) and uniswap.full_range(1) == (-887_272, 887_272)
    with pytest.raises(ValueError):
        uniswap.sort_tokens(a, a.upper().replace("0X", "0x"))
