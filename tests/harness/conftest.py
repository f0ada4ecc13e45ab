"""Fixtures for the harness tests: a fresh anvil per test and a CLI runner (subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from dbis.artifacts import PROJECT_ROOT
from dbis.chain import Anvil


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def anvil() -> Iterator[Anvil]:
    with Anvil(chain_id=31337) as node:
        yield node


@pytest.fixture
def mainnet_anvil() -> Iterator[Anvil]:
    """A local chain that answers chain id 1, standing in for mainnet."""
    with Anvil(chain_id=1) as node:
        yield node


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def run_cli(workdir: Path):
    def run(*args: str, execute: bool = False, env: dict[str, str] | None = None) -> CliResult:
        full_env = {k: v for k, v in os.environ.items() if k not in ("EXECUTE", "DBIS_CRASH_AT", "DBIS_ACCOUNT")}
        full_env.update(env or {})
        if execute:
            full_env["EXECUTE"] = "1"
        proc = subprocess.run(
            [sys.executable, "-m", "dbis", *args,
             "--journal-dir", str(workdir / "deployments"), "--out-dir", str(workdir / "plans")],
            cwd=PROJECT_ROOT, env=full_env, capture_output=True, text=True, timeout=300,
        )
        return CliResult(proc.returncode, proc.stdout, proc.stderr)

    return run


def read_journal(workdir: Path, network: str = "local") -> list[dict]:
    path = workdir / "deployments" / f"{network}.json"
    return json.loads(path.read_text())["entries"] if path.exists() else []


def mined(w3, call, sender: str) -> dict:
    """Send a contract call from `sender` and wait for its receipt (anvil may answer
    eth_sendTransaction before the block holding it is mined); a revert fails the test."""
    receipt = w3.eth.wait_for_transaction_receipt(call.transact({"from": sender}), timeout=60, poll_latency=0.05)
    assert receipt["status"] == 1, f"transaction {receipt['transactionHash'].hex()} reverted"
    return dict(receipt)
