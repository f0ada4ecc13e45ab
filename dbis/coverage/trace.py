"""Struct-log ingestion: which pcs of which contract code ran, and where each JUMPI went.

A step trace (geth's struct logger, as anvil's `debug_traceTransaction`/`debug_traceCall`
return it, memory and storage off) gives pc, op, depth and stack per step. The code running at
each depth is followed from the stack: CALL/CALLCODE/STATICCALL/DELEGATECALL name their target
at stack[-2] (DELEGATECALL/CALLCODE run the target's code in the caller's context); a CREATE or
CREATE2 frame runs creation code, identified once it returns the new address (top of stack),
from the runtime code found there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# The struct-logger options of every trace taken (anvil's own and FastChain's replays): pc, op,
# depth and stack are all the ingestion reads.
TRACE_OPTIONS = {"disableStorage": True, "disableMemory": True, "enableMemory": False,
                 "enableReturnData": False}
CALLS = frozenset({"CALL", "CALLCODE", "STATICCALL", "DELEGATECALL"})
CREATES = frozenset({"CREATE", "CREATE2"})

CodeRef = tuple[str, str]  # (contract name, "runtime" | "creation")


@dataclass
class CodeHits:
    pcs: set[int] = field(default_factory=set)
    jumps: set[tuple[int, int]] = field(default_factory=set)  # (JUMPI pc, next pc)


@dataclass
class Hits:
    """Executed pcs and JUMPI successors per (contract, code kind); mergeable and serialisable."""

    by_code: dict[CodeRef, CodeHits] = field(default_factory=dict)
    traces: int = 0
    unknown_steps: int = 0  # steps in code that is not ours (or not identified)
    failures: int = 0  # traces that could not be taken (RPC errors)

    def at(self, ref: CodeRef) -> CodeHits:
        hits = self.by_code.get(ref)
        if hits is None:
            hits = self.by_code[ref] = CodeHits()
        return hits

    def merge(self, other: "Hits") -> None:
        for ref, h in other.by_code.items():
            mine = self.at(ref)
            mine.pcs |= h.pcs
            mine.jumps |= h.jumps
        self.traces += other.traces
        self.unknown_steps += other.unknown_steps
        self.failures += other.failures

    def to_json(self) -> dict[str, Any]:
        return {
            "traces": self.traces,
            "unknown_steps": self.unknown_steps,
            "failures": self.failures,
            "codes": [
                {"contract": name, "kind": kind, "pcs": sorted(h.pcs), "jumps": sorted(map(list, h.jumps))}
                for (name, kind), h in sorted(self.by_code.items())
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Hits":
        hits = cls(traces=int(data.get("traces", 0)), unknown_steps=int(data.get("unknown_steps", 0)),
                   failures=int(data.get("failures", 0)))
        for c in data.get("codes", []):
            h = hits.at((c["contract"], c["kind"]))
            h.pcs.update(c["pcs"])
            h.jumps.update((a, b) for a, b in c["jumps"])
        return hits


def _address(word: str) -> str:
    return "0x" + int(word, 16).to_bytes(32, "big")[-20:].hex()


@dataclass
class _Frame:
    ref: CodeRef | None
    pcs: set[int] = field(default_factory=set)
    jumps: set[tuple[int, int]] = field(default_factory=set)
    creating: bool = False  # a CREATE frame: identified when it returns
    steps: int = 0


def ingest(
    steps: Iterable[Mapping[str, Any]],
    root: CodeRef | None,
    resolve_runtime: Callable[[str], str | None],
    hits: Hits,
) -> None:
    """Add one trace's steps to `hits`. `root` is the code of the outermost frame;
    `resolve_runtime(address)` names the contract whose runtime code is at an address (or None)."""
    logs = list(steps)
    frames: list[_Frame] = [_Frame(root)]
    hits.traces += 1

    def close(frame: _Frame, ref: CodeRef | None) -> None:
        if ref is None:
            hits.unknown_steps += frame.steps
            return
        h = hits.at(ref)
        h.pcs |= frame.pcs
        h.jumps |= frame.jumps

    for i, step in enumerate(logs):
        depth = int(step["depth"])
        while len(frames) > depth:  # returned from a call
            child = frames.pop()
            if child.creating:
                stack = step.get("stack") or []
                created = _address(stack[-1]) if stack else None
                name = resolve_runtime(created) if created and int(created, 16) else None
                close(child, (name, "creation") if name else None)
            else:
                close(child, child.ref)
        frame = frames[-1]
        pc = int(step["pc"])
        op = step["op"]
        frame.pcs.add(pc)
        frame.steps += 1
        nxt = logs[i + 1] if i + 1 < len(logs) else None
        if op == "JUMPI" and nxt is not None and int(nxt["depth"]) == depth:
            frame.jumps.add((pc, int(nxt["pc"])))
        if nxt is not None and int(nxt["depth"]) == depth + 1:
            if op in CALLS:
                target = _address(step["stack"][-2])
                name = resolve_runtime(target)
                frames.append(_Frame((name, "runtime") if name else None))
            elif op in CREATES:
                frames.append(_Frame(None, creating=True))
            else:
                frames.append(_Frame(None))
    while frames:  # the trace ended inside frames (revert at depth > 1 still returns; this is the root)
        child = frames.pop()
        close(child, None if child.creating else child.ref)
