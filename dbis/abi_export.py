"""Export the ABIs of the production contracts to `abi/<Name>.json` (`make abi`).

Production contracts are those under contracts/engine_x, contracts/rail and contracts/reserve;
test and benchmark contracts are not exported. `tests/harness/test_abi_fresh.py` fails when the
committed files differ from what the current sources compile to.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from dbis import artifacts

ABI_DIR = artifacts.PROJECT_ROOT / "abi"
PRODUCTION_FOLDERS = ("contracts/engine_x/", "contracts/rail/", "contracts/reserve/")


def production_contracts() -> list[str]:
    return [n for n in artifacts.names() if artifacts.load(n).source_id.startswith(PRODUCTION_FOLDERS)]


def rendered() -> dict[str, str]:
    """File name -> exact file text for every production contract."""
    return {
        f"{name}.json": json.dumps(artifacts.load(name).abi, indent=2, sort_keys=True) + "\n"
        for name in production_contracts()
    }


def export(directory: Path = ABI_DIR) -> list[str]:
    directory.mkdir(parents=True, exist_ok=True)
    files = rendered()
    for stale in directory.glob("*.json"):
        if stale.name not in files:
            stale.unlink()
    for name, text in files.items():
        (directory / name).write_text(text)
    return sorted(files)


if __name__ == "__main__":
    for written in export():
        print(f"abi/{written}")
    sys.exit(0)
