"""borrow-vault-deploy (plan, EXECUTE, resume) and borrow-vault-status (positions and health)."""

from __future__ import annotations

import json
from pathlib import Path

from dbis import artifacts
from tests.harness.conftest import mined, read_journal
from tests.harness.test_framework import SENDER, _nonce, _one_line_error

BORROWER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"  # anvil dev account 1
STEPS = 10


def test_deploy_then_status_shows_each_position_and_its_health(anvil, run_cli, workdir: Path) -> None:
    deployed = run_cli("borrow-vault-deploy", "--rpc-url", anvil.url, execute=True)
    assert deployed.returncode == 0, deployed.stderr
    entries = read_journal(workdir)
    assert [e["status"] for e in entries] == ["landed"] * STEPS
    addr = {e["step"]: e["contract_address"] for e in entries if e.get("contract_address")}
    w3 = anvil.w3
    token_abi, vault_abi = artifacts.load("TestERC20").abi, artifacts.load("DBISEngineXXautUsdcBorrowVault").abi
    xaut = w3.eth.contract(address=addr["deploy-xaut"], abi=token_abi)
    vault = w3.eth.contract(address=addr["deploy-vault"], abi=vault_abi)
    assert vault.functions.price().call() == 400_000_000_000  # $4,000.00000000 per XAUt
    # One ounce of XAUt at $4,000 and 60 % LTV: borrow 2,000 USDC (health 1.5 at a 75 % threshold).
    mined(w3, xaut.functions.mint(BORROWER, 1_000_000), SENDER)
    mined(w3, xaut.functions.approve(vault.address, 1_000_000), BORROWER)
    mined(w3, vault.functions.depositCollateral(1_000_000), BORROWER)
    mined(w3, vault.functions.borrow(2_000_000_000, BORROWER), BORROWER)
    status = run_cli("borrow-vault-status", "--rpc-url", anvil.url)
    assert status.returncode == 0, status.stderr
    assert BORROWER in status.stdout and "1.5000" in status.stdout and "ok" in status.stdout
    report = json.loads((workdir / "plans" / "borrow-vault-status-local.json").read_text())
    [row] = report["positions"]
    assert (row["collateral"], row["debt"], row["health_factor"]) == ("1000000", "2000000000", str(15 * 10**17))

    nonce = _nonce(w3)
    again = run_cli("borrow-vault-deploy", "--rpc-url", anvil.url, execute=True)
    assert again.returncode == 0 and _nonce(w3) == nonce, "a finished deployment resumes as a no-op"

    # A day later the owner price is stale: the status says so instead of inventing a health factor.
    w3.provider.make_request("evm_increaseTime", [86_401])
    w3.provider.make_request("evm_mine", [])
    stale = run_cli("borrow-vault-status", "--rpc-url", anvil.url)
    assert stale.returncode == 0, stale.stderr
    assert "NO PRICE" in stale.stdout


def test_status_without_a_vault_and_deploy_without_a_price_are_refused(anvil, mainnet_anvil, run_cli) -> None:
    assert "no borrow vault on local" in _one_line_error(run_cli("borrow-vault-status", "--rpc-url", anvil.url))
    refused = run_cli("borrow-vault-deploy", "--network", "mainnet", "--rpc-url", mainnet_anvil.url,
                      "--sender", SENDER, "--xaut", "0x1111111111111111111111111111111111111111")
    assert "no price" in _one_line_error(refused)
