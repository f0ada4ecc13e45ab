"""EVM instructions of a bytecode and solc's compressed source maps (pure functions)."""

from __future__ import annotations

from dataclasses import dataclass

PUSH1 = 0x60
PUSH32 = 0x7F
POP = 0x50
JUMP = 0x56
JUMPI = 0x57
JUMPDEST = 0x5B
# instructions that end a basic block
BLOCK_ENDS = frozenset({0x00, JUMP, JUMPI, 0xF3, 0xFD, 0xFE, 0xFF})


@dataclass(frozen=True)
class SourceRange:
    """One source-map entry: byte offset/length in source file `file` (-1: no source) and the jump kind."""

    start: int
    length: int
    file: int
    jump: str

    def inside(self, start: int, length: int) -> bool:
        """True when this range lies within [start, start + length) of the same file."""
        return self.file >= 0 and self.start >= start and self.start + self.length <= start + length


def instruction_offsets(code: bytes) -> list[int]:
    """The pc of every instruction, in order (PUSHn immediates skipped; trailing data included)."""
    pcs: list[int] = []
    pc = 0
    while pc < len(code):
        pcs.append(pc)
        op = code[pc]
        pc += 1 + (op - PUSH1 + 1 if PUSH1 <= op <= PUSH32 else 0)
    return pcs


def decompress(source_map: str) -> list[SourceRange]:
    """Expand solc's `s:l:f:j:m;...` map: an empty field repeats the previous entry's value."""
    out: list[SourceRange] = []
    start, length, file, jump = 0, 0, -1, "-"
    if not source_map:
        return out
    for entry in source_map.split(";"):
        fields = entry.split(":")
        if len(fields) > 0 and fields[0] != "":
            start = int(fields[0])
        if len(fields) > 1 and fields[1] != "":
            length = int(fields[1])
        if len(fields) > 2 and fields[2] != "":
            file = int(fields[2])
        if len(fields) > 3 and fields[3] != "":
            jump = fields[3]
        out.append(SourceRange(start, length, file, jump))
    return out


@dataclass(frozen=True)
class PcMap:
    """pc -> source range, and the pcs that hold a JUMPI, for one bytecode."""

    ranges: dict[int, SourceRange]
    jumpis: frozenset[int]
    code: bytes = b""

    def block(self, pc: int) -> list[SourceRange]:
        """Source ranges of the straight-line code from `pc` to the end of its basic block
        (JUMPDESTs left out: merged labels keep an arbitrary one of their locations)."""
        out: list[SourceRange] = []
        while pc in self.ranges:
            op = self.code[pc]
            if op != JUMPDEST:
                out.append(self.ranges[pc])
            if op in BLOCK_ENDS:
                break
            pc += 1 + (op - PUSH1 + 1 if PUSH1 <= op <= PUSH32 else 0)
        return out


def pc_map(code: bytes, source_map: str) -> PcMap:
    """Pair each instruction with its source-map entry (the map has one entry per instruction;
    the CBOR metadata after the last instruction has none)."""
    entries = decompress(source_map)
    pcs = instruction_offsets(code)[: len(entries)]
    ranges = {pc: entry for pc, entry in zip(pcs, entries)}
    jumpis = frozenset(pc for pc in pcs if code[pc] == JUMPI)
    return PcMap(ranges, jumpis, code)
