"""Per-network configuration: one JSON file per network under `config/networks/`.

Addresses of external contracts (USDC, XAUt, Uniswap, ...) live there, never in code.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dbis.artifacts import PROJECT_ROOT
from dbis.errors import OperatorError

CONFIG_DIR = PROJECT_ROOT / "config" / "networks"


@dataclass(frozen=True)
class NetworkConfig:
    """What the harness knows about one network."""

    name: str
    chain_id: int
    rpc_url_env: str
    requires_confirmation: bool
    tokens: dict[str, str | None]
    engine_x: dict[str, Any] | None
    raw: dict[str, Any]

    @property
    def is_local(self) -> bool:
        return self.name == "local"

    def rpc_url(self, override: str | None = None) -> str | None:
        """The RPC URL: the explicit one, else the network's environment variable."""
        return override or os.environ.get(self.rpc_url_env) or None

    def token(self, name: str, override: str | None = None) -> str | None:
        return override or self.tokens.get(name)

    def section(self, name: str) -> dict[str, Any]:
        """The `name` section of the network's configuration; an operator error when it is missing."""
        cfg = self.raw.get(name)
        if not cfg:
            raise OperatorError(f"network {self.name} has no {name} section in config/networks/{self.name}.json")
        return cfg


def available() -> list[str]:
    return sorted(p.stem for p in CONFIG_DIR.glob("*.json"))


def load(name: str, config_dir: Path = CONFIG_DIR) -> NetworkConfig:
    """Load `config/networks/<name>.json`."""
    path = config_dir / f"{name}.json"
    if not path.exists():
        raise OperatorError(f"unknown network {name!r} (known: {', '.join(available())})")
    raw = json.loads(path.read_text())
    return NetworkConfig(
        name=raw["name"],
        chain_id=int(raw["chain_id"]),
        rpc_url_env=raw["rpc_url_env"],
        requires_confirmation=bool(raw["requires_confirmation"]),
        tokens=dict(raw.get("tokens") or {}),
        engine_x=raw.get("engine_x"),
        raw=raw,
    )
