"""The public-LP commands on a local chain with the real Uniswap V3 stack: univ3-local-stack,
indexed-lp-migration (pool created at tick 0 and the position minted; a re-run sends nothing),
indexed-vault-deploy, univ3-swap-proof and indexed-proof-record end to end."""

from __future__ import annotations

import json
from pathlib import Path

from dbis import abi, uniswap
from tests.harness.conftest import read_journal
from tests.harness.test_framework import _nonce, _one_line_error


def _addresses(workdir: Path) -> dict[str, str]:
    return {f"{e['command']}/{e['step']}": e["contract_address"] for e in read_journal(workdir)
            if e.get("contract_address") and e["status"] == "landed"}


def _stack(anvil, run_cli, workdir: Path) -> dict[str, str]:
    deployed = run_cli("univ3-local-stack", "--rpc-url", anvil.url, execute=True)
    assert deployed.returncode == 0, deployed.stderr
    return _addresses(workdir)


def test_migration_creates_the_pool_at_tick_0_and_mints_then_a_rerun_sends_nothing(anvil, run_cli, workdir) -> None:
    a = _stack(anvil, run_cli, workdir)
    w3 = anvil.w3
    migrated = run_cli("indexed-lp-migration", "--rpc-url", anvil.url, execute=True)
    assert migrated.returncode == 0, migrated.stderr
    steps = [e["step"] for e in read_journal(workdir) if e["command"] == "indexed-lp-migration"]
    assert steps == ["create-pool", "raise-cardinality", "approve-cwusdc", "approve-usdc", "mint"] or \
        steps == ["create-pool", "raise-cardinality", "approve-usdc", "approve-cwusdc", "mint"]
    stack = uniswap.UniswapStack(a["univ3-local-stack/deploy-factory"], a["univ3-local-stack/deploy-position-manager"],
                                 a["univ3-local-stack/deploy-swap-router"], a["univ3-local-stack/deploy-weth"])
    cw, usdc = a["univ3-local-stack/deploy-cwusdc"], a["univ3-local-stack/deploy-usdc"]
    pool = uniswap.get_pool(w3, stack, cw, usdc, 100)
    # The periphery's PoolAddress init-code hash matches the npm v3-core pool bytecode: the
    # position manager found the pool the factory created, and our CREATE2 computation agrees.
    assert pool == uniswap.pool_address(stack.factory, cw, usdc, 100)
    assert uniswap.pool_init_code_hash() == uniswap.POOL_INIT_CODE_HASH
    sqrt_price, tick, _, _, cardinality_next, _, _ = uniswap.slot0(w3, pool)
    assert (sqrt_price, tick) == (2**96, 0) and cardinality_next == 16
    assert uniswap.liquidity(w3, pool) > 0
    for token in (cw, usdc):  # the runbook's 85.763529 / 85.763529 went in (equal amounts at 1:1)
        assert abi.view(w3, token, "TestERC20", "balanceOf", pool)[0] == 85_763_529

    nonce = _nonce(w3)
    again = run_cli("indexed-lp-migration", "--rpc-url", anvil.url, execute=True)
    assert again.returncode == 0, again.stderr
    assert _nonce(w3) == nonce, "a finished migration is a no-op"
    assert [e["step"] for e in read_journal(workdir) if e["command"] == "indexed-lp-migration"] == steps


def test_vault_swap_proof_and_record_end_to_end(anvil, run_cli, workdir) -> None:
    _stack(anvil, run_cli, workdir)
    assert run_cli("indexed-lp-migration", "--rpc-url", anvil.url, execute=True).returncode == 0
    deployed = run_cli("indexed-vault-deploy", "--rpc-url", anvil.url, execute=True)
    assert deployed.returncode == 0, deployed.stderr
    swapped = run_cli("univ3-swap-proof", "--rpc-url", anvil.url, "--tag", "t1", execute=True)
    assert swapped.returncode == 0, swapped.stderr
    swap_tx = next(e["tx_hash"] for e in read_journal(workdir) if e["step"] == "swap")
    anvil.w3.provider.make_request("evm_increaseTime", [120])  # the local vault's 60 s TWAP window
    anvil.w3.provider.make_request("evm_mine", [])
    recorded = run_cli("indexed-proof-record", "--rpc-url", anvil.url, "--tag", "t1", execute=True)
    assert recorded.returncode == 0, recorded.stderr
    [entry] = [e for e in read_journal(workdir) if e["command"] == "indexed-proof-record"]
    [event] = [e for e in entry["events"] if e["event"] == "IndexedProofRecorded"]
    assert event["args"]["publicSwapTxHash"] == swap_tx and event["args"]["amount"] == 10_000
    assert (event["args"]["spotTick"], event["args"]["twapTick"]) == (0, 0)
    result = json.loads(next((workdir / "plans").glob("indexed-proof-record-*.result.json")).read_text())
    assert result["results"][0]["tx_hash"] == entry["tx_hash"]
    again = run_cli("indexed-proof-record", "--rpc-url", anvil.url, "--tag", "t1", execute=True)
    assert again.returncode == 0, "the recorded proof resumes as a no-op"


def test_commands_without_their_prerequisites_are_refused(anvil, mainnet_anvil, run_cli) -> None:
    assert "no Uniswap V3 stack on local" in _one_line_error(
        run_cli("indexed-lp-migration", "--rpc-url", anvil.url))
    assert "local network only" in _one_line_error(
        run_cli("univ3-local-stack", "--network", "mainnet", "--rpc-url", mainnet_anvil.url, "--sender",
                "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"))
    # Mainnet uses the official addresses of config/networks/mainnet.json; a chain without them refuses.
    assert "no contract at the Uniswap V3 factory 0x1F98431c8aD98523631AE4a59f267346ea31F984" in _one_line_error(
        run_cli("indexed-lp-migration", "--network", "mainnet", "--rpc-url", mainnet_anvil.url, "--sender",
                "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "--cwusdc", "0x" + "11" * 20))


def test_migration_moves_the_engine_x_rail_into_the_pool(anvil, run_cli, workdir) -> None:
    """The runbook's path: the v2 vault's 85.763529 / 85.763529 rail is withdrawn and minted at 1:1."""
    assert run_cli("v2-deploy", "--rpc-url", anvil.url, execute=True).returncode == 0
    rail = _addresses(workdir)
    vault, cw, usdc = rail["v2-deploy/deploy-vault"], rail["v2-deploy/deploy-cwusdc"], rail["v2-deploy/deploy-usdc"]
    stacked = run_cli("univ3-local-stack", "--rpc-url", anvil.url, "--cwusdc", cw, "--usdc", usdc, execute=True)
    assert stacked.returncode == 0, stacked.stderr
    migrated = run_cli("indexed-lp-migration", "--rpc-url", anvil.url, execute=True)
    assert migrated.returncode == 0, migrated.stderr
    steps = [e["step"] for e in read_journal(workdir) if e["command"] == "indexed-lp-migration"]
    assert "withdraw-rail" in steps and steps[-1] == "mint"
    w3 = anvil.w3
    assert abi.view(w3, vault, "DBISEngineXVirtualBatchVault", "poolCwusdcReserve")[0] == 0
    assert abi.view(w3, vault, "DBISEngineXVirtualBatchVault", "poolUsdcReserve")[0] == 0
    a = _addresses(workdir)
    pool = uniswap.pool_address(a["univ3-local-stack/deploy-factory"], cw, usdc, 100)
    assert [abi.view(w3, t, "TestERC20", "balanceOf", pool)[0] for t in (cw, usdc)] == [85_763_529] * 2
    assert uniswap.slot0(w3, pool)[1] == 0
