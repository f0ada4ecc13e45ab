"""The runbook's whole operator sequence (dbis.runbook.SEQUENCE) on a local anvil, in order:
each plan command dry-run then EXECUTE=1; the recipients receive exactly 5,000,000,000 cWUSDC;
a second EXECUTE=1 run of the whole sequence sends nothing."""

from __future__ import annotations

import json
from pathlib import Path

from dbis import artifacts, runbook
from dbis.iso20022 import package as ppackage
from tests.harness.conftest import read_journal
from tests.harness.test_framework import SENDER, _nonce, _one_line_error

TAG = "20260507"
ENV = {"DBIS_ENGINE_X_SNAPSHOT_TAG": TAG, "DBIS_ENGINE_X_GENERATED_AT": "2026-05-07T00:00:00+00:00"}
UNITS = 5_000_000_000 * 10**6


def _addresses(workdir: Path) -> dict[str, str]:
    return {f"{e['command']}/{e['step']}": e["contract_address"] for e in read_journal(workdir)
            if e.get("contract_address")}


def _run(run_cli, step: runbook.RunbookStep, url: str, status: Path, *, execute: bool):
    env = {**ENV, "DBIS_STATUS_DIR": str(status)}
    result = run_cli(*step.argv(tag=TAG), "--rpc-url", url, execute=execute, env=env)
    assert result.returncode == 0, f"{step.command}: {result.stderr}"
    return result


def test_runbook_sequence_dry_run_execute_then_nothing_to_send(anvil, run_cli, workdir: Path) -> None:
    w3, status = anvil.w3, workdir / "status"
    token_abi = artifacts.load("TestERC20").abi
    for step in runbook.SEQUENCE:
        if step.command in ("loop-proof", "recipient-proof"):
            # The runbook's bridge of cUSDC to the deployer ("Bridge ... to the deployer on Mainnet"),
            # stood in for by minting what the proofs put in on the local test token.
            addr = _addresses(workdir)
            need = 10**6
            if step.command == "recipient-proof":
                peg = json.loads((status / ppackage.file_names(TAG)["peg-proof"]).read_text())
                need = sum(int(p["amount_in"]) for p in peg["proofs"])
            cw = w3.eth.contract(address=addr["v2-deploy/deploy-cwusdc"], abi=token_abi)
            cw.functions.mint(SENDER, need).transact({"from": SENDER})
        if step.sends:
            nonce = _nonce(w3)
            dry = _run(run_cli, step, anvil.url, status, execute=False)
            assert "dry-run: nothing was sent" in dry.stdout and _nonce(w3) == nonce, step.command
        _run(run_cli, step, anvil.url, status, execute=True)

    addr = _addresses(workdir)
    vault = w3.eth.contract(address=addr["v2-deploy/deploy-vault"], abi=artifacts.load("DBISEngineXVirtualBatchVault").abi)
    cw = w3.eth.contract(address=addr["v2-deploy/deploy-cwusdc"], abi=token_abi)
    hashes = json.loads((status / ppackage.file_names(TAG)["proof-hashes"]).read_text())
    for row in hashes["recipients"]:
        assert cw.functions.balanceOf(row["recipient"]).call() == UNITS
        assert vault.functions.proofIdUsed(row["proofId"]).call()
    assert vault.functions.poolCwusdcReserve().call() == vault.functions.poolUsdcReserve().call() == 85_763_529
    manifest = json.loads((status / "dbis-engine-x-audit-manifest-local.json").read_text())
    [row] = [c for c in manifest["contracts"] if c["contract"] == "DBISEngineXVirtualBatchVault"]
    assert row["deployments"][0]["address"] == addr["v2-deploy/deploy-vault"] and row["deployments"][0]["onchain_code_hash"]
    assert [p["tag"] for p in manifest["proof_packages"]] == [TAG]

    nonce = _nonce(w3)
    for step in runbook.SEQUENCE:
        _run(run_cli, step, anvil.url, status, execute=True)
    assert _nonce(w3) == nonce, "a finished sequence re-runs as a no-op"


def test_recipient_proof_refuses_a_tampered_package_and_a_consumed_proof_id(anvil, run_cli, workdir: Path) -> None:
    status = workdir / "status"
    env = {**ENV, "DBIS_STATUS_DIR": str(status)}
    assert run_cli("v2-deploy", "--rpc-url", anvil.url, execute=True).returncode == 0
    built = run_cli("proof-package", "--per-recipient", "1", "--rpc-url", anvil.url, env=env)
    assert built.returncode == 0, built.stderr
    # The package's first proof ID is consumed on-chain by someone else (a loop-proof with it).
    names = ppackage.file_names(TAG)
    hashes = json.loads((status / names["proof-hashes"]).read_text())
    first = hashes["recipients"][0]["proofId"]
    addr = _addresses(workdir)
    w3 = anvil.w3
    vault = w3.eth.contract(address=addr["v2-deploy/deploy-vault"], abi=artifacts.load("DBISEngineXVirtualBatchVault").abi)
    cw = w3.eth.contract(address=addr["v2-deploy/deploy-cwusdc"], abi=artifacts.load("TestERC20").abi)
    cw.functions.mint(SENDER, 10**12).transact({"from": SENDER})
    cw.functions.approve(vault.address, 10**12).transact({"from": SENDER})
    h = "0x" + "11" * 32
    vault.functions.runVirtualProofExactOutTo(SENDER, 2_000_000, 1_000_000, first, h, h, h).transact({"from": SENDER})
    consumed = run_cli("recipient-proof", "--tag", TAG, "--rpc-url", anvil.url, env=env)
    assert f"proof ID {first} (recipient 1) is already consumed" in _one_line_error(consumed)

    xml = status / names["iso20022"]
    xml.write_bytes(xml.read_bytes().replace(b"1.00000<", b"2.00000<", 1))
    tampered = run_cli("recipient-proof", "--tag", TAG, "--rpc-url", anvil.url, env=env)
    assert "does not match its files: isoHash" in _one_line_error(tampered)


def test_canary_preflight_and_legacy_retirement_gates(anvil, run_cli, workdir: Path) -> None:
    """canary-preflight: fresh canary IDs and the USDC prep-swap advice, then a refusal once the
    package's IDs are consumed; legacy-retirement: refused until the v2 proof state is live, a
    broadcast refused without --reviewed, then the legacy vault emptied."""
    w3, status = anvil.w3, workdir / "status"
    env = {**ENV, "DBIS_STATUS_DIR": str(status)}
    assert run_cli("v2-deploy", "--label", "legacy", "--rpc-url", anvil.url, execute=True).returncode == 0
    legacy = _addresses(workdir)["v2-deploy/deploy-vault"]
    assert run_cli("v2-deploy", "--label", "v2", "--rpc-url", anvil.url, execute=True).returncode == 0
    addr = _addresses(workdir)
    assert addr["v2-deploy/deploy-vault"] != legacy

    refused = run_cli("legacy-retirement", "--legacy-vault", legacy, "--rpc-url", anvil.url)
    assert "v2 proof state is not live" in _one_line_error(refused) and "anchored no proof" in refused.stderr

    assert run_cli("proof-package", "--per-recipient", "1", "--rpc-url", anvil.url, env=env).returncode == 0
    canary = run_cli("canary-preflight", "--tag", TAG, "--rpc-url", anvil.url, env=env)
    assert canary.returncode == 0, canary.stderr
    assert canary.stdout.count("fresh") == 3 and "XAUt -> USDC prep swap" in canary.stdout
    report = json.loads((status / f"dbis-engine-x-canary-preflight-{TAG}-canary.json").read_text())
    assert report["main_package"] == TAG and not any(c["consumed"] for c in report["checks"])

    cw = w3.eth.contract(address=addr["v2-deploy/deploy-cwusdc"], abi=artifacts.load("TestERC20").abi)
    cw.functions.mint(SENDER, 10**9).transact({"from": SENDER})
    assert run_cli("recipient-proof", "--tag", TAG, "--rpc-url", anvil.url, execute=True, env=env).returncode == 0
    again = run_cli("canary-preflight", "--tag", TAG, "--rpc-url", anvil.url, env=env)
    assert "package proof ID" in _one_line_error(again) and "already consumed" in again.stderr

    dry = run_cli("legacy-retirement", "--legacy-vault", legacy, "--rpc-url", anvil.url)
    assert dry.returncode == 0, dry.stderr
    assert "pause-legacy" in dry.stdout and "withdraw-legacy-pool" in dry.stdout and "withdraw-legacy-lender" in dry.stdout
    unreviewed = run_cli("legacy-retirement", "--legacy-vault", legacy, "--rpc-url", anvil.url, execute=True)
    assert "external review" in _one_line_error(unreviewed)
    done = run_cli("legacy-retirement", "--legacy-vault", legacy, "--reviewed", "audit-2026-11", "--rpc-url",
                   anvil.url, execute=True)
    assert done.returncode == 0, done.stderr
    old = w3.eth.contract(address=legacy, abi=artifacts.load("DBISEngineXVirtualBatchVault").abi)
    assert old.functions.paused().call() and old.functions.poolCwusdcReserve().call() == 0
    assert old.functions.lenderUsdcAvailable().call() == 0
