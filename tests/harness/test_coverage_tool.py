"""The coverage tool measured on a tiny contract executed partially through Ape (anvil).

contracts/test/CoverageProbe.sol has an if/else, an if without else and a ternary; `pick(20)` is
sent as a transaction and `clamp(3)` made as a call, so each decision has one arm run and one
not. The tool must report exactly those lines and arms, covered and uncovered.
"""

from __future__ import annotations

import pytest

from dbis.coverage.codeid import CodeIndex
from dbis.coverage.compile import load_build
from dbis.coverage.measure import measure, summarise
from dbis.coverage.plugin import Tracer
from dbis.coverage.trace import Hits

PROBE = "contracts/test/CoverageProbe.sol"


@pytest.fixture(scope="module")
def build():
    return load_build()


def _line(build, marker: str) -> int:
    lines = build.texts[PROBE].decode().splitlines()
    (line,) = [i + 1 for i, text in enumerate(lines) if f"// probe: {marker}" in text]
    return line


def _traced(build, chain, accounts, project, run) -> list:
    tracer = Tracer(CodeIndex(c.code_entry() for c in build.contracts.values()), Hits())
    request = chain.provider.web3.provider.make_request
    deployer = accounts[0]
    probe = project.CoverageProbe.deploy(sender=deployer)
    tracer.transaction(request, probe.txn_hash.hex() if hasattr(probe.txn_hash, "hex") else probe.txn_hash)
    run(probe, deployer, tracer, request)
    assert tracer.hits.failures == 0 and tracer.hits.unknown_steps == 0
    return measure(build, tracer.hits, [PROBE])


def test_partial_execution_is_reported_exactly(build, chain, accounts, project):
    def run(probe, sender, tracer, request):
        receipt = probe.pick(20, sender=sender)
        assert probe.last() == 12
        tracer.transaction(request, receipt.txn_hash)
        data = "0x" + bytes(probe.clamp.encode_input(3)).hex()
        tracer.call(request, [{"to": probe.address, "data": data}, "latest"])
        data = "0x" + bytes(probe.twice.encode_input(0)).hex()
        tracer.call(request, [{"to": probe.address, "data": data}, "latest"])

    (f,) = _traced(build, chain, accounts, project, run)
    covered = {s.statement.line for s in f.statements if s.executable and s.covered}
    uncovered = {s.statement.line for s in f.statements if s.executable and not s.covered}
    L = lambda m: _line(build, m)  # noqa: E731
    if_line, clamp_if_line = L("if-true") - 1, L("clamp-true") - 1
    assert covered == {if_line, L("if-true"), L("ternary"), clamp_if_line, L("clamp-after"), L("early-return")}
    assert uncovered == {L("if-false"), L("clamp-true"), L("twice")}

    arms = {(b.branch.line, b.branch.kind, b.branch.arm): b.covered for b in f.branches if b.executable}
    assert arms == {
        (if_line, "if", "true"): True,
        (if_line, "if", "false"): False,
        (L("ternary"), "ternary", "true"): True,  # 20 is even
        (L("ternary"), "ternary", "false"): False,
        (clamp_if_line, "if", "true"): False,  # 3 <= 5
        (clamp_if_line, "if", "else (implicit)"): True,
        # `return y;` has no code of its own: measured at the JUMPI (x == 0 fell through)
        (L("early-return"), "if", "true"): True,
        (L("early-return"), "if", "else (implicit)"): False,
    }
    assert all(b.executable for b in f.branches)
    (summary,) = summarise([f])
    assert (summary.lines_covered, summary.lines_total) == (6, 9)
    assert (summary.branches_covered, summary.branches_total) == (4, 8)


def test_the_other_arms(build, chain, accounts, project):
    """Swapped inputs cover exactly the complement of the arms (the tool is not stuck on 'covered')."""
    def run(probe, sender, tracer, request):
        tracer.transaction(request, probe.pick(3, sender=sender).txn_hash)  # else arm, odd
        for fn, x in ((probe.clamp, 9), (probe.twice, 5)):
            data = "0x" + bytes(fn.encode_input(x)).hex()
            tracer.call(request, [{"to": probe.address, "data": data}, "latest"])

    (f,) = _traced(build, chain, accounts, project, run)
    L = lambda m: _line(build, m)  # noqa: E731
    covered = {(b.branch.line, b.branch.kind, b.branch.arm) for b in f.branches if b.covered}
    assert covered == {
        (L("if-true") - 1, "if", "false"),
        (L("ternary"), "ternary", "false"),  # 3 is odd
        (L("clamp-true") - 1, "if", "true"),
        (L("early-return"), "if", "else (implicit)"),
    }


def test_fastchain_executions_are_replayed_with_the_same_arms(build, chain, accounts, project):
    """The same partial run on the in-process FastChain, replayed traced on anvil with its pre-state as
    state overrides (dbis.coverage.fastchain): exactly the lines and arms anvil's own traces gave,
    and the observer in place before (none outside `make coverage`) is back once closed."""
    from dbis.coverage.fastchain import FastChainReplay
    from dbis.engine import FastChain

    def run(probe, sender, tracer, request):
        tracer.transaction(request, probe.pick(20, sender=sender).txn_hash)
        for fn, x in ((probe.clamp, 3), (probe.twice, 0)):
            tracer.call(request, [{"to": probe.address, "data": "0x" + bytes(fn.encode_input(x)).hex()}, "latest"])

    (on_anvil,) = _traced(build, chain, accounts, project, run)
    hits, before = Hits(), FastChain.observer
    replay = FastChainReplay(CodeIndex(c.code_entry() for c in build.contracts.values()), hits)
    replay.install()
    try:
        fast = FastChain()
        probe = fast.deploy("CoverageProbe")
        probe.pick(20)
        assert probe.clamp(3) == 3 and probe.twice(0) == 0
    finally:
        replay.close()
    assert FastChain.observer is before
    assert hits.failures == 0 and hits.unknown_steps == 0 and hits.traces >= 4
    (replayed,) = measure(build, hits, [PROBE])

    def arms(f):
        return ({(s.statement.line, s.covered) for s in f.statements if s.executable},
                {(b.branch.line, b.branch.kind, b.branch.arm, b.covered) for b in f.branches if b.executable})

    assert arms(replayed) == arms(on_anvil)
