"""One solc standard-json compile of contracts/ with ASTs and source maps, cached under .build/.

Same compiler and settings as `ape compile` (ape-config.yaml): the provisioned
SOLCX_BINARY_PATH/solc-v0.8.28, EVM shanghai, optimizer on with 200 runs, the OpenZeppelin
remapping. Only the source maps and ASTs are new; the bytecode is the one Ape deploys (up to the
metadata hash, which :mod:`dbis.coverage.codeid` masks).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dbis.artifacts import PROJECT_ROOT
from dbis.errors import OperatorError

from .codeid import CodeEntry, Span, spans_from_references
from .sourcemap import PcMap, pc_map

SOLC_VERSION = "0.8.28"
CONTRACTS = "contracts"
NON_PRODUCTION = ("contracts/test/", "contracts/bench/")
CACHE_DIR = PROJECT_ROOT / ".build" / "coverage"
SETTINGS: dict[str, Any] = {
    "evmVersion": "shanghai",
    "optimizer": {"enabled": True, "runs": 200},
    "viaIR": False,
    "remappings": ["@openzeppelin/contracts=node_modules/@openzeppelin/contracts"],
    "outputSelection": {
        "*": {
            "": ["ast"],
            "*": [
                "evm.bytecode.object", "evm.bytecode.sourceMap",
                "evm.deployedBytecode.object", "evm.deployedBytecode.sourceMap",
                "evm.deployedBytecode.immutableReferences",
            ],
        }
    },
}


def is_production(path: str) -> bool:
    """A production source: under contracts/ but not a test or benchmark helper."""
    return path.startswith(CONTRACTS + "/") and not path.startswith(NON_PRODUCTION)


@dataclass(frozen=True)
class Compiled:
    """One contract's code and pc maps."""

    name: str  # "<path>:<contract>"
    bytecode: bytes
    deployed: bytes
    creation_map: PcMap
    runtime_map: PcMap
    immutables: tuple[Span, ...]

    def code_entry(self) -> CodeEntry:
        return CodeEntry(self.name, self.bytecode, self.deployed, self.immutables)


@dataclass(frozen=True)
class Build:
    """The compile: contracts by name, source paths by file id, ASTs and texts of contracts/**."""

    contracts: dict[str, Compiled]
    paths: dict[int, str]
    asts: dict[str, dict[str, Any]]
    texts: dict[str, bytes]


def solc_binary() -> Path:
    base = os.environ.get("SOLCX_BINARY_PATH") or str(PROJECT_ROOT / ".toolchain" / "solc")
    path = Path(base) / f"solc-v{SOLC_VERSION}"
    if not path.exists():
        raise OperatorError(f"{path} is missing: run `make setup` (tools/provision-solc.sh)")
    return path


def source_files(root: Path = PROJECT_ROOT) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in (root / CONTRACTS).rglob("*.sol"))


def standard_input(root: Path = PROJECT_ROOT) -> dict[str, Any]:
    sources = {p: {"content": (root / p).read_text()} for p in source_files(root)}
    return {"language": "Solidity", "sources": sources, "settings": SETTINGS}


def _cache_key(request: dict[str, Any]) -> str:
    blob = json.dumps([SOLC_VERSION, request], sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def _run_solc(request: dict[str, Any], root: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [str(solc_binary()), "--standard-json", "--base-path", str(root), "--allow-paths", str(root)],
        input=json.dumps(request), capture_output=True, text=True, cwd=root, timeout=900,
    )
    if proc.returncode != 0 and not proc.stdout:
        raise OperatorError(f"solc failed: {proc.stderr.strip().splitlines()[-1:]}")
    output = json.loads(proc.stdout)
    errors = [e for e in output.get("errors", []) if e.get("severity") == "error"]
    if errors:
        raise OperatorError(f"solc: {errors[0].get('formattedMessage', errors[0]).splitlines()[0]}")
    return output


def _slim(output: dict[str, Any]) -> dict[str, Any]:
    """Keep what coverage needs: code, maps, ids, and the ASTs of our own sources."""
    contracts: dict[str, Any] = {}
    for path, by_name in output.get("contracts", {}).items():
        for name, c in by_name.items():
            evm = c.get("evm", {})
            contracts[f"{path}:{name}"] = {
                "bytecode": evm.get("bytecode", {}).get("object", ""),
                "bytecodeMap": evm.get("bytecode", {}).get("sourceMap", ""),
                "deployed": evm.get("deployedBytecode", {}).get("object", ""),
                "deployedMap": evm.get("deployedBytecode", {}).get("sourceMap", ""),
                "immutables": evm.get("deployedBytecode", {}).get("immutableReferences", {}),
            }
    sources = {
        path: {"id": s["id"], **({"ast": s["ast"]} if path.startswith(CONTRACTS + "/") else {})}
        for path, s in output.get("sources", {}).items()
    }
    return {"contracts": contracts, "sources": sources}


def compile_output(root: Path = PROJECT_ROOT) -> dict[str, Any]:
    """The slimmed solc output, compiled once per distinct set of sources."""
    request = standard_input(root)
    cache = CACHE_DIR / f"solc-{_cache_key(request)}.json"
    if cache.exists():
        return dict(json.loads(cache.read_text()))
    slim = _slim(_run_solc(request, root))
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp")
    tmp.write_text(json.dumps(slim))
    tmp.replace(cache)
    return slim


def _code(hex_str: str) -> bytes:
    # unlinked library placeholders (__$..$__) do not occur: our libraries are internal
    return bytes.fromhex(hex_str) if hex_str and "__" not in hex_str else b""


def load_build(root: Path = PROJECT_ROOT) -> Build:
    out = compile_output(root)
    contracts: dict[str, Compiled] = {}
    for name, c in out["contracts"].items():
        bytecode, deployed = _code(c["bytecode"]), _code(c["deployed"])
        contracts[name] = Compiled(
            name=name, bytecode=bytecode, deployed=deployed,
            creation_map=pc_map(bytecode, c["bytecodeMap"]),
            runtime_map=pc_map(deployed, c["deployedMap"]),
            immutables=spans_from_references(c["immutables"]),
        )
    paths = {int(s["id"]): p for p, s in out["sources"].items()}
    asts = {p: s["ast"] for p, s in out["sources"].items() if "ast" in s}
    texts = {p: (root / p).read_bytes() for p in asts}
    return Build(contracts, paths, asts, texts)
