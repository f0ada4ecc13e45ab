"""DBISEngineXVirtualBatchVault as an ERC-3156 lender, against honest and hostile borrowers."""

import pytest

from .support import (
    CALLBACK_SUCCESS,
    FLASH_FEE_BPS,
    LENDER_BUCKET,
    OPERATOR_ROLE,
    PAUSER_ROLE,
    RESERVE,
    UINT256_MAX,
    UNIT,
    VIRTUAL_FEE_BPS,
    ZERO_ADDRESS,
    deploy_vault,
    events,
    h,
    ladder,
    make_scene,
)


def fee_of(amount: int, bps: int = FLASH_FEE_BPS) -> int:
    return -(-amount * bps // 10_000)


# ---------------------------------------------------------------------------- maxFlashLoan / flashFee


def test_max_flash_loan_is_the_lender_bucket_only(scene):
    s = scene
    assert s.usdc.balanceOf(s.vault) == RESERVE + LENDER_BUCKET
    assert s.vault.maxFlashLoan(s.usdc) == LENDER_BUCKET


def test_max_flash_loan_is_bounded_by_the_cap(scene):
    s, v = scene, scene.vault
    v.setFlashTerms(UNIT, FLASH_FEE_BPS, sender=s.admin)
    assert v.maxFlashLoan(s.usdc) == UNIT
    v.setFlashTerms(LENDER_BUCKET + 1, FLASH_FEE_BPS, sender=s.admin)
    assert v.maxFlashLoan(s.usdc) == LENDER_BUCKET
    v.setFlashTerms(LENDER_BUCKET, FLASH_FEE_BPS, sender=s.admin)
    assert v.maxFlashLoan(s.usdc) == LENDER_BUCKET


def test_max_flash_loan_is_zero_when_paused_for_other_tokens_or_an_empty_bucket(project, scene):
    s, v = scene, scene.vault
    other = project.TestERC20.deploy("Other", "OTH", 6, sender=s.admin)
    assert v.maxFlashLoan(s.cw) == 0
    assert v.maxFlashLoan(other) == 0
    assert v.maxFlashLoan(ZERO_ADDRESS) == 0
    v.pause(sender=s.pauser)
    assert v.maxFlashLoan(s.usdc) == 0
    v.unpause(sender=s.admin)
    assert v.maxFlashLoan(s.usdc) == LENDER_BUCKET
    v.withdrawLenderUsdc(s.admin, LENDER_BUCKET, sender=s.admin)
    assert v.maxFlashLoan(s.usdc) == 0


@pytest.mark.parametrize("amount", [0, 1, 1_111, 1_112, 10_000, 10_001, UNIT, LENDER_BUCKET, 2**200])
def test_flash_fee_rounds_up(scene, amount):
    assert scene.vault.flashFee(scene.usdc, amount) == fee_of(amount)


def test_flash_fee_follows_the_terms(scene):
    s, v = scene, scene.vault
    v.setFlashTerms(0, 0, sender=s.admin)
    assert v.flashFee(s.usdc, UNIT) == 0
    v.setFlashTerms(0, 100, sender=s.admin)
    assert v.flashFee(s.usdc, 101) == 2
    assert v.flashFee(s.usdc, UNIT) == UNIT // 100


def test_flash_fee_refuses_other_tokens(scene):
    with scene.refused("UnsupportedToken", token=scene.cw):
        scene.static(scene.vault, "flashFee", scene.cw.address, UNIT)


# ---------------------------------------------------------------------------- flashLoan: success


def test_flash_loan_credits_the_rounded_up_fee_to_the_bucket(scene):
    s, v, b = scene, scene.vault, scene.honest
    amount = 2 * UNIT + 1
    fee = fee_of(amount)
    assert fee == 1_801  # 1800.0009 rounded up
    float_before = s.usdc.balanceOf(b)

    receipt = v.flashLoan(b, s.usdc, amount, b"proof-step", sender=s.stranger)  # anyone may initiate

    assert events(receipt, v.FlashLoan) == [
        {"receiver": b.address, "initiator": s.stranger.address, "amount": amount, "fee": fee}
    ]
    assert (b.lastLender(), b.lastInitiator(), b.lastToken()) == (v.address, s.stranger.address, s.usdc.address)
    assert (b.lastAmount(), b.lastFee(), bytes(b.lastData())) == (amount, fee, b"proof-step")
    assert b.balanceDuringLoan() == float_before + amount
    assert s.usdc.balanceOf(b) == float_before - fee
    assert v.lenderUsdcAvailable() == LENDER_BUCKET + fee
    assert s.usdc.balanceOf(v) == RESERVE + LENDER_BUCKET + fee
    assert (v.poolCwusdcReserve(), v.poolUsdcReserve()) == (RESERVE, RESERVE)
    assert v.surplusOf(s.usdc) == 0
    assert s.usdc.allowance(b, v) == 0


def test_flash_loan_of_the_whole_bucket_then_a_bigger_one(scene):
    s, v, b = scene, scene.vault, scene.honest
    v.flashLoan(b, s.usdc, LENDER_BUCKET, b"", sender=s.operator)
    grown = LENDER_BUCKET + fee_of(LENDER_BUCKET)
    assert v.lenderUsdcAvailable() == grown == v.maxFlashLoan(s.usdc)
    v.flashLoan(b, s.usdc, grown, b"", sender=s.operator)  # the fee itself is lendable
    assert v.lenderUsdcAvailable() == grown + fee_of(grown)
    assert b.loans() == 2


def test_flash_loan_without_fee_leaves_the_bucket_unchanged(scene):
    s, v, b = scene, scene.vault, scene.honest
    v.setFlashTerms(0, 0, sender=s.admin)
    receipt = v.flashLoan(b, s.usdc, UNIT, b"", sender=s.operator)
    assert events(receipt, v.FlashLoan)[0]["fee"] == 0
    assert v.lenderUsdcAvailable() == LENDER_BUCKET
    assert s.usdc.balanceOf(b) == UNIT


def test_flash_loan_up_to_the_cap(scene):
    s, v, b = scene, scene.vault, scene.honest
    v.setFlashTerms(UNIT, FLASH_FEE_BPS, sender=s.admin)
    v.flashLoan(b, s.usdc, UNIT, b"", sender=s.operator)
    assert v.lenderUsdcAvailable() == LENDER_BUCKET + fee_of(UNIT)
    with s.refused("FlashAmountExceedsMax", amount=UNIT + 1, maxAmount=UNIT):
        v.flashLoan(b, s.usdc, UNIT + 1, b"", sender=s.operator)


# ---------------------------------------------------------------------------- flashLoan: refusals


def test_flash_loan_never_lends_pool_usdc(scene):
    s = scene
    assert s.usdc.balanceOf(s.vault) > 10 * LENDER_BUCKET  # plenty of (pool) USDC in the vault
    with s.refused("FlashAmountExceedsMax", amount=LENDER_BUCKET + 1, maxAmount=LENDER_BUCKET):
        s.vault.flashLoan(s.honest, s.usdc, LENDER_BUCKET + 1, b"", sender=s.operator)
    with s.refused("FlashAmountExceedsMax", amount=RESERVE, maxAmount=LENDER_BUCKET):
        s.vault.flashLoan(s.honest, s.usdc, RESERVE, b"", sender=s.operator)


def test_flash_loan_refuses_an_empty_bucket(scene):
    s = scene
    s.vault.withdrawLenderUsdc(s.admin, LENDER_BUCKET, sender=s.admin)
    with s.refused("FlashAmountExceedsMax", amount=1, maxAmount=0):
        s.vault.flashLoan(s.honest, s.usdc, 1, b"", sender=s.operator)


def test_flash_loan_refuses_other_tokens(scene):
    s = scene
    with s.refused("UnsupportedToken", token=s.cw):
        s.vault.flashLoan(s.honest, s.cw, UNIT, b"", sender=s.operator)


def test_flash_loan_refuses_a_borrower_off_the_allowlist(project, scene):
    s = scene
    outsider = project.HonestFlashBorrower.deploy(sender=s.admin)
    s.usdc.mint(outsider, UNIT, sender=s.admin)
    s.watch(outsider)
    with s.refused("FlashBorrowerNotAllowed", receiver=outsider):
        s.vault.flashLoan(outsider, s.usdc, UNIT, b"", sender=s.operator)
    # a borrower taken off the list is refused too
    s.vault.setFlashBorrower(s.honest, False, sender=s.admin)
    with s.refused("FlashBorrowerNotAllowed", receiver=s.honest):
        s.vault.flashLoan(s.honest, s.usdc, UNIT, b"", sender=s.operator)


def test_flash_loan_refuses_zero(scene):
    with scene.refused("ZeroAmount"):
        scene.vault.flashLoan(scene.honest, scene.usdc, 0, b"", sender=scene.operator)


def test_flash_loan_refused_while_paused(scene):
    s = scene
    s.vault.pause(sender=s.pauser)
    with s.refused("EnforcedPause"):
        s.vault.flashLoan(s.honest, s.usdc, UNIT, b"", sender=s.operator)


def test_flash_loan_refuses_a_borrower_that_cannot_pay_the_fee(project, scene):
    s = scene
    broke = project.HonestFlashBorrower.deploy(sender=s.admin)  # approves, but holds no float
    s.vault.setFlashBorrower(broke, True, sender=s.admin)
    s.watch(broke)
    with s.refused("ERC20InsufficientBalance", sender=broke, balance=UNIT, needed=UNIT + fee_of(UNIT)):
        s.vault.flashLoan(broke, s.usdc, UNIT, b"", sender=s.operator)


def _hostile(project, s, name):
    borrower = getattr(project, name).deploy(sender=s.admin)
    s.vault.setFlashBorrower(borrower, True, sender=s.admin)
    s.usdc.mint(borrower, UNIT, sender=s.admin)  # it could repay: refusal is about its conduct
    s.watch(borrower)
    return borrower


def test_flash_loan_refuses_a_borrower_that_does_not_repay(project, scene):
    s = scene
    borrower = _hostile(project, s, "NoRepayFlashBorrower")
    with s.refused("FlashRepaymentNotApproved", needed=UNIT + fee_of(UNIT), allowance=0):
        s.vault.flashLoan(borrower, s.usdc, UNIT, b"", sender=s.operator)


def test_flash_loan_refuses_a_borrower_that_repays_short(project, scene):
    s = scene
    borrower = _hostile(project, s, "ShortRepayFlashBorrower")
    owed = LENDER_BUCKET + fee_of(LENDER_BUCKET)
    with s.refused("FlashRepaymentNotApproved", needed=owed, allowance=owed - 1):
        s.vault.flashLoan(borrower, s.usdc, LENDER_BUCKET, b"", sender=s.operator)


def test_flash_loan_refuses_the_wrong_callback_value(project, scene):
    s = scene
    borrower = _hostile(project, s, "WrongMagicFlashBorrower")
    wrong = borrower.WRONG_MAGIC()
    assert wrong != CALLBACK_SUCCESS
    with s.refused("FlashCallbackFailed", returned=wrong):
        s.vault.flashLoan(borrower, s.usdc, UNIT, b"", sender=s.operator)


# ---------------------------------------------------------------------------- re-entry from onFlashLoan


@pytest.fixture(scope="module")
def _reentry(project, chain, registry, actors):
    """A vault whose default admin *and* operator is the re-entering borrower, so that every
    re-entered function passes its role check and only the re-entrancy guard can stop it."""
    a = actors
    admin, op = a["admin"], a["operator"]
    cw = project.TestERC20.deploy("Wrapped cUSDC", "cWUSDC", 6, sender=admin)
    usdc = project.TestERC20.deploy("USD Coin", "USDC", 6, sender=admin)
    rb = project.ReentrantFlashBorrower.deploy(sender=admin)
    vault = deploy_vault(project, actors, cw, usdc, admin=rb)
    honest = project.HonestFlashBorrower.deploy(sender=admin)
    for data in (
        vault.grantRole.encode_input(OPERATOR_ROLE, op),
        vault.grantRole.encode_input(OPERATOR_ROLE, rb),
        vault.grantRole.encode_input(PAUSER_ROLE, a["pauser"]),
        vault.setFlashBorrower.encode_input(rb, True),
        vault.setFlashBorrower.encode_input(honest, True),
        vault.setFlashTerms.encode_input(0, FLASH_FEE_BPS),
    ):
        rb.execute(vault, data, sender=admin)
    for who in (op, rb):
        cw.mint(who, 10**14, sender=admin)
        usdc.mint(who, 10**14, sender=admin)
    for token in (cw, usdc):
        token.approve(vault, UINT256_MAX, sender=op)
        rb.execute(token, token.approve.encode_input(vault, UINT256_MAX), sender=admin)
    usdc.mint(honest, UNIT, sender=admin)
    vault.seedPool(RESERVE, RESERVE, sender=op)
    vault.fundLender(LENDER_BUCKET, sender=op)
    s = make_scene(project, chain, registry, actors, vault, cw, usdc)
    s.honest, s.rb = honest, rb
    return s


@pytest.fixture
def reentry(_reentry):
    s = _reentry.copy()
    s.rb = _reentry.rb
    s.watch(s.rb, proof_ids=[h("reentry")])
    return s


def _payload(s, target):
    v = s.vault
    plan = ladder.amount_in_for_exact_out(UNIT, RESERVE, VIRTUAL_FEE_BPS)
    return {
        "flashLoan": v.flashLoan.encode_input(s.honest, s.usdc, UNIT, b""),
        "runVirtualProofExactOutTo": v.runVirtualProofExactOutTo.encode_input(
            s.recipient, plan.amount_in, UNIT, h("reentry"), h("i"), h("a"), h("p")),
        "withdrawLenderUsdc": v.withdrawLenderUsdc.encode_input(s.rb, UNIT),
        "seedPool": v.seedPool.encode_input(10, 10),
    }[target]


def test_reentrant_borrower_without_reentry_is_an_honest_borrower(reentry):
    s = reentry
    s.vault.flashLoan(s.rb, s.usdc, UNIT, b"", sender=s.stranger)
    assert s.vault.lenderUsdcAvailable() == LENDER_BUCKET + fee_of(UNIT)


@pytest.mark.parametrize("target", ["flashLoan", "runVirtualProofExactOutTo", "withdrawLenderUsdc", "seedPool"])
def test_reentry_from_on_flash_loan_is_refused(reentry, target):
    s = reentry
    payload = _payload(s, target)
    s.rb.setReentry(s.vault, payload, sender=s.admin)
    with s.refused("ReentrancyGuardReentrantCall"):
        s.vault.flashLoan(s.rb, s.usdc, UNIT, b"", sender=s.stranger)

    # control: the very same call, made by the same contract outside a loan, goes through
    before = (s.vault.lenderUsdcAvailable(), s.vault.poolCwusdcReserve(), s.vault.proofIdUsed(h("reentry")))
    s.rb.execute(s.vault, payload, sender=s.admin)
    after = (s.vault.lenderUsdcAvailable(), s.vault.poolCwusdcReserve(), s.vault.proofIdUsed(h("reentry")))
    assert after == {
        "flashLoan": (before[0] + fee_of(UNIT), before[1], False),
        "runVirtualProofExactOutTo": (before[0], before[1], True),
        "withdrawLenderUsdc": (before[0] - UNIT, before[1], False),
        "seedPool": (before[0], before[1] + 10, False),
    }[target]


def test_a_borrower_that_pays_back_more_leaves_the_excess_as_surplus(reentry):
    """An overpayment is not an error: the bucket gets exactly the fee, the rest is rescuable surplus."""
    s = reentry
    s.rb.setReentry(s.usdc, s.usdc.transfer.encode_input(s.vault, 7), sender=s.admin)
    surplus = s.vault.surplusOf(s.usdc)
    s.vault.flashLoan(s.rb, s.usdc, UNIT, b"", sender=s.stranger)
    assert s.vault.lenderUsdcAvailable() == LENDER_BUCKET + fee_of(UNIT)
    assert s.vault.surplusOf(s.usdc) == surplus + 7
