"""Engine X operator commands: `v2-deploy` and `loop-proof` (plan builders for dbis.operator)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from eth_utils import keccak
from web3 import Web3

from dbis import ladder
from dbis.commands import evidence
from dbis.errors import OperatorError
from dbis.operator import BuildContext
from dbis.plan import Plan, Step, call, deploy, ref

VAULT = "DBISEngineXVirtualBatchVault"
BORROWER = "DBISEngineXFlashProofBorrower"
TOKEN = "TestERC20"
ERC20 = "TestERC20"  # any compiled contract with the ERC-20 ABI encodes approve/transfer
OPERATOR_ROLE = "0x" + keccak(text="OPERATOR_ROLE").hex()
PAUSER_ROLE = "0x" + keccak(text="PAUSER_ROLE").hex()
LOOP_PROOF_AMOUNT = 10_000  # the runbook's exact 0.01 cWUSDC loop proof


def _engine_config(ctx: BuildContext) -> dict[str, Any]:
    if not ctx.net.engine_x:
        raise OperatorError(f"network {ctx.net.name} has no Engine X configuration (Engine X runs on mainnet)")
    return ctx.net.engine_x


def _address(ctx: BuildContext, name: str) -> str | None:
    value = ctx.param(name) or ctx.net.tokens.get(name)
    if value and not Web3.is_address(value):
        raise OperatorError(f"{name} {value!r} is not an address")
    return Web3.to_checksum_address(value) if value else None


def token_steps(ctx: BuildContext, wanted: tuple[tuple[str, str, int], ...]) -> tuple[list[Step], dict[str, str]]:
    """Token addresses for a deploy plan: `--<name>` or the network config; on the local network
    the test token `univ3-local-stack` journaled (the local chain's one cWUSDC and USDC, as the
    config's on mainnet), else a missing token is deployed as a 6-decimal test token and `need`
    units are minted to the sender."""
    steps: list[Step] = []
    tokens: dict[str, str] = {}
    for name, symbol, need in wanted:
        address = _address(ctx, name)
        if not address and ctx.net.is_local and ctx.addresses.get(f"univ3-local-stack/deploy-{name}"):
            address = Web3.to_checksum_address(ctx.addresses[f"univ3-local-stack/deploy-{name}"])
        if address:
            tokens[name] = address
        elif ctx.net.is_local:
            steps.append(deploy(f"deploy-{name}", TOKEN, f"{symbol} (local test token)", symbol, 6, note="local only"))
            if need:
                steps.append(call(f"mint-{name}", ref(f"deploy-{name}"), TOKEN, "mint", ctx.sender, need,
                                  events=("Transfer",)))
            tokens[name] = ref(f"deploy-{name}")
        else:
            raise OperatorError(
                f"no {symbol} address for {ctx.net.name}: set tokens.{name} in config/networks/{ctx.net.name}.json "
                f"or pass --{name}"
            )
    return steps, tokens


def build_v2_deploy(ctx: BuildContext) -> Plan:
    """Deploy the accounting-aware vault and its proof borrower, configure roles and flash terms,
    and seed the 1:1 rail and the lender bucket (the runbook's `engine-x:v2-deploy` plus seeding).

    On the local network the cWUSDC and USDC test tokens are deployed and minted first.
    """
    cfg = _engine_config(ctx)
    sender = ctx.sender
    seed = int(ctx.param("seed", cfg["seed_amount"]))
    lender = int(ctx.param("lender", cfg["lender_amount"]))
    if seed < 0 or lender < 0:
        raise OperatorError("--seed and --lender must not be negative")
    steps, tokens = token_steps(ctx, (("cwusdc", "cWUSDC", seed), ("usdc", "USDC", seed + lender)))
    admin = _address(ctx, "admin") or sender
    surplus = _address(ctx, "surplus_receiver") or sender
    rounding = _address(ctx, "rounding_receiver") or sender
    vault = ref("deploy-vault")
    steps += [
        deploy(
            "deploy-vault", VAULT, tokens["cwusdc"], tokens["usdc"], sender, int(cfg["admin_transfer_delay"]),
            surplus, rounding, int(cfg["virtual_fee_bps"]), int(cfg["max_round_trip_loss_bps"]),
            events=("ReceiversSet",),
        ),
        call("grant-operator", vault, VAULT, "grantRole", OPERATOR_ROLE, sender, events=("RoleGranted",)),
        call("grant-pauser", vault, VAULT, "grantRole", PAUSER_ROLE, sender, events=("RoleGranted",)),
        deploy("deploy-borrower", BORROWER, vault, tokens["usdc"], sender, events=("OwnershipTransferred",)),
        call("allow-borrower", vault, VAULT, "setFlashBorrower", ref("deploy-borrower"), True, events=("FlashBorrowerSet",)),
        call(
            "flash-terms", vault, VAULT, "setFlashTerms", int(cfg["max_flash_loan_cap"]), int(cfg["flash_fee_bps"]),
            events=("FlashTermsSet",),
        ),
    ]
    if seed:
        steps += [
            call("approve-cwusdc", tokens["cwusdc"], ERC20, "approve", vault, seed, events=("Approval",)),
            call("approve-usdc", tokens["usdc"], ERC20, "approve", vault, seed + lender, events=("Approval",)),
            call("seed-pool", vault, VAULT, "seedPool", seed, seed, events=("PoolSeeded",)),
        ]
    elif lender:
        steps.append(call("approve-usdc", tokens["usdc"], ERC20, "approve", vault, lender, events=("Approval",)))
    if lender:
        steps.append(call("fund-lender", vault, VAULT, "fundLender", lender, events=("LenderFunded",)))
    if admin.lower() != sender.lower():
        steps.append(call("begin-admin-transfer", vault, VAULT, "beginDefaultAdminTransfer", admin,
                          events=("DefaultAdminTransferScheduled",)))
    label = str(ctx.param("label", "v2"))
    return Plan(
        command="v2-deploy", network=ctx.net.name, chain_id=ctx.net.chain_id, sender=sender, key=f"v2-deploy:{label}",
        steps=tuple(steps),
        params={"seed": seed, "lender": lender, "admin": admin, "surplus_receiver": surplus,
                "rounding_receiver": rounding, "label": label, **{k: v for k, v in tokens.items()}},
    )


def vault_address(ctx: BuildContext) -> str:
    """The vault named by --vault, else the one v2-deploy journaled on this network."""
    vault = _address(ctx, "vault") or ctx.addresses.get("v2-deploy/deploy-vault")
    if not vault:
        raise OperatorError(f"no vault on {ctx.net.name}: run v2-deploy with EXECUTE=1 first, or pass --vault")
    return Web3.to_checksum_address(vault)


def proof_steps(
    ctx: BuildContext, vault: str, *, kind: str, tag: str, recipient: str, amount_out: int, suffix: str = ""
) -> tuple[list[Step], evidence.ProofEvidence]:
    """Approve and run one exact-output proof against the vault's live reserves."""
    reserve, usdc_reserve = ctx.view(vault, VAULT, "poolCwusdcReserve")[0], ctx.view(vault, VAULT, "poolUsdcReserve")[0]
    if reserve == 0:
        raise OperatorError(f"vault {vault} has an empty pool: seed it first (v2-deploy --seed)")
    if reserve != usdc_reserve:
        raise OperatorError(f"vault {vault} reserves are not equal ({reserve} / {usdc_reserve}); no proof can run")
    fee_bps = ctx.view(vault, VAULT, "virtualFeeBps")[0]
    max_loss = ctx.view(vault, VAULT, "maxRoundTripLossBps")[0]
    cwusdc = ctx.view(vault, VAULT, "cwusdc")[0]
    preview = ladder.amount_in_for_exact_out(amount_out, reserve, fee_bps)
    if preview.loss_bps > max_loss:
        raise OperatorError(f"round-trip loss {preview.loss_bps} bps is above the vault's maximum {max_loss} bps")
    ev = evidence.build(
        kind=kind, tag=tag, chain_id=ctx.net.chain_id, vault=vault, sender=ctx.sender, recipient=recipient,
        preview=preview, amount_out=amount_out, reserve=reserve, fee_bps=fee_bps,
    )
    steps = [
        call(f"approve-cwusdc{suffix}", cwusdc, ERC20, "approve", vault, preview.amount_in, events=("Approval",)),
        call(
            f"run-proof{suffix}", vault, VAULT, "runVirtualProofExactOutTo", recipient, preview.amount_in, amount_out,
            ev.proof_id, ev.iso_hash, ev.audit_hash, ev.peg_hash, events=("VirtualProofAuditEvidence",),
        ),
    ]
    return steps, ev


def require_fresh_proof(ctx: BuildContext, vault: str, proof_id: str, command: str, key: str) -> None:
    """Refuse a consumed proof ID, unless this very plan consumed it (then the re-run resumes)."""
    if ctx.view(vault, VAULT, "proofIdUsed", proof_id)[0] and not ctx.landed(command, key):
        raise OperatorError(f"proof ID {proof_id} is already consumed on {ctx.net.name}: use a new --tag")


def default_tag() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d")


def build_loop_proof(ctx: BuildContext) -> Plan:
    """The runbook's small exact loop proof: 0.01 cWUSDC out, back to the sender by default."""
    vault = vault_address(ctx)
    recipient = _address(ctx, "recipient") or ctx.sender
    amount_out = int(ctx.param("amount_out", LOOP_PROOF_AMOUNT))
    if amount_out <= 0:
        raise OperatorError("--amount-out must be positive")
    tag = str(ctx.param("tag") or default_tag())
    steps, ev = proof_steps(ctx, vault, kind="engine-x-loop-proof", tag=tag, recipient=recipient, amount_out=amount_out)
    key = f"loop-proof:{ev.proof_id}"
    require_fresh_proof(ctx, vault, ev.proof_id, "loop-proof", key)
    return Plan(
        command="loop-proof", network=ctx.net.name, chain_id=ctx.net.chain_id, sender=ctx.sender,
        key=key, steps=tuple(steps),
        params={"vault": vault, "recipient": recipient, "amount_out": amount_out, "tag": tag, "evidence": ev.to_json()},
    )
