"""Errors an operator can cause and fix. The CLI prints them on one line and exits non-zero."""


class OperatorError(Exception):
    """A refusal with a one-line, actionable message (no traceback is shown)."""

    exit_code = 2


class StepFailed(OperatorError):
    """A transaction of a plan reverted (in simulation or on chain)."""

    exit_code = 3
