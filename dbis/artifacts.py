"""Compiled contract artifacts, read from Ape's build manifest (`.build/__local__.json`).

`ape compile` (run by `make build`) is the one place contracts are compiled; everything in the
harness (planner, fast engine, benchmarks, ABI export) reads the same artifacts from here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MANIFEST = PROJECT_ROOT / ".build" / "__local__.json"


class ArtifactError(LookupError):
    """A contract is not in the build manifest (not compiled, or misspelt)."""


@dataclass(frozen=True)
class Artifact:
    """One compiled contract."""

    name: str
    source_id: str
    abi: list[dict[str, Any]]
    bytecode: bytes
    runtime_bytecode: bytes

    def function_abi(self, name: str) -> dict[str, Any]:
        """The ABI entry of function `name` (first overload)."""
        for entry in self.abi:
            if entry.get("type") == "function" and entry.get("name") == name:
                return entry
        raise ArtifactError(f"{self.name} has no function {name!r}")


def _hex(value: str | None) -> bytes:
    return bytes.fromhex((value or "0x")[2:])


@lru_cache(maxsize=1)
def _manifest(path: Path = MANIFEST) -> dict[str, Any]:
    if not path.exists():
        raise ArtifactError(f"{path} is missing: run `make build` (ape compile) first")
    return json.loads(path.read_text())


def compiler_info() -> dict[str, Any]:
    """The compiler version and settings recorded by Ape."""
    compilers = _manifest().get("compilers") or []
    if not compilers:
        raise ArtifactError("the build manifest records no compiler")
    return {"version": compilers[0]["version"], "settings": compilers[0]["settings"]}


def load(name: str) -> Artifact:
    """The artifact of contract `name` (compiled here, or a real npm artifact of `NPM_ARTIFACTS`)."""
    types = _manifest()["contractTypes"]
    if name not in types and name in NPM_ARTIFACTS:
        return _npm(name)
    if name not in types:
        raise ArtifactError(f"contract {name!r} is not compiled (known: {', '.join(sorted(types))})")
    ct = types[name]
    return Artifact(
        name=name,
        source_id=ct.get("sourceId", ""),
        abi=ct["abi"],
        bytecode=_hex(ct.get("deploymentBytecode", {}).get("bytecode")),
        runtime_bytecode=_hex(ct.get("runtimeBytecode", {}).get("bytecode")),
    )


def names() -> list[str]:
    """Every compiled contract name, then the npm artifacts (so our own events and errors win)."""
    return sorted(_manifest()["contractTypes"]) + [n for n in NPM_ARTIFACTS if (PROJECT_ROOT / NPM_ARTIFACTS[n]).exists()]


# Real third-party bytecode shipped by npm packages (deployed as is, never recompiled here).
NPM_ARTIFACTS = {
    "UniswapV3Factory": "node_modules/@uniswap/v3-core/artifacts/contracts/UniswapV3Factory.sol/UniswapV3Factory.json",
    "UniswapV3Pool": "node_modules/@uniswap/v3-core/artifacts/contracts/UniswapV3Pool.sol/UniswapV3Pool.json",
    "NonfungiblePositionManager": "node_modules/@uniswap/v3-periphery/artifacts/contracts/"
    "NonfungiblePositionManager.sol/NonfungiblePositionManager.json",
    "SwapRouter": "node_modules/@uniswap/v3-periphery/artifacts/contracts/SwapRouter.sol/SwapRouter.json",
}


@lru_cache(maxsize=None)
def _npm(name: str) -> Artifact:
    path = PROJECT_ROOT / NPM_ARTIFACTS[name]
    if not path.exists():
        raise ArtifactError(f"{path} is missing: run `make setup` (npm ci)")
    data = json.loads(path.read_text())
    return Artifact(name=name, source_id=NPM_ARTIFACTS[name], abi=data["abi"], bytecode=_hex(data["bytecode"]),
                    runtime_bytecode=_hex(data.get("deployedBytecode")))
