"""Shared pytest configuration (run by `ape test`)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module", autouse=True)
def _quiet_revert_traces():
    """ape-foundry renders the full call trace of every reverted transaction to stdout (which
    pytest captures anyway); rendering costs ~0.25 s per refusal. Turned off per module and
    restored afterwards; revert data and error decoding are unaffected."""
    from ape_ethereum.trace import Trace

    original = Trace.show
    Trace.show = lambda self, *args, **kwargs: None
    yield
    Trace.show = original


def pytest_configure(config):
    """`DBIS_COVERAGE=1` (make coverage) traces every transaction and call into docs/coverage.md;
    without it nothing is registered."""
    from dbis.coverage.plugin import register

    register(config)
