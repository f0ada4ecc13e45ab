"""DBISEngineXVirtualBatchVault with awkward tokens: USDT-style (no return values) and
fee-on-transfer (refused explicitly with TransferAmountMismatch)."""

import pytest

from .support import (
    FLASH_FEE_BPS,
    LENDER_BUCKET,
    RESERVE,
    UINT256_MAX,
    UNIT,
    VIRTUAL_FEE_BPS,
    deploy_vault,
    grant_roles,
    h,
    ladder,
    make_scene,
)

TOKEN_FEE_BPS = 100  # the fee-on-transfer token burns 1% when switched on


def fee_of(amount: int, bps: int = FLASH_FEE_BPS) -> int:
    return -(-amount * bps // 10_000)


def burnt(amount: int) -> int:
    return amount * TOKEN_FEE_BPS // 10_000


# ---------------------------------------------------------------------------- USDT-style USDC


@pytest.fixture(scope="module")
def _usdt(project, chain, registry, actors):
    a = actors
    cw = project.TestERC20.deploy("Wrapped cUSDC", "cWUSDC", 6, sender=a["admin"])
    usdt = project.NoReturnERC20.deploy(sender=a["admin"])
    vault = deploy_vault(project, actors, cw, usdt)
    grant_roles(vault, actors)
    op = a["operator"]
    cw.mint(op, 10**15, sender=op)
    usdt.mint(op, 10**15, sender=op)
    cw.approve(vault, UINT256_MAX, sender=op)
    usdt.approve(vault, UINT256_MAX, sender=op)
    vault.setFlashTerms(0, FLASH_FEE_BPS, sender=a["admin"])
    return make_scene(project, chain, registry, actors, vault, cw, usdt)


@pytest.fixture
def usdt(_usdt):
    return _usdt.copy()


def test_usdt_style_token_really_returns_nothing(usdt, chain):
    s = usdt
    data = s.usdc.transfer.encode_input(s.stranger, 0)
    assert chain.provider.web3.eth.call({"from": s.operator.address, "to": s.usdc.address,
                                         "data": "0x" + bytes(data).hex()}) == b""


def test_usdt_style_usdc_seed_fund_flash_loan_and_withdraw(project, usdt):
    s, v, usdt_token, op = usdt, usdt.vault, usdt.usdc, usdt.operator
    # seed and fund: SafeERC20 pulls from a token whose transferFrom returns nothing
    v.seedPool(RESERVE, RESERVE, sender=op)
    v.fundLender(LENDER_BUCKET, sender=op)
    assert (v.poolCwusdcReserve(), v.poolUsdcReserve(), v.lenderUsdcAvailable()) == (RESERVE, RESERVE, LENDER_BUCKET)
    assert usdt_token.balanceOf(v) == RESERVE + LENDER_BUCKET

    # flash loan through the production borrower (forceApprove copes with USDT's approve)
    owner = s.stranger
    borrower = project.DBISEngineXFlashProofBorrower.deploy(v, usdt_token, owner, sender=owner)
    v.setFlashBorrower(borrower, True, sender=s.admin)
    usdt_token.mint(borrower, UNIT, sender=owner)  # fee float
    for i in range(2):  # twice: the allowance is back at zero after each repayment
        step = (h(f"usdt-{i}"), h("iso"), h("audit"), h("peg"))
        borrower.runFlashProof(LENDER_BUCKET, step, sender=owner)
        assert usdt_token.allowance(borrower, v) == 0
    # both loans borrowed 5 USDC and paid the same rounded-up fee into the bucket
    bucket = LENDER_BUCKET + 2 * fee_of(LENDER_BUCKET)
    assert v.lenderUsdcAvailable() == bucket
    assert usdt_token.balanceOf(borrower) == UNIT - 2 * fee_of(LENDER_BUCKET)

    # withdraw pool liquidity, the lender bucket and donated surplus: transfer returns nothing
    to = s.recipient
    v.withdrawPoolLiquidity(to, RESERVE, RESERVE, sender=s.admin)
    v.withdrawLenderUsdc(to, bucket, sender=s.admin)
    usdt_token.mint(v, 77, sender=owner)
    assert v.surplusOf(usdt_token) == 77
    v.withdraw(usdt_token, to, 77, sender=s.admin)
    assert usdt_token.balanceOf(to) == RESERVE + bucket + 77
    assert usdt_token.balanceOf(v) == 0
    assert (v.poolCwusdcReserve(), v.poolUsdcReserve(), v.lenderUsdcAvailable()) == (0, 0, 0)


def test_usdt_style_usdc_failures_still_revert(usdt):
    s = usdt
    s.usdc.approve(s.vault, 0, sender=s.operator)  # USDT approve: reset to zero first
    s.usdc.approve(s.vault, 5, sender=s.operator)
    with s.refused("Error", message="USDT: allowance"):
        s.vault.fundLender(6, sender=s.operator)


# ---------------------------------------------------------------------------- fee-on-transfer tokens


@pytest.fixture(scope="module")
def _fot(project, chain, registry, actors):
    """cWUSDC and USDC both fee-on-transfer tokens, fee off; pool seeded and bucket funded."""
    a = actors
    cw = project.FeeOnTransferERC20.deploy("Taxed cWUSDC", "tcW", sender=a["admin"])
    usdc = project.FeeOnTransferERC20.deploy("Taxed USDC", "tUSDC", sender=a["admin"])
    vault = deploy_vault(project, actors, cw, usdc)
    grant_roles(vault, actors)
    op = a["operator"]
    for token in (cw, usdc):
        token.mint(op, 10**15, sender=op)
        token.approve(vault, UINT256_MAX, sender=op)
    vault.seedPool(RESERVE, RESERVE, sender=op)
    vault.fundLender(LENDER_BUCKET, sender=op)
    vault.setFlashTerms(0, FLASH_FEE_BPS, sender=a["admin"])
    s = make_scene(project, chain, registry, actors, vault, cw, usdc)
    s.honest = project.HonestFlashBorrower.deploy(sender=a["admin"])
    vault.setFlashBorrower(s.honest, True, sender=a["admin"])
    usdc.mint(s.honest, UNIT, sender=a["admin"])
    return s


@pytest.fixture
def fot(_fot):
    s = _fot.copy()
    s.watch(s.honest, proof_ids=[h("taxed")])
    return s


def test_fee_on_transfer_tokens_work_while_the_fee_is_off(fot):
    s, v = fot, fot.vault
    assert (s.cw.feeBps(), s.usdc.feeBps()) == (0, 0)
    v.seedPool(10, 10, sender=s.operator)
    v.fundLender(10, sender=s.operator)
    v.flashLoan(s.honest, s.usdc, UNIT, b"", sender=s.operator)
    plan = ladder.amount_in_for_exact_out(UNIT, RESERVE + 10, VIRTUAL_FEE_BPS)
    s.proof(s.recipient, plan.amount_in, UNIT, "taxed")
    assert s.cw.balanceOf(s.recipient) == UNIT
    assert v.lenderUsdcAvailable() == LENDER_BUCKET + 10 + fee_of(UNIT)


def test_seed_pool_refuses_a_fee_on_transfer_cwusdc(fot):
    s = fot
    s.cw.setFeeBps(TOKEN_FEE_BPS, sender=s.admin)
    with s.refused("TransferAmountMismatch", token=s.cw, expected=UNIT, received=UNIT - burnt(UNIT)):
        s.vault.seedPool(UNIT, UNIT, sender=s.operator)


def test_seed_pool_refuses_a_fee_on_transfer_usdc(fot):
    s = fot
    s.usdc.setFeeBps(TOKEN_FEE_BPS, sender=s.admin)
    with s.refused("TransferAmountMismatch", token=s.usdc, expected=UNIT, received=UNIT - burnt(UNIT)):
        s.vault.seedPool(UNIT, UNIT, sender=s.operator)


def test_fund_lender_refuses_a_fee_on_transfer_usdc(fot):
    s = fot
    s.usdc.setFeeBps(TOKEN_FEE_BPS, sender=s.admin)
    with s.refused("TransferAmountMismatch", token=s.usdc, expected=UNIT, received=UNIT - burnt(UNIT)):
        s.vault.fundLender(UNIT, sender=s.operator)


def test_proof_refused_when_cwusdc_turns_a_fee_on_after_seeding(fot):
    s = fot
    plan = ladder.amount_in_for_exact_out(UNIT, RESERVE, VIRTUAL_FEE_BPS)
    s.cw.setFeeBps(TOKEN_FEE_BPS, sender=s.admin)
    with s.refused("TransferAmountMismatch", token=s.cw, expected=UNIT, received=UNIT - burnt(UNIT)):
        s.proof(s.recipient, plan.amount_in, UNIT, "taxed")


def test_flash_loan_refused_when_usdc_turns_a_fee_on_after_funding(fot):
    s = fot
    s.usdc.setFeeBps(TOKEN_FEE_BPS, sender=s.admin)
    repayment = UNIT + fee_of(UNIT)
    with s.refused("TransferAmountMismatch", token=s.usdc, expected=repayment,
                   received=repayment - burnt(repayment)):
        s.vault.flashLoan(s.honest, s.usdc, UNIT, b"", sender=s.operator)
