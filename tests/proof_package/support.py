"""Fixed inputs of the committed proof-package test vectors (tests/vectors/proof-package-20260507/).

Regenerate (only when the package format changes on purpose): `python -m tests.proof_package.support`.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from dbis.artifacts import PROJECT_ROOT
from dbis.iso20022 import config, package

TAG = "20260507"
ENV = {"DBIS_ENGINE_X_SNAPSHOT_TAG": TAG, "DBIS_ENGINE_X_GENERATED_AT": "2026-05-07T00:00:00+00:00"}
PER_RECIPIENT = "5000000000"
RAIL = package.RailFigures(pool_reserve=85_763_529, virtual_fee_bps=0, max_round_trip_loss_bps=1)
VECTORS = PROJECT_ROOT / "tests" / "vectors" / f"proof-package-{TAG}"
LOCAL_CONFIG = PROJECT_ROOT / "config" / "proof-package" / "local.json"


def raw_config() -> dict[str, Any]:
    return copy.deepcopy(json.loads(LOCAL_CONFIG.read_text()))


def build_vector_package() -> package.Package:
    tag, generated = package.snapshot(ENV)
    return package.build(config.load("local", PER_RECIPIENT), tag, generated, RAIL)


if __name__ == "__main__":
    pkg = build_vector_package()
    pkg.write(VECTORS)
    print(f"wrote {VECTORS}")
