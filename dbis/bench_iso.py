"""Proof-package build benchmark (`make bench` hook): build time for 1, 100 and 1,000 recipients
(target: 1,000 in under 2 s) and the peak Python memory of the 1,000-recipient build.

"Build" is the whole package as `proof-package` makes it: configuration validation, proof IDs,
ladder previews, the typed head.001 + pacs.008 message and its XML, XSD validation against the
official pacs.008.001.13 schema, C14N 2.0 + keccak hashing, plan/peg/audit/hashes JSON and
Markdown. The XSD is loaded once before timing (a command loads it once per run: ~2 s).
Peak memory is measured by tracemalloc in a separate run (tracing slows the build).
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
import tracemalloc
from typing import Any

from eth_utils import keccak, to_checksum_address

from dbis.bench import Row
from dbis.iso20022 import config, package, validate
from dbis.iso20022.message import PACS_NS

TARGET_S = 2.0
SIZES = (1, 100, 1_000)
RAIL = package.RailFigures(pool_reserve=85_763_529, virtual_fee_bps=0, max_round_trip_loss_bps=1)
GENERATED = dt.datetime(2026, 5, 7, tzinfo=dt.timezone.utc)


def raw_config(n: int) -> dict[str, Any]:
    """The local test parties with `n` deterministic recipient wallets."""
    base = config.CONFIG_DIR / "local.json"
    import json

    raw = json.loads(base.read_text())
    raw["recipients"] = [{"name": f"recipient {i}", "address": to_checksum_address(keccak(text=f"bench-{i}")[-20:])}
                         for i in range(1, n + 1)]
    return raw


def build_seconds(n: int, repeat: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of a whole package build for `n` recipients. On a shared
    machine the wall clock includes waiting for a core; the CPU time does not."""
    raw = raw_config(n)
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        cfg = config.from_dict(raw, "5000000000")
        package.build(cfg, "20260507", GENERATED, RAIL)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def peak_memory_mib(n: int) -> float:
    raw = raw_config(n)
    tracemalloc.start()
    try:
        package.build(config.from_dict(raw, "5000000000"), "20260507", GENERATED, RAIL)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def rows() -> list[Row]:
    validate.schema(PACS_NS)  # load the XSD once, as a command run does before building
    out = []
    for n in SIZES:
        seconds, cpu = build_seconds(n, repeat=3)
        out.append(Row(f"proof-package build, {n:,} recipient(s) (XSD-validated, hashed), wall clock",
                       round(seconds * 1000, 1), "ms", "1,000 recipients in under 2 s", TARGET_S * 1000,
                       round(seconds / TARGET_S, 3)))
        out.append(Row(f"proof-package build, {n:,} recipient(s), CPU time of the process", round(cpu * 1000, 1),
                       "ms", "1,000 recipients in under 2 s", TARGET_S * 1000, round(cpu / TARGET_S, 3)))
    mib = peak_memory_mib(1_000)
    out.append(Row("proof-package build, 1,000 recipients: peak Python memory (tracemalloc)", round(mib, 1), "MiB",
                   "-", None, None))
    return out


if __name__ == "__main__":
    from dbis.bench import table

    print(table(rows()))
