"""DBISEngineXFlashProofBorrower: its owner-only flash proofs, its callback's trust checks,
sweep and two-step ownership."""

import pytest
from eth_abi import encode as abi_encode

from .support import (
    CALLBACK_SUCCESS,
    FLASH_FEE_BPS,
    LENDER_BUCKET,
    RESERVE,
    UNIT,
    ZERO32,
    ZERO_ADDRESS,
    events,
    h,
)


def fee_of(amount: int) -> int:
    return -(-amount * FLASH_FEE_BPS // 10_000)


def step(label: str) -> tuple:
    return (h(label), h(f"{label}/iso"), h(f"{label}/audit"), h(f"{label}/peg"))


def step_data(st: tuple) -> bytes:
    return abi_encode(["bytes32", "bytes32", "bytes32", "bytes32"], list(st))


def watch_borrower(s, borrower, *labels):
    s.watch(borrower, proof_ids=[h(x) for x in labels], probes=[
        *[(f"borrower.proofIdUsed({x})", (lambda x=x: borrower.proofIdUsed(h(x)))) for x in labels],
        ("borrower.owner", borrower.owner),
        ("borrower.pendingOwner", borrower.pendingOwner),
        ("borrower.allowance(lender)", lambda: s.usdc.allowance(borrower, borrower.lender())),
    ])


@pytest.fixture(scope="module")
def _fpb(project, _scene, actors):
    """The runbook scene plus an allowlisted flash proof borrower, funded by its owner with
    1 USDC of fee float."""
    s = _scene
    owner = actors["borrower_owner"]
    borrower = project.DBISEngineXFlashProofBorrower.deploy(s.vault, s.usdc, owner, sender=owner)
    s.vault.setFlashBorrower(borrower, True, sender=s.admin)
    s.usdc.mint(owner, UNIT, sender=owner)
    s.usdc.transfer(borrower, UNIT, sender=owner)
    return borrower


@pytest.fixture
def fpb(_fpb, scene, actors):
    scene.borrower, scene.owner = _fpb, actors["borrower_owner"]
    watch_borrower(scene, _fpb, "flash-1", "flash-2", "spoof")
    return scene


@pytest.fixture
def scripted(project, scene, actors):
    """A borrower whose configured lender is a ScriptedFlashLender, to drive `onFlashLoan`."""
    owner = actors["borrower_owner"]
    lender = project.ScriptedFlashLender.deploy(sender=owner)
    borrower = project.DBISEngineXFlashProofBorrower.deploy(lender, scene.usdc, owner, sender=owner)
    scene.borrower, scene.owner, scene.lender = borrower, owner, lender
    watch_borrower(scene, borrower, "scripted", "spoof")
    return scene


# ---------------------------------------------------------------------------- constructor


def test_constructor(project, scene, actors):
    owner = actors["borrower_owner"]
    b = project.DBISEngineXFlashProofBorrower.deploy(scene.vault, scene.usdc, owner, sender=owner)
    assert (b.lender(), b.token(), b.owner(), b.pendingOwner()) == (
        scene.vault.address, scene.usdc.address, owner.address, ZERO_ADDRESS)
    assert b.CALLBACK_SUCCESS() == CALLBACK_SUCCESS


@pytest.mark.parametrize("which,error", [("lender", "ZeroAddress"), ("token", "ZeroAddress"),
                                         ("owner", "OwnableInvalidOwner")])
def test_constructor_refusals(project, chain, scene, actors, which, error):
    deployer = actors["borrower_owner"]
    args = {"lender": scene.vault.address, "token": scene.usdc.address, "owner": deployer.address}
    args[which] = ZERO_ADDRESS
    at = deployer.get_deployment_address()
    inputs = {"owner": ZERO_ADDRESS} if which == "owner" else {}
    with scene.reverts(error, **inputs):
        project.DBISEngineXFlashProofBorrower.deploy(args["lender"], args["token"], args["owner"], sender=deployer)
    assert len(chain.provider.get_code(at)) == 0


# ---------------------------------------------------------------------------- runFlashProof


def test_run_flash_proof_happy_path(fpb):
    s, b, v = fpb, fpb.borrower, fpb.vault
    amount, fee = 2 * UNIT, fee_of(2 * UNIT)
    st = step("flash-1")
    receipt = b.runFlashProof(amount, st, sender=s.owner)

    assert events(receipt, b.FlashProofExecuted) == [{
        "proofId": st[0], "amount": amount, "fee": fee, "isoHash": st[1], "auditHash": st[2], "pegHash": st[3],
    }]
    assert events(receipt, v.FlashLoan) == [
        {"receiver": b.address, "initiator": b.address, "amount": amount, "fee": fee}
    ]
    assert b.proofIdUsed(st[0])
    assert not v.proofIdUsed(st[0])  # the vault's proof IDs are a separate book
    assert v.lenderUsdcAvailable() == LENDER_BUCKET + fee
    assert s.usdc.balanceOf(b) == UNIT - fee
    assert s.usdc.balanceOf(v) == RESERVE + LENDER_BUCKET + fee
    assert s.usdc.allowance(b, v) == 0
    assert (v.poolCwusdcReserve(), v.poolUsdcReserve()) == (RESERVE, RESERVE)


def test_run_flash_proof_borrows_the_whole_bucket(fpb):
    s, b, v = fpb, fpb.borrower, fpb.vault
    b.runFlashProof(LENDER_BUCKET, step("flash-1"), sender=s.owner)
    assert v.lenderUsdcAvailable() == LENDER_BUCKET + fee_of(LENDER_BUCKET)


def test_run_flash_proof_refused_for_non_owner(fpb):
    s = fpb
    for who in (s.admin, s.operator, s.stranger):
        with s.refused("OwnableUnauthorizedAccount", account=who):
            s.borrower.runFlashProof(UNIT, step("flash-1"), sender=who)


def test_run_flash_proof_refuses_a_reused_proof_id(fpb):
    s, b = fpb, fpb.borrower
    b.runFlashProof(UNIT, step("flash-1"), sender=s.owner)
    with s.refused("ProofIdAlreadyUsed", proofId=h("flash-1")):
        b.runFlashProof(UNIT, step("flash-1"), sender=s.owner)
    other_hashes = (h("flash-1"), h("x"), h("y"), h("z"))
    with s.refused("ProofIdAlreadyUsed", proofId=h("flash-1")):
        b.runFlashProof(2 * UNIT, other_hashes, sender=s.owner)


@pytest.mark.parametrize("index", [0, 1, 2, 3], ids=["proofId", "isoHash", "auditHash", "pegHash"])
def test_run_flash_proof_refuses_zero_hashes(fpb, index):
    s = fpb
    st = list(step("flash-1"))
    st[index] = ZERO32
    with s.refused("ZeroHash"):
        s.borrower.runFlashProof(UNIT, tuple(st), sender=s.owner)


def test_run_flash_proof_refuses_zero(fpb):
    with fpb.refused("ZeroAmount"):
        fpb.borrower.runFlashProof(0, step("flash-1"), sender=fpb.owner)


def test_run_flash_proof_passes_on_the_vault_refusals(fpb):
    s, b, v = fpb, fpb.borrower, fpb.vault
    with s.refused("FlashAmountExceedsMax", amount=LENDER_BUCKET + 1, maxAmount=LENDER_BUCKET):
        b.runFlashProof(LENDER_BUCKET + 1, step("flash-1"), sender=s.owner)
    v.pause(sender=s.pauser)
    with s.refused("EnforcedPause"):
        b.runFlashProof(UNIT, step("flash-1"), sender=s.owner)
    v.unpause(sender=s.admin)
    v.setFlashBorrower(b, False, sender=s.admin)
    with s.refused("FlashBorrowerNotAllowed", receiver=b):
        b.runFlashProof(UNIT, step("flash-1"), sender=s.owner)


def test_run_flash_proof_without_fee_float_cannot_repay(fpb):
    s, b = fpb, fpb.borrower
    b.sweep(s.usdc, s.owner, UNIT, sender=s.owner)
    with s.refused("InsufficientRepaymentFunds", needed=UNIT + fee_of(UNIT), held=UNIT):
        b.runFlashProof(UNIT, step("flash-1"), sender=s.owner)


def test_run_flash_proof_refuses_a_lender_reporting_failure(scripted):
    s = scripted
    with s.refused("FlashLoanFailed"):
        s.borrower.runFlashProof(UNIT, step("scripted"), sender=s.owner)


# ---------------------------------------------------------------------------- onFlashLoan


def test_initiator_spoof_through_the_vault_is_refused(fpb):
    """A stranger names the borrower as receiver: it would pay the fee for someone else's loan."""
    s = fpb
    with s.refused("UntrustedInitiator", initiator=s.stranger):
        s.vault.flashLoan(s.borrower, s.usdc, UNIT, step_data(step("spoof")), sender=s.stranger)
    with s.refused("UntrustedInitiator", initiator=s.owner):  # even its own owner, directly
        s.vault.flashLoan(s.borrower, s.usdc, UNIT, step_data(step("spoof")), sender=s.owner)


def test_direct_callback_from_a_stranger_is_refused(fpb):
    s, b = fpb, fpb.borrower
    s.usdc.mint(b, UNIT, sender=s.stranger)  # it even holds the "loan"
    for initiator in (s.stranger, b):
        with s.refused("UntrustedLender", caller=s.stranger):
            b.onFlashLoan(initiator, s.usdc, UNIT, 0, step_data(step("spoof")), sender=s.stranger)


def test_callback_from_the_lender_runs_the_step_and_approves_exact_repayment(scripted):
    s, b, lender = scripted, scripted.borrower, scripted.lender
    s.usdc.mint(b, 3 * UNIT + 123, sender=s.stranger)
    st = step("scripted")
    receipt = lender.callBorrower(b, b, s.usdc, 3 * UNIT, 123, step_data(st), sender=s.stranger)
    assert events(receipt, lender.CallbackReturned) == [{"returned": CALLBACK_SUCCESS}]
    assert events(receipt, b.FlashProofExecuted) == [{
        "proofId": st[0], "amount": 3 * UNIT, "fee": 123, "isoHash": st[1], "auditHash": st[2], "pegHash": st[3],
    }]
    assert s.usdc.allowance(b, lender) == 3 * UNIT + 123
    assert b.proofIdUsed(st[0])


def test_callback_refusals(scripted):
    s, b, lender = scripted, scripted.borrower, scripted.lender
    s.usdc.mint(b, 3 * UNIT, sender=s.stranger)
    good = step_data(step("scripted"))
    with s.refused("UntrustedInitiator", initiator=s.stranger):
        lender.callBorrower(b, s.stranger, s.usdc, UNIT, 0, good, sender=s.stranger)
    with s.refused("UnexpectedToken", token=s.cw):
        lender.callBorrower(b, b, s.cw, UNIT, 0, good, sender=s.stranger)
    with s.refused("InsufficientRepaymentFunds", needed=3 * UNIT + 1, held=3 * UNIT):
        lender.callBorrower(b, b, s.usdc, 3 * UNIT + 1, 0, good, sender=s.stranger)
    with s.refused("InsufficientRepaymentFunds", needed=3 * UNIT + 1, held=3 * UNIT):
        lender.callBorrower(b, b, s.usdc, 3 * UNIT, 1, good, sender=s.stranger)
    for index in range(4):
        bad = list(step("scripted"))
        bad[index] = ZERO32
        with s.refused("ZeroHash"):
            lender.callBorrower(b, b, s.usdc, UNIT, 0, step_data(tuple(bad)), sender=s.stranger)
    lender.callBorrower(b, b, s.usdc, UNIT, 0, good, sender=s.stranger)
    with s.refused("ProofIdAlreadyUsed", proofId=h("scripted")):
        lender.callBorrower(b, b, s.usdc, UNIT, 0, good, sender=s.stranger)


# ---------------------------------------------------------------------------- sweep


def test_sweep_moves_any_token_to_the_owner_choice(fpb):
    s, b = fpb, fpb.borrower
    s.cw.mint(b, 50, sender=s.stranger)
    receipt = b.sweep(s.usdc, s.recipient, 400_000, sender=s.owner)
    assert events(receipt, b.Swept) == [{"token": s.usdc.address, "to": s.recipient.address, "amount": 400_000}]
    b.sweep(s.cw, s.recipient, 50, sender=s.owner)
    assert (s.usdc.balanceOf(s.recipient), s.cw.balanceOf(s.recipient)) == (400_000, 50)
    assert (s.usdc.balanceOf(b), s.cw.balanceOf(b)) == (UNIT - 400_000, 0)


def test_sweep_refusals(fpb):
    s, b = fpb, fpb.borrower
    for who in (s.admin, s.stranger):
        with s.refused("OwnableUnauthorizedAccount", account=who):
            b.sweep(s.usdc, who, 1, sender=who)
    with s.refused("ZeroAddress"):
        b.sweep(s.usdc, ZERO_ADDRESS, 1, sender=s.owner)
    with s.refused("ZeroAmount"):
        b.sweep(s.usdc, s.owner, 0, sender=s.owner)
    with s.refused("ERC20InsufficientBalance", sender=b, balance=UNIT, needed=UNIT + 1):
        b.sweep(s.usdc, s.owner, UNIT + 1, sender=s.owner)


# ---------------------------------------------------------------------------- ownership (Ownable2Step)


def test_ownership_transfer_is_two_step(fpb):
    s, b, new = fpb, fpb.borrower, fpb.stranger
    b.transferOwnership(new, sender=s.owner)
    assert (b.owner(), b.pendingOwner()) == (s.owner.address, new.address)
    # not yet the owner
    with s.refused("OwnableUnauthorizedAccount", account=new):
        b.runFlashProof(UNIT, step("flash-1"), sender=new)
    with s.refused("OwnableUnauthorizedAccount", account=s.recipient):
        b.acceptOwnership(sender=s.recipient)

    b.acceptOwnership(sender=new)
    assert (b.owner(), b.pendingOwner()) == (new.address, ZERO_ADDRESS)
    with s.refused("OwnableUnauthorizedAccount", account=s.owner):
        b.runFlashProof(UNIT, step("flash-1"), sender=s.owner)
    b.runFlashProof(UNIT, step("flash-2"), sender=new)
    assert b.proofIdUsed(h("flash-2"))


def test_ownership_refusals(fpb):
    s, b = fpb, fpb.borrower
    with s.refused("OwnableUnauthorizedAccount", account=s.stranger):
        b.transferOwnership(s.stranger, sender=s.stranger)
    with s.refused("OwnableUnauthorizedAccount", account=s.stranger):
        b.renounceOwnership(sender=s.stranger)
    with s.refused("OwnableUnauthorizedAccount", account=s.stranger):
        b.acceptOwnership(sender=s.stranger)


def test_renounced_borrower_can_no_longer_borrow(fpb):
    s, b = fpb, fpb.borrower
    b.renounceOwnership(sender=s.owner)
    assert b.owner() == ZERO_ADDRESS
    with s.refused("OwnableUnauthorizedAccount", account=s.owner):
        b.runFlashProof(UNIT, step("flash-1"), sender=s.owner)
