"""Reserve operator commands: `reserve-deploy` and `reserve-workflow` (plan builders for dbis.operator)."""

from __future__ import annotations

from typing import Any

from web3 import Web3

from dbis.errors import OperatorError
from dbis.operator import BuildContext
from dbis.plan import Plan, call, deploy, ref
from dbis.reserve import source
from dbis.reserve.report import ATTESTATION, UPDATER_ROLE

ZERO_ADDRESS = "0x" + "00" * 20
ZERO32 = "0x" + "00" * 32
DEPLOYED = "reserve-deploy/deploy-attestation"


def config(ctx: BuildContext) -> dict[str, Any]:
    return ctx.net.section("reserve")


def _address(ctx: BuildContext, name: str, cfg: dict[str, Any]) -> str | None:
    value = ctx.param(name) or cfg.get(name)
    if value and not Web3.is_address(value):
        raise OperatorError(f"{name.replace('_', '-')} {value!r} is not an address")
    return Web3.to_checksum_address(value) if value else None


def attestation_address(ctx: BuildContext) -> str:
    """The attestation named by --attestation, else the one reserve-deploy journaled."""
    value = ctx.param("attestation") or ctx.addresses.get(DEPLOYED)
    if not value or not Web3.is_address(value):
        raise OperatorError(f"no reserve attestation on {ctx.net.name}: pass --attestation or run reserve-deploy "
                            "with EXECUTE=1")
    return Web3.to_checksum_address(value)


def build_reserve_deploy(ctx: BuildContext) -> Plan:
    """Deploy the reserve attestation and grant UPDATER_ROLE to the updater (default: the sender).

    The forwarder is `--forwarder` or the network's `reserve.forwarder`; on the local network, where
    no Chainlink forwarder runs, it defaults to the sender (who then stands in for the DON)."""
    cfg = config(ctx)
    forwarder = _address(ctx, "forwarder", cfg) or (ctx.sender if ctx.net.is_local else None)
    if not forwarder:
        raise OperatorError(f"no CRE forwarder for {ctx.net.name}: pass --forwarder or set reserve.forwarder")
    selector = int(ctx.param("chain_selector", cfg.get("chain_selector")) or 0)
    max_age = int(ctx.param("max_age", cfg.get("max_age")) or 0)
    if selector <= 0 or selector >= 2**64:
        raise OperatorError("the chain selector must be a nonzero uint64 (--chain-selector or reserve.chain_selector)")
    if max_age <= 0 or max_age >= 2**32:
        raise OperatorError("--max-age must be a nonzero number of seconds below 2**32")
    owner = _address(ctx, "workflow_owner", cfg) or ZERO_ADDRESS
    workflow_id = str(ctx.param("workflow_id", cfg.get("workflow_id")) or ZERO32)
    if len(workflow_id) != 66 or not workflow_id.startswith("0x"):
        raise OperatorError("--workflow-id must be 32 bytes of hex (0x + 64 digits)")
    updater = _address(ctx, "updater", cfg) or ctx.sender
    steps = (
        deploy("deploy-attestation", ATTESTATION, ctx.sender, int(cfg.get("admin_transfer_delay", 0)), forwarder,
               selector, max_age, owner, workflow_id),
        call("grant-updater", ref("deploy-attestation"), ATTESTATION, "grantRole", UPDATER_ROLE, updater,
             events=("RoleGranted",)),
    )
    label = str(ctx.param("label", "v1"))
    return Plan("reserve-deploy", ctx.net.name, ctx.net.chain_id, ctx.sender, f"reserve-deploy:{label}", steps,
                params={"forwarder": forwarder, "chain_selector": selector, "max_age": max_age,
                        "workflow_owner": owner, "workflow_id": workflow_id, "updater": updater})


def build_reserve_workflow(ctx: BuildContext) -> Plan:
    """Read reserves and liabilities, compare them here, and publish only the boolean.

    The plan (printed, written to JSON and sent) holds the flag and nothing else of the figures."""
    cfg = config(ctx)
    attestation = attestation_address(ctx)
    solvent = source.read(source.SourceSpec.from_sources(ctx.options.params, cfg), ctx.w3).is_solvent
    # One run = one publication: the key carries the block the decision was made at, so the journal
    # never mistakes today's publication for yesterday's identical calldata.
    block = ctx.w3.eth.block_number
    step = call("publish-attestation", attestation, ATTESTATION, "updateAttestation", solvent,
                events=("ReserveStatusUpdated",), note="only the boolean leaves the workflow")
    return Plan("reserve-workflow", ctx.net.name, ctx.net.chain_id, ctx.sender,
                f"reserve-workflow:{attestation}:{block}", (step,), params={"isSolvent": solvent})
