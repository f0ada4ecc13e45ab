"""The borrow-vault part of `make demo`: XAUt collateral, a USDC loan at the LTV limit, a price
fall, a liquidation. Every transaction goes through the framework (EXECUTE=1 on the local chain),
each actor signing with its own Ape test account."""

from __future__ import annotations

from typing import Any, Callable

from dbis import abi
from dbis.commands import borrow_vault, engine_x
from dbis.operator import BuildContext, Options, Outcome, run_command
from dbis.plan import Plan, call

VAULT = borrow_vault.VAULT
COLLATERAL = 1_000_000  # 1 XAUt
PRICE_STEPS_BPS = (1_000, 1_000, 1_000)  # three -10% updates, each within the 10% per-update limit
BORROWER_ACCOUNT, LIQUIDATOR_ACCOUNT = 1, 2


def _vault(ctx: BuildContext) -> str:
    return ctx.addresses["borrow-vault-deploy/deploy-vault"]


def build_borrow(ctx: BuildContext) -> Plan:
    vault = _vault(ctx)
    xaut = ctx.view(vault, VAULT, "xaut")[0]
    value = COLLATERAL * ctx.view(vault, VAULT, "price")[0] // 10**8
    ltv = ctx.view(vault, VAULT, "riskParams")[0][0]
    amount = value * ltv // 10_000  # the LTV limit
    steps = (
        call("mint-xaut", xaut, engine_x.TOKEN, "mint", ctx.sender, COLLATERAL, events=("Transfer",)),
        call("approve-xaut", xaut, engine_x.ERC20, "approve", vault, COLLATERAL, events=("Approval",)),
        call("deposit", vault, VAULT, "depositCollateral", COLLATERAL, events=("CollateralDeposited",)),
        call("borrow", vault, VAULT, "borrow", amount, ctx.sender, events=("Borrowed",)),
    )
    return Plan("demo-borrow", ctx.net.name, ctx.net.chain_id, ctx.sender, "demo-borrow", steps,
                params={"collateral": COLLATERAL, "borrow": amount})


def build_price_fall(ctx: BuildContext) -> Plan:
    vault = _vault(ctx)
    price = ctx.view(vault, VAULT, "price")[0]
    steps = []
    for n, move in enumerate(PRICE_STEPS_BPS, 1):
        price = price * (10_000 - move) // 10_000
        steps.append(call(f"price-{n}", vault, VAULT, "setPrice", price, events=("PriceUpdated",)))
    return Plan("demo-price-fall", ctx.net.name, ctx.net.chain_id, ctx.sender, "demo-price-fall", tuple(steps),
                params={"final_price": price})


def build_liquidation(ctx: BuildContext) -> Plan:
    vault = _vault(ctx)
    usdc = ctx.view(vault, VAULT, "usdc")[0]
    borrower = ctx.options.params["borrower"]
    debt = ctx.view(vault, VAULT, "position", borrower)[1]
    close = ctx.view(vault, VAULT, "riskParams")[0][3]
    repay = debt * close // 10_000
    steps = (
        call("mint-usdc", usdc, engine_x.TOKEN, "mint", ctx.sender, repay, events=("Transfer",)),
        call("approve-usdc", usdc, engine_x.ERC20, "approve", vault, repay, events=("Approval",)),
        call("liquidate", vault, VAULT, "liquidate", borrower, repay, events=("Liquidated",)),
    )
    return Plan("demo-liquidation", ctx.net.name, ctx.net.chain_id, ctx.sender, "demo-liquidation", steps,
                params={"borrower": borrower, "repay": repay})


def run(w3: Any, opts: Callable[..., Options], progress: Callable[[str], None]) -> dict[str, Any]:
    """Run the borrow scenario on the demo chain; return what the report prints."""
    deployed = run_command("borrow-vault-deploy", borrow_vault.build_borrow_vault_deploy, opts(), progress)
    vault = next(r["contract_address"] for r in deployed.results if r["id"] == "deploy-vault")
    borrowed: Outcome = run_command("demo-borrow", build_borrow, opts(local_account=BORROWER_ACCOUNT), progress)
    borrower = borrowed.plan.sender
    before = borrow_vault.positions(w3, vault)
    price_before = abi.view(w3, vault, VAULT, "price")[0]
    run_command("demo-price-fall", build_price_fall, opts(), progress)
    fallen = borrow_vault.positions(w3, vault)
    price_after = abi.view(w3, vault, VAULT, "price")[0]
    liquidated = run_command("demo-liquidation", build_liquidation,
                             opts(local_account=LIQUIDATOR_ACCOUNT, borrower=borrower), progress)
    after = borrow_vault.positions(w3, vault)
    event = next(e for r in liquidated.results for e in r["events"] if e["event"] == "Liquidated")
    return {"vault": vault, "borrower": borrower, "price_before": price_before, "price_after": price_after,
            "positions": {"after_borrow": before, "after_price_fall": fallen, "after_liquidation": after},
            "liquidation": event["args"],
            "gas": {r["id"]: r["gas_used"] for o in (borrowed, liquidated) for r in o.results}}
