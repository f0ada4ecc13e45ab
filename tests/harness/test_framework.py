"""The operator-command framework: dry-run default, EXECUTE=1 journaling, resume, refusals."""

from __future__ import annotations

import json
from pathlib import Path

from eth_account import Account
from web3 import Web3

from dbis import artifacts

from tests.harness.conftest import mined, read_journal

SENDER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"  # Ape test account 0 (anvil's first dev account)
Account.enable_unaudited_hdwallet_features()
OPERATOR = Account.from_mnemonic(
    "test test test test test test test test test test test junk", account_path="m/44'/60'/0'/0/1"
)
V2_STEPS = 14


def _nonce(w3: Web3, address: str = SENDER) -> int:
    return w3.eth.get_transaction_count(address)


def _one_line_error(result) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def test_dry_run_sends_nothing(anvil, run_cli, workdir: Path) -> None:
    block = anvil.w3.eth.block_number
    result = run_cli("v2-deploy", "--rpc-url", anvil.url)
    assert result.returncode == 0, result.stderr
    assert "dry-run: nothing was sent" in result.stdout
    assert anvil.w3.eth.block_number == block
    assert _nonce(anvil.w3) == 0
    assert read_journal(workdir) == []
    plans = list((workdir / "plans").glob("v2-deploy-local-*.plan.json"))
    assert len(plans) == 1
    plan = json.loads(plans[0].read_text())
    assert [s["status"] for s in plan["simulation"]] == ["simulated"] * V2_STEPS
    assert all(s["gas_used"] > 0 for s in plan["simulation"])


def test_dry_run_on_the_embedded_chain_needs_no_rpc(run_cli) -> None:
    result = run_cli("v2-deploy")
    assert result.returncode == 0, result.stderr
    assert "simulating on the embedded local chain" in result.stdout
    assert "seed-pool" in result.stdout and "PoolSeeded" in result.stdout


def test_execute_journals_every_transaction(anvil, run_cli, workdir: Path) -> None:
    result = run_cli("v2-deploy", "--rpc-url", anvil.url, execute=True)
    assert result.returncode == 0, result.stderr
    entries = read_journal(workdir)
    assert [e["status"] for e in entries] == ["landed"] * V2_STEPS
    assert _nonce(anvil.w3) == V2_STEPS
    vault = next(e["contract_address"] for e in entries if e["step"] == "deploy-vault")
    for entry in entries:
        receipt = anvil.w3.eth.get_transaction_receipt(entry["tx_hash"])
        assert receipt["status"] == 1
    assert anvil.w3.eth.get_code(vault) != b""
    results = list((workdir / "plans").glob("v2-deploy-local-*.result.json"))
    assert len(results) == 1

    again = run_cli("v2-deploy", "--rpc-url", anvil.url, execute=True)
    assert again.returncode == 0, again.stderr
    assert _nonce(anvil.w3) == V2_STEPS, "a re-run of a finished plan must send nothing"
    assert again.stdout.count("already landed") >= V2_STEPS


def test_killed_run_resumes_and_sends_only_the_rest(anvil, run_cli, workdir: Path) -> None:
    killed = run_cli("v2-deploy", "--rpc-url", anvil.url, execute=True, env={"DBIS_CRASH_AT": "landed:2"})
    assert killed.returncode == 137
    assert [e["status"] for e in read_journal(workdir)] == ["landed", "landed"]
    assert _nonce(anvil.w3) == 2

    resumed = run_cli("v2-deploy", "--rpc-url", anvil.url, execute=True)
    assert resumed.returncode == 0, resumed.stderr
    assert _nonce(anvil.w3) == V2_STEPS, "exactly the remaining transactions are sent"
    entries = read_journal(workdir)
    assert len(entries) == V2_STEPS
    assert len({e["step"] for e in entries}) == V2_STEPS
    assert resumed.stdout.count(": sent ") == V2_STEPS - 2


def test_run_killed_between_signing_and_sending_resends_the_same_transaction(anvil, run_cli, workdir: Path) -> None:
    killed = run_cli("v2-deploy", "--rpc-url", anvil.url, execute=True, env={"DBIS_CRASH_AT": "pending:3"})
    assert killed.returncode == 137
    entries = read_journal(workdir)
    assert [e["status"] for e in entries] == ["landed", "landed", "pending"]
    pending_hash = entries[2]["tx_hash"]
    assert _nonce(anvil.w3) == 2

    resumed = run_cli("v2-deploy", "--rpc-url", anvil.url, execute=True)
    assert resumed.returncode == 0, resumed.stderr
    assert "re-sending the journaled signed transaction" in resumed.stdout
    entries = read_journal(workdir)
    assert entries[2]["status"] == "landed" and entries[2]["tx_hash"] == pending_hash
    assert _nonce(anvil.w3) == V2_STEPS


def test_wrong_chain_id_is_refused(anvil, run_cli, workdir: Path) -> None:
    result = run_cli("v2-deploy", "--network", "mainnet", "--rpc-url", anvil.url, "--sender", SENDER, execute=True)
    line = _one_line_error(result)
    assert "chain id 31337 does not match network mainnet (expected 1)" in line
    assert _nonce(anvil.w3) == 0


def _ape_account(tmp_path: Path) -> dict[str, str]:
    """An Ape keyfile account (alias `operator`) in a private Ape data folder."""
    env = {"APE_DATA_FOLDER": str(tmp_path / "ape"), "APE_ACCOUNTS_operator_PASSPHRASE": "correct horse battery"}
    key = OPERATOR.key
    (tmp_path / "ape" / "accounts").mkdir(parents=True)
    (tmp_path / "ape" / "accounts" / "operator.json").write_text(
        json.dumps(Account.encrypt(key, env["APE_ACCOUNTS_operator_PASSPHRASE"]))
    )
    return env


MAINNET_ARGS = ("v2-deploy", "--network", "mainnet", "--account", "operator", "--seed", "0", "--lender", "0",
                "--cwusdc", "0x1111111111111111111111111111111111111111",
                "--usdc", "0x2222222222222222222222222222222222222222")


def test_mainnet_broadcast_without_confirmation_is_refused(mainnet_anvil, run_cli, workdir: Path) -> None:
    env = _ape_account(workdir)
    result = run_cli(*MAINNET_ARGS, "--rpc-url", mainnet_anvil.url, execute=True, env=env)
    line = _one_line_error(result)
    assert "needs explicit confirmation" in line and "--confirm 0x" in line
    operator = OPERATOR.address
    assert _nonce(mainnet_anvil.w3, operator) == 0

    wrong = run_cli(*MAINNET_ARGS, "--rpc-url", mainnet_anvil.url, "--confirm", "0x" + "00" * 32,
                    execute=True, env=env)
    assert "needs explicit confirmation" in _one_line_error(wrong)
    assert _nonce(mainnet_anvil.w3, operator) == 0

    plan_hash = line.split("--confirm ")[1].strip()
    confirmed = run_cli(*MAINNET_ARGS, "--rpc-url", mainnet_anvil.url, "--confirm", plan_hash, execute=True, env=env)
    assert confirmed.returncode == 0, confirmed.stderr
    assert _nonce(mainnet_anvil.w3, operator) == 6  # vault, 2 roles, borrower, allowlist, flash terms
    assert [e["status"] for e in read_journal(workdir, "mainnet")] == ["landed"] * 6


def test_execute_without_an_account_is_refused_on_mainnet(mainnet_anvil, run_cli) -> None:
    result = run_cli("v2-deploy", "--network", "mainnet", "--rpc-url", mainnet_anvil.url, execute=True)
    assert "needs an Ape account" in _one_line_error(result)


def test_bad_execute_value_and_unknown_network_are_refused(run_cli) -> None:
    assert "EXECUTE must be 1" in _one_line_error(run_cli("v2-deploy", env={"EXECUTE": "yes"}))
    assert "invalid int value" in _one_line_error(run_cli("v2-deploy", "--seed", "lots"))
    assert "unknown network 'nowhere'" in _one_line_error(run_cli("v2-deploy", "--network", "nowhere"))


def test_a_reverting_step_is_named_with_its_custom_error(anvil, run_cli, workdir: Path) -> None:
    deployed = run_cli("v2-deploy", "--rpc-url", anvil.url, execute=True)
    assert deployed.returncode == 0, deployed.stderr
    # The sender seeded all its cWUSDC: the loop proof cannot pull its input.
    result = run_cli("loop-proof", "--rpc-url", anvil.url, execute=True)
    line = _one_line_error(result)
    assert "step 2 (run-proof) would revert: ERC20InsufficientBalance" in line
    assert _nonce(anvil.w3) == V2_STEPS


def test_loop_proof_runs_once_and_a_rerun_resumes(anvil, run_cli, workdir: Path) -> None:
    assert run_cli("v2-deploy", "--rpc-url", anvil.url, execute=True).returncode == 0
    cwusdc = next(e["contract_address"] for e in read_journal(workdir) if e["step"] == "deploy-cwusdc")
    token = anvil.w3.eth.contract(address=cwusdc, abi=artifacts.load("TestERC20").abi)
    mined(anvil.w3, token.functions.mint(SENDER, 1_000_000), SENDER)
    first = run_cli("loop-proof", "--rpc-url", anvil.url, "--tag", "t1", execute=True)
    assert first.returncode == 0, first.stderr
    events = [e for e in read_journal(workdir) if e["step"] == "run-proof"]
    assert len(events) == 1
    evidence = next(ev for ev in events[0]["events"] if ev["event"] == "VirtualProofAuditEvidence")
    assert evidence["args"]["amountOut"] == 10_000
    nonce = _nonce(anvil.w3)
    again = run_cli("loop-proof", "--rpc-url", anvil.url, "--tag", "t1", execute=True)
    assert again.returncode == 0, again.stderr
    assert _nonce(anvil.w3) == nonce
    second = run_cli("loop-proof", "--rpc-url", anvil.url, "--tag", "t2", execute=True)
    assert second.returncode == 0, second.stderr
    assert _nonce(anvil.w3) == nonce + 2
    balance = token.functions.balanceOf(SENDER).call()
    assert balance == 1_000_000, "a loop proof returns amountOut to the sender, who is also both receivers"


def test_demo_runs_end_to_end_and_its_checks_pass(workdir: Path) -> None:
    import subprocess
    import sys

    from dbis.artifacts import PROJECT_ROOT

    out = workdir / "demo"
    proc = subprocess.run([sys.executable, "-m", "dbis", "demo", "--out-dir", str(out)], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "demo checks: passed" in proc.stdout
    report = json.loads((out / "engine-x-demo.json").read_text())
    assert report["checks_passed"] is True
    assert {r["cwusdc_balance"] for r in report["recipients"].values()} == {5_000_000_000 * 10**6}
    assert len({p["proofId"] for p in report["proofs"]}) == 2
    before, after = report["state"]["before"], report["state"]["after_flash"]
    assert before["poolCwusdcReserve"] == after["poolCwusdcReserve"] == after["poolUsdcReserve"] == 85_763_529
    assert after["lenderUsdcAvailable"] == before["lenderUsdcAvailable"] + 2_500  # 5 bps of 5 USDC
    borrow = report["borrow_vault"]["positions"]
    assert borrow["after_borrow"][0]["health_factor"] == 125 * 10**16  # 75 % threshold / 60 % LTV
    assert borrow["after_price_fall"][0]["health_factor"] < 10**18
    assert borrow["after_liquidation"][0]["health_factor"] > 10**18
    liquidation = report["borrow_vault"]["liquidation"]
    # seize = repay x 1.05 / price, rounded down: 1,200 USDC at $2,916 -> 0.432098 XAUt
    assert (liquidation["repaid"], liquidation["seized"]) == (1_200_000_000, 432_098)
