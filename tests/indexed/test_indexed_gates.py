"""DBISEngineXIndexedLiquidityVault against a real Uniswap V3 pool: a proof at the peg is recorded
with the observed pool state; every gate, alone, refuses with its custom error and changes nothing."""

from __future__ import annotations

import pytest

from dbis import uniswap
from tests.indexed.conftest import OPERATOR_ROLE, POSITION, TICK_UPPER, UNIT, h

ZERO = b"\x00" * 32


def _event(receipt, vault) -> dict:
    [log] = list(vault.IndexedProofRecorded.from_receipt(receipt))
    return dict(log.event_arguments)


def test_proof_at_the_peg_is_recorded_with_the_pool_state(scene) -> None:
    vault = scene.vault()
    receipt = scene.record(vault, "p1", 5 * UNIT)
    ev = _event(receipt, vault)
    assert ev["proofId"] == h("p1") and ev["operator"] == scene.a["operator"].address
    assert (ev["spotTick"], ev["twapTick"]) == (0, 0)
    assert ev["liquidity"] == scene.liquidity() > 0
    assert ev["balance0"] == scene.token0.balanceOf(scene.pool) > 0
    assert ev["balance1"] == scene.token1.balanceOf(scene.pool) > 0
    assert (ev["publicSwapTxHash"], ev["liquidityTxHash"], ev["amount"]) == (h("p1/swap"), h("p1/liquidity"), 5 * UNIT)
    assert vault.proofIdUsed(h("p1"))


def test_twap_tick_is_recorded_when_a_window_is_set(scene) -> None:
    vault = scene.vault(twapWindow=60)
    scene.wait(120)
    ev = _event(scene.record(vault, "p1"), vault)
    assert (ev["spotTick"], ev["twapTick"]) == (0, 0)


@pytest.mark.parametrize("position", range(5))
def test_zero_hash_refused(scene, position: int) -> None:
    vault = scene.vault()
    args = [h("p1"), h("swap"), h("liq"), UNIT, h("iso"), h("audit")]
    args[[0, 1, 2, 4, 5][position]] = ZERO
    with scene.refused("ZeroHash"):
        vault.recordIndexedProof(*args, sender=scene.a["operator"])


def test_zero_amount_refused(scene) -> None:
    vault = scene.vault()
    with scene.refused("ZeroAmount"):
        scene.record(vault, "p1", 0)


def test_reused_proof_id_refused(scene) -> None:
    vault = scene.vault()
    scene.record(vault, "p1")
    with scene.refused("ProofIdAlreadyUsed", proofId=h("p1")):
        scene.record(vault, "p1", hashes=(h("a"), h("b"), h("c"), h("d")))


def test_amount_over_the_maximum_refused(scene) -> None:
    vault = scene.vault(maxProofAmount=2 * UNIT)
    scene.record(vault, "p1", 2 * UNIT)  # the boundary is accepted
    with scene.refused("ProofAmountAboveMax", amount=2 * UNIT + 1, maxProofAmount=2 * UNIT):
        scene.record(vault, "p2", 2 * UNIT + 1)


def test_spot_tick_drift_after_a_real_swap_refused(scene) -> None:
    vault = scene.vault()
    scene.swap_to_tick(10)
    assert scene.tick() == 10
    scene.record(vault, "p1")  # exactly maxTickDrift away: accepted
    scene.swap_to_tick(25)
    tick = scene.tick()
    assert tick == 25
    with scene.refused("SpotTickOutOfRange", spotTick=tick, parityTick=0, maxTickDrift=10):
        scene.record(vault, "p2")
    scene.swap_to_tick(-11)
    with scene.refused("SpotTickOutOfRange", spotTick=-11, parityTick=0, maxTickDrift=10):
        scene.record(vault, "p2")


def test_zero_in_range_liquidity_refused_the_2026_05_07_event(scene) -> None:
    """The runbook's live attempt: external swaps moved the pool out of the position's range and
    active liquidity fell to 0. A vault whose drift allows that tick still refuses on liquidity."""
    vault = scene.vault(maxTickDrift=1_000)
    assert scene.liquidity() > 0
    scene.swap_to_tick(TICK_UPPER + 30)  # external swap through the whole position and beyond
    assert scene.tick() == TICK_UPPER + 30 and scene.liquidity() == 0
    with scene.refused("InsufficientLiquidity", liquidity=0, minLiquidity=1):
        scene.record(vault, "p1")


def test_minimum_liquidity_above_the_pool_refused(scene) -> None:
    active = scene.liquidity()
    vault = scene.vault(minLiquidity=active + 1)
    with scene.refused("InsufficientLiquidity", liquidity=active, minLiquidity=active + 1):
        scene.record(vault, "p1")


@pytest.mark.parametrize("side", [0, 1])
def test_pool_balance_floor_refused(scene, side: int) -> None:
    token = (scene.token0, scene.token1)[side]
    balance = token.balanceOf(scene.pool)
    vault = scene.vault(**{f"minBalance{side}": balance + 1})
    with scene.refused("PoolBalanceBelowFloor", token=token.address, balance=balance, floor=balance + 1):
        scene.record(vault, "p1")
    at_floor = scene.vault(**{f"minBalance{side}": balance})
    scene.record(at_floor, "p1")


def test_non_operator_refused(scene) -> None:
    vault = scene.vault()
    with scene.refused("AccessControlUnauthorizedAccount", account=scene.a["stranger"], neededRole=OPERATOR_ROLE):
        scene.record(vault, "p1", sender=scene.a["stranger"])


def test_paused_refused_and_unpause_needs_the_admin(scene) -> None:
    vault = scene.vault()
    vault.pause(sender=scene.a["pauser"])
    with scene.refused("EnforcedPause"):
        scene.record(vault, "p1")
    with scene.reverts("AccessControlUnauthorizedAccount"):
        vault.unpause(sender=scene.a["pauser"])
    vault.unpause(sender=scene.a["admin"])
    scene.record(vault, "p1")


def test_twap_older_than_the_pool_history_refused(scene) -> None:
    vault = scene.vault(twapWindow=86_400)
    with scene.refused("TwapUnavailable", twapWindow=86_400):
        scene.record(vault, "p1")


def test_bad_configuration_refused(scene) -> None:
    admin = scene.a["admin"]
    with scene.reverts("InvalidPool", pool=scene.a["stranger"].address):
        scene.project.DBISEngineXIndexedLiquidityVault.deploy(
            scene.a["stranger"], admin, 0, [0, 10, 0, 1, 0, 0, 0], sender=admin)
    for bad in ([0, 10, 0, 0, 0, 0, 0], [887_273, 10, 0, 1, 0, 0, 0], [0, 887_273, 0, 1, 0, 0, 0]):
        with scene.reverts("InvalidLimits"):
            scene.project.DBISEngineXIndexedLiquidityVault.deploy(scene.pool, admin, 0, bad, sender=admin)


# ---------------------------------------------------------------------------- hostile pusher


def _hostile(scene, vault):
    """An allowlisted operator contract that pushes the price, records and pushes back in one tx."""
    admin = scene.a["admin"]
    pusher = scene.project.PricePushRecorder.deploy(scene.pool, vault, sender=admin)
    vault.grantRole(OPERATOR_ROLE, pusher, sender=admin)
    scene.cw.mint(pusher, 10**6 * UNIT, sender=admin)
    scene.usdc.mint(pusher, 10**6 * UNIT, sender=admin)
    return pusher


def _off_peg_for_a_while(scene) -> int:
    scene.swap_to_tick(30)  # the market moved off the peg (still inside the position) ...
    scene.wait(600)  # ... and stayed there
    return scene.tick()


def _push(scene, pusher):
    return pusher.pushRecordRestore(uniswap.PARITY_SQRT_PRICE_X96, h("push"), h("push/swap"), h("push/liq"), UNIT,
                                    h("push/iso"), h("push/audit"), sender=scene.a["stranger"])


def test_same_transaction_price_push_passes_a_spot_only_vault(scene) -> None:
    """Why the TWAP window exists: without it the momentary 1:1 price is recorded as evidence."""
    vault = scene.vault()
    pusher = _hostile(scene, vault)
    off = _off_peg_for_a_while(scene)
    receipt = _push(scene, pusher)
    ev = _event(receipt, vault)
    # Recorded at the peg (a downward swap that stops exactly on tick 0's price leaves slot0.tick at
    # -1, Uniswap's boundary convention), and the price is back off it once the transaction ends.
    assert ev["spotTick"] == -1 and ev["twapTick"] == -1 and scene.tick() == off


def test_same_transaction_price_push_refused_with_a_twap_window(scene) -> None:
    vault = scene.vault(twapWindow=300)
    pusher = _hostile(scene, vault)
    off = _off_peg_for_a_while(scene)
    with scene.refused("TwapTickOutOfRange", twapTick=off, parityTick=0, maxTickDrift=10):
        _push(scene, pusher)
    assert not vault.proofIdUsed(h("push"))


def test_twap_tick_rounds_toward_negative_infinity(scene) -> None:
    """A few seconds a few ticks below the peg at the end of a 60 s window: the tick cumulative delta is
    small, negative and not a multiple of the window, so the mean is -1 (Uniswap's OracleLibrary
    rounding), where truncation toward zero would have said 0."""
    vault = scene.vault(twapWindow=60)
    scene.wait(120)
    scene.swap_to_tick(-3)
    spot = scene.tick()
    scene.wait(5)
    ev = _event(scene.record(vault, "p1"), vault)
    assert spot < 0 and ev["spotTick"] == spot
    assert ev["twapTick"] == -1
