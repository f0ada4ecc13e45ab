"""reserve-monitor: healthy → insolvent → recovery planned and executed → healthy, on a local anvil;
bounded polling, a dropped RPC retried (and said so), a clean Ctrl-C stop, sizing by deficit."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests

from dbis import demo_reserve
from dbis.artifacts import PROJECT_ROOT
from dbis.errors import OperatorError
from dbis.operator import Options
from dbis.reserve import recovery
from dbis.reserve.monitor import Monitor, MonitorConfig
from dbis.reserve.source import SourceSpec
from tests.harness.conftest import CliResult
from tests.harness.test_framework import _one_line_error

ADDRESS = "0x" + "11" * 20


def _opts(anvil, workdir: Path, execute: bool = True):
    def opts(local_account: int = 0, **params: Any) -> Options:
        return Options(network="local", rpc_url=anvil.url, execute=execute, local_account=local_account,
                       journal_dir=workdir / "deployments", out_dir=workdir / "plans", params=params)
    return opts


def test_healthy_insolvent_recovered_healthy_end_to_end(anvil, workdir: Path) -> None:
    lines: list[str] = []
    result = demo_reserve.run(anvil.w3, anvil.url, _opts(anvil, workdir), lines.append, workdir, lines.append)
    s = result["stages"]
    assert (s["1-healthy"]["published"], s["1-healthy"]["isReserveHealthy"]) == (True, True)
    insolvent = s["2-undercollateralised"]
    assert (insolvent["published"], insolvent["isReserveHealthy"], insolvent["mint_allowed"]) == (False, False, False)
    assert insolvent["recovery"]["mechanism"] == "direct-swap" and insolvent["recovery"]["executed"] is True
    assert insolvent["reserve_restored"] == demo_reserve.LOSS == insolvent["recovery"]["deficit"]
    assert s["3-healthy-again"]["isReserveHealthy"] and s["3-healthy-again"]["recovery_confirmed"]
    assert [e["isSolvent"] for e in result["events"]] == [True, False, True]
    text = "\n".join(lines)
    assert "reserve INSOLVENT" in text and "recovery executed" in text and "recovery confirmed" in text
    assert "transfer-to-reserve" in text  # the plan table was printed
    assert demo_reserve.checks(result)


def test_dry_run_plans_without_sending(anvil, workdir: Path) -> None:
    """The same insolvency with EXECUTE unset: the plan is printed and written, nothing moves."""
    lines: list[str] = []
    opts = _opts(anvil, workdir)
    result = demo_reserve.run(anvil.w3, anvil.url, opts, lines.append, workdir, lines.append)
    # Lose collateral again, publish false, and let a dry-run monitor react.
    w3 = anvil.w3
    from tests.reserve.chain_support import send, view

    send(w3, result["collateral"], "TestERC20", "transfer", w3.eth.accounts[9], demo_reserve.LOSS,
         sender=result["reserve"])
    if not result["swap_router"]:  # the recovery wallet spent its collateral on the first recovery
        send(w3, result["collateral"], "TestERC20", "mint", w3.eth.accounts[0], demo_reserve.LOSS)
    from dbis.operator import run_command
    from dbis.reserve import commands

    run_command("reserve-workflow", commands.build_reserve_workflow,
                opts(attestation=result["attestation"], source=str(workdir / "reserve-source.json")), lines.append)
    balance = view(w3, result["collateral"], "TestERC20", "balanceOf", result["reserve"])
    rc = recovery.RecoveryConfig(result["collateral"], result["usdc"], result["reserve"], result["swap_router"], 3000,
                                 demo_reserve.PRICE, 100, Decimal(50_000_000))
    dry: list[str] = []
    monitor = Monitor(MonitorConfig("local", anvil.url, result["attestation"],
                                    SourceSpec(str(workdir / "reserve-source.json")), rc,
                                    _opts(anvil, workdir, execute=False)(), interval=0, max_iterations=1), dry.append)
    monitor.run(sleep=lambda _: None)
    text = "\n".join(dry)
    assert "INSOLVENT" in text and "recovery planned (dry-run)" in text and "transfer-to-reserve" in text
    assert view(w3, result["collateral"], "TestERC20", "balanceOf", result["reserve"]) == balance
    assert monitor.state.recoveries[-1]["executed"] is False


def test_recovery_swaps_usdc_for_collateral_through_uniswap(anvil, workdir: Path) -> None:
    """The seed's small-deficit path: USDC -> collateral via SwapRouter.exactInputSingle, then transfer."""
    pytest.importorskip("dbis.uniswap")
    lines: list[str] = []
    result = demo_reserve.run(anvil.w3, anvil.url, _opts(anvil, workdir), lines.append, workdir, lines.append)
    rec = result["stages"]["2-undercollateralised"]["recovery"]
    assert result["swap_router"] and rec["buy"] == rec["deficit"] == demo_reserve.LOSS and rec["usdc_in"] > 0
    assert "swap-usdc-for-collateral" in "\n".join(lines)
    assert result["stages"]["3-healthy-again"]["isReserveHealthy"]


def test_sizing_rounds_up_and_chooses_the_mechanism_by_size() -> None:
    common = {"collateral_decimals": 8, "usdc_decimals": 6, "price": 90_000 * 10**8, "slippage_bps": 100,
              "dark_pool_threshold_usd": Decimal(50_000_000)}
    small = recovery.size(Decimal("0.123456789"), wallet_collateral=0, **common)
    assert (small.mechanism, small.deficit, small.buy) == ("direct-swap", 12_345_679, 12_345_679)  # rounded up
    assert small.usdc_in == -(-12_345_679 * 90_000 * 10**6 * 10_100 // (10**8 * 10_000))
    partial = recovery.size(Decimal("0.5"), wallet_collateral=10**7, **common)
    assert (partial.from_wallet, partial.buy) == (10**7, 4 * 10**7)
    large = recovery.size(Decimal(556), wallet_collateral=0, **common)  # 556 x 90,000 = 50.04M USD
    assert large.mechanism == "dark-pool" and large.usdc_in == 0
    with pytest.raises(OperatorError, match="Confidential Compute"):
        recovery.steps(large, recovery.RecoveryConfig(ADDRESS, ADDRESS, ADDRESS, ADDRESS, 3000, 1, 0, Decimal(1)),
                       ADDRESS, 0)
    with pytest.raises(OperatorError, match="--swap-router"):  # must buy, but no swap configured
        recovery.steps(small, recovery.RecoveryConfig(ADDRESS, None, ADDRESS, None, 3000, 1, 0, Decimal(1)), ADDRESS, 0)


def test_dropped_rpc_is_retried_and_said_so(anvil, workdir: Path) -> None:
    lines: list[str] = []
    result = demo_reserve.run(anvil.w3, anvil.url, _opts(anvil, workdir), lines.append, workdir, lines.append)
    rc = recovery.RecoveryConfig(result["collateral"], None, result["reserve"], None, 3000, 1, 0, Decimal(1))
    out: list[str] = []
    monitor = Monitor(MonitorConfig("local", anvil.url, result["attestation"], SourceSpec(None), rc,
                                    _opts(anvil, workdir)(), interval=0, max_iterations=4), out.append)
    real_step, calls = monitor.step, {"n": 0}

    def flaky() -> None:
        calls["n"] += 1
        if calls["n"] in (2, 3):
            raise requests.exceptions.ConnectionError("connection refused")
        real_step()

    monitor.step = flaky  # type: ignore[method-assign]
    monitor.run(sleep=lambda _: None)
    text = "\n".join(out)
    assert text.count("unreachable (ConnectionError); retrying") == 2 and "(2/5)" in text
    assert "stopped after 4 poll(s)" in text and monitor.state.rpc_failures == 0  # it came back


def _cli(*args: str, **kw: Any) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "dbis", "reserve-monitor", *args], cwd=PROJECT_ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def test_cli_gives_up_on_a_dead_rpc_with_one_line(workdir: Path) -> None:
    proc = _cli("--rpc-url", "http://127.0.0.1:9", "--attestation", ADDRESS, "--collateral", ADDRESS,
                "--reserve-address", ADDRESS, "--interval", "0", "--max-rpc-failures", "3",
                "--out-dir", str(workdir))
    stdout, stderr = proc.communicate(timeout=120)
    assert stdout.count("retrying") == 3, stdout
    assert proc.returncode == 2
    line = _one_line_error(CliResult(proc.returncode, stdout, stderr))
    assert line.endswith("unreachable for 3 polls in a row; stopping")


def test_cli_is_bounded_and_stops_cleanly_on_ctrl_c(anvil, workdir: Path) -> None:
    lines: list[str] = []
    result = demo_reserve.run(anvil.w3, anvil.url, _opts(anvil, workdir), lines.append, workdir, lines.append)
    common = ("--rpc-url", anvil.url, "--attestation", result["attestation"], "--collateral", result["collateral"],
              "--reserve-address", result["reserve"], "--out-dir", str(workdir))
    bounded = _cli(*common, "--interval", "0", "--max-iterations", "2")
    stdout, stderr = bounded.communicate(timeout=120)
    assert bounded.returncode == 0, stderr
    assert "watching" in stdout and "stopped after 2 poll(s)" in stdout

    forever = _cli(*common, "--interval", "0.2", "--max-iterations", "0")
    assert forever.stdout is not None
    deadline = time.monotonic() + 60
    while "watching" not in (forever.stdout.readline() or "") and time.monotonic() < deadline:
        pass
    forever.send_signal(signal.SIGINT)
    stdout, stderr = forever.communicate(timeout=60)
    assert forever.returncode == 130
    assert "stopped (Ctrl-C)" in stdout and "Traceback" not in stdout + stderr


def test_monitor_refuses_a_missing_attestation(anvil, run_cli) -> None:
    line = _one_line_error(run_cli("reserve-monitor", "--rpc-url", anvil.url, "--collateral", ADDRESS,
                                   "--reserve-address", ADDRESS, "--max-iterations", "1"))
    assert "no reserve attestation on local" in line
    line = _one_line_error(run_cli("reserve-monitor", "--rpc-url", anvil.url, "--reserve-address", ADDRESS))
    assert "--collateral" in line
