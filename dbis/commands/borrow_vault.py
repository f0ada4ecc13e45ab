"""Borrow-vault operator commands: `borrow-vault-deploy` (a plan) and `borrow-vault-status` (read-only)."""

from __future__ import annotations

from typing import Any

from eth_utils import keccak
from web3 import Web3

from dbis import abi, artifacts
from dbis.commands.engine_x import ERC20, _address, token_steps
from dbis.errors import OperatorError
from dbis.operator import BuildContext
from dbis.plan import Plan, call, deploy, ref

VAULT = "DBISEngineXXautUsdcBorrowVault"
ROLES = {name: "0x" + keccak(text=name).hex() for name in ("OPERATOR_ROLE", "PAUSER_ROLE", "PRICE_UPDATER_ROLE")}
HF_ONE = 10**18


def _config(ctx: BuildContext) -> dict[str, Any]:
    cfg = ctx.net.raw.get("borrow_vault")
    if not cfg:
        raise OperatorError(f"network {ctx.net.name} has no borrow_vault section in config/networks/{ctx.net.name}.json")
    return cfg


def build_borrow_vault_deploy(ctx: BuildContext) -> Plan:
    """Deploy the XAUt-backed USDC borrow vault, grant roles, set the first price and fund the lender
    bucket (the runbook's `engine-x:borrow-vault-deploy`). Local: XAUt and USDC test tokens first."""
    cfg = _config(ctx)
    sender = ctx.sender
    lender = int(ctx.param("lender", cfg.get("lender_amount", 0)))
    price = ctx.param("price", cfg.get("initial_price"))
    feed = _address(ctx, "feed") or cfg.get("feed")
    if not feed and not price:
        raise OperatorError("no price: pass --price (USD per XAUt, 8 decimals) or configure a feed")
    if lender < 0:
        raise OperatorError("--lender must not be negative")
    steps, tokens = token_steps(ctx, (("xaut", "XAUt", 0), ("usdc", "USDC", lender)))
    risk = [int(cfg["ltv_bps"]), int(cfg["liquidation_threshold_bps"]), int(cfg["liquidation_bonus_bps"]),
            int(cfg["close_factor_bps"]), int(cfg["min_health_factor"]), int(cfg["borrow_cap"]),
            int(cfg["borrow_rate_bps"])]
    price_params = [int(cfg["max_price_age"]), int(cfg["max_price_move_bps"]),
                    feed or "0x0000000000000000000000000000000000000000", int(cfg["feed_max_age"])]
    vault = ref("deploy-vault")
    steps.append(deploy("deploy-vault", VAULT, tokens["xaut"], tokens["usdc"], sender,
                        int(cfg["admin_transfer_delay"]), risk, price_params, events=("RiskParamsSet",)))
    for role, value in ROLES.items():
        steps.append(call(f"grant-{role.lower().replace('_role', '').replace('_', '-')}", vault, VAULT, "grantRole",
                          value, sender, events=("RoleGranted",)))
    if price:
        steps.append(call("set-price", vault, VAULT, "setPrice", int(price), events=("PriceUpdated",)))
    if lender:
        steps += [
            call("approve-usdc", tokens["usdc"], ERC20, "approve", vault, lender, events=("Approval",)),
            call("fund-lender", vault, VAULT, "fundLender", lender, events=("LenderFunded",)),
        ]
    label = str(ctx.param("label", "v1"))
    return Plan(
        command="borrow-vault-deploy", network=ctx.net.name, chain_id=ctx.net.chain_id, sender=sender,
        key=f"borrow-vault-deploy:{label}", steps=tuple(steps),
        params={"risk": risk, "price_params": price_params, "price": price, "lender": lender, **tokens},
    )


def positions(w3: Web3, vault: str, from_block: int = 0) -> list[dict[str, Any]]:
    """Every borrower that ever deposited or borrowed, with its position and health factor."""
    artifact_events = [e for e in artifacts.load(VAULT).abi if e.get("type") == "event"
                       and e["name"] in ("CollateralDeposited", "Borrowed")]
    topics = ["0x" + keccak(text=abi.signature(e)).hex() for e in artifact_events]
    logs = w3.eth.get_logs({"address": Web3.to_checksum_address(vault), "fromBlock": from_block,
                            "toBlock": "latest", "topics": [topics]})
    borrowers = sorted({abi.decode_log(dict(log))["args"]["borrower"] for log in logs}, key=str.lower)
    rows = []
    for borrower in borrowers:
        collateral, debt, _ = abi.view(w3, vault, VAULT, "position", borrower)
        try:
            health: int | None = abi.view(w3, vault, VAULT, "healthFactor", borrower)[0]
            price_ok = True
        except Exception:  # no usable price (stale or missing): the vault refuses to value debt
            health, price_ok = None, False
        rows.append({"borrower": Web3.to_checksum_address(borrower), "collateral": collateral, "debt": debt,
                     "health_factor": None if health == 2**256 - 1 else health, "price_available": price_ok})
    return rows


def render_positions(rows: list[dict[str, Any]]) -> str:
    lines = [f"{'borrower':44} {'XAUt collateral':>18} {'USDC debt':>18} {'health':>10}  status"]
    for r in rows:
        hf = r["health_factor"]
        if not r.get("price_available", True):
            health, status = "n/a", "NO PRICE"
        else:
            health = "no debt" if hf is None else f"{hf / HF_ONE:.4f}"
            status = "ok" if hf is None or hf >= HF_ONE else "LIQUIDATABLE"
        lines.append(f"{r['borrower']:44} {r['collateral'] / 1e6:>18,.6f} {r['debt'] / 1e6:>18,.6f} {health:>10}  {status}")
    return "\n".join(lines)


def status_command(network: str, rpc_url: str | None, vault: str | None, journal_dir: Any, out_dir: Any) -> int:
    """`borrow-vault-status`: print every position with its health factor and write it as JSON."""
    from pathlib import Path

    from dbis import netconfig
    from dbis.artifacts import PROJECT_ROOT
    from dbis.chain import connect
    from dbis.journal import Journal
    from dbis.plan import write_json

    net = netconfig.load(network)
    rpc = net.rpc_url(rpc_url)
    if not rpc:
        raise OperatorError(f"borrow-vault-status reads a live chain: set {net.rpc_url_env} or pass --rpc-url")
    w3 = connect(rpc)
    if w3.eth.chain_id != net.chain_id:
        raise OperatorError(f"RPC chain id {w3.eth.chain_id} does not match network {net.name} (expected {net.chain_id})")
    if not vault:
        path = Path(journal_dir or PROJECT_ROOT / "deployments") / f"{net.name}.json"
        if path.exists():
            journal = Journal.open(path, net.name, net.chain_id, w3.eth.get_block(0)["hash"].to_0x_hex())
            vault = journal.addresses().get("borrow-vault-deploy/deploy-vault")
    if not vault or not Web3.is_address(vault):
        raise OperatorError(f"no borrow vault on {net.name}: pass --vault or run borrow-vault-deploy with EXECUTE=1")
    if not w3.eth.get_code(Web3.to_checksum_address(vault)):
        raise OperatorError(f"no contract at {vault} on {net.name}")
    rows = positions(w3, vault)
    print(f"borrow vault {vault} on {net.name}: {len(rows)} position(s)")
    print(render_positions(rows))
    out = Path(out_dir or PROJECT_ROOT / "reports" / "status") / f"borrow-vault-status-{net.name}.json"
    write_json(out, {"network": net.name, "vault": vault, "block": w3.eth.block_number,
                     "positions": [{k: (str(v) if isinstance(v, int) else v) for k, v in r.items()} for r in rows]})
    print(f"status written to {out}")
    return 0
