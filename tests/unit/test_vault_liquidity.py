"""DBISEngineXVirtualBatchVault: rail liquidity, lender bucket and surplus rescue."""

from .support import (
    DEFAULT_ADMIN_ROLE,
    LENDER_BUCKET,
    OPERATOR_ROLE,
    RESERVE,
    UINT128_MAX,
    UNIT,
    ZERO_ADDRESS,
    events,
)

# ---------------------------------------------------------------------------- seedPool


def test_seed_pool_pulls_equal_amounts_and_accumulates(fresh):
    s, v, op = fresh, fresh.vault, fresh.operator
    cw0, usdc0 = s.cw.balanceOf(op), s.usdc.balanceOf(op)

    receipt = v.seedPool(RESERVE, RESERVE, sender=op)
    assert events(receipt, v.PoolSeeded) == [{"operator": op.address, "amount": RESERVE, "newReserve": RESERVE}]
    receipt = v.seedPool(7, 7, sender=op)
    assert events(receipt, v.PoolSeeded) == [{"operator": op.address, "amount": 7, "newReserve": RESERVE + 7}]

    assert (v.poolCwusdcReserve(), v.poolUsdcReserve()) == (RESERVE + 7, RESERVE + 7)
    assert (s.cw.balanceOf(v), s.usdc.balanceOf(v)) == (RESERVE + 7, RESERVE + 7)
    assert (s.cw.balanceOf(op), s.usdc.balanceOf(op)) == (cw0 - RESERVE - 7, usdc0 - RESERVE - 7)
    assert v.lenderUsdcAvailable() == 0
    assert (v.surplusOf(s.cw), v.surplusOf(s.usdc)) == (0, 0)


def test_seed_pool_up_to_uint128_max(fresh):
    s, v, op = fresh, fresh.vault, fresh.operator
    s.cw.mint(op, UINT128_MAX, sender=op)
    s.usdc.mint(op, UINT128_MAX, sender=op)
    v.seedPool(UINT128_MAX, UINT128_MAX, sender=op)
    assert (v.poolCwusdcReserve(), v.poolUsdcReserve()) == (UINT128_MAX, UINT128_MAX)


def test_seed_pool_refused_for_non_operator(scene):
    s = scene
    s.cw.mint(s.admin, 10, sender=s.admin)
    s.usdc.mint(s.admin, 10, sender=s.admin)
    s.cw.approve(s.vault, 10, sender=s.admin)
    s.usdc.approve(s.vault, 10, sender=s.admin)
    for who in (s.admin, s.stranger, s.pauser):
        with s.refused("AccessControlUnauthorizedAccount", account=who, neededRole=OPERATOR_ROLE):
            s.vault.seedPool(10, 10, sender=who)


def test_seed_pool_refused_while_paused(scene):
    s = scene
    s.vault.pause(sender=s.pauser)
    with s.refused("EnforcedPause"):
        s.vault.seedPool(10, 10, sender=s.operator)


def test_seed_pool_refuses_unequal_amounts(scene):
    s = scene
    with s.refused("UnequalAmounts", cwusdcAmount=10, usdcAmount=9):
        s.vault.seedPool(10, 9, sender=s.operator)
    with s.refused("UnequalAmounts", cwusdcAmount=0, usdcAmount=1):
        s.vault.seedPool(0, 1, sender=s.operator)


def test_seed_pool_refuses_zero(scene):
    with scene.refused("ZeroAmount"):
        scene.vault.seedPool(0, 0, sender=scene.operator)


def test_seed_pool_refuses_reserve_above_uint128(scene):
    s, op = scene, scene.operator
    too_much = UINT128_MAX - RESERVE + 1
    s.cw.mint(op, too_much, sender=op)
    s.usdc.mint(op, too_much, sender=op)
    with s.refused("AmountTooLarge", amount=too_much):
        s.vault.seedPool(too_much, too_much, sender=op)


def test_seed_pool_refused_without_allowance(scene):
    s = scene
    s.cw.approve(s.vault, 5, sender=s.operator)
    with s.refused("ERC20InsufficientAllowance", spender=s.vault, allowance=5, needed=6):
        s.vault.seedPool(6, 6, sender=s.operator)


# ---------------------------------------------------------------------------- withdrawPoolLiquidity


def test_withdraw_pool_liquidity_keeps_the_rail_1_to_1(scene):
    s, v, to = scene, scene.vault, scene.recipient
    receipt = v.withdrawPoolLiquidity(to, 1_000, 1_000, sender=s.admin)
    assert events(receipt, v.PoolLiquidityWithdrawn) == [
        {"to": to.address, "amount": 1_000, "newReserve": RESERVE - 1_000}
    ]
    assert (v.poolCwusdcReserve(), v.poolUsdcReserve()) == (RESERVE - 1_000, RESERVE - 1_000)
    assert (s.cw.balanceOf(to), s.usdc.balanceOf(to)) == (1_000, 1_000)
    # the lender bucket is untouched
    assert v.lenderUsdcAvailable() == LENDER_BUCKET
    assert s.usdc.balanceOf(v) == RESERVE - 1_000 + LENDER_BUCKET


def test_withdraw_all_pool_liquidity_while_paused(scene):
    s, v = scene, scene.vault
    v.pause(sender=s.pauser)
    v.withdrawPoolLiquidity(s.admin, RESERVE, RESERVE, sender=s.admin)
    assert (v.poolCwusdcReserve(), v.poolUsdcReserve()) == (0, 0)
    assert (s.cw.balanceOf(v), s.usdc.balanceOf(v)) == (0, LENDER_BUCKET)


def test_withdraw_pool_liquidity_refused_for_non_admin(scene):
    s = scene
    for who in (s.operator, s.pauser, s.stranger):
        with s.refused("AccessControlUnauthorizedAccount", account=who, neededRole=DEFAULT_ADMIN_ROLE):
            s.vault.withdrawPoolLiquidity(who, 1, 1, sender=who)


def test_withdraw_pool_liquidity_refuses_zero_address(scene):
    with scene.refused("ZeroAddress"):
        scene.vault.withdrawPoolLiquidity(ZERO_ADDRESS, 1, 1, sender=scene.admin)


def test_withdraw_pool_liquidity_refuses_zero(scene):
    with scene.refused("ZeroAmount"):
        scene.vault.withdrawPoolLiquidity(scene.admin, 0, 0, sender=scene.admin)


def test_withdraw_pool_liquidity_refuses_more_than_the_reserve(scene):
    s = scene
    with s.refused("InsufficientReserve", requested=RESERVE + 1, available=RESERVE):
        s.vault.withdrawPoolLiquidity(s.admin, RESERVE + 1, RESERVE + 1, sender=s.admin)
    # the lender bucket's USDC (5 USDC in the vault) never backs a pool withdrawal
    assert s.usdc.balanceOf(s.vault) >= RESERVE + 1
    with s.refused("InsufficientReserve", requested=RESERVE + 1, available=RESERVE):
        s.vault.withdrawPoolLiquidity(s.admin, RESERVE, RESERVE + 1, sender=s.admin)


def test_withdraw_pool_liquidity_refuses_an_unequal_result(scene):
    s = scene
    with s.refused("ReservesNotEqual", cwusdcReserve=RESERVE - 5, usdcReserve=RESERVE - 3):
        s.vault.withdrawPoolLiquidity(s.admin, 5, 3, sender=s.admin)
    with s.refused("ReservesNotEqual", cwusdcReserve=RESERVE, usdcReserve=RESERVE - 1):
        s.vault.withdrawPoolLiquidity(s.admin, 0, 1, sender=s.admin)


# ---------------------------------------------------------------------------- fundLender


def test_fund_lender_grows_the_bucket_only(scene):
    s, v, op = scene, scene.vault, scene.operator
    receipt = v.fundLender(3 * UNIT, sender=op)
    assert events(receipt, v.LenderFunded) == [
        {"operator": op.address, "amount": 3 * UNIT, "newAvailable": LENDER_BUCKET + 3 * UNIT}
    ]
    assert v.lenderUsdcAvailable() == LENDER_BUCKET + 3 * UNIT
    assert (v.poolCwusdcReserve(), v.poolUsdcReserve()) == (RESERVE, RESERVE)
    assert s.usdc.balanceOf(v) == RESERVE + LENDER_BUCKET + 3 * UNIT
    assert v.surplusOf(s.usdc) == 0


def test_fund_lender_works_while_paused(scene):
    s = scene
    s.vault.pause(sender=s.pauser)
    s.vault.fundLender(1, sender=s.operator)
    assert s.vault.lenderUsdcAvailable() == LENDER_BUCKET + 1


def test_fund_lender_refused_for_non_operator(scene):
    s = scene
    for who in (s.admin, s.stranger):
        with s.refused("AccessControlUnauthorizedAccount", account=who, neededRole=OPERATOR_ROLE):
            s.vault.fundLender(1, sender=who)


def test_fund_lender_refuses_zero(scene):
    with scene.refused("ZeroAmount"):
        scene.vault.fundLender(0, sender=scene.operator)


def test_fund_lender_refuses_bucket_above_uint128(scene):
    s, op = scene, scene.operator
    too_much = UINT128_MAX - LENDER_BUCKET + 1
    s.usdc.mint(op, too_much, sender=op)
    with s.refused("AmountTooLarge", amount=too_much):
        s.vault.fundLender(too_much, sender=op)


# ---------------------------------------------------------------------------- withdrawLenderUsdc


def test_withdraw_lender_usdc(scene):
    s, v, to = scene, scene.vault, scene.recipient
    receipt = v.withdrawLenderUsdc(to, 2 * UNIT, sender=s.admin)
    assert events(receipt, v.LenderUsdcWithdrawn) == [
        {"to": to.address, "amount": 2 * UNIT, "newAvailable": LENDER_BUCKET - 2 * UNIT}
    ]
    assert v.lenderUsdcAvailable() == LENDER_BUCKET - 2 * UNIT
    assert s.usdc.balanceOf(to) == 2 * UNIT
    assert (v.poolCwusdcReserve(), v.poolUsdcReserve()) == (RESERVE, RESERVE)


def test_withdraw_whole_lender_bucket_while_paused(scene):
    s, v = scene, scene.vault
    v.pause(sender=s.pauser)
    v.withdrawLenderUsdc(s.recipient, LENDER_BUCKET, sender=s.admin)
    assert v.lenderUsdcAvailable() == 0
    assert s.usdc.balanceOf(v) == RESERVE


def test_withdraw_lender_usdc_refused_for_non_admin(scene):
    s = scene
    for who in (s.operator, s.stranger):
        with s.refused("AccessControlUnauthorizedAccount", account=who, neededRole=DEFAULT_ADMIN_ROLE):
            s.vault.withdrawLenderUsdc(who, 1, sender=who)


def test_withdraw_lender_usdc_refuses_zero_address(scene):
    with scene.refused("ZeroAddress"):
        scene.vault.withdrawLenderUsdc(ZERO_ADDRESS, 1, sender=scene.admin)


def test_withdraw_lender_usdc_refuses_zero(scene):
    with scene.refused("ZeroAmount"):
        scene.vault.withdrawLenderUsdc(scene.admin, 0, sender=scene.admin)


def test_withdraw_lender_usdc_never_takes_pool_usdc(scene):
    s = scene
    assert s.usdc.balanceOf(s.vault) == RESERVE + LENDER_BUCKET
    with s.refused("InsufficientLenderUsdc", requested=LENDER_BUCKET + 1, available=LENDER_BUCKET):
        s.vault.withdrawLenderUsdc(s.admin, LENDER_BUCKET + 1, sender=s.admin)


# ---------------------------------------------------------------------------- surplusOf / withdraw


def test_surplus_of_counts_only_unaccounted_balances(project, scene):
    s, v = scene, scene.vault
    other = project.TestERC20.deploy("Other", "OTH", 6, sender=s.admin)
    assert (v.surplusOf(s.cw), v.surplusOf(s.usdc), v.surplusOf(other)) == (0, 0, 0)
    s.cw.mint(v, 11, sender=s.stranger)
    s.usdc.mint(v, 22, sender=s.stranger)
    other.mint(v, 33, sender=s.stranger)
    assert (v.surplusOf(s.cw), v.surplusOf(s.usdc), v.surplusOf(other)) == (11, 22, 33)


def test_withdraw_rescues_surplus_of_every_token(project, scene):
    s, v, to = scene, scene.vault, scene.recipient
    other = project.TestERC20.deploy("Other", "OTH", 6, sender=s.admin)
    s.cw.mint(v, 11, sender=s.stranger)
    s.usdc.mint(v, 22, sender=s.stranger)
    other.mint(v, 33, sender=s.stranger)
    v.pause(sender=s.pauser)  # rescue stays open while paused

    for token, amount in ((s.cw, 11), (s.usdc, 22), (other, 33)):
        receipt = v.withdraw(token, to, amount, sender=s.admin)
        assert events(receipt, v.SurplusWithdrawn) == [{"token": token.address, "to": to.address, "amount": amount}]
        assert token.balanceOf(to) == amount
        assert v.surplusOf(token) == 0
    assert (v.poolCwusdcReserve(), v.poolUsdcReserve(), v.lenderUsdcAvailable()) == (RESERVE, RESERVE, LENDER_BUCKET)
    assert (s.cw.balanceOf(v), s.usdc.balanceOf(v)) == (RESERVE, RESERVE + LENDER_BUCKET)


def test_withdraw_never_takes_reserves_or_the_lender_bucket(scene):
    s = scene
    s.usdc.mint(s.vault, 22, sender=s.stranger)
    with s.refused("InsufficientSurplus", token=s.usdc, requested=23, available=22):
        s.vault.withdraw(s.usdc, s.admin, 23, sender=s.admin)
    with s.refused("InsufficientSurplus", token=s.cw, requested=1, available=0):
        s.vault.withdraw(s.cw, s.admin, 1, sender=s.admin)


def test_withdraw_refuses_more_than_an_unaccounted_token_balance(project, scene):
    s = scene
    other = project.TestERC20.deploy("Other", "OTH", 6, sender=s.admin)
    other.mint(s.vault, 5, sender=s.stranger)
    s.watch(probes=[("other[vault]", lambda: other.balanceOf(s.vault))])
    with s.refused("InsufficientSurplus", token=other, requested=6, available=5):
        s.vault.withdraw(other, s.admin, 6, sender=s.admin)


def test_withdraw_refused_for_non_admin(scene):
    s = scene
    s.usdc.mint(s.vault, 22, sender=s.stranger)
    for who in (s.operator, s.stranger):
        with s.refused("AccessControlUnauthorizedAccount", account=who, neededRole=DEFAULT_ADMIN_ROLE):
            s.vault.withdraw(s.usdc, who, 1, sender=who)


def test_withdraw_refuses_zero_address_and_zero_amount(scene):
    s = scene
    s.usdc.mint(s.vault, 22, sender=s.stranger)
    with s.refused("ZeroAddress"):
        s.vault.withdraw(s.usdc, ZERO_ADDRESS, 1, sender=s.admin)
    with s.refused("ZeroAmount"):
        s.vault.withdraw(s.usdc, s.admin, 0, sender=s.admin)
