"""Bad proof-package configuration is refused with a one-line reason, before anything is built."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

from dbis.artifacts import PROJECT_ROOT
from dbis.errors import OperatorError
from dbis.iso20022 import config
from tests.proof_package.support import ENV, raw_config

META = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict], None]:
    def edit(raw: dict) -> None:
        node = raw
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return edit


def _duplicate(raw: dict) -> None:
    raw["recipients"].append({"name": "same wallet, other case", "address": META.lower()})


BAD: list[tuple[str, Callable[[dict], None], str]] = [
    ("short address", _set(("recipients", 0, "address"), "0x7099797"), "recipient 1 (Meta wallet (test)) address '0x7099797' is not an address"),
    ("not hex", _set(("recipients", 0, "address"), "meta.eth"), "is not an address (0x followed by 40 hex digits)"),
    ("bad checksum", _set(("recipients", 0, "address"), META.replace("C51812", "c51812")), "wrong EIP-55 checksum"),
    ("zero address", _set(("recipients", 0, "address"), "0x" + "0" * 40), "is the zero address"),
    ("zero amount", _set(("recipients", 0, "amount"), "0.000000"), "recipient 1 (Meta wallet (test)) amount is zero"),
    ("7 decimals", _set(("recipients", 1, "amount"), "1.0000001"), "has more than 6 decimals"),
    ("negative", _set(("recipients", 1, "amount"), "-5"), "is not a positive decimal amount"),
    ("6th decimal", _set(("recipients", 1, "amount"), "1.000001"), "ISO 20022 amounts carry at most 5 decimals"),
    ("duplicate", _duplicate, "recipient 3 (same wallet, other case) duplicates recipient 1"),
    ("missing BIC", _set(("parties", "debtor_agent", "bic"), None), "party debtor_agent has no BIC"),
    ("bad BIC", _set(("parties", "debtor_agent", "bic"), "DBIS1"), "is not an ISO 9362 BIC"),
    ("missing LEI", _set(("parties", "creditor_agent", "lei"), ""), "party creditor_agent has no LEI"),
    ("bad LEI check digits", _set(("parties", "debtor", "lei"), "5493000DBISDEBTOR077"), "is not an ISO 17442 LEI"),
    ("missing party", lambda raw: raw["parties"].pop("debtor"), "party debtor is missing"),
    ("no recipients", _set(("recipients",), []), "no recipients"),
]


@pytest.mark.parametrize("label,edit,reason", BAD, ids=[b[0] for b in BAD])
def test_bad_configuration_is_refused_with_one_line(label: str, edit, reason: str) -> None:
    raw = raw_config()
    edit(raw)
    with pytest.raises(OperatorError) as err:
        config.from_dict(raw, "5000000000")
    assert reason in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("amount,reason", [("0", "is zero"), ("1.1234567", "more than 6 decimals"), ("abc", "not a positive")])
def test_bad_per_recipient_is_refused(amount: str, reason: str) -> None:
    with pytest.raises(OperatorError, match=reason):
        config.from_dict(raw_config(), amount)


def test_good_configuration_gives_exact_units() -> None:
    cfg = config.from_dict(raw_config(), "5000000000")
    assert [r.amount_units for r in cfg.recipients] == [5_000_000_000_000_000] * 2
    raw = raw_config()
    raw["recipients"][1]["amount"] = "0.01"
    assert config.from_dict(raw, "5000000000").recipients[1].amount_units == 10_000
    assert config.display(5_000_000_000_000_000) == "5000000000.000000"
    assert config.lei_checksum_ok(config.lei_with_check_digits("5493000DBISDEBTOR0"))


@pytest.mark.parametrize("label,edit,reason", [BAD[0], BAD[4], BAD[5], BAD[8], BAD[9], BAD[11]],
                         ids=["address", "zero", "decimals", "duplicate", "BIC", "LEI"])
def test_cli_refuses_bad_configuration_on_one_line(tmp_path: Path, label: str, edit, reason: str) -> None:
    raw = raw_config()
    edit(raw)
    path = tmp_path / "local.json"
    path.write_text(json.dumps(raw))
    proc = subprocess.run(
        [sys.executable, "-m", "dbis", "proof-package", "--per-recipient", "5000000000", "--config", str(path),
         "--status-dir", str(tmp_path / "out")],
        cwd=PROJECT_ROOT, env={**os.environ, **ENV}, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and reason in lines[0]
    assert not (tmp_path / "out").exists(), "nothing is written for a refused configuration"


def test_mainnet_configuration_is_refused_until_filled_in() -> None:
    with pytest.raises(OperatorError, match="party debtor has no name"):
        config.load("mainnet", "5000000000")
