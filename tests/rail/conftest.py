"""Fixtures of the Rail tests: a fresh Rail scene on an in-process chain with chain id 138."""

from __future__ import annotations

import pytest

from tests.rail.scene import RailScene, build_scene


@pytest.fixture
def rail() -> RailScene:
    return build_scene()
