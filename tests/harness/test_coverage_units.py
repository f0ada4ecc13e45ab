"""Unit tests of the coverage tool's pure parts: source maps, code identification, trace walking."""

from __future__ import annotations

from dbis.coverage.codeid import CodeEntry, CodeIndex, Span, mask, metadata_length, runtime_key
from dbis.coverage.sourcemap import SourceRange, decompress, instruction_offsets, pc_map
from dbis.coverage.trace import Hits, ingest

# a CBOR metadata tail: a2 (map of 2) ... then its length (big-endian, 2 bytes)
CBOR = bytes.fromhex("a264697066735822") + bytes(34) + bytes.fromhex("64736f6c6343") + bytes([0, 8, 28])
TAIL = CBOR + len(CBOR).to_bytes(2, "big")


def test_decompress_repeats_empty_fields():
    entries = decompress("1:2:0:-;;5::1:i;:9;::-1:o:1")
    assert entries == [
        SourceRange(1, 2, 0, "-"),
        SourceRange(1, 2, 0, "-"),
        SourceRange(5, 2, 1, "i"),
        SourceRange(5, 9, 1, "i"),
        SourceRange(5, 9, -1, "o"),
    ]


def test_decompress_empty_map():
    assert decompress("") == []


def test_instruction_offsets_skip_push_immediates():
    # PUSH1 0x80, PUSH2 0x0102, JUMPI, PUSH32 <32 bytes>, STOP
    code = bytes([0x60, 0x80, 0x61, 0x01, 0x02, 0x57, 0x7F]) + bytes(32) + bytes([0x00])
    assert instruction_offsets(code) == [0, 2, 5, 6, 39]


def test_pc_map_pairs_instructions_and_ignores_metadata():
    code = bytes([0x60, 0x01, 0x57, 0x00]) + TAIL
    pm = pc_map(code, "0:10:0:-;3:4;7:1:0:o")
    assert sorted(pm.ranges) == [0, 2, 3]
    assert pm.ranges[2] == SourceRange(3, 4, 0, "-")
    assert pm.jumpis == frozenset({2})


def test_source_range_inside():
    r = SourceRange(10, 5, 0, "-")
    assert r.inside(10, 5) and r.inside(0, 100)
    assert not r.inside(11, 10) and not r.inside(10, 4)
    assert not SourceRange(10, 5, -1, "-").inside(0, 100)


def test_metadata_length_and_mask():
    code = bytes([0x60, 0x01, 0x00]) + TAIL
    assert metadata_length(code) == len(TAIL)
    assert metadata_length(bytes([0x60, 0x01, 0x00])) == 0  # no CBOR map where the length points
    assert mask(b"\x01\x02\x03\x04", [Span(1, 2), Span(3, 9)]) == b"\x01\x00\x00\x00"


def test_runtime_match_masks_immutables_and_metadata():
    compiled = bytes([0x7F]) + bytes(32) + bytes([0x50, 0x00]) + TAIL  # PUSH32 <immutable> POP STOP
    immutable = (Span(1, 32),)
    deployed = bytearray(compiled)
    deployed[1:33] = (0xABCDEF).to_bytes(32, "big")  # the constructor wrote the immutable
    deployed[-10] ^= 0xFF  # another metadata hash
    other = bytes([0x7F]) + bytes(32) + bytes([0x50, 0xFE]) + TAIL
    index = CodeIndex([CodeEntry("A.sol:A", b"", compiled, immutable), CodeEntry("B.sol:B", b"", other, ())])
    assert index.runtime(bytes(deployed)) == "A.sol:A"
    assert index.runtime(other) == "B.sol:B"
    changed = bytearray(deployed)
    changed[33] = 0x01  # a real code byte differs
    assert index.runtime(bytes(changed)) is None
    assert runtime_key(bytes(deployed), immutable) == runtime_key(compiled, immutable)


def test_creation_match_by_prefix_with_runtime_metadata_masked():
    runtime = bytes([0x60, 0x01, 0x00]) + TAIL
    bytecode = bytes([0x60, 0x0A, 0xF3]) + runtime
    index = CodeIndex([CodeEntry("A.sol:A", bytecode, runtime, ())])
    other_hash = bytearray(bytecode)
    other_hash[-12] ^= 0x55
    assert index.creation(bytes(other_hash) + (7).to_bytes(32, "big")) == "A.sol:A"
    assert index.creation(bytecode[:-1]) is None  # shorter than the contract's creation code
    assert index.creation(bytes([0x60, 0x0B]) + bytecode[2:]) is None


def _step(pc, op, depth, stack=()):
    return {"pc": pc, "op": op, "depth": depth, "stack": list(stack)}


def test_ingest_follows_calls_delegatecalls_and_creates():
    target = "0x" + "22" * 20
    created = "0x" + "33" * 20
    names = {target: "T.sol:T", created: "C.sol:C"}
    steps = [
        _step(0, "PUSH1", 1),
        _step(5, "JUMPI", 1),
        _step(9, "DELEGATECALL", 1, ["0x0", "0x" + "22" * 20, "0x5000"]),
        _step(0, "PUSH1", 2),
        _step(3, "STOP", 2),
        _step(10, "CALL", 1, ["0x0", "0x0", "0x0", "0x0", "0x0", "0x" + "44" * 20, "0x5000"]),  # no code: no frame
        _step(11, "CREATE", 1, ["0x0"]),
        _step(0, "PUSH1", 2),
        _step(7, "RETURN", 2),
        _step(12, "STOP", 1, ["0x" + "33" * 20]),
    ]
    hits = Hits()
    ingest(steps, ("R.sol:R", "runtime"), names.get, hits)
    assert hits.by_code[("R.sol:R", "runtime")].pcs == {0, 5, 9, 10, 11, 12}
    assert hits.by_code[("R.sol:R", "runtime")].jumps == {(5, 9)}
    assert hits.by_code[("T.sol:T", "runtime")].pcs == {0, 3}
    assert hits.by_code[("C.sol:C", "creation")].pcs == {0, 7}
    assert hits.traces == 1 and hits.unknown_steps == 0


def test_hits_round_trip():
    hits = Hits()
    hits.at(("A.sol:A", "runtime")).pcs.update({1, 2})
    hits.at(("A.sol:A", "runtime")).jumps.add((2, 9))
    again = Hits.from_json(hits.to_json())
    assert again.by_code == hits.by_code


def test_basic_block_ends_at_a_jump_and_skips_labels():
    # JUMPDEST PUSH1 1 JUMPI STOP
    code = bytes([0x5B, 0x60, 0x01, 0x57, 0x00])
    pm = pc_map(code, "1:1:0;2:1:0;3:1:0;4:1:0")
    assert pm.block(0) == [SourceRange(2, 1, 0, "-"), SourceRange(3, 1, 0, "-")]
    assert pm.block(4) == [SourceRange(4, 1, 0, "-")]


def test_plugin_is_inert_without_the_switch(monkeypatch):
    from dbis.coverage import plugin

    registered = []

    class Manager:
        def has_plugin(self, name):
            return False

        def register(self, obj, name):
            registered.append(name)

    class Config:
        pluginmanager = Manager()

    monkeypatch.delenv("DBIS_COVERAGE", raising=False)
    plugin.register(Config())
    monkeypatch.setenv("DBIS_COVERAGE", "0")
    plugin.register(Config())
    assert registered == []
