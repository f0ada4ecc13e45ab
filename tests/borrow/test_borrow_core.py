"""DBISEngineXXautUsdcBorrowVault: deploy, collateral, borrow, repay, lender bucket, rescue, pause."""

from __future__ import annotations

import pytest

from tests.unit.support import ADMIN_DELAY, UINT256_MAX, h

from .conftest import (
    BPS, FUNDED, PRICE, PRICE_PARAMS, RAY, RISK, UNIT, WAD, YEAR, ZERO_ADDRESS, build_scene,
)

MAX_AT_PRICE = 14_000 * UNIT  # 10 XAUt x $2,000 x 70% LTV


# ---------------------------------------------------------------------------- deploy / params

def test_deploy_state(scene):
    v = scene.vault
    assert tuple(v.riskParams()) == RISK
    assert tuple(v.priceParams())[:2] == PRICE_PARAMS[:2]
    assert v.borrowIndex() == RAY
    assert v.lenderUsdcIdle() == FUNDED
    assert v.price() == PRICE
    assert v.healthFactor(scene.a["alice"]) == UINT256_MAX


BAD_RISK = [
    (0, 7500, 500, 5000, WAD, 1, 0),          # ltv 0
    (7500, 7500, 500, 5000, WAD, 1, 0),       # ltv == threshold
    (7000, 10000, 0, 5000, WAD, 1, 0),        # threshold 100%
    (7000, 9600, 500, 5000, WAD, 1, 0),       # 9600 * 1.05 >= 100%
    (7000, 7500, 500, 5000, WAD - 1, 1, 0),   # min HF < 1
    (7000, 7500, 500, 0, WAD, 1, 0),          # close factor 0
    (7000, 7500, 500, 10001, WAD, 1, 0),      # close factor > 100%
    (7000, 7500, 500, 5000, WAD, 1, 10001),   # rate > max
]


@pytest.mark.parametrize("risk", BAD_RISK)
def test_set_risk_params_bounds(scene, risk):
    with scene.refused("InvalidRiskParams"):
        scene.vault.setRiskParams(risk, sender=scene.a["admin"])


def test_constructor_refuses_bad_params(scene, project):
    a = scene.a
    with scene.reverts("InvalidRiskParams"):
        project.DBISEngineXXautUsdcBorrowVault.deploy(
            scene.xaut, scene.usdc, a["admin"], ADMIN_DELAY, BAD_RISK[3], PRICE_PARAMS, sender=a["admin"])
    with scene.reverts("InvalidPriceParams"):
        project.DBISEngineXXautUsdcBorrowVault.deploy(
            scene.xaut, scene.usdc, a["admin"], ADMIN_DELAY, RISK, (0, 1000, ZERO_ADDRESS, 0), sender=a["admin"])
    with scene.reverts("UnsupportedToken"):
        project.DBISEngineXXautUsdcBorrowVault.deploy(
            scene.usdc, scene.usdc, a["admin"], ADMIN_DELAY, RISK, PRICE_PARAMS, sender=a["admin"])
    with scene.reverts("ZeroAddress"):
        project.DBISEngineXXautUsdcBorrowVault.deploy(
            ZERO_ADDRESS, scene.usdc, a["admin"], ADMIN_DELAY, RISK, PRICE_PARAMS, sender=a["admin"])


def test_set_risk_params_ok_and_role(scene):
    new = (6000, 8000, 1000, 10000, 2 * WAD, 7, 100)
    scene.vault.setRiskParams(new, sender=scene.a["admin"])
    assert tuple(scene.vault.riskParams()) == new
    with scene.refused("AccessControlUnauthorizedAccount"):
        scene.vault.setRiskParams(RISK, sender=scene.a["stranger"])


@pytest.mark.parametrize("params", [(0, 1000, ZERO_ADDRESS, 0), (3600, 0, ZERO_ADDRESS, 0),
                                    (3600, 10001, ZERO_ADDRESS, 0)])
def test_set_price_params_bounds(scene, params):
    with scene.refused("InvalidPriceParams"):
        scene.vault.setPriceParams(params, sender=scene.a["admin"])


# ---------------------------------------------------------------------------- owner price

def test_set_price_move_limit(scene):
    v = scene.vault
    with scene.refused("PriceMoveTooLarge", oldPrice=PRICE, newPrice=PRICE * 11 // 10 + 1, maxMoveBps=1000):
        scene.set_price(PRICE * 11 // 10 + 1)
    with scene.refused("PriceMoveTooLarge"):
        scene.set_price(PRICE * 9 // 10 - 1)
    scene.set_price(PRICE * 11 // 10)  # exactly 10%: allowed
    assert v.ownerPrice() == PRICE * 11 // 10
    with scene.refused("ZeroPrice"):
        scene.set_price(0)
    with scene.refused("AccessControlUnauthorizedAccount"):
        v.setPrice(PRICE, sender=scene.a["stranger"])


def test_first_price_unbounded_and_missing_price(scene, project, chain, registry):
    a = scene.a
    v = project.DBISEngineXXautUsdcBorrowVault.deploy(
        scene.xaut, scene.usdc, a["admin"], ADMIN_DELAY, RISK, PRICE_PARAMS, sender=a["admin"])
    fresh = type(scene)(project, chain, registry, v, scene.xaut, scene.usdc, scene.a)
    with fresh.reverts("PriceUnavailable"):
        fresh.static("price")
    v.grantRole(v.PRICE_UPDATER_ROLE(), a["pricer"], sender=a["admin"])
    v.setPrice(1, sender=a["pricer"])
    assert v.price() == 1


def test_stale_owner_price(scene, chain):
    set_at = scene.vault.ownerPriceUpdatedAt()
    chain.mine(1, timestamp=set_at + 3601)
    with scene.reverts("StalePrice", updatedAt=set_at, maxAge=3600):
        scene.static("price")


# ---------------------------------------------------------------------------- collateral

def test_deposit_and_withdraw(scene):
    v, a = scene.vault, scene.a
    tx = scene.deposit("alice", 10 * UNIT)
    assert scene.pos("alice") == (10 * UNIT, 0, 0)
    assert v.totalCollateral() == 10 * UNIT
    assert v.CollateralDeposited.from_receipt(tx)[0].newCollateral == 10 * UNIT
    before = scene.xaut.balanceOf(a["bob"])
    v.withdrawCollateral(4 * UNIT, a["bob"], sender=a["alice"])
    assert scene.xaut.balanceOf(a["bob"]) == before + 4 * UNIT
    assert scene.pos("alice")[0] == 6 * UNIT and v.totalCollateral() == 6 * UNIT


def test_deposit_refusals(scene):
    with scene.refused("ZeroAmount"):
        scene.deposit("alice", 0)
    scene.vault.pause(sender=scene.a["pauser"])
    with scene.refused("EnforcedPause"):
        scene.deposit("alice", UNIT)


def test_fee_on_transfer_collateral_refused(project, chain, registry, actors):
    fot = project.FeeOnTransferERC20.deploy("Tether Gold", "XAUt", sender=actors["admin"])
    s = build_scene(project, chain, registry, actors, xaut=fot)
    fot.setFeeBps(100, sender=actors["admin"])
    with s.refused("TransferAmountMismatch", token=fot, expected=UNIT, received=UNIT * 99 // 100):
        s.deposit("alice", UNIT)


def test_withdraw_refusals(scene, chain):
    v, a = scene.vault, scene.a
    scene.deposit("alice", 10 * UNIT)
    with scene.refused("InsufficientCollateral", requested=10 * UNIT + 1, available=10 * UNIT):
        v.withdrawCollateral(10 * UNIT + 1, a["alice"], sender=a["alice"])
    with scene.refused("ZeroAmount"):
        v.withdrawCollateral(0, a["alice"], sender=a["alice"])
    with scene.refused("ZeroAddress"):
        v.withdrawCollateral(1, ZERO_ADDRESS, sender=a["alice"])
    with scene.refused("InvalidRecipient"):
        v.withdrawCollateral(1, v, sender=a["alice"])
    scene.borrow("alice", 7_000 * UNIT)  # half the LTV room
    # 5 XAUt left = $10,000 x 70% = 7,000: exactly at the limit is allowed, one unit more is not
    with scene.refused("LtvExceeded", debtAfter=7_000 * UNIT, maxDebt=6_999_998_600):
        v.withdrawCollateral(5 * UNIT + 1, a["alice"], sender=a["alice"])
    v.withdrawCollateral(5 * UNIT, a["alice"], sender=a["alice"])
    v.pause(sender=a["pauser"])
    with scene.refused("EnforcedPause"):
        v.withdrawCollateral(1, a["alice"], sender=a["alice"])
    v.unpause(sender=a["admin"])
    chain.mine(1, timestamp=v.ownerPriceUpdatedAt() + 3601)
    with scene.refused("StalePrice"):
        v.withdrawCollateral(1, a["alice"], sender=a["alice"])


def test_withdraw_without_debt_needs_no_price(scene, chain):
    scene.deposit("alice", UNIT)
    chain.mine(1, timestamp=scene.vault.ownerPriceUpdatedAt() + 7200)
    scene.vault.withdrawCollateral(UNIT, scene.a["alice"], sender=scene.a["alice"])
    assert scene.pos("alice")[0] == 0


# ---------------------------------------------------------------------------- borrow

def test_borrow_at_ltv_limit(scene):
    v, a = scene.vault, scene.a
    scene.deposit("alice", 10 * UNIT)
    assert v.maxBorrowable(a["alice"]) == MAX_AT_PRICE
    before = scene.usdc.balanceOf(a["alice"])
    tx = scene.borrow("alice", MAX_AT_PRICE)
    assert scene.usdc.balanceOf(a["alice"]) == before + MAX_AT_PRICE
    assert scene.pos("alice") == (10 * UNIT, MAX_AT_PRICE, MAX_AT_PRICE)
    assert v.lenderUsdcIdle() == FUNDED - MAX_AT_PRICE
    assert v.totalDebt() == MAX_AT_PRICE
    assert v.Borrowed.from_receipt(tx)[0].newDebt == MAX_AT_PRICE
    # HF = 20,000 x 0.75 / 14,000
    assert v.healthFactor(a["alice"]) == 20_000 * 7500 * WAD // (14_000 * BPS)
    with scene.refused("LtvExceeded", debtAfter=MAX_AT_PRICE + 1, maxDebt=MAX_AT_PRICE):
        scene.borrow("alice", 1)


def test_borrow_refusals(scene, chain):
    v, a = scene.vault, scene.a
    scene.deposit("alice", 500 * UNIT)  # $1,000,000 of collateral
    with scene.refused("ZeroAmount"):
        scene.borrow("alice", 0)
    with scene.refused("ZeroAddress"):
        v.borrow(1, ZERO_ADDRESS, sender=a["alice"])
    with scene.refused("InvalidRecipient"):
        v.borrow(1, v, sender=a["alice"])
    with scene.refused("BorrowCapExceeded", totalDebtAfter=500_000 * UNIT + 1, cap=500_000 * UNIT):
        scene.borrow("alice", 500_000 * UNIT + 1)
    v.withdrawLenderUsdc(a["admin"], FUNDED - 100 * UNIT, sender=a["admin"])
    with scene.refused("InsufficientLenderUsdc", requested=100 * UNIT + 1, available=100 * UNIT):
        scene.borrow("alice", 100 * UNIT + 1)
    v.pause(sender=a["pauser"])
    with scene.refused("EnforcedPause"):
        scene.borrow("alice", UNIT)
    v.unpause(sender=a["admin"])
    chain.mine(1, timestamp=v.ownerPriceUpdatedAt() + 3601)
    with scene.refused("StalePrice"):
        scene.borrow("alice", UNIT)


def test_borrow_min_health_factor(scene):
    v, a = scene.vault, scene.a
    v.setRiskParams((7000, 7500, 500, 5000, 12 * WAD // 10, 500_000 * UNIT, 0), sender=a["admin"])
    scene.deposit("alice", 10 * UNIT)
    limit = 20_000 * UNIT * 7500 * 10 // (BPS * 12)  # value x threshold / 1.2 = 12,500
    assert v.maxBorrowable(a["alice"]) == limit
    with scene.refused("HealthFactorTooLow"):
        scene.borrow("alice", limit + 1)
    scene.borrow("alice", limit)


# ---------------------------------------------------------------------------- repay

def test_repay_partial_full_and_max(scene):
    v, a = scene.vault, scene.a
    scene.deposit("alice", 10 * UNIT)
    scene.borrow("alice", 1_000 * UNIT)
    tx = v.repay(400 * UNIT, sender=a["alice"])
    assert v.Repaid.from_receipt(tx)[0].newDebt == 600 * UNIT
    assert scene.pos("alice")[1] == 600 * UNIT
    before = scene.usdc.balanceOf(a["alice"])
    v.repay(UINT256_MAX, sender=a["alice"])
    assert scene.usdc.balanceOf(a["alice"]) == before - 600 * UNIT
    assert scene.pos("alice") == (10 * UNIT, 0, 0)
    assert v.lenderUsdcIdle() == FUNDED and v.totalDebtShares() == 0
    with scene.refused("NoDebt", borrower=a["alice"]):
        v.repay(1, sender=a["alice"])
    with scene.refused("ZeroAmount"):
        v.repay(0, sender=a["alice"])


def test_repay_allowed_while_paused_and_stale(scene, chain):
    v, a = scene.vault, scene.a
    scene.deposit("alice", 10 * UNIT)
    scene.borrow("alice", 1_000 * UNIT)
    v.pause(sender=a["pauser"])
    chain.mine(1, timestamp=v.ownerPriceUpdatedAt() + 10_000)
    v.repay(100 * UNIT, sender=a["alice"])
    v.repayFor(a["alice"], 100 * UNIT, sender=a["bob"])
    assert scene.pos("alice")[1] == 800 * UNIT


def test_repay_for(scene):
    v, a = scene.vault, scene.a
    scene.deposit("alice", 10 * UNIT)
    scene.borrow("alice", 1_000 * UNIT)
    alice_usdc = scene.usdc.balanceOf(a["alice"])
    bob_usdc = scene.usdc.balanceOf(a["bob"])
    v.repayFor(a["alice"], 5_000 * UNIT, sender=a["bob"])  # capped at the debt
    assert scene.usdc.balanceOf(a["bob"]) == bob_usdc - 1_000 * UNIT
    assert scene.usdc.balanceOf(a["alice"]) == alice_usdc
    assert scene.pos("alice")[1] == 0
    with scene.refused("ZeroAddress"):
        v.repayFor(ZERO_ADDRESS, 1, sender=a["bob"])


def test_repay_with_proof(scene):
    v, a = scene.vault, scene.a
    scene.deposit("alice", 10 * UNIT)
    scene.borrow("alice", 1_000 * UNIT)
    swap, proof = h("swap-tx"), h("proof-1")
    scene.proofs.extend([proof, h("proof-2")])
    tx = v.repayWithProof(a["alice"], 300 * UNIT, swap, proof, sender=a["bob"])
    ev = v.RepaidWithProof.from_receipt(tx)[0]
    assert (ev.borrower, ev.payer, ev.amount) == (a["alice"].address, a["bob"].address, 300 * UNIT)
    assert bytes(ev.proofHash) == proof and bytes(ev.publicSwapTxHash) == swap
    assert bytes(v.repaymentProofs(proof)) == swap
    assert scene.pos("alice")[1] == 700 * UNIT
    with scene.refused("ProofAlreadyUsed", proofHash=proof):
        v.repayWithProof(a["alice"], 1, swap, proof, sender=a["bob"])
    with scene.refused("ZeroHash"):
        v.repayWithProof(a["alice"], 1, b"\x00" * 32, h("proof-2"), sender=a["bob"])
    with scene.refused("ZeroHash"):
        v.repayWithProof(a["alice"], 1, swap, b"\x00" * 32, sender=a["bob"])
    with scene.refused("NoDebt"):
        v.repayWithProof(a["bob"], 1, swap, h("proof-2"), sender=a["bob"])


# ---------------------------------------------------------------------------- interest

def test_interest_accrues_to_lender(scene, chain):
    v, a = scene.vault, scene.a
    v.setRiskParams((7000, 7500, 500, 5000, WAD, 500_000 * UNIT, 1000), sender=a["admin"])
    scene.deposit("alice", 10 * UNIT)
    tx = scene.borrow("alice", 1_000 * UNIT)
    t0 = chain.provider.web3.eth.get_block(tx.block_number)["timestamp"]
    chain.mine(1, timestamp=t0 + YEAR // 2)
    assert v.position(a["alice"])[1] == 1_050 * UNIT  # 10% APR, half a year
    assert v.totalDebt() == 1_050 * UNIT
    chain.pending_timestamp = t0 + YEAR
    v.repay(UINT256_MAX, sender=a["alice"])
    assert v.borrowIndex() == RAY * 11 // 10
    assert v.lenderUsdcIdle() == FUNDED + 100 * UNIT  # principal back + interest to the lender
    assert scene.pos("alice")[1] == 0


# ---------------------------------------------------------------------------- lender bucket / rescue / pause

def test_fund_and_withdraw_lender(scene):
    v, a = scene.vault, scene.a
    v.fundLender(10 * UNIT, sender=a["operator"])
    assert v.lenderUsdcIdle() == FUNDED + 10 * UNIT
    with scene.refused("AccessControlUnauthorizedAccount"):
        v.fundLender(UNIT, sender=a["stranger"])
    with scene.refused("ZeroAmount"):
        v.fundLender(0, sender=a["operator"])
    scene.deposit("alice", 10 * UNIT)
    scene.borrow("alice", 1_000 * UNIT)
    idle = FUNDED + 10 * UNIT - 1_000 * UNIT
    with scene.refused("InsufficientLenderUsdc", requested=idle + 1, available=idle):
        v.withdrawLenderUsdc(a["admin"], idle + 1, sender=a["admin"])
    with scene.refused("AccessControlUnauthorizedAccount"):
        v.withdrawLenderUsdc(a["admin"], 1, sender=a["operator"])
    v.pause(sender=a["pauser"])
    v.withdrawLenderUsdc(a["stranger"], idle, sender=a["admin"])
    assert v.lenderUsdcIdle() == 0


def test_rescue_surplus_only(scene):
    v, a = scene.vault, scene.a
    scene.deposit("alice", 10 * UNIT)
    scene.xaut.transfer(v, 3, sender=a["bob"])
    scene.usdc.transfer(v, 5, sender=a["bob"])
    assert v.surplusOf(scene.xaut) == 3 and v.surplusOf(scene.usdc) == 5
    with scene.refused("InsufficientSurplus", token=scene.xaut, requested=4, available=3):
        v.withdraw(scene.xaut, a["admin"], 4, sender=a["admin"])
    with scene.refused("AccessControlUnauthorizedAccount"):
        v.withdraw(scene.xaut, a["admin"], 1, sender=a["stranger"])
    v.withdraw(scene.xaut, a["admin"], 3, sender=a["admin"])
    v.withdraw(scene.usdc, a["admin"], 5, sender=a["admin"])
    assert v.surplusOf(scene.xaut) == 0 and v.totalCollateral() == 10 * UNIT


def test_pause_roles(scene):
    v, a = scene.vault, scene.a
    with scene.refused("AccessControlUnauthorizedAccount"):
        v.pause(sender=a["stranger"])
    v.pause(sender=a["pauser"])
    with scene.refused("AccessControlUnauthorizedAccount"):
        v.unpause(sender=a["pauser"])
    v.unpause(sender=a["admin"])
    assert not v.paused()


def test_rate_change_accrues_at_old_rate_first(scene, chain):
    v, a = scene.vault, scene.a
    v.setRiskParams((7000, 7500, 500, 5000, WAD, 500_000 * UNIT, 1000), sender=a["admin"])
    scene.deposit("alice", 10 * UNIT)
    tx = scene.borrow("alice", 1_000 * UNIT)
    t0 = chain.provider.web3.eth.get_block(tx.block_number)["timestamp"]
    chain.pending_timestamp = t0 + YEAR
    v.setRiskParams(RISK, sender=a["admin"])  # rate 0 from now on; the past year is charged at 10%
    assert v.borrowIndex() == RAY * 11 // 10
    chain.mine(1, timestamp=t0 + 2 * YEAR)
    assert scene.pos("alice")[1] == 1_100 * UNIT
