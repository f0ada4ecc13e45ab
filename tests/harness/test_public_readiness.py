"""public-readiness against a real Uniswap V3 pool (the @uniswap/v3-core and v3-periphery npm
artifacts) on a local anvil: the tiny ABI reads slot0, liquidity, token0, token1 and balanceOf,
and each gate moves from BLOCKED to pass as the pool is created, funded to the 2,500 / 2,500
floor and to the 10,000 / 10,000 target."""

from __future__ import annotations

import json
from pathlib import Path

from dbis import artifacts, readiness
from dbis.artifacts import PROJECT_ROOT
from tests.harness.conftest import mined, read_journal
from tests.harness.test_framework import SENDER

NPM = PROJECT_ROOT / "node_modules" / "@uniswap"
FEE, TICK = 500, 887_270  # 0.05 % pool, full range on its 10-tick spacing
U = 10**6


def _artifact(path: str) -> dict:
    return json.loads((NPM / path).read_text())


def _deploy(w3, art: dict, *args):
    receipt = mined(w3, w3.eth.contract(abi=art["abi"], bytecode=art["bytecode"]).constructor(*args), SENDER)
    return w3.eth.contract(address=receipt["contractAddress"], abi=art["abi"])


def _gates(run_cli, url: str, pool: str, status: Path) -> list[str]:
    result = run_cli("public-readiness", "--rpc-url", url, "--pool", pool, "--status-dir", str(status))
    assert result.returncode == 0, result.stderr
    report = json.loads((status / "engine-x-public-readiness-local.json").read_text())
    return [g["status"] for g in report["gates"]]


def test_public_readiness_gates_follow_the_live_pool(anvil, run_cli, workdir: Path) -> None:
    w3, status = anvil.w3, workdir / "status"
    none = run_cli("public-readiness", "--rpc-url", anvil.url, "--status-dir", str(status))
    assert none.returncode == 0 and none.stdout.count("BLOCKED") == 4 and "no cWUSDC/USDC pool" in none.stdout

    assert run_cli("v2-deploy", "--rpc-url", anvil.url, execute=True).returncode == 0
    addr = {f"{e['command']}/{e['step']}": e["contract_address"] for e in read_journal(workdir) if e.get("contract_address")}
    token_abi = artifacts.load("TestERC20").abi
    cw = w3.eth.contract(address=addr["v2-deploy/deploy-cwusdc"], abi=token_abi)
    usdc = w3.eth.contract(address=addr["v2-deploy/deploy-usdc"], abi=token_abi)
    factory = _deploy(w3, _artifact("v3-core/artifacts/contracts/UniswapV3Factory.sol/UniswapV3Factory.json"))
    mined(w3, factory.functions.createPool(cw.address, usdc.address, FEE), SENDER)
    pool_address = factory.functions.getPool(cw.address, usdc.address, FEE).call()
    pool_art = _artifact("v3-core/artifacts/contracts/UniswapV3Pool.sol/UniswapV3Pool.json")
    pool = w3.eth.contract(address=pool_address, abi=pool_art["abi"])
    mined(w3, pool.functions.initialize(2**96), SENDER)  # exact 1:1 sqrtPriceX96

    assert _gates(run_cli, anvil.url, pool_address, status) == ["pass", "blocked", "blocked", "blocked"]
    # Without --pool the pool is found the way the indexed-LP commands find it: factory + fee tier.
    found = readiness.discover_pool(w3, {"uniswap_v3": {"factory": factory.address}, "indexed_lp": {"fee": FEE}},
                                    {}, cw.address, usdc.address)
    assert found == pool_address
    assert readiness.discover_pool(w3, {"uniswap_v3": {"factory": factory.address}, "indexed_lp": {"fee": 3000}},
                                   {}, cw.address, usdc.address) is None

    npm = _deploy(w3, _artifact("v3-periphery/artifacts/contracts/NonfungiblePositionManager.sol/"
                                "NonfungiblePositionManager.json"), factory.address, usdc.address, usdc.address)
    token0, token1 = sorted((cw.address, usdc.address), key=lambda a: int(a, 16))

    def add(amount: int) -> None:
        for token in (cw, usdc):
            mined(w3, token.functions.mint(SENDER, amount), SENDER)
            mined(w3, token.functions.approve(npm.address, amount), SENDER)
        params = (token0, token1, FEE, -TICK, TICK, amount, amount, 0, 0, SENDER, 2**40)
        mined(w3, npm.functions.mint(params), SENDER)

    add(2_500 * U)
    assert _gates(run_cli, anvil.url, pool_address, status) == ["pass", "pass", "pass", "blocked"]
    add(7_500 * U)
    text = run_cli("public-readiness", "--rpc-url", anvil.url, "--pool", pool_address, "--status-dir", str(status))
    assert "4 gate(s) pass, 0 blocked" in text.stdout

    # A pool whose quote side is not the official USDC fails the first gate whatever its depth.
    other = _deploy(w3, {"abi": token_abi, "bytecode": "0x" + artifacts.load("TestERC20").bytecode.hex()},
                    "Other USD", "OUSD", 6)
    mined(w3, factory.functions.createPool(cw.address, other.address, FEE), SENDER)
    fake = factory.functions.getPool(cw.address, other.address, FEE).call()
    mined(w3, w3.eth.contract(address=fake, abi=pool_art["abi"]).functions.initialize(2**96), SENDER)
    assert _gates(run_cli, anvil.url, fake, status)[0] == "blocked"
