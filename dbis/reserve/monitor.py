"""`reserve-monitor`: follow `ReserveStatusUpdated`, plan (and with EXECUTE=1 run) the recovery of an
insolvent reserve, and confirm when the reserve is healthy again.

Bounded: at most `--max-iterations` polls (0 = until Ctrl-C), `--interval` seconds apart, logs read in
ranges of at most `MAX_BLOCK_RANGE` blocks. A dropped RPC is retried (and said so) up to
`--max-rpc-failures` polls in a row; then the monitor stops with a one-line error. Ctrl-C stops it
cleanly between two steps.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import requests
from web3 import HTTPProvider, Web3
from web3.exceptions import ProviderConnectionError

from dbis import abi, netconfig
from dbis.artifacts import PROJECT_ROOT
from dbis.errors import OperatorError
from dbis.journal import Journal
from dbis.operator import Options, _redact, run_command
from dbis.plan import write_json
from dbis.reserve import recovery, source
from dbis.reserve.commands import DEPLOYED
from dbis.reserve.report import ATTESTATION, STATUS_TOPIC

MAX_BLOCK_RANGE = 2_000
RPC_ERRORS = (requests.exceptions.RequestException, ProviderConnectionError, ConnectionError, TimeoutError, OSError)
Progress = Callable[[str], None]


@dataclass
class MonitorConfig:
    network: str
    rpc_url: str
    attestation: str | None
    spec: source.SourceSpec
    recovery: recovery.RecoveryConfig
    options: Options  # how a recovery plan is run (execute, account, journal, out dir)
    from_block: int | None = None
    interval: float = 2.0
    max_iterations: int = 10
    max_rpc_failures: int = 5


@dataclass
class MonitorState:
    next_block: int | None = None
    insolvent_at: int | None = None  # timestamp of the unrecovered insolvent attestation
    recovered_at: int | None = None  # insolvent timestamp whose recovery landed (or was planned)
    events: list[dict[str, Any]] = field(default_factory=list)
    recoveries: list[dict[str, Any]] = field(default_factory=list)
    confirmations: list[int] = field(default_factory=list)
    rpc_failures: int = 0


def _status_events(w3: Web3, attestation: str, start: int, end: int) -> list[dict[str, Any]]:
    out = []
    for low in range(start, end + 1, MAX_BLOCK_RANGE):
        high = min(end, low + MAX_BLOCK_RANGE - 1)
        logs = w3.eth.get_logs({"address": attestation, "fromBlock": low, "toBlock": high, "topics": [STATUS_TOPIC]})
        for log in logs:
            args = abi.decode_log(dict(log))["args"]
            out.append({"block": int(log["blockNumber"]), "tx_hash": log["transactionHash"].to_0x_hex(),
                        "isSolvent": bool(args["isSolvent"]), "timestamp": int(args["timestamp"])})
    return out


class Monitor:
    """One watcher over one attestation; `step()` is one bounded poll."""

    def __init__(self, cfg: MonitorConfig, progress: Progress = print) -> None:
        self.cfg = cfg
        self.progress = progress
        self.state = MonitorState()
        self.w3 = Web3(HTTPProvider(cfg.rpc_url, request_kwargs={"timeout": 10}))
        self.attestation: str | None = Web3.to_checksum_address(cfg.attestation) if cfg.attestation else None

    # ---- one poll
    def _start(self) -> None:
        net = netconfig.load(self.cfg.network)
        chain_id = self.w3.eth.chain_id
        if chain_id != net.chain_id:
            raise OperatorError(f"RPC chain id {chain_id} does not match network {net.name} (expected {net.chain_id})")
        if self.attestation is None:
            path = self.cfg.options.journal_dir / f"{net.name}.json"
            found = None
            if path.exists():
                genesis = self.w3.eth.get_block(0)["hash"].to_0x_hex()
                found = Journal.open(path, net.name, net.chain_id, genesis).addresses().get(DEPLOYED)
            if not found:
                raise OperatorError(f"no reserve attestation on {net.name}: pass --attestation or run reserve-deploy")
            self.attestation = Web3.to_checksum_address(found)
        if not self.w3.eth.get_code(self.attestation):
            raise OperatorError(f"no contract at {self.attestation} on {net.name}")
        solvent, at = (abi.view(self.w3, self.attestation, ATTESTATION, name)[0] for name in ("isSolvent", "attestedAt"))
        healthy = abi.view(self.w3, self.attestation, ATTESTATION, "isReserveHealthy")[0]
        self.progress(f"reserve-monitor: watching {self.attestation} on {net.name}; last attestation "
                      f"{'solvent' if solvent else 'INSOLVENT' if at else 'none'}"
                      f"{f' at {at}' if at else ''}, healthy={healthy}")
        if at and not solvent:
            self.state.insolvent_at = at
        latest = self.w3.eth.block_number
        self.state.next_block = latest + 1 if self.cfg.from_block is None else self.cfg.from_block

    def step(self) -> None:
        """One poll: read new events, react, and try a pending recovery. Raises RPC errors."""
        if self.state.next_block is None:
            self._start()
        assert self.attestation is not None and self.state.next_block is not None
        latest = self.w3.eth.block_number
        if latest >= self.state.next_block:
            for ev in _status_events(self.w3, self.attestation, self.state.next_block, latest):
                self._on_event(ev)
            self.state.next_block = latest + 1
        if self.state.insolvent_at is not None and self.state.recovered_at != self.state.insolvent_at:
            self._recover(self.state.insolvent_at)

    def _on_event(self, ev: dict[str, Any]) -> None:
        self.state.events.append(ev)
        if ev["isSolvent"]:
            if self.state.insolvent_at is not None:
                self.progress(f"reserve healthy again at {ev['timestamp']} (block {ev['block']}): recovery confirmed")
                self.state.confirmations.append(ev["timestamp"])
            else:
                self.progress(f"reserve solvent at {ev['timestamp']} (block {ev['block']}): nothing to do")
            self.state.insolvent_at = None
        else:
            self.progress(f"reserve INSOLVENT at {ev['timestamp']} (block {ev['block']}): planning recovery")
            self.state.insolvent_at = ev["timestamp"]

    def _recover(self, insolvent_at: int) -> None:
        """Size the deficit from the source, choose the mechanism, and run the plan (dry-run or EXECUTE)."""
        cfg = self.cfg
        wallet = _wallet(cfg.options)
        figures = source.read(cfg.spec, self.w3)
        if figures.is_solvent:
            self.progress("source already shows the reserve covered: waiting for the next attestation")
            self.state.recovered_at = insolvent_at
            return
        sizing = recovery.size_for(self.w3, wallet, figures.deficit, cfg.recovery)
        record: dict[str, Any] = {"insolvent_at": insolvent_at, "mechanism": sizing.mechanism,
                                  "deficit": sizing.deficit, "from_wallet": sizing.from_wallet,
                                  "buy": sizing.buy, "usdc_in": sizing.usdc_in}
        self.progress(f"recovery: deficit {sizing.deficit} collateral units (~{sizing.deficit_usd:,.2f} USD) -> "
                      f"{sizing.mechanism}")
        if sizing.mechanism == "dark-pool":
            self.progress("recovery: the deficit is at or above the dark-pool threshold; confidential matching needs "
                          "Chainlink Confidential Compute, which does not run here: escalate to treasury "
                          "(nothing is sent)")
            record["executed"] = False
            self.state.recoveries.append(record)
            self.state.recovered_at = insolvent_at
            return
        key = f"reserve-recovery:{self.attestation}:{insolvent_at}"
        outcome = run_command("reserve-recovery",
                              lambda ctx: recovery.build_recovery(ctx, sizing, cfg.recovery, key),
                              cfg.options, self.progress)
        record.update(plan_hash=outcome.plan.hash, executed=outcome.executed,
                      plan=str(outcome.plan_path), result=str(outcome.result_path) if outcome.result_path else None)
        self.state.recoveries.append(record)
        self.state.recovered_at = insolvent_at
        self.progress("recovery executed: waiting for a solvent attestation" if outcome.executed
                      else "recovery planned (dry-run): EXECUTE=1 runs it")

    # ---- the loop
    def run(self, sleep: Callable[[float], None] = time.sleep) -> MonitorState:
        cfg = self.cfg
        n = 0
        try:
            while cfg.max_iterations == 0 or n < cfg.max_iterations:
                n += 1
                try:
                    self.step()
                    self.state.rpc_failures = 0
                except RPC_ERRORS as exc:
                    self.state.rpc_failures += 1
                    self.progress(f"RPC {_redact(cfg.rpc_url)} unreachable ({exc.__class__.__name__}); retrying in "
                                  f"{cfg.interval:g}s ({self.state.rpc_failures}/{cfg.max_rpc_failures})")
                    if self.state.rpc_failures >= cfg.max_rpc_failures:
                        raise OperatorError(f"RPC {_redact(cfg.rpc_url)} unreachable for {self.state.rpc_failures} "
                                            "polls in a row; stopping") from None
                except OperatorError as exc:
                    if self.state.next_block is None:
                        raise  # a configuration mistake before watching started
                    self.progress(f"recovery failed: {exc}; retrying in {cfg.interval:g}s")
                if cfg.max_iterations == 0 or n < cfg.max_iterations:
                    sleep(cfg.interval)
        except KeyboardInterrupt:
            self.progress(f"reserve-monitor: stopped (Ctrl-C) after {n} poll(s)")
            raise
        self.progress(f"reserve-monitor: stopped after {n} poll(s) (--max-iterations)")
        return self.state


def _wallet(options: Options) -> str:
    if options.account:
        from dbis.signers import ApeSigner

        return ApeSigner.from_alias(options.account).address
    if options.sender:
        return Web3.to_checksum_address(options.sender)
    if options.network == "local":
        from dbis.signers import ApeSigner

        return ApeSigner.test_account(options.local_account).address
    raise OperatorError("the recovery wallet is unknown: pass --account (or --sender for a dry-run)")


def command(args: Any) -> int:
    """`reserve-monitor` from parsed CLI arguments."""
    net = netconfig.load(args.network)
    rpc = net.rpc_url(args.rpc_url)
    if not rpc:
        raise OperatorError(f"reserve-monitor follows a live chain: set {net.rpc_url_env} or pass --rpc-url")
    cfg = net.raw.get("reserve") or {}
    params = {k: getattr(args, k) for k in ("collateral", "usdc", "reserve_address", "swap_router", "pool_fee",
                                           "price", "slippage_bps")}
    options = Options(network=net.name, rpc_url=rpc, account=args.account, sender=args.sender,
                      execute=Options.execute_from_env(), confirm=args.confirm)
    if args.journal_dir:
        options.journal_dir = args.journal_dir
    if args.out_dir:
        options.out_dir = args.out_dir
    if args.max_iterations < 0 or args.interval < 0:
        raise OperatorError("--max-iterations and --interval must not be negative")
    mc = MonitorConfig(
        network=net.name, rpc_url=rpc, attestation=args.attestation,
        spec=source.SourceSpec.from_sources(vars(args), cfg),
        recovery=recovery.RecoveryConfig.from_sources(params, cfg, net.tokens), options=options,
        from_block=args.from_block, interval=args.interval, max_iterations=args.max_iterations,
        max_rpc_failures=args.max_rpc_failures,
    )
    monitor = Monitor(mc)
    state = monitor.run()
    out = Path(args.out_dir or PROJECT_ROOT / "reports" / "plans") / f"reserve-monitor-{net.name}.json"
    write_json(out, {"network": net.name, "attestation": monitor.attestation, "events": state.events,
                     "recoveries": [{k: (str(v) if isinstance(v, (int, Decimal)) and not isinstance(v, bool) else v)
                                     for k, v in r.items()} for r in state.recoveries],
                     "confirmations": state.confirmations})
    print(f"monitor log written to {out}")
    return 0
