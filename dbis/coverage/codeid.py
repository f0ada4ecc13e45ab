"""Which compiled contract a piece of code is.

Runtime code read at an address differs from the compiled `deployedBytecode` in two places: the
immutables (written by the constructor) and the CBOR metadata tail (its hash covers source paths
and settings, which need not be ours). Both are masked with zeros before comparing. Creation
code (a deployment's input) is the compiled `bytecode` followed by the constructor arguments; the
metadata inside it (that of the runtime part) is masked the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    start: int
    length: int


def metadata_length(code: bytes) -> int:
    """Bytes taken by the CBOR metadata tail, including its 2-byte big-endian length (0 if none)."""
    if len(code) < 2:
        return 0
    n = int.from_bytes(code[-2:], "big") + 2
    if n > len(code) or n < 2 + 1:
        return 0
    # a CBOR map of solc metadata starts with 0xa1..0xa3 (map of 1-3 entries)
    return n if 0xA1 <= code[-n] <= 0xA5 else 0


def mask(code: bytes, spans: Iterable[Span]) -> bytes:
    """`code` with every span (clipped to the code) replaced by zero bytes."""
    out = bytearray(code)
    for span in spans:
        end = min(len(out), span.start + span.length)
        if span.start < end:
            out[span.start:end] = bytes(end - span.start)
    return bytes(out)


def runtime_key(code: bytes, immutables: Iterable[Span]) -> bytes:
    """The comparable form of runtime code: immutables and the metadata tail zeroed."""
    n = metadata_length(code)
    spans = [*immutables, Span(len(code) - n, n)] if n else list(immutables)
    return mask(code, spans)


def creation_spans(bytecode: bytes, deployed: bytes) -> list[Span]:
    """Where the runtime's metadata tail sits inside the creation bytecode (to be masked)."""
    n = metadata_length(deployed)
    if not n:
        return []
    tail = deployed[-n:]
    pos = bytecode.rfind(tail)
    return [Span(pos, n)] if pos >= 0 else []


@dataclass(frozen=True)
class CodeEntry:
    """One compiled contract as the matcher sees it."""

    name: str  # "contracts/engine_x/X.sol:X"
    bytecode: bytes
    deployed: bytes
    immutables: tuple[Span, ...]


class CodeIndex:
    """Matches runtime code (by masked equality) and creation code (by masked prefix)."""

    def __init__(self, entries: Iterable[CodeEntry]) -> None:
        self._runtime: dict[bytes, str] = {}
        self._creation: list[tuple[bytes, list[Span], str]] = []
        self._with_immutables: list[tuple[str, list[Span]]] = []
        for e in entries:
            if e.deployed and e.immutables:
                self._with_immutables.append((e.name, list(e.immutables)))
            if e.deployed:
                self._runtime.setdefault(runtime_key(e.deployed, e.immutables), e.name)
            if e.bytecode:
                spans = creation_spans(e.bytecode, e.deployed)
                self._creation.append((mask(e.bytecode, spans), spans, e.name))
        # longest first: a contract whose creation code is a prefix of another's must not win
        self._creation.sort(key=lambda t: -len(t[0]))

    def runtime(self, code: bytes) -> str | None:
        """The contract whose runtime code this is, or None (not one of ours)."""
        if not code:
            return None
        hit = self._runtime.get(runtime_key(code, []))
        if hit is not None:
            return hit
        # the immutables' offsets differ per contract: try each contract that has some
        for name, spans in self._with_immutables:
            if self._runtime.get(runtime_key(code, spans)) == name:
                return name
        return None

    def creation(self, initcode: bytes) -> str | None:
        """The contract this creation code (bytecode + constructor arguments) deploys, or None."""
        for masked, spans, name in self._creation:
            if len(initcode) >= len(masked) and mask(initcode[: len(masked)], spans) == masked:
                return name
        return None


def spans_from_references(refs: Mapping[str, list[Mapping[str, int]]]) -> tuple[Span, ...]:
    """solc's `immutableReferences` ({ast id: [{start, length}]}) as spans."""
    return tuple(Span(int(r["start"]), int(r["length"])) for rs in refs.values() for r in rs)
