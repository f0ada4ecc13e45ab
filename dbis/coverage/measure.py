"""Hits -> covered and uncovered statements and branches (pure functions over a Build and Hits).

- A statement is executable when some instruction of some compiled contract maps inside it (a
  statement the optimizer removed is not counted); covered when such an instruction ran (one
  that is not a stack shuffle or jump, if the statement has any: see `_weak`).
- A branch arm with code (if/else bodies, ternary arms, try clauses) likewise.
- An implicit else is executable when a JUMPI maps to the `if` itself (or, if the optimizer left
  none, inside its condition), and covered when such a JUMPI ran and the basic block it went to
  has no instruction of the true body (nor of the condition).
- An `if` whose true body has no code of its own (`if (c) return;`) is measured at its JUMPI
  alone: falling through to the next instruction is the true arm (solc lays the true body out
  right after the conditional jump to the else label), jumping is the else arm.
- A line is executable when an executable statement starts on it; covered when one of them ran
  (`if (c) revert E();` is one line: the revert is measured as the `if`'s true branch).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .compile import Build, is_production
from .items import Branch, Region, Statement, extract
from .sourcemap import JUMP, JUMPDEST, POP, PcMap
from .trace import Hits


class RangeSet:
    """Source ranges of one file, sorted by start, answering 'any range inside this region?'."""

    def __init__(self, regions: set[Region]) -> None:
        self._items = sorted((r.start, r.length) for r in regions)
        self._starts = [s for s, _ in self._items]

    def any_inside(self, region: Region) -> bool:
        end = region.start + region.length
        for start, length in self._items[bisect_left(self._starts, region.start):]:
            if start >= end:
                return False
            if start + length <= end:
                return True
        return False


@dataclass(frozen=True)
class Edge:
    """A JUMPI (its source range) and, when observed, where it went: the source ranges of the
    successor's basic block in the same file (the first instruction may have no source)."""

    jump: Region
    block: tuple[Region, ...] = ()
    fallthrough: bool = False  # went on to the next instruction (did not jump)


@dataclass(frozen=True)
class StatementResult:
    statement: Statement
    executable: bool
    covered: bool


@dataclass(frozen=True)
class BranchResult:
    branch: Branch
    executable: bool
    covered: bool


@dataclass(frozen=True)
class FileCoverage:
    path: str
    statements: list[StatementResult]
    branches: list[BranchResult]


def _weak(op: int) -> bool:
    """Stack shuffling and jumps: the optimizer's block deduplicator shares such tails between
    functions (one copy keeps one location), so alone they are weak evidence of what ran."""
    return op in (JUMP, POP) or 0x80 <= op <= 0x9F


def _file_regions(build: Build, maps: list[tuple[PcMap, set[int] | None]], strong: bool) -> dict[str, set[Region]]:
    """Source ranges of the instructions (all, or the `pcs` that ran) per file; `strong`: only
    instructions that are not stack shuffling or jumps. JUMPDESTs are labels, not code: the
    optimizer merges adjacent labels and keeps one location (e.g. the end of a ternary carries
    the location of its true arm), so they say nothing about what ran."""
    out: dict[str, set[Region]] = defaultdict(set)
    for pm, pcs in maps:
        for pc, r in pm.ranges.items():
            op = pm.code[pc]
            if (pcs is not None and pc not in pcs) or op == JUMPDEST or (strong and _weak(op)):
                continue
            path = build.paths.get(r.file)
            if path in build.asts:
                out[path].add(Region(r.start, r.length))
    return out


class Evidence:
    """Whether a region has code and whether it ran: by its strong instructions when it has
    any, else by any instruction."""

    def __init__(self, compiled: dict[bool, RangeSet], ran: dict[bool, RangeSet]) -> None:
        self._compiled, self._ran = compiled, ran

    def has_code(self, region: Region) -> bool:
        return self._compiled[False].any_inside(region)

    def ran(self, region: Region) -> bool:
        strong = self._compiled[True].any_inside(region)
        return self._ran[strong].any_inside(region)


def _maps(build: Build) -> list[tuple[str, str, PcMap]]:
    return [(name, kind, pm) for name, c in build.contracts.items()
            for kind, pm in (("runtime", c.runtime_map), ("creation", c.creation_map))]


def _jumps(build: Build, hits: Hits | None) -> dict[str, list[Edge]]:
    """JUMPIs per file: every one compiled (hits None: no successor) or every observed edge."""
    out: dict[str, list[Edge]] = defaultdict(list)
    for name, kind, pm in _maps(build):
        if hits is None:
            for pc in pm.jumpis:
                r = pm.ranges[pc]
                if build.paths.get(r.file) in build.asts:
                    out[build.paths[r.file]].append(Edge(Region(r.start, r.length)))
            continue
        h = hits.by_code.get((name, kind))
        for pc, nxt in (h.jumps if h else ()):
            r = pm.ranges.get(pc)
            if r is None or build.paths.get(r.file) not in build.asts:
                continue
            block = tuple(Region(s.start, s.length) for s in pm.block(nxt) if s.file == r.file)
            out[build.paths[r.file]].append(Edge(Region(r.start, r.length), block, nxt == pc + 1))
    return out


def _decides(branch: Branch, edge: Edge, exact: bool) -> bool:
    """The `if`'s own JUMPI is mapped to the whole statement; only when the optimizer left none
    are the JUMPIs inside the condition taken instead."""
    assert branch.condition is not None
    return edge.jump == branch.decision if exact else branch.condition.contains(edge.jump)


def _else_taken(branch: Branch, edge: Edge, exact: bool) -> bool:
    """The jump went to code that is neither the true body nor more of the condition."""
    assert branch.condition is not None and branch.true_region is not None
    true, cond = branch.true_region, branch.condition
    return _decides(branch, edge, exact) and not any(true.contains(r) or cond.contains(r) for r in edge.block)


def measure(build: Build, hits: Hits, paths: Iterable[str] | None = None) -> list[FileCoverage]:
    """Coverage of each source file in `paths` (default: every production source)."""
    selected = sorted(paths) if paths is not None else sorted(p for p in build.asts if is_production(p))
    maps = _maps(build)
    executed = [(pm, hits.by_code[(n, k)].pcs) for n, k, pm in maps if (n, k) in hits.by_code]
    compiled = {strong: _file_regions(build, [(pm, None) for _, _, pm in maps], strong) for strong in (True, False)}
    ran = {strong: _file_regions(build, executed, strong) for strong in (True, False)}
    all_jumps, seen_jumps = _jumps(build, None), _jumps(build, hits)
    files: list[FileCoverage] = []
    for path in selected:
        statements, branches = extract(path, build.asts[path], build.texts[path])
        ev = Evidence({k: RangeSet(v.get(path, set())) for k, v in compiled.items()},
                      {k: RangeSet(v.get(path, set())) for k, v in ran.items()})
        s_results = [StatementResult(s, ev.has_code(s.region), ev.ran(s.region)) for s in statements]
        b_results = []
        jumps, seen = all_jumps.get(path, []), seen_jumps.get(path, [])
        for b in branches:
            has_jump = any(e.jump == b.decision for e in jumps)
            if b.region is not None and (ev.has_code(b.region) or b.kind != "if" or b.arm != "true"):
                b_results.append(BranchResult(b, ev.has_code(b.region), ev.ran(b.region)))
            elif b.region is not None:  # a true body with no code (`return;`): the JUMPI fell through
                covered = any(e.jump == b.decision and e.fallthrough for e in seen)
                b_results.append(BranchResult(b, has_jump, covered))
            elif b.true_region is not None and not ev.has_code(b.true_region):
                covered = any(e.jump == b.decision and not e.fallthrough for e in seen)
                b_results.append(BranchResult(b, has_jump, covered))
            else:
                executable = any(_decides(b, e, has_jump) for e in jumps)
                covered = any(_else_taken(b, e, has_jump) for e in seen)
                b_results.append(BranchResult(b, executable, covered))
        files.append(FileCoverage(path, s_results, b_results))
    return files


@dataclass(frozen=True)
class ContractSummary:
    path: str
    contract: str
    lines_total: int
    lines_covered: int
    branches_total: int
    branches_covered: int
    uncovered_lines: list[int]
    uncovered_branches: list[Branch]
    unmeasurable_branches: list[Branch]


def summarise(files: list[FileCoverage]) -> list[ContractSummary]:
    """Per contract (ContractDefinition, libraries and abstract bases included)."""
    out: list[ContractSummary] = []
    for f in files:
        contracts = sorted({s.statement.contract for s in f.statements} | {b.branch.contract for b in f.branches})
        for name in contracts:
            lines: dict[int, bool] = {}
            for s in f.statements:
                if s.statement.contract == name and s.executable:
                    lines[s.statement.line] = lines.get(s.statement.line, False) or s.covered
            bs = [b for b in f.branches if b.branch.contract == name]
            measurable = [b for b in bs if b.executable]
            out.append(ContractSummary(
                path=f.path, contract=name,
                lines_total=len(lines), lines_covered=sum(lines.values()),
                branches_total=len(measurable), branches_covered=sum(b.covered for b in measurable),
                uncovered_lines=sorted(line for line, ok in lines.items() if not ok),
                uncovered_branches=[b.branch for b in measurable if not b.covered],
                unmeasurable_branches=[b.branch for b in bs if not b.executable],
            ))
    return out
