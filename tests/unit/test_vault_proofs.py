"""DBISEngineXVirtualBatchVault: the virtual ladder preview and exact-output proofs."""

import pytest

from .support import (
    MAX_LOSS_BPS,
    OPERATOR_ROLE,
    RESERVE,
    UINT128_MAX,
    UINT256_MAX,
    UNIT,
    VIRTUAL_FEE_BPS,
    ZERO32,
    ZERO_ADDRESS,
    deploy_vault,
    events,
    execution_gas,
    find_slot,
    fund_operator,
    grant_roles,
    h,
    ladder,
)

FIVE_BILLION = 5_000_000_000 * UNIT

# ---------------------------------------------------------------------------- previewVirtualProof


def _amounts(reserve: int) -> list[int]:
    raw = [1, 2, 999, 10**6, reserve - 1, reserve, reserve + 1, 2 * reserve, 2 * reserve + 1,
           3 * reserve - 7, FIVE_BILLION, FIVE_BILLION + 58_299_841, 10**30, 2**200, UINT256_MAX]
    return sorted({a for a in raw if a > 0})


@pytest.mark.parametrize("fee_bps", [0, VIRTUAL_FEE_BPS, 30, 1_000])
@pytest.mark.parametrize("reserve", [1, RESERVE, 10**12, UINT128_MAX])
def test_preview_equals_python_ladder(project, fresh, actors, fee_bps, reserve):
    a = actors
    vault = deploy_vault(project, actors, fresh.cw, fresh.usdc, fee_bps=fee_bps, max_loss_bps=10_000)
    grant_roles(vault, actors)
    fund_operator(vault, fresh.cw, fresh.usdc, a["operator"], amount_cw=reserve, amount_usdc=reserve)
    vault.seedPool(reserve, reserve, sender=a["operator"])
    assert vault.poolCwusdcReserve() == reserve

    for amount in _amounts(reserve):
        expected = ladder.preview(amount, reserve, fee_bps)
        got = vault.previewVirtualProof(amount)
        assert (got.amountOut, got.lossBps, got.steps) == (
            expected.amount_out, expected.loss_bps, expected.steps,
        ), f"amountIn={amount}"
        assert got.amountOut <= amount


def test_preview_of_the_runbook_proof(scene):
    """5,000,000,000 cWUSDC through the 85.763529 pool: ~58.3 million steps, priced in one call."""
    plan = ladder.amount_in_for_exact_out(FIVE_BILLION, RESERVE, VIRTUAL_FEE_BPS)
    got = scene.vault.previewVirtualProof(plan.amount_in)
    assert got.amountOut == plan.amount_out >= FIVE_BILLION
    assert got.steps == plan.steps == -(-plan.amount_in // RESERVE)
    assert got.lossBps == plan.loss_bps <= MAX_LOSS_BPS
    # one unit less no longer covers the output: the planned input is the smallest
    assert scene.vault.previewVirtualProof(plan.amount_in - 1).amountOut < FIVE_BILLION


def test_preview_refuses_an_empty_pool(fresh):
    with fresh.refused("EmptyPool"):
        fresh.static(fresh.vault, "previewVirtualProof", UNIT)


def test_preview_refuses_zero(scene):
    with scene.refused("ZeroAmount"):
        scene.static(scene.vault, "previewVirtualProof", 0)


# ---------------------------------------------------------------------------- runVirtualProofExactOutTo


def _assert_paid(s, receipt, label, recipient, amount_in, amount_out, before):
    preview = ladder.preview(amount_in, RESERVE, VIRTUAL_FEE_BPS)
    v = s.vault
    assert s.cw.balanceOf(recipient) - before["recipient"] == amount_out
    assert s.cw.balanceOf(s.surplus) - before["surplus"] == preview.amount_out - amount_out
    assert s.cw.balanceOf(s.rounding) - before["rounding"] == amount_in - preview.amount_out
    assert before["operator"] - s.cw.balanceOf(s.operator) == amount_in
    assert (v.poolCwusdcReserve(), v.poolUsdcReserve()) == (RESERVE, RESERVE)
    assert (s.cw.balanceOf(v), s.usdc.balanceOf(v)) == (before["vault_cw"], before["vault_usdc"])
    assert v.proofIdUsed(h(label))
    assert events(receipt, v.VirtualProofAuditEvidence) == [{
        "proofId": h(label), "recipient": recipient.address, "amountIn": amount_in,
        "amountOut": amount_out, "isoHash": h(f"{label}/iso"), "auditHash": h(f"{label}/audit"),
        "pegHash": h(f"{label}/peg"), "poolCwusdcReserve": RESERVE, "poolUsdcReserve": RESERVE,
    }]


def _balances(s, recipient):
    return {
        "recipient": s.cw.balanceOf(recipient), "surplus": s.cw.balanceOf(s.surplus),
        "rounding": s.cw.balanceOf(s.rounding), "operator": s.cw.balanceOf(s.operator),
        "vault_cw": s.cw.balanceOf(s.vault), "vault_usdc": s.usdc.balanceOf(s.vault),
    }


def test_proof_pays_exactly_amount_out_at_the_loss_boundary(scene):
    s = scene
    plan = ladder.amount_in_for_exact_out(UNIT, RESERVE, VIRTUAL_FEE_BPS)
    assert plan.loss_bps == MAX_LOSS_BPS  # 1 cWUSDC sits exactly on the configured loss cap
    before = _balances(s, s.recipient)
    receipt = s.proof(s.recipient, plan.amount_in, UNIT, "canary")
    _assert_paid(s, receipt, "canary", s.recipient, plan.amount_in, UNIT, before)


def test_proof_sends_preview_surplus_to_the_surplus_receiver(scene):
    s = scene
    amount_in = ladder.amount_in_for_exact_out(UNIT, RESERVE, VIRTUAL_FEE_BPS).amount_in + 12_345
    preview = ladder.preview(amount_in, RESERVE, VIRTUAL_FEE_BPS)
    assert preview.amount_out > UNIT
    before = _balances(s, s.recipient)
    receipt = s.proof(s.recipient, amount_in, UNIT, "with-surplus")
    _assert_paid(s, receipt, "with-surplus", s.recipient, amount_in, UNIT, before)
    assert s.cw.balanceOf(s.surplus) - before["surplus"] == preview.amount_out - UNIT > 0


def test_proof_gas_is_the_same_for_1_and_5_billion_cwusdc(scene, chain):
    s = scene
    runs = {}
    for label, amount_out in (("one", UNIT), ("five-billion", FIVE_BILLION)):
        plan = ladder.amount_in_for_exact_out(amount_out, RESERVE, VIRTUAL_FEE_BPS)
        with chain.isolate():  # both runs start from the same state (cold/zero slots alike)
            before = _balances(s, s.recipient)
            receipt = s.proof(s.recipient, plan.amount_in, amount_out, label)
            _assert_paid(s, receipt, label, s.recipient, plan.amount_in, amount_out, before)
            runs[label] = (plan, receipt.gas_used, execution_gas(receipt))
    assert runs["five-billion"][0].steps > 58_000_000 and runs["one"][0].steps == 1
    # the calldata differs only in the amounts' zero bytes; execution is identical
    assert runs["one"][2] == runs["five-billion"][2], runs
    assert abs(runs["one"][1] - runs["five-billion"][1]) <= 12 * 64, runs


def test_proof_refused_for_non_operator(scene):
    s = scene
    s.watch(proof_ids=[h("p")])
    s.cw.mint(s.admin, 10 * UNIT, sender=s.admin)
    s.cw.approve(s.vault, 10 * UNIT, sender=s.admin)
    for who in (s.admin, s.pauser, s.stranger):
        with s.refused("AccessControlUnauthorizedAccount", account=who, neededRole=OPERATOR_ROLE):
            s.proof(s.recipient, 2 * UNIT, UNIT, "p", sender=who)


def test_proof_refused_while_paused(scene):
    s = scene
    s.watch(proof_ids=[h("p")])
    s.vault.pause(sender=s.pauser)
    with s.refused("EnforcedPause"):
        s.proof(s.recipient, 2 * UNIT, UNIT, "p")


@pytest.mark.parametrize("who", ["zero", "vault"])
def test_proof_refuses_invalid_recipient(scene, who):
    s = scene
    s.watch(proof_ids=[h("p")])
    recipient = ZERO_ADDRESS if who == "zero" else s.vault.address
    with s.refused("InvalidRecipient", recipient=recipient):
        s.proof(recipient, 2 * UNIT, UNIT, "p")


@pytest.mark.parametrize("which", ["proofId", "isoHash", "auditHash", "pegHash"])
def test_proof_refuses_a_zero_hash(scene, which):
    s = scene
    values = {"proofId": h("p"), "isoHash": h("iso"), "auditHash": h("audit"), "pegHash": h("peg")}
    values[which] = ZERO32
    s.watch(proof_ids=[h("p"), ZERO32])
    with s.refused("ZeroHash"):
        s.vault.runVirtualProofExactOutTo(
            s.recipient, 2 * UNIT, UNIT, values["proofId"], values["isoHash"], values["auditHash"],
            values["pegHash"], sender=s.operator,
        )


def test_proof_id_never_runs_twice(scene):
    s = scene
    s.proof(s.recipient, 2 * UNIT, UNIT, "once")
    s.watch(proof_ids=[h("once")])
    # same ID, any other amounts or hashes
    with s.refused("ProofIdAlreadyUsed", proofId=h("once")):
        s.proof(s.recipient, 2 * UNIT, UNIT, "once")
    with s.refused("ProofIdAlreadyUsed", proofId=h("once")):
        s.proof(s.surplus, 3 * UNIT, 2 * UNIT, "once", hashes=(h("a"), h("b"), h("c")))


def test_proof_refuses_unequal_reserves(scene, chain):
    """Unreachable through the vault's own functions; forced here by writing the reserve slot."""
    s = scene
    slot = find_slot(chain, s.vault.address, (RESERVE << 128) | RESERVE)
    chain.provider.set_storage(s.vault.address, slot, ((RESERVE - 1) << 128) | RESERVE)
    assert (s.vault.poolCwusdcReserve(), s.vault.poolUsdcReserve()) == (RESERVE, RESERVE - 1)
    s.watch(proof_ids=[h("p")])
    with s.refused("ReservesNotEqual", cwusdcReserve=RESERVE, usdcReserve=RESERVE - 1):
        s.proof(s.recipient, 2 * UNIT, UNIT, "p")
    # and withdrawals cannot make the rail "more" unequal either
    with s.refused("ReservesNotEqual", cwusdcReserve=RESERVE - 1, usdcReserve=RESERVE - 2):
        s.vault.withdrawPoolLiquidity(s.admin, 1, 1, sender=s.admin)


def test_proof_refuses_zero_amounts(scene):
    s = scene
    s.watch(proof_ids=[h("p")])
    with s.refused("ZeroAmount"):
        s.proof(s.recipient, 2 * UNIT, 0, "p")
    with s.refused("ZeroAmount"):
        s.proof(s.recipient, 0, UNIT, "p")


def test_proof_refuses_an_empty_pool(fresh):
    fresh.watch(proof_ids=[h("p")])
    with fresh.refused("EmptyPool"):
        fresh.proof(fresh.recipient, 2 * UNIT, UNIT, "p")


def test_proof_refuses_a_loss_above_the_cap(scene):
    s = scene
    amount_in = 1_000
    preview = ladder.preview(amount_in, RESERVE, VIRTUAL_FEE_BPS)
    assert preview.loss_bps > MAX_LOSS_BPS and preview.amount_out >= 1
    s.watch(proof_ids=[h("p")])
    with s.refused("RoundTripLossTooHigh", lossBps=preview.loss_bps, maxLossBps=MAX_LOSS_BPS):
        s.proof(s.recipient, amount_in, 1, "p")


def test_proof_refuses_amount_out_above_the_preview(scene):
    s = scene
    plan = ladder.amount_in_for_exact_out(UNIT, RESERVE, VIRTUAL_FEE_BPS)
    short = ladder.preview(plan.amount_in - 1, RESERVE, VIRTUAL_FEE_BPS)
    assert short.amount_out == UNIT - 1
    s.watch(proof_ids=[h("p")])
    with s.refused("AmountOutExceedsPreview", amountOut=UNIT, previewOut=UNIT - 1):
        s.proof(s.recipient, plan.amount_in - 1, UNIT, "p")
    with s.refused("AmountOutExceedsPreview", amountOut=plan.amount_out + 1, previewOut=plan.amount_out):
        s.proof(s.recipient, plan.amount_in, plan.amount_out + 1, "p")


def test_proof_refused_without_allowance_for_the_whole_input(scene):
    s = scene
    plan = ladder.amount_in_for_exact_out(UNIT, RESERVE, VIRTUAL_FEE_BPS)
    s.cw.approve(s.vault, plan.amount_in - 1, sender=s.operator)  # one unit short of the input
    s.watch(proof_ids=[h("p")])
    with s.refused("ERC20InsufficientAllowance", spender=s.vault, allowance=plan.amount_in - 1 - UNIT,
                   needed=plan.amount_in - UNIT):
        s.proof(s.recipient, plan.amount_in, UNIT, "p")
