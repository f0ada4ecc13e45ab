"""abi/ must be what the current sources compile to (`make abi` regenerates it)."""

from __future__ import annotations

from dbis import abi_export


def test_abi_folder_matches_the_compiled_sources() -> None:
    expected = abi_export.rendered()
    assert expected, "no production contract compiled"
    on_disk = {p.name: p.read_text() for p in abi_export.ABI_DIR.glob("*.json")}
    stale = sorted(name for name in set(expected) | set(on_disk) if expected.get(name) != on_disk.get(name))
    assert not stale, f"abi/ is stale for {stale}: run `make abi` and commit abi/"


def test_only_production_contracts_are_exported() -> None:
    names = abi_export.production_contracts()
    assert "DBISEngineXVirtualBatchVault" in names and "DBISEngineXFlashProofBorrower" in names
    assert "TestERC20" not in names
