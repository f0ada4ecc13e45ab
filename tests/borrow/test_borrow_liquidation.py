"""Liquidation: health gate, close factor, full close (deep underwater / dust), seize rounding,
bad debt, price freshness, pause, blacklisted borrower, USDT-style USDC."""

from __future__ import annotations

import pytest

from tests.unit.support import UINT256_MAX

from .conftest import BPS, PRICE_UNIT, UNIT, WAD, build_scene


def ceil_div(a, b):
    return -(-a // b)


def seize_of(repaid, px, bonus=500):
    """Reference: repaid x (1 + bonus), to XAUt at px, both rounded down (6/6 decimals)."""
    value = repaid * (BPS + bonus) // BPS
    return value * 10**14 // (px * 10**6)


def setup_position(s, who="alice", collateral=10 * UNIT, debt=14_000 * UNIT):
    s.deposit(who, collateral)
    s.borrow(who, debt)


def test_healthy_position_not_liquidatable(scene):
    v, a = scene.vault, scene.a
    setup_position(scene)
    hf = v.healthFactor(a["alice"])
    with scene.refused("NotLiquidatable", borrower=a["alice"], healthFactor=hf):
        v.liquidate(a["alice"], UNIT, sender=a["liquidator"])
    with scene.refused("NoDebt", borrower=a["bob"]):
        v.liquidate(a["bob"], UNIT, sender=a["liquidator"])
    with scene.refused("ZeroAmount"):
        v.liquidate(a["alice"], 0, sender=a["liquidator"])


def test_close_factor_caps_repay(scene):
    v, a = scene.vault, scene.a
    setup_position(scene)
    px = 1850 * PRICE_UNIT
    scene.walk_price(px)
    hf = v.healthFactor(a["alice"])
    assert 95 * WAD // 100 <= hf < WAD
    liq_usdc = scene.usdc.balanceOf(a["liquidator"])
    liq_xaut = scene.xaut.balanceOf(a["liquidator"])
    tx = v.liquidate(a["alice"], UINT256_MAX, sender=a["liquidator"])
    repaid = 7_000 * UNIT  # 50% close factor
    seized = seize_of(repaid, px)
    assert seized == 3_972_972  # 7,350 / 1,850 = 3.97297297..., rounded down
    ev = v.Liquidated.from_receipt(tx)[0]
    assert (ev.repaid, ev.seized, ev.healthFactorBefore) == (repaid, seized, hf)
    assert scene.usdc.balanceOf(a["liquidator"]) == liq_usdc - repaid
    assert scene.xaut.balanceOf(a["liquidator"]) == liq_xaut + seized
    assert scene.pos("alice") == (10 * UNIT - seized, 7_000 * UNIT, 7_000 * UNIT)
    assert v.totalCollateral() == 10 * UNIT - seized
    assert v.badDebt() == 0
    assert v.healthFactor(a["alice"]) > hf  # the liquidation improved the position


def test_partial_liquidation_below_cap(scene):
    v, a = scene.vault, scene.a
    setup_position(scene)
    scene.walk_price(1850 * PRICE_UNIT)
    v.liquidate(a["alice"], 1_000 * UNIT, sender=a["liquidator"])
    assert scene.pos("alice")[1] == 13_000 * UNIT
    assert scene.pos("alice")[0] == 10 * UNIT - seize_of(1_000 * UNIT, 1850 * PRICE_UNIT)


def test_full_close_when_deep_underwater(scene):
    v, a = scene.vault, scene.a
    setup_position(scene)
    px = 1650 * PRICE_UNIT
    scene.walk_price(px)
    assert v.healthFactor(a["alice"]) < 95 * WAD // 100
    v.liquidate(a["alice"], UINT256_MAX, sender=a["liquidator"])
    seized = seize_of(14_000 * UNIT, px)
    assert scene.pos("alice") == (10 * UNIT - seized, 0, 0)
    assert v.lenderUsdcIdle() == 1_000_000 * UNIT and v.badDebt() == 0


def test_full_close_for_dust(scene):
    v, a = scene.vault, scene.a
    setup_position(scene, collateral=UNIT, debt=1_400 * UNIT)  # debt < 2,000 USDC
    scene.walk_price(1850 * PRICE_UNIT)
    assert 95 * WAD // 100 <= v.healthFactor(a["alice"]) < WAD
    v.liquidate(a["alice"], UINT256_MAX, sender=a["liquidator"])
    assert scene.pos("alice")[1] == 0


def test_bad_debt_written_off(scene):
    v, a = scene.vault, scene.a
    setup_position(scene)
    v.setPriceParams((3600, 10_000, "0x" + "00" * 20, 0), sender=a["admin"])
    px = 1000 * PRICE_UNIT
    scene.set_price(px)
    liq_xaut = scene.xaut.balanceOf(a["liquidator"])
    tx = v.liquidate(a["alice"], UINT256_MAX, sender=a["liquidator"])
    repaid = ceil_div(10_000 * UNIT * BPS, BPS + 500)  # collateral value / 1.05, rounded up
    written = 14_000 * UNIT - repaid
    ev = v.Liquidated.from_receipt(tx)[0]
    assert (ev.repaid, ev.seized) == (repaid, 10 * UNIT)
    bad = v.BadDebtRecorded.from_receipt(tx)[0]
    assert (bad.amount, bad.totalBadDebt) == (written, written)
    assert scene.pos("alice") == (0, 0, 0)
    assert v.badDebt() == written and v.totalDebtShares() == 0 and v.totalCollateral() == 0
    assert scene.xaut.balanceOf(a["liquidator"]) == liq_xaut + 10 * UNIT
    # conservation: idle + outstanding + bad debt = funded
    assert v.lenderUsdcIdle() + v.totalDebt() + v.badDebt() == 1_000_000 * UNIT


def test_liquidation_needs_fresh_price_but_not_unpaused(scene, chain):
    v, a = scene.vault, scene.a
    setup_position(scene)
    scene.walk_price(1850 * PRICE_UNIT)
    v.pause(sender=a["pauser"])
    chain.mine(1, timestamp=v.ownerPriceUpdatedAt() + 3601)
    with scene.refused("StalePrice"):
        v.liquidate(a["alice"], UNIT, sender=a["liquidator"])
    scene.set_price(1850 * PRICE_UNIT)
    v.liquidate(a["alice"], UNIT, sender=a["liquidator"])  # paused: still allowed
    assert scene.pos("alice")[1] == 14_000 * UNIT - UNIT


@pytest.mark.parametrize("kind", ["blacklist", "noreturn"])
def test_token_hazards_full_cycle(project, chain, registry, actors, kind):
    s = build_scene(project, chain, registry, actors, usdc_kind=kind)
    v, a = s.vault, s.a
    setup_position(s)
    v.repay(1_000 * UNIT, sender=a["alice"])
    s.borrow("alice", 1_000 * UNIT)
    if kind == "blacklist":
        s.usdc.setBlacklisted(a["alice"], True, sender=a["admin"])
        with s.reverts("Blacklisted"):
            s.usdc.transfer(a["bob"], 1, sender=a["alice"])
    s.walk_price(1650 * PRICE_UNIT)
    liq_xaut = s.xaut.balanceOf(a["liquidator"])
    v.liquidate(a["alice"], UINT256_MAX, sender=a["liquidator"])
    seized = seize_of(14_000 * UNIT, 1650 * PRICE_UNIT)
    assert s.xaut.balanceOf(a["liquidator"]) == liq_xaut + seized
    assert s.pos("alice") == (10 * UNIT - seized, 0, 0)
    v.withdrawLenderUsdc(a["admin"], v.lenderUsdcIdle(), sender=a["admin"])
    assert v.lenderUsdcIdle() == 0 and s.usdc.balanceOf(v) == 0


def test_fee_on_transfer_usdc_refused(project, chain, registry, actors):
    """A USDC that charges on transfer is refused at funding (and every other inbound transfer)."""
    s = build_scene(project, chain, registry, actors)
    fot = project.FeeOnTransferERC20.deploy("USD Coin", "USDC", sender=actors["admin"])
    v = project.DBISEngineXXautUsdcBorrowVault.deploy(
        s.xaut, fot, actors["admin"], 0, (7000, 7500, 500, 5000, WAD, 10**12, 0),
        (3600, 1000, "0x" + "00" * 20, 0), sender=actors["admin"])
    v.grantRole(v.OPERATOR_ROLE(), actors["operator"], sender=actors["admin"])
    fot.mint(actors["operator"], 100 * UNIT, sender=actors["admin"])
    fot.approve(v, UINT256_MAX, sender=actors["operator"])
    fot.setFeeBps(10, sender=actors["admin"])
    with s.reverts("TransferAmountMismatch"):
        v.fundLender(100 * UNIT, sender=actors["operator"])
    assert v.lenderUsdcIdle() == 0


def value_of(collateral, px):
    """Reference: USDC value of `collateral` XAUt at `px`, rounded down (6/6 decimals)."""
    return collateral * px * 10**6 // 10**14


def test_dust_thresholds_scale_with_usdc_decimals(scene):
    assert scene.vault.dustThreshold() == 2_000 * UNIT
    assert scene.vault.minLeftover() == 1_000 * UNIT


def test_partial_liquidation_must_not_leave_dust_debt(scene):
    """Aave v3.3's "no dust left behind": a full close is allowed (health < 0.95), so a partial
    one must leave at least 1,000 USDC of debt; the liquidator repays all, or leaves enough."""
    v, a = scene.vault, scene.a
    setup_position(scene)
    px = 1650 * PRICE_UNIT
    scene.walk_price(px)
    assert v.healthFactor(a["alice"]) < 95 * WAD // 100
    repay = 13_500 * UNIT
    left = value_of(10 * UNIT - seize_of(repay, px), px)
    with scene.refused("MustNotLeaveDust", debtLeft=500 * UNIT, collateralValueLeft=left):
        v.liquidate(a["alice"], repay, sender=a["liquidator"])
    v.liquidate(a["alice"], 13_000 * UNIT, sender=a["liquidator"])  # leaves exactly 1,000 USDC
    assert scene.pos("alice")[1] == 1_000 * UNIT


def test_partial_liquidation_must_not_leave_dust_collateral(scene):
    v, a = scene.vault, scene.a
    setup_position(scene)
    px = 1450 * PRICE_UNIT
    scene.walk_price(px)
    repay = 12_900 * UNIT  # 1,100 USDC of debt left, but only ~955 USDC of collateral
    left = value_of(10 * UNIT - seize_of(repay, px), px)
    assert left < 1_000 * UNIT
    with scene.refused("MustNotLeaveDust", debtLeft=1_100 * UNIT, collateralValueLeft=left):
        v.liquidate(a["alice"], repay, sender=a["liquidator"])
    v.liquidate(a["alice"], UINT256_MAX, sender=a["liquidator"])  # the full close is open
    # 14,000 x 1.05 / 1,450 > 10 XAUt: all the collateral goes, the rest is bad debt
    assert scene.pos("alice") == (0, 0, 0)
    assert v.badDebt() == 14_000 * UNIT - ceil_div(value_of(10 * UNIT, px) * BPS, BPS + 500)


def test_close_factor_liquidation_never_hits_the_dust_rule(scene):
    """Under the 50% close factor (debt and value >= 2,000, health >= 0.95) the largest allowed
    repayment leaves >= 1,000 of debt and of collateral value: the dust rule never blocks it."""
    v, a = scene.vault, scene.a
    setup_position(scene, collateral=2 * UNIT, debt=2_800 * UNIT)
    scene.walk_price(1850 * PRICE_UNIT)
    assert 95 * WAD // 100 <= v.healthFactor(a["alice"]) < WAD
    v.liquidate(a["alice"], UINT256_MAX, sender=a["liquidator"])
    assert scene.pos("alice")[1] == 1_400 * UNIT
