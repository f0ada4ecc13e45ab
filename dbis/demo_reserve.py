"""The reserve part of `make demo`: the Self-Healing Reserve's three steps on the local chain.

1. healthy: the reserve holds the collateral its liabilities need; the workflow publishes `true`.
2. undercollateralised: the reserve loses collateral; the workflow publishes `false`, the gate the
   settlement router asks before every mint answers `false` (so every mint is refused), and the
   monitor sizes the deficit, chooses the direct swap, plans and runs the recovery (buying the
   collateral with USDC through a real Uniswap V3 SwapRouter when `dbis.uniswap` is available,
   else from the recovery wallet's own collateral) and transfers it to the reserve.
3. healthy again: the workflow publishes `true`, the monitor confirms the recovery, the gate opens.

Every transaction goes through the framework (EXECUTE=1 on the local chain). The reserve and
liability figures stay in the source file: the workflow's output, plans and transactions carry only
the boolean.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from web3 import Web3

from dbis import abi, artifacts
from dbis.commands.engine_x import TOKEN
from dbis.operator import BuildContext, Options, run_command
from dbis.plan import Plan, call, deploy, ref
from dbis.reserve import commands, recovery, source
from dbis.reserve.monitor import Monitor, MonitorConfig
from dbis.reserve.report import ATTESTATION

BOUNDARIES = """\
What the reserve steps prove (local chain, test tokens): only a boolean reached the chain; the gate
the router asks before every mint closed while the reserve was insolvent and reopened after a fresh
solvent attestation; the monitor restored exactly the deficit to the reserve address.
What they do not prove: that the custodian's books (the source) are true; confidentiality against
the operator (here the workflow runs in the operator's process, not in a Chainlink TEE); the dark-pool
path for large deficits (needs Chainlink Confidential Compute, reported only)."""
COLLATERAL_DECIMALS = 8
LIABILITIES = 100 * 10**COLLATERAL_DECIMALS  # 100 wBTC owed
LOSS = 25 * 10**(COLLATERAL_DECIMALS - 2)  # the reserve loses 0.25 wBTC
RESERVE_ACCOUNT = 3  # anvil dev account standing for the custodian's reserve address
PRICE = 90_000 * 10**8  # USD per wBTC, 8 decimals (also the demo pool's price)
USDC_FLOAT = 100_000 * 10**6  # the recovery wallet's USDC


def build_setup(ctx: BuildContext) -> Plan:
    """Local test tokens: wBTC (collateral, 8 decimals) minted to the reserve, USDC to the wallet."""
    reserve = ctx.options.params["reserve"]
    steps = (
        deploy("deploy-wbtc", TOKEN, "Wrapped BTC (local test token)", "wBTC", COLLATERAL_DECIMALS, note="local only"),
        call("mint-reserve", ref("deploy-wbtc"), TOKEN, "mint", reserve, LIABILITIES, events=("Transfer",)),
        deploy("deploy-usdc", TOKEN, "USD Coin (local test token)", "USDC", 6, note="local only"),
        call("mint-usdc", ref("deploy-usdc"), TOKEN, "mint", ctx.sender, USDC_FLOAT, events=("Transfer",)),
    )
    return Plan("demo-reserve-setup", ctx.net.name, ctx.net.chain_id, ctx.sender, "demo-reserve-setup", steps)


def _swap_venue(w3: Web3, deployer: str, wbtc: str, usdc: str) -> str | None:
    """A real Uniswap V3 wBTC/USDC pool at PRICE (issue 4's `dbis.uniswap`), or None without it."""
    try:
        from dbis import uniswap  # type: ignore[attr-defined]
    except ImportError:
        return None
    from math import isqrt

    stack = uniswap.deploy_stack(w3, deployer)
    liquidity_wbtc = 500 * 10**COLLATERAL_DECIMALS  # deep enough that 0.25 wBTC moves it < 0.1 %
    liquidity_usdc = liquidity_wbtc * PRICE * 10**6 // (10**COLLATERAL_DECIMALS * 10**8)
    _mint(w3, deployer, wbtc, deployer, liquidity_wbtc)
    _mint(w3, deployer, usdc, deployer, liquidity_usdc)
    token0, token1 = sorted([wbtc, usdc], key=lambda a: int(a, 16))
    amount0, amount1 = (liquidity_wbtc, liquidity_usdc) if token0 == wbtc else (liquidity_usdc, liquidity_wbtc)
    sqrt_price_x96 = isqrt(amount1 * 2**192 // amount0)  # price of token1 in token0 units, raw
    uniswap.create_pool_with_liquidity(w3, stack, deployer, token0, token1, 3000, sqrt_price_x96, amount0, amount1)
    return stack.swap_router


def _mint(w3: Web3, sender: str, token: str, to: str, amount: int) -> None:
    data = abi.encode_call(artifacts.load(TOKEN), "mint", [to, amount])
    w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction({"from": sender, "to": token, "data": data}))


def _balance(w3: Web3, token: str, who: str) -> int:
    return int(abi.view(w3, token, TOKEN, "balanceOf", who)[0])


def _gate(w3: Web3, attestation: str) -> dict[str, Any]:
    return {"isSolvent": bool(abi.view(w3, attestation, ATTESTATION, "isSolvent")[0]),
            "isReserveHealthy": bool(abi.view(w3, attestation, ATTESTATION, "isReserveHealthy")[0])}


def run(w3: Web3, url: str, opts: Callable[..., Options], progress: Callable[[str], None], workdir: Path,
        monitor_progress: Callable[[str], None] = print) -> dict[str, Any]:
    """Run the three steps; return what the report prints (no reserve or liability figure in it)."""
    reserve = Web3.to_checksum_address(w3.eth.accounts[RESERVE_ACCOUNT])
    wallet = Web3.to_checksum_address(w3.eth.accounts[0])
    deployed = run_command("reserve-deploy", commands.build_reserve_deploy, opts(), progress)
    attestation = next(r["contract_address"] for r in deployed.results if r["id"] == "deploy-attestation")
    setup = run_command("demo-reserve-setup", build_setup, opts(reserve=reserve), progress)
    addr = {r["id"]: r["contract_address"] for r in setup.results if r.get("contract_address")}
    wbtc, usdc = addr["deploy-wbtc"], addr["deploy-usdc"]
    router = _swap_venue(w3, wallet, wbtc, usdc)
    if router is None:  # no swap venue on this branch: the recovery wallet holds the collateral itself
        _mint(w3, wallet, wbtc, wallet, LOSS)

    source_path = workdir / "reserve-source.json"  # the custodian's books, read only by the workflow
    source_path.parent.mkdir(parents=True, exist_ok=True)
    source_path.write_text(json.dumps({"reserves": {"erc20": wbtc, "holder": reserve},
                                       "liabilities": str(Decimal(LIABILITIES).scaleb(-COLLATERAL_DECIMALS))}))
    rc = recovery.RecoveryConfig(collateral=wbtc, usdc=usdc, reserve_address=reserve, swap_router=router,
                                 pool_fee=3000, price=PRICE, slippage_bps=100,
                                 dark_pool_threshold_usd=Decimal(50_000_000))
    monitor = Monitor(MonitorConfig(network="local", rpc_url=url, attestation=attestation,
                                    spec=source.SourceSpec(str(source_path)), recovery=rc, options=opts(),
                                    interval=0, max_iterations=1), monitor_progress)
    monitor.step()  # starts watching from the next block

    def workflow() -> dict[str, Any]:
        out = run_command("reserve-workflow", commands.build_reserve_workflow,
                          opts(attestation=attestation, source=str(source_path)), progress)
        return {"published": out.plan.params["isSolvent"], "plan_hash": out.plan.hash,
                "tx_data": [r["args"] for r in out.results]}

    stages: dict[str, Any] = {}
    published = workflow()
    monitor.step()
    stages["1-healthy"] = {**published, **_gate(w3, attestation)}

    lost_to = Web3.to_checksum_address(w3.eth.accounts[9])
    data = abi.encode_call(artifacts.load(TOKEN), "transfer", [lost_to, LOSS])
    w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction({"from": reserve, "to": wbtc, "data": data}))
    published = workflow()
    gate = _gate(w3, attestation)  # the settlement router refuses every mint while this is false
    before = _balance(w3, wbtc, reserve)
    monitor.step()  # sees the insolvency, plans and runs the recovery
    stages["2-undercollateralised"] = {**published, **gate, "mint_allowed": gate["isReserveHealthy"],
                                       "recovery": monitor.state.recoveries[-1] if monitor.state.recoveries else None,
                                       "reserve_restored": _balance(w3, wbtc, reserve) - before,
                                       "mechanism_detail": "swap via Uniswap V3 SwapRouter" if router
                                       else "recovery wallet collateral (no swap venue on this branch)"}

    published = workflow()
    monitor.step()  # sees the solvent attestation: confirms
    stages["3-healthy-again"] = {**published, **_gate(w3, attestation),
                                 "recovery_confirmed": bool(monitor.state.confirmations)}
    return {"attestation": attestation, "collateral": wbtc, "usdc": usdc, "reserve": reserve,
            "swap_router": router, "stages": stages, "events": monitor.state.events}


def render(result: dict[str, Any]) -> str:
    lines = [f"attestation {result['attestation']}  reserve {result['reserve']}"]
    for name, stage in result["stages"].items():
        line = (f"-- {name}: workflow published isSolvent={stage['published']}; "
                f"isReserveHealthy()={stage['isReserveHealthy']}")
        lines.append(line)
        if "recovery" in stage and stage["recovery"]:
            rec = stage["recovery"]
            lines.append(f"   mint gate: {'open' if stage['mint_allowed'] else 'CLOSED (router refuses every mint)'}")
            lines.append(f"   recovery: {rec['mechanism']} ({stage['mechanism_detail']}), "
                         f"{rec['deficit']} collateral units to the reserve, executed={rec['executed']}")
        if "recovery_confirmed" in stage:
            lines.append(f"   monitor: recovery confirmed={stage['recovery_confirmed']}")
    return "\n".join(lines + ["", BOUNDARIES])


def checks(result: dict[str, Any]) -> bool:
    s = result["stages"]
    return (s["1-healthy"]["isReserveHealthy"] and not s["2-undercollateralised"]["isReserveHealthy"]
            and s["2-undercollateralised"]["reserve_restored"] == LOSS and s["3-healthy-again"]["isReserveHealthy"]
            and s["3-healthy-again"]["recovery_confirmed"])
