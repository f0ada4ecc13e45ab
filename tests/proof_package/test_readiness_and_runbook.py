"""public-readiness gates (a pure function over fabricated pool state) and the runbook table."""

from __future__ import annotations

import argparse

import pytest

from dbis import readiness, runbook
from dbis.artifacts import PROJECT_ROOT
from dbis.cli import PARAMS, parser

USDC = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"
CWUSDC = "0x1111111111111111111111111111111111111111"
OTHER = "0x2222222222222222222222222222222222222222"
U = 10**6


def _pool(token0: str = CWUSDC, token1: str = USDC, liquidity: int = 10**12, b0: int = 0, b1: int = 0):
    return readiness.PoolState("0x1Cf2e685682C7F7beF508F0Af15Dfb5CDda01ee3", token0, token1, liquidity, 0, b0, b1)


def _status(gates: list[readiness.Gate]) -> list[bool]:
    return [g.passed for g in gates]


def test_no_pool_blocks_every_gate() -> None:
    gates = readiness.evaluate(None, USDC, CWUSDC)
    assert [g.name for g in gates] == list(readiness.GATE_NAMES) and _status(gates) == [False] * 4
    assert all("no cWUSDC/USDC pool" in g.figure for g in gates)


def test_the_runbook_live_state_quote_starved_and_out_of_range_is_blocked() -> None:
    # 2026-05-07: external swaps moved the pool out of range; active liquidity 0, no USDC left.
    gates = readiness.evaluate(_pool(liquidity=0, b0=171_527_058, b1=0), USDC, CWUSDC)
    assert _status(gates) == [True, False, False, False]
    assert gates[1].figure == "active liquidity 0 at tick 0"
    assert "cWUSDC 171.527058 / USDC 0.000000" in gates[2].figure


@pytest.mark.parametrize("cw,usdc,expected", [
    (2_500 * U - 1, 2_500 * U, [True, True, False, False]),
    (2_500 * U, 2_500 * U - 1, [True, True, False, False]),
    (2_500 * U, 2_500 * U, [True, True, True, False]),
    (10_000 * U, 9_999_999_999, [True, True, True, False]),
    (10_000 * U, 10_000 * U, [True, True, True, True]),
])
def test_floor_and_target_boundaries(cw: int, usdc: int, expected: list[bool]) -> None:
    assert _status(readiness.evaluate(_pool(token0=USDC, token1=CWUSDC, b0=usdc, b1=cw), USDC, CWUSDC)) == expected


def test_a_pool_without_official_usdc_fails_the_quote_gate_whatever_its_depth() -> None:
    gates = readiness.evaluate(_pool(token1=OTHER, b0=10**12, b1=10**12), USDC, CWUSDC)
    assert _status(gates) == [False, True, False, False]
    assert "official USDC 0xA0b8" in gates[0].figure
    text = readiness.render(gates)
    assert "BLOCKED" in text and "pass" in text


def _commands() -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices


def test_runbook_sequence_uses_existing_commands_in_the_runbook_order() -> None:
    choices = _commands()
    order = runbook.commands()
    assert order[0] == "public-readiness" and order[-1] == "audit-manifest"
    assert order.index("v2-deploy") < order.index("loop-proof") < order.index("proof-package") < order.index("recipient-proof")
    for step in runbook.operator_order():
        assert step.command in choices
        assert step.sends == (step.command in PARAMS), f"{step.command}: sends must match being a plan command"


def test_readme_operator_section_walks_the_runbook_order() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert runbook.markdown() in readme
