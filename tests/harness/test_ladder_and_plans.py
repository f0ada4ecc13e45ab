"""Pure parts of the harness: the ladder model, plan hashing, evidence hashing."""

from __future__ import annotations

import pytest

from dbis import ladder
from dbis.commands import evidence
from dbis.hashing import keccak_json
from dbis.plan import Plan, call

RESERVE = 85_763_529


def test_five_billion_through_the_reserve_is_about_58_million_steps() -> None:
    p = ladder.amount_in_for_exact_out(5_000_000_000 * 10**6, RESERVE, 0)
    assert p.amount_out >= 5_000_000_000 * 10**6
    assert 58_000_000 < p.steps < 58_500_000
    assert ladder.preview(p.amount_in - 1, RESERVE, 0).amount_out < 5_000_000_000 * 10**6, "not minimal"


@pytest.mark.parametrize("amount_out", [1, 10_000, RESERVE, 5_000_000_000 * 10**6])
@pytest.mark.parametrize("fee", [0, 5, 30])
def test_exact_out_is_the_smallest_covering_input(amount_out: int, fee: int) -> None:
    p = ladder.amount_in_for_exact_out(amount_out, RESERVE, fee)
    assert p.amount_out >= amount_out
    if p.amount_in > 1:
        assert ladder.preview(p.amount_in - 1, RESERVE, fee).amount_out < amount_out


def test_ladder_refuses_bad_input() -> None:
    with pytest.raises(ladder.LadderError, match="empty pool"):
        ladder.preview(1, 0, 0)
    with pytest.raises(ladder.LadderError, match="positive"):
        ladder.preview(0, RESERVE, 0)
    with pytest.raises(ladder.LadderError, match="out of range"):
        ladder.preview(1, RESERVE, 10_000)
    with pytest.raises(ladder.LadderError, match="cannot deliver"):
        ladder.amount_in_for_exact_out(5, 2, 5)  # a 2-unit reserve at 5 bps returns 0 per step


def _plan(amount: int) -> Plan:
    return Plan("x", "local", 31337, "0x" + "11" * 20, "k",
                (call("a", "0x" + "22" * 20, "TestERC20", "approve", "0x" + "33" * 20, amount),))


def test_plan_hash_is_stable_and_covers_arguments() -> None:
    assert _plan(1).hash == _plan(1).hash
    assert _plan(1).hash != _plan(2).hash
    big = _plan(2**200).to_json()
    assert big["steps"][0]["args"][1] == str(2**200), "integers are decimal strings in plan JSON"


def test_duplicate_step_ids_are_refused() -> None:
    step = call("a", "0x" + "22" * 20, "TestERC20", "approve", "0x" + "33" * 20, 1)
    with pytest.raises(ValueError, match="duplicate"):
        Plan("x", "local", 1, "0x" + "11" * 20, "k", (step, step))


def test_evidence_is_deterministic_and_distinct_per_recipient() -> None:
    p = ladder.amount_in_for_exact_out(10_000, RESERVE, 0)
    common = dict(kind="k", tag="t", chain_id=1, vault="0x" + "aa" * 20, sender="0x" + "bb" * 20,
                  preview=p, amount_out=10_000, reserve=RESERVE, fee_bps=0)
    a = evidence.build(recipient="0x" + "01" * 20, **common)
    b = evidence.build(recipient="0x" + "02" * 20, **common)
    assert a == evidence.build(recipient="0x" + "01" * 20, **common)
    assert a.proof_id != b.proof_id and a.iso_hash != b.iso_hash and a.audit_hash != b.audit_hash
    assert a.proof_id == keccak_json(a.documents["identity"])
    assert all(int(h, 16) != 0 for h in (a.proof_id, a.iso_hash, a.audit_hash, a.peg_hash))


def test_keccak_json_is_rfc8785_canonical() -> None:
    assert keccak_json({"b": 1, "a": [True, None]}) == keccak_json({"a": [True, None], "b": 1})
