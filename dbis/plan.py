"""Plans: the ordered transactions an operator command intends to send.

A plan is pure data. Arguments may name an earlier deploy step as `"@<step id>"`; the executor
replaces it with that step's contract address. The plan hash (keccak256 of the RFC 8785
canonical JSON of the plan) is what an operator confirms before a mainnet broadcast.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from eth_utils import keccak

from dbis import artifacts
from dbis.hashing import keccak_json

Action = Literal["deploy", "call"]


@dataclass(frozen=True)
class Step:
    """One transaction of a plan."""

    id: str
    action: Action
    contract: str
    args: tuple[Any, ...] = ()
    function: str | None = None
    target: str | None = None
    expect_events: tuple[str, ...] = ()
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "action": self.action,
            "contract": self.contract,
            "args": list(self.args),
            "expect_events": list(self.expect_events),
            "note": self.note,
        }
        if self.action == "deploy":
            out["bytecode_hash"] = "0x" + keccak(artifacts.load(self.contract).bytecode).hex()
        else:
            out["function"] = self.function
            out["target"] = self.target
        return out


def deploy(step_id: str, contract: str, *args: Any, events: tuple[str, ...] = (), note: str = "") -> Step:
    return Step(step_id, "deploy", contract, tuple(args), expect_events=events, note=note)


def call(
    step_id: str,
    target: str,
    contract: str,
    function: str,
    *args: Any,
    events: tuple[str, ...] = (),
    note: str = "",
) -> Step:
    return Step(step_id, "call", contract, tuple(args), function, target, events, note)


def ref(step_id: str) -> str:
    """An argument standing for the address deployed by `step_id`."""
    return f"@{step_id}"


@dataclass(frozen=True)
class Plan:
    """An ordered list of steps for one command, network and sender."""

    command: str
    network: str
    chain_id: int
    sender: str
    key: str
    steps: tuple[Step, ...]
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ids = [s.id for s in self.steps]
        if len(ids) != len(set(ids)):
            raise ValueError(f"duplicate step ids in plan {self.command}")

    def to_json(self) -> dict[str, Any]:
        """The plan as JSON; every integer is a decimal string (RFC 8785 numbers stop at 2**53)."""
        return _ints_as_strings({
            "command": self.command,
            "network": self.network,
            "chain_id": self.chain_id,
            "sender": self.sender,
            "key": self.key,
            "params": self.params,
            "steps": [s.to_json() for s in self.steps],
        })

    @property
    def hash(self) -> str:
        return keccak_json(self.to_json())


def _ints_as_strings(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return {k: _ints_as_strings(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_ints_as_strings(v) for v in value]
    return value


def _short(value: Any, width: int = 14) -> str:
    text = str(value)
    if text.startswith("0x") and len(text) > width:
        return f"{text[:8]}…{text[-4:]}"
    return text


def render_table(plan: Plan, results: list[dict[str, Any]] | None = None) -> str:
    """A readable table of the plan's steps (and of their simulated or landed results)."""
    rows = [("#", "step", "target", "call", "gas", "events", "status")]
    by_id = {r["id"]: r for r in results or []}
    for n, step in enumerate(plan.steps, 1):
        res = by_id.get(step.id, {})
        target = step.contract if step.action == "deploy" else f"{step.contract}@{_short(res.get('to') or step.target)}"
        fn = "constructor" if step.action == "deploy" else step.function
        call_text = f"{fn}({', '.join(_short(a) for a in step.args)})"
        events = res.get("events")
        event_text = ", ".join(e["event"] for e in events) if events is not None else ", ".join(step.expect_events)
        gas = res.get("gas_used")
        rows.append((str(n), step.id, target, call_text, f"{gas:,}" if gas else "-", event_text, res.get("status", "planned")))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    widths[3] = min(widths[3], 70)
    lines = []
    for i, row in enumerate(rows):
        cells = [c if len(c) <= widths[j] else c[: widths[j] - 1] + "…" for j, c in enumerate(row)]
        lines.append("  ".join(c.ljust(widths[j]) for j, c in enumerate(cells)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    header = f"plan {plan.command} on {plan.network} (chain {plan.chain_id}) from {plan.sender}\nplan hash {plan.hash}"
    return header + "\n" + "\n".join(lines)


def write_json(path: Path, value: Any) -> None:
    """Write JSON atomically (temp file + rename), creating parent folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(value, indent=2, sort_keys=False) + "\n")
    tmp.replace(path)
