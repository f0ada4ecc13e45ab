"""The operator-command framework: plan, dry-run (default) or EXECUTE=1 broadcast, journal, report.

Every operator command is a function `build(ctx) -> Plan`; `run_command` does the rest the same
way for all of them:

* dry-run (default): simulate every step on the embedded chain, or on a local anvil fork of the
  target network when an RPC URL is given; print the table; write the plan JSON. Nothing is sent.
* `EXECUTE=1`: the same simulation first, then refuse a chain id that does not match the
  network, refuse a network that needs confirmation unless `--confirm <plan hash>` is given,
  broadcast with an Ape account, journal each transaction in `deployments/<network>.json` as it
  lands, and resume from that journal on a re-run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from web3 import Web3

from dbis import abi, executor, netconfig
from dbis.artifacts import PROJECT_ROOT
from dbis.chain import Anvil, connect
from dbis.errors import OperatorError
from dbis.journal import Journal
from dbis.plan import Plan, render_table, write_json
from dbis.signers import ApeSigner


@dataclass
class Options:
    """What the operator chose (flags and environment)."""

    network: str = "local"
    rpc_url: str | None = None
    account: str | None = None
    sender: str | None = None
    execute: bool = False
    confirm: str | None = None
    local_account: int = 0  # Ape test account that signs on the local network (demo actors)
    journal_dir: Path = PROJECT_ROOT / "deployments"
    out_dir: Path = PROJECT_ROOT / "reports" / "plans"
    params: dict[str, Any] = field(default_factory=dict)

    @staticmethod
    def execute_from_env() -> bool:
        value = os.environ.get("EXECUTE", "").strip()
        if value not in ("", "0", "1"):
            raise OperatorError(f"EXECUTE must be 1 (broadcast) or unset (dry-run), not {value!r}")
        return value == "1"


@dataclass
class BuildContext:
    """What a command's plan builder can see: the simulation chain (state equal to the target)."""

    w3: Web3
    net: netconfig.NetworkConfig
    sender: str
    addresses: dict[str, str]
    options: Options
    journal: Journal | None = None

    def landed(self, command: str, key: str) -> bool:
        """Whether the journal holds a landed transaction of this command and run key."""
        if self.journal is None:
            return False
        return any(
            e["command"] == command and e.get("key") == key and e["status"] == "landed" for e in self.journal.entries
        )

    def view(self, address: str, contract: str, function: str, *args: Any) -> tuple[Any, ...]:
        """Call a view function on the chain the plan is built against."""
        return abi.view(self.w3, address, contract, function, *args)

    def param(self, name: str, default: Any = None) -> Any:
        value = self.options.params.get(name)
        return default if value is None else value


Builder = Callable[[BuildContext], Plan]


@dataclass
class Outcome:
    plan: Plan
    results: list[dict[str, Any]]
    executed: bool
    plan_path: Path
    result_path: Path | None


def _signer(net: netconfig.NetworkConfig, opts: Options) -> ApeSigner | None:
    if opts.account:
        return ApeSigner.from_alias(opts.account)
    if net.is_local:
        return ApeSigner.test_account(opts.local_account)
    if opts.execute:
        raise OperatorError("EXECUTE=1 needs an Ape account: pass --account <alias> or set DBIS_ACCOUNT")
    return None


def _genesis(w3: Web3) -> str:
    return w3.eth.get_block(0)["hash"].to_0x_hex()


def run_command(command: str, build: Builder, opts: Options, progress: Callable[[str], None] = print) -> Outcome:
    """Build the plan, simulate it, and (EXECUTE=1) broadcast it; see the module docstring."""
    net = netconfig.load(opts.network)
    rpc = net.rpc_url(opts.rpc_url)
    if not rpc and not net.is_local:
        raise OperatorError(f"network {net.name} needs an RPC URL: set {net.rpc_url_env} or pass --rpc-url")
    if opts.execute and not rpc:
        raise OperatorError(
            "EXECUTE=1 on the local network needs --rpc-url of a running node "
            "(the embedded chain lives only for one command)"
        )

    live: Web3 | None = None
    if rpc:
        live = connect(rpc)
        chain_id = live.eth.chain_id
        if chain_id != net.chain_id:
            raise OperatorError(
                f"RPC chain id {chain_id} does not match network {net.name} (expected {net.chain_id}); refusing"
            )

    signer = _signer(net, opts)
    sender_text = signer.address if signer else opts.sender
    if not sender_text:
        raise OperatorError(f"dry-run on {net.name} needs the sending address: pass --sender or --account")
    if not Web3.is_address(sender_text):
        raise OperatorError(f"--sender {sender_text!r} is not an address")
    sender = Web3.to_checksum_address(sender_text)

    journal: Journal | None = None
    if live is not None:
        journal = Journal.open(opts.journal_dir / f"{net.name}.json", net.name, net.chain_id, _genesis(live))

    mode = "fork of " + _redact(rpc) if rpc else "embedded local chain"
    progress(f"{command}: {'EXECUTE' if opts.execute else 'dry-run'} on {net.name}, simulating on the {mode}")
    with Anvil(chain_id=net.chain_id, fork_url=rpc) as sim:
        assert sim.w3 is not None
        ctx = BuildContext(sim.w3, net, sender, journal.addresses() if journal else {}, opts, journal)
        plan = build(ctx)
        results = executor.simulate(sim.w3, plan, journal, progress)

    stem = f"{command}-{net.name}-{plan.hash[2:12]}"
    plan_path = opts.out_dir / f"{stem}.plan.json"
    write_json(plan_path, {"plan": plan.to_json(), "plan_hash": plan.hash, "simulation": results})
    progress(render_table(plan, results))
    progress(f"plan written to {_rel(plan_path)}")

    if not opts.execute:
        hint = f" --confirm {plan.hash}" if net.requires_confirmation else ""
        progress(f"dry-run: nothing was sent. To broadcast: EXECUTE=1 <same command>{hint}")
        return Outcome(plan, results, False, plan_path, None)

    assert live is not None and journal is not None and signer is not None
    if net.requires_confirmation and (opts.confirm or "").lower() != plan.hash:
        raise OperatorError(
            f"broadcast on {net.name} needs explicit confirmation of this plan: re-run with --confirm {plan.hash}"
        )
    progress(f"broadcasting {len(plan.steps)} step(s) with {signer.label}; journal {_rel(journal.path)}")
    landed = executor.execute(live, plan, journal, signer, progress)
    result_path = opts.out_dir / f"{stem}.result.json"
    write_json(result_path, {"plan": plan.to_json(), "plan_hash": plan.hash, "results": landed})
    progress(render_table(plan, landed))
    progress(f"result written to {_rel(result_path)}")
    return Outcome(plan, landed, True, plan_path, result_path)


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _redact(url: str | None) -> str:
    """An RPC URL without its path (API keys live there)."""
    if not url:
        return ""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/')[0]}"
