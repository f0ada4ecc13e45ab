"""Chainlink-style feed: decimals, zero / negative / incomplete / stale / future / failing answers."""

from __future__ import annotations

import pytest

from .conftest import UNIT, ZERO_ADDRESS


@pytest.fixture
def feed(scene, project):
    f = project.MockAggregatorV3.deploy(18, sender=scene.a["admin"])
    f.setRoundData(5, 2000 * 10**18, 0, scene.now(), 5, sender=scene.a["admin"])
    scene.vault.setPriceParams((3600, 1000, f.address, 600), sender=scene.a["admin"])
    return f


def test_feed_price_used_and_scaled(scene, feed):
    v = scene.vault
    assert v.feedDecimals() == 18
    assert v.price() == 2000 * 10**8
    feed.setRoundData(6, 1234 * 10**18 + 999, 0, scene.now(), 6, sender=scene.a["admin"])
    assert v.price() == 1234 * 10**8  # scaled down, rounded down
    scene.deposit("alice", UNIT)
    scene.borrow("alice", 800 * UNIT)  # 1,234 x 70% = 863.8


def test_feed_low_decimals(scene, project):
    f = project.MockAggregatorV3.deploy(6, sender=scene.a["admin"])
    f.setRoundData(1, 2000 * 10**6, 0, scene.now(), 1, sender=scene.a["admin"])
    scene.vault.setPriceParams((3600, 1000, f.address, 600), sender=scene.a["admin"])
    assert scene.vault.price() == 2000 * 10**8


@pytest.mark.parametrize("case", ["zero", "negative", "incomplete", "no-update", "future", "broken"])
def test_bad_feed_answers(scene, feed, case):
    a, now = scene.a, scene.now()
    if case == "zero":
        feed.setRoundData(6, 0, 0, now, 6, sender=a["admin"])
    elif case == "negative":
        feed.setRoundData(6, -1, 0, now, 6, sender=a["admin"])
    elif case == "incomplete":
        feed.setRoundData(6, 2000 * 10**18, 0, now, 5, sender=a["admin"])
    elif case == "no-update":
        feed.setRoundData(6, 2000 * 10**18, 0, 0, 6, sender=a["admin"])
    elif case == "future":
        feed.setRoundData(6, 2000 * 10**18, 0, now + 1000, 6, sender=a["admin"])
    else:
        feed.setBroken(True, sender=a["admin"])
    with scene.reverts("PriceUnavailable"):
        scene.static("price")
    scene.deposit("alice", UNIT)
    with scene.refused("PriceUnavailable"):
        scene.borrow("alice", UNIT)


def test_stale_feed_blocks_borrow_withdraw_liquidate_not_repay(scene, feed, chain):
    v, a = scene.vault, scene.a
    scene.deposit("alice", 10 * UNIT)
    scene.borrow("alice", 1_000 * UNIT)
    updated = scene.now()
    feed.setRoundData(7, 2000 * 10**18, 0, updated, 7, sender=a["admin"])
    chain.mine(1, timestamp=updated + 601)
    with scene.reverts("StalePrice", updatedAt=updated, maxAge=600):
        scene.static("price")
    with scene.refused("StalePrice"):
        scene.borrow("alice", UNIT)
    with scene.refused("StalePrice"):
        v.withdrawCollateral(UNIT, a["alice"], sender=a["alice"])
    with scene.refused("StalePrice"):
        v.liquidate(a["alice"], UNIT, sender=a["liquidator"])
    v.repay(UNIT, sender=a["alice"])
    assert scene.pos("alice")[1] == 999 * UNIT


def test_feed_needs_max_age(scene, project):
    f = project.MockAggregatorV3.deploy(8, sender=scene.a["admin"])
    with scene.refused("InvalidPriceParams"):
        scene.vault.setPriceParams((3600, 1000, f.address, 0), sender=scene.a["admin"])
    scene.vault.setPriceParams((3600, 1000, ZERO_ADDRESS, 0), sender=scene.a["admin"])
    assert scene.vault.price() > 0


def test_feed_without_decimals_refused(scene):
    """A feed address that is not an aggregator (here an EOA) is refused when it is set."""
    with scene.refused("InvalidPriceParams"):
        scene.vault.setPriceParams((3600, 1000, scene.a["bob"].address, 60), sender=scene.a["admin"])
