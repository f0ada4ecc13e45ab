"""The Slither gate's bookkeeping (tools/slither_gate.py): stable keys and what fails CI.

Slither itself runs in its own venv (`make slither`, part of `make test`); these tests need only
the gate's pure functions and the committed triage file.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("slither_gate", ROOT / "tools" / "slither_gate.py")
gate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gate)  # type: ignore[union-attr]


def _finding(check: str, impact: str, line: int, expression: str = "debt == 0") -> dict:
    function = {"type": "function", "name": "_repay",
                "type_specific_fields": {"parent": {"name": "Vault"}, "signature": "_repay(address,uint256)"},
                "source_mapping": {"filename_relative": "contracts/engine_x/Vault.sol", "lines": [line]}}
    node = {"type": "node", "name": expression,
            "type_specific_fields": {"parent": {"name": "_repay",
                                                "type_specific_fields": {"parent": {"name": "Vault"}}}},
            "source_mapping": {"filename_relative": "contracts/engine_x/Vault.sol", "lines": [line + 3]}}
    return {"check": check, "impact": impact, "confidence": "High", "elements": [function, node]}


def test_key_ignores_line_numbers_but_not_the_expression() -> None:
    a = gate.finding_key(_finding("incorrect-equality", "Medium", 10))
    assert a == gate.finding_key(_finding("incorrect-equality", "Medium", 250))
    assert a != gate.finding_key(_finding("incorrect-equality", "Medium", 10, "shares == 0"))
    assert a == "incorrect-equality|function:Vault._repay(address,uint256)|node:Vault._repay:debt == 0"


def test_untriaged_high_or_medium_fails_and_low_does_not() -> None:
    medium, low = _finding("incorrect-equality", "Medium", 1), _finding("timestamp", "Low", 1)
    findings = {gate.finding_key(medium): medium, gate.finding_key(low): low}
    untriaged, failing, stale = gate.evaluate(findings, {})
    assert set(untriaged) == set(findings) and list(failing) == [gate.finding_key(medium)]
    todo = {gate.finding_key(medium): {"impact": "Medium", "why": "TODO"}}
    assert gate.evaluate(findings, todo)[1], "a TODO justification must still fail the gate"
    justified = {gate.finding_key(medium): {"impact": "Medium", "why": "accounting value, not a balance"},
                 "gone|contract:Old": {"impact": "High", "why": "fixed"}}
    untriaged, failing, stale = gate.evaluate(findings, justified)
    assert not failing and stale == ["gone|contract:Old"]


def test_findings_only_in_test_doubles_are_not_triaged() -> None:
    finding = _finding("timestamp", "Low", 1)
    for element in finding["elements"]:
        element["source_mapping"]["filename_relative"] = "contracts/test/MockAggregatorV3.sol"
    assert gate._in_skipped(finding)
    assert not gate._in_skipped(_finding("timestamp", "Low", 1))


def test_committed_triage_has_a_one_line_reason_for_every_entry() -> None:
    triage = json.loads((ROOT / "slither-triage.json").read_text())
    assert triage, "the triage file is empty"
    for key, entry in triage.items():
        why = entry["why"].strip()
        assert why and why != "TODO" and "\n" not in why, f"{key}: needs a one-line justification"
        assert entry["impact"] in ("High", "Medium", "Low", "Informational", "Optimization"), key
