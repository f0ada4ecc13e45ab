"""DBISEngineXVirtualBatchVault proof edges: a loop proof (the operator pays itself) and a
lossless proof (no rounding remainder to pay)."""

from __future__ import annotations

from .support import (
    RESERVE,
    UNIT,
    VIRTUAL_FEE_BPS,
    deploy_vault,
    events,
    fund_operator,
    grant_roles,
    h,
    ladder,
    make_scene,
)


def _cw_balances(s, *who):
    return [s.cw.balanceOf(w) for w in who]


def test_loop_proof_to_the_operator_itself(scene):
    """recipient == caller: `amountOut` goes through the token as a self-transfer (not measured,
    since the balance does not move); the operator ends down by the surplus and rounding only."""
    s = scene
    plan = ladder.amount_in_for_exact_out(UNIT, RESERVE, VIRTUAL_FEE_BPS)
    amount_in = plan.amount_in + 12_345  # some preview surplus too
    preview = ladder.preview(amount_in, RESERVE, VIRTUAL_FEE_BPS)
    before = s.state()
    op, surplus, rounding = _cw_balances(s, s.operator, s.surplus, s.rounding)
    receipt = s.proof(s.operator, amount_in, UNIT, "loop")
    assert s.cw.balanceOf(s.surplus) - surplus == preview.amount_out - UNIT
    assert s.cw.balanceOf(s.rounding) - rounding == amount_in - preview.amount_out
    assert op - s.cw.balanceOf(s.operator) == amount_in - UNIT
    transfers = [(t["from"], t["to"], t["value"]) for t in events(receipt, s.cw.Transfer)]
    assert transfers[0] == (s.operator.address, s.operator.address, UNIT)
    assert s.vault.proofIdUsed(h("loop"))
    [ev] = events(receipt, s.vault.VirtualProofAuditEvidence)
    assert (ev["recipient"], ev["amountIn"], ev["amountOut"]) == (s.operator.address, amount_in, UNIT)
    after = s.state()
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {f"cw.balanceOf({a.address})" for a in (s.operator, s.surplus, s.rounding)}


def test_lossless_proof_pays_no_rounding(project, chain, registry, actors, fresh):
    """Fee 0 and an input of exactly one reserve: the round trip returns every unit
    (1e12 -> 5e11 USDC -> 1e12), so nothing goes to the rounding or the surplus receiver."""
    a = actors
    vault = deploy_vault(project, actors, fresh.cw, fresh.usdc, fee_bps=0)
    grant_roles(vault, actors)
    fund_operator(vault, fresh.cw, fresh.usdc, a["operator"])
    reserve = 10**12
    vault.seedPool(reserve, reserve, sender=a["operator"])
    s = make_scene(project, chain, registry, actors, vault, fresh.cw, fresh.usdc)
    preview = ladder.preview(reserve, reserve, 0)
    assert (preview.amount_out, preview.loss_bps) == (reserve, 0)
    assert tuple(vault.previewVirtualProof(reserve))[:2] == (reserve, 0)
    before = s.state()
    receipt = s.proof(s.recipient, reserve, reserve, "lossless")
    transfers = [(t["from"], t["to"], t["value"]) for t in events(receipt, s.cw.Transfer)]
    assert transfers == [(s.operator.address, s.recipient.address, reserve)]
    after = s.state()
    cw_op, cw_rcpt = (f"cw.balanceOf({x.address})" for x in (s.operator, s.recipient))
    assert after[cw_op] == before[cw_op] - reserve and after[cw_rcpt] == before[cw_rcpt] + reserve
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {cw_op, cw_rcpt}  # reserves, bucket and both receivers untouched
