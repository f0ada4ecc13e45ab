"""Fixtures of the conversion tests: one conversion scene per module (the real Uniswap V3 stack on
the in-process chain 138), every test run inside a chain anchor so it starts from the same state."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

import pytest

from dbis.engine import reverts
from dbis.rail import conversion_local as local


@pytest.fixture(scope="module")
def _scene() -> local.ConversionScene:
    return local.build()


@pytest.fixture
def scene(_scene: local.ConversionScene) -> Iterator[local.ConversionScene]:
    with _scene.chain.anchor():
        yield _scene


@contextmanager
def refused(scene: local.ConversionScene, error: str, *args: Any, auth: Any = None) -> Iterator[None]:
    """The block reverts with exactly `error(*args)` and no balance, price or record changed."""
    before = scene.state(auth)
    with reverts(error, *args):
        yield
    assert scene.state(auth) == before, "a refused call moved something"
