"""Hypothesis settings of the property tests, and a summary of what the state machine exercised.

Profiles (registered here, applied to the state machine only, never loaded globally, so the
other suites keep their own Hypothesis settings):

* ``dbis-property`` (default): sized so that the whole directory runs in well under two minutes
  in CI; under CI (``CI`` set) derandomized, so a red build replays exactly, and not shrunk,
  so a failure is reported in seconds rather than minutes.
* ``dbis-property-deep``: many more and longer examples for a local soak
  (``DBIS_PROPERTY_PROFILE=dbis-property-deep``).

``DBIS_PROPERTY_EXAMPLES`` overrides the number of examples of either profile.
"""

from __future__ import annotations

import os
import sys

import pytest
from hypothesis import HealthCheck, Phase, settings

_COMMON = dict(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
_CI = bool(os.environ.get("CI"))
settings.register_profile(
    "dbis-property",
    max_examples=int(os.environ.get("DBIS_PROPERTY_EXAMPLES", "300")),
    stateful_step_count=40,
    derandomize=_CI,
    # Shrinking a 40-step failure can take minutes; CI reports the failing run as found (with
    # its reproduce blob) and a developer shrinks it locally with the default profile.
    phases=[Phase.explicit, Phase.reuse, Phase.generate] if _CI else list(Phase),
    **_COMMON,
)
settings.register_profile(
    "dbis-property-deep",
    max_examples=int(os.environ.get("DBIS_PROPERTY_EXAMPLES", "1000")),
    stateful_step_count=80,
    **_COMMON,
)
PROFILE = os.environ.get("DBIS_PROPERTY_PROFILE", "dbis-property")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Which outcomes (success or exact error, per operation) the state machine exercised."""
    module = next((m for name, m in list(sys.modules.items())
                   if name.endswith("test_vault_state_machine")), None)
    harness = getattr(module, "_HARNESS", None)
    if harness is None or not harness.transitions:
        return
    elapsed = harness.last_step_at - harness.created_at
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(harness.outcomes.items()))
    terminalreporter.write_sep("-", "vault state machine")
    terminalreporter.write_line(
        f"profile {PROFILE}: {harness.transitions} transitions in {elapsed:.1f} s "
        f"({harness.transitions / elapsed:.0f}/s including Hypothesis and invariant checks)"
    )
    terminalreporter.write_line(f"outcomes: {outcomes}")

# The borrow-vault state machine (test_borrow_state_machine.py) has its own, smaller profile so
# that the whole directory stays within about a minute in CI (DBIS_BORROW_PROPERTY_PROFILE picks
# another one, e.g. dbis-property-deep; DBIS_BORROW_PROPERTY_EXAMPLES overrides the count).
settings.register_profile(
    "dbis-borrow-property",
    max_examples=int(os.environ.get("DBIS_BORROW_PROPERTY_EXAMPLES", "150")),
    stateful_step_count=40,
    derandomize=_CI,
    phases=[Phase.explicit, Phase.reuse, Phase.generate] if _CI else list(Phase),
    **_COMMON,
)

_vault_machine_summary = pytest_terminal_summary


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:  # noqa: F811
    """The vault machine's summary (above), then the borrow machine's."""
    _vault_machine_summary(terminalreporter)
    module = next((m for name, m in list(sys.modules.items())
                   if name.endswith("test_borrow_state_machine")), None)
    harness = getattr(module, "_HARNESS", None)
    if harness is None or not harness.transitions:
        return
    elapsed = harness.last_step_at - harness.created_at
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(harness.outcomes.items()))
    terminalreporter.write_sep("-", "borrow state machine")
    terminalreporter.write_line(
        f"{harness.transitions} transitions in {elapsed:.1f} s "
        f"({harness.transitions / elapsed:.0f}/s including Hypothesis and invariant checks)"
    )
    terminalreporter.write_line(f"outcomes: {outcomes}")
