"""Fixtures of the Rail tests: a fresh Rail scene on an in-process chain with chain id 138."""

from __future__ import annotations

import pytest

from tests.rail.scene import RailScene, build_scene


@pytest.fixture
def rail() -> RailScene:
    return build_scene()


# The command tests use the harness fixtures: a fresh anvil, a CLI runner and its work folder.
from tests.harness.conftest import anvil, run_cli, workdir  # noqa: E402,F401
