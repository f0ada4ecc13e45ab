"""DBISEngineXXautUsdcBorrowVault edges: token decimals bounds, the uint128 guards, feed scaling and
feed checks, liquidation and repayment rounding at one unit, collateral worth nothing, the
interest index overflow, the views' zero arms and the rescue of a third token.

Each refusal is checked as in the other borrow tests: the exact custom error with its arguments,
and the whole observable state (`scene.state()`) unchanged."""

from __future__ import annotations

import pytest

from tests.unit.support import ADMIN_DELAY, UINT128_MAX, UINT256_MAX

from .conftest import BPS, PRICE_PARAMS, PRICE_UNIT, RAY, RISK, UNIT, YEAR, ZERO_ADDRESS

BONUS_BPS = RISK[2]


def ceil_div(a, b):
    return -(-a // b)


def allow_any_price_move(s):
    """Let one owner price update move the price by up to 100% (down to any positive price)."""
    s.vault.setPriceParams((3600, 10_000, ZERO_ADDRESS, 0), sender=s.a["admin"])


def set_rate(s, rate_bps):
    """The suite's risk parameters with another fixed APR (accrues at the old rate first)."""
    s.vault.setRiskParams(RISK[:6] + (rate_bps,), sender=s.a["admin"])


def block_time(s, receipt):
    return s.chain.provider.web3.eth.get_block(receipt.block_number)["timestamp"]


def use_feed(s, feed, max_age=600):
    s.vault.setPriceParams((3600, 1000, feed.address, max_age), sender=s.a["admin"])


def setup_position(s, who="alice", collateral=10 * UNIT, debt=14_000 * UNIT):
    s.deposit(who, collateral)
    s.borrow(who, debt)


# ---------------------------------------------------------------------------- deploy


@pytest.mark.parametrize("which", ["xaut", "usdc"])
def test_constructor_refuses_a_token_with_19_decimals(scene, project, which):
    a = scene.a
    wide = project.TestERC20.deploy("Wide", "WIDE", 19, sender=a["admin"])
    xaut, usdc = (wide, scene.usdc) if which == "xaut" else (scene.xaut, wide)
    with scene.refused("UnsupportedToken", token=wide):
        project.DBISEngineXXautUsdcBorrowVault.deploy(
            xaut, usdc, a["admin"], ADMIN_DELAY, RISK, PRICE_PARAMS, sender=a["admin"])


def test_constructor_accepts_tokens_with_18_decimals(scene, project):
    a = scene.a
    xaut = project.TestERC20.deploy("Tether Gold", "XAUt", 18, sender=a["admin"])
    usdc = project.TestERC20.deploy("USD Coin", "USDC", 18, sender=a["admin"])
    v = project.DBISEngineXXautUsdcBorrowVault.deploy(
        xaut, usdc, a["admin"], ADMIN_DELAY, RISK, PRICE_PARAMS, sender=a["admin"])
    assert v.dustThreshold() == 2_000 * 10**18 and v.minLeftover() == 1_000 * 10**18


# ---------------------------------------------------------------------------- uint128 guards


def test_deposit_refuses_total_collateral_above_uint128(scene):
    v, a = scene.vault, scene.a
    scene.deposit("alice", 10 * UNIT)
    room = UINT128_MAX - 10 * UNIT
    scene.xaut.mint(a["bob"], room + 1, sender=a["admin"])
    with scene.refused("AmountTooLarge", amount=room + 1):
        scene.deposit("bob", room + 1)
    scene.deposit("bob", room)  # exactly up to the limit
    assert v.totalCollateral() == UINT128_MAX


def test_borrow_refuses_total_debt_shares_above_uint128(scene):
    """The share total is checked before the cap and the LTV: bob has no collateral at all."""
    v, a = scene.vault, scene.a
    setup_position(scene, debt=1_000 * UNIT)  # 1,000 USDC of shares at index 1e27
    top_up = UINT128_MAX - v.lenderUsdcIdle()
    scene.usdc.mint(a["operator"], top_up, sender=a["admin"])
    v.fundLender(top_up, sender=a["operator"])
    assert v.lenderUsdcIdle() == UINT128_MAX
    room = UINT128_MAX - v.totalDebtShares()
    with scene.refused("AmountTooLarge", amount=room + 1):
        scene.borrow("bob", room + 1)
    # one unit less fits in the share total and is refused by the cap instead
    with scene.refused("BorrowCapExceeded", totalDebtAfter=UINT128_MAX, cap=RISK[5]):
        scene.borrow("bob", room)


def test_fund_lender_refuses_idle_above_uint128(scene):
    v, a = scene.vault, scene.a
    room = UINT128_MAX - v.lenderUsdcIdle()
    scene.usdc.mint(a["operator"], room + 1, sender=a["admin"])
    with scene.refused("AmountTooLarge", amount=room + 1):
        v.fundLender(room + 1, sender=a["operator"])
    v.fundLender(room, sender=a["operator"])  # exactly up to the limit
    assert v.lenderUsdcIdle() == UINT128_MAX


def test_set_price_refuses_a_price_above_uint128(scene):
    with scene.refused("AmountTooLarge", amount=UINT128_MAX + 1):
        scene.set_price(UINT128_MAX + 1)


def test_interest_index_overflow_refused(scene, chain):
    """At the largest APR (100%), four accruals 800 years apart multiply the index by 801 each:
    801^4 > 2^128 / 1e27, so the fourth accrual refuses instead of truncating the index."""
    v, a = scene.vault, scene.a
    set_rate(scene, 10_000)
    setup_position(scene, debt=1_000 * UNIT)
    step = 800 * YEAR
    for _ in range(3):
        chain.pending_timestamp = v.lastAccrual() + step
        set_rate(scene, 10_000)  # accrues: index x (1 + 100% x 800 years)
    index = v.borrowIndex()
    assert index == RAY * 801**3
    updated = index + index * step // YEAR
    assert updated > UINT128_MAX
    chain.pending_timestamp = v.lastAccrual() + step
    before = scene.state()
    with scene.reverts("AmountTooLarge", amount=updated):
        set_rate(scene, 10_000)
    after = scene.state()
    # Nothing stored moved; only the `position` view's debt, which projects the index to the
    # latest block's time, reads higher once the failed transaction's block has moved the clock.
    changed = {k for k in before if before[k] != after[k]}
    assert changed <= {"position(alice)"}, changed
    assert after["position(alice)"][0::2] == before["position(alice)"][0::2]
    assert (v.borrowIndex(), v.lastAccrual()) == (index, before["lastAccrual"])


# ---------------------------------------------------------------------------- lender bucket / rescue


def test_withdraw_lender_usdc_refuses_zero_address_and_zero_amount(scene):
    v, a = scene.vault, scene.a
    with scene.refused("ZeroAddress"):
        v.withdrawLenderUsdc(ZERO_ADDRESS, UNIT, sender=a["admin"])
    with scene.refused("ZeroAmount"):
        v.withdrawLenderUsdc(a["admin"], 0, sender=a["admin"])


def test_rescue_of_a_third_token_takes_its_whole_balance(scene, project):
    """Neither XAUt nor USDC: nothing of it is accounted, all of it is surplus."""
    v, a = scene.vault, scene.a
    scene.deposit("alice", 10 * UNIT)
    other = project.TestERC20.deploy("Other", "OTH", 6, sender=a["admin"])
    other.mint(v, 7 * UNIT, sender=a["admin"])
    assert v.surplusOf(other) == 7 * UNIT
    before = scene.state()
    v.withdraw(other, a["stranger"], 7 * UNIT, sender=a["admin"])
    assert other.balanceOf(a["stranger"]) == 7 * UNIT
    assert other.balanceOf(v) == 0 and v.surplusOf(other) == 0
    assert scene.state() == before  # collateral, lender bucket and their balances untouched


# ---------------------------------------------------------------------------- feed


def test_feed_with_8_decimals_used_unscaled(scene, project):
    f = project.MockAggregatorV3.deploy(8, sender=scene.a["admin"])
    f.setRoundData(1, 1_234_56789012, 0, scene.now(), 1, sender=scene.a["admin"])
    use_feed(scene, f)
    assert scene.vault.feedDecimals() == 8
    assert scene.vault.price() == 1_234_56789012


@pytest.mark.parametrize("decimals, bad, good", [
    (18, 10**10 - 1, 10**10),                            # scaled to 0 / to 1
    (0, UINT128_MAX // 10**8 + 1, UINT128_MAX // 10**8),  # scaled above / within uint128
], ids=["scaled-to-zero", "scaled-above-uint128"])
def test_feed_answer_scaled_out_of_range_unavailable(scene, project, decimals, bad, good):
    a = scene.a
    f = project.MockAggregatorV3.deploy(decimals, sender=a["admin"])
    f.setRoundData(1, good, 0, scene.now(), 1, sender=a["admin"])
    use_feed(scene, f)
    assert scene.vault.price() == good * 10**8 // 10**decimals  # the last value in range
    f.setRoundData(2, bad, 0, scene.now(), 2, sender=a["admin"])
    with scene.reverts("PriceUnavailable"):
        scene.static("price")
    scene.deposit("alice", UNIT)
    with scene.refused("PriceUnavailable"):
        scene.borrow("alice", UNIT)


@pytest.mark.parametrize("mode", [0, 1, 2], ids=["decimals-reverts", "decimals-returns-nothing", "decimals-above-255"])
def test_feed_with_malformed_decimals_refused(scene, project, mode):
    """A contract (not an EOA) that answers rounds but whose decimals() reverts, returns no word or a
    word no uint8 holds: refused with InvalidPriceParams (not an undecodable empty revert)."""
    f = project.MalformedDecimalsFeed.deploy(mode, sender=scene.a["admin"])
    with scene.refused("InvalidPriceParams"):
        use_feed(scene, f)


def test_feed_decimals_above_36_refused(scene, project):
    a = scene.a
    with scene.refused("InvalidPriceParams"):
        use_feed(scene, project.MockAggregatorV3.deploy(37, sender=a["admin"]))
    f = project.MockAggregatorV3.deploy(36, sender=a["admin"])  # the largest accepted
    f.setRoundData(1, 2_000 * 10**36, 0, scene.now(), 1, sender=a["admin"])
    use_feed(scene, f)
    assert scene.vault.feedDecimals() == 36 and scene.vault.price() == 2_000 * PRICE_UNIT


# ---------------------------------------------------------------------------- views


def test_max_borrowable_is_zero_without_collateral_or_past_the_limit(scene):
    v, a = scene.vault, scene.a
    assert v.maxBorrowable(a["bob"]) == 0  # no collateral, no debt
    setup_position(scene)  # 14,000: the LTV limit at $2,000
    assert v.maxBorrowable(a["alice"]) == 0
    scene.walk_price(1_900 * PRICE_UNIT)  # limit 13,300 < debt 14,000
    assert v.maxBorrowable(a["alice"]) == 0


# ---------------------------------------------------------------------------- one-unit rounding


def test_repay_of_less_than_one_debt_share_refused(scene, chain):
    """At index 1.1 one USDC unit buys 0.9 share, rounded down to none: refused, not swallowed."""
    v, a = scene.vault, scene.a
    set_rate(scene, 1_000)
    scene.deposit("alice", 10 * UNIT)
    tx = scene.borrow("alice", 1_000 * UNIT)
    chain.pending_timestamp = block_time(scene, tx) + YEAR
    set_rate(scene, 0)  # a year at 10% accrued, then the index stays put
    assert v.borrowIndex() == RAY * 11 // 10
    with scene.refused("RepayTooSmall", amount=1):
        v.repay(1, sender=a["alice"])
    v.repay(2, sender=a["alice"])  # 2 / 1.1 = 1.8: one share
    assert scene.pos("alice")[2] == 1_000 * UNIT - 1


def test_liquidation_too_small_to_buy_one_collateral_unit_refused(scene):
    v, a = scene.vault, scene.a
    setup_position(scene)
    scene.walk_price(1_850 * PRICE_UNIT)
    # 1,761 x 1.05 = 1,849 USDC units: less than one XAUt unit at $1,850 (1,850 units)
    with scene.refused("RepayTooSmall", amount=1_761):
        v.liquidate(a["alice"], 1_761, sender=a["liquidator"])
    tx = v.liquidate(a["alice"], 1_762, sender=a["liquidator"])
    ev = v.Liquidated.from_receipt(tx)[0]
    assert (ev.repaid, ev.seized) == (1_762, 1)


def test_liquidation_repaying_less_than_one_debt_share_refused(scene, chain):
    """At $1 one USDC unit (x1.05) buys one XAUt unit, but at index 1.1 it burns no share."""
    v, a = scene.vault, scene.a
    allow_any_price_move(scene)
    set_rate(scene, 1_000)
    scene.xaut.mint(a["alice"], 1_000 * UNIT, sender=a["admin"])
    scene.deposit("alice", 2_000 * UNIT)
    tx = scene.borrow("alice", 1_800 * UNIT)
    chain.pending_timestamp = block_time(scene, tx) + YEAR
    set_rate(scene, 0)
    assert v.borrowIndex() == RAY * 11 // 10
    scene.set_price(PRICE_UNIT)  # debt 1,980, collateral worth 2,000: health 0.76
    with scene.refused("RepayTooSmall", amount=1):
        v.liquidate(a["alice"], 1, sender=a["liquidator"])
    tx = v.liquidate(a["alice"], 2, sender=a["liquidator"])  # one share
    ev = v.Liquidated.from_receipt(tx)[0]
    assert (ev.repaid, ev.seized) == (2, 2)
    assert scene.pos("alice")[0::2] == (2_000 * UNIT - 2, 1_800 * UNIT - 1)


def test_liquidation_repaying_exactly_what_the_collateral_covers_takes_it_all(scene):
    """The repayment that buys exactly all the collateral is not cut; one unit less leaves one
    XAUt unit behind, which the dust rule refuses."""
    v, a = scene.vault, scene.a
    setup_position(scene)
    allow_any_price_move(scene)
    scene.set_price(1_000 * PRICE_UNIT)  # 10 XAUt worth 10,000 against 14,000 of debt
    coverable = ceil_div(10_000 * UNIT * BPS, BPS + BONUS_BPS)  # 9,523.809524
    debt_left = 14_000 * UNIT - (coverable - 1)
    with scene.refused("MustNotLeaveDust", debtLeft=debt_left, collateralValueLeft=1_000):
        v.liquidate(a["alice"], coverable - 1, sender=a["liquidator"])
    liq_usdc = scene.usdc.balanceOf(a["liquidator"])
    tx = v.liquidate(a["alice"], coverable, sender=a["liquidator"])
    ev = v.Liquidated.from_receipt(tx)[0]
    assert (ev.repaid, ev.seized) == (coverable, 10 * UNIT)
    assert scene.usdc.balanceOf(a["liquidator"]) == liq_usdc - coverable
    assert scene.pos("alice") == (0, 0, 0)
    assert v.badDebt() == 14_000 * UNIT - coverable


def test_liquidation_of_collateral_worth_nothing_pays_nothing(scene):
    """At 1e-8 USD per XAUt, 10 XAUt are worth 0 USDC units (rounded down): the liquidator takes
    them for no USDC at all (no USDC transfer) and the whole debt is written off."""
    v, a = scene.vault, scene.a
    setup_position(scene)
    allow_any_price_move(scene)
    scene.set_price(1)
    liq_usdc = scene.usdc.balanceOf(a["liquidator"])
    liq_xaut = scene.xaut.balanceOf(a["liquidator"])
    tx = v.liquidate(a["alice"], UINT256_MAX, sender=a["liquidator"])
    ev = v.Liquidated.from_receipt(tx)[0]
    assert (ev.repaid, ev.seized, ev.healthFactorBefore) == (0, 10 * UNIT, 0)
    bad = v.BadDebtRecorded.from_receipt(tx)[0]
    assert (bad.amount, bad.totalBadDebt) == (14_000 * UNIT, 14_000 * UNIT)
    assert scene.usdc.Transfer.from_receipt(tx) == []
    assert scene.usdc.balanceOf(a["liquidator"]) == liq_usdc
    assert scene.xaut.balanceOf(a["liquidator"]) == liq_xaut + 10 * UNIT
    assert scene.pos("alice") == (0, 0, 0)
    assert v.totalCollateral() == 0 and v.totalDebtShares() == 0
