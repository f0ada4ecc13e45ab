"""The deployment journal: `deployments/<network>.json`, one entry per broadcast transaction.

Each transaction is recorded *before* it is sent (status `pending`, with its signed raw bytes)
and updated when its receipt lands (`landed` or `failed`). A re-run finds landed steps by their
fingerprint and skips them, and reconciles a pending one by its hash, so nothing is sent twice.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbis.errors import OperatorError
from dbis.plan import write_json


@dataclass
class Journal:
    path: Path
    network: str
    chain_id: int
    genesis: str
    entries: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def open(cls, path: Path, network: str, chain_id: int, genesis: str) -> "Journal":
        """Open (or start) the journal; refuse one written for another chain."""
        if not path.exists():
            return cls(path, network, chain_id, genesis)
        data = json.loads(path.read_text())
        if int(data["chain_id"]) != chain_id or data.get("genesis") != genesis:
            raise OperatorError(
                f"journal {path} belongs to another chain (chain {data['chain_id']}, genesis "
                f"{str(data.get('genesis'))[:10]}…); move it away or use --journal-dir"
            )
        return cls(path, data["network"], int(data["chain_id"]), data["genesis"], list(data["entries"]))

    def save(self) -> None:
        write_json(
            self.path,
            {"network": self.network, "chain_id": self.chain_id, "genesis": self.genesis, "entries": self.entries},
        )

    def find(self, fingerprint: str) -> dict[str, Any] | None:
        """The latest entry for a step fingerprint, if any."""
        for entry in reversed(self.entries):
            if entry["fingerprint"] == fingerprint:
                return entry
        return None

    def landed(self, fingerprint: str) -> dict[str, Any] | None:
        entry = self.find(fingerprint)
        return entry if entry and entry["status"] == "landed" else None

    def record(self, entry: dict[str, Any]) -> dict[str, Any]:
        entry = {**entry, "recorded_at": int(time.time())}
        self.entries.append(entry)
        self.save()
        return entry

    def update(self, entry: dict[str, Any], **changes: Any) -> None:
        entry.update(changes, updated_at=int(time.time()))
        self.save()

    def addresses(self) -> dict[str, str]:
        """Every contract address deployed by a landed step, by `<command>/<step id>`."""
        out: dict[str, str] = {}
        for entry in self.entries:
            if entry["status"] == "landed" and entry.get("contract_address"):
                out[f"{entry['command']}/{entry['step']}"] = entry["contract_address"]
        return out
