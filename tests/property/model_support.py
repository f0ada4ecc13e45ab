"""What both state-machine harnesses share: the mismatch error, a predicted outcome and exact
integer arithmetic with an explicit rounding direction (the contracts' `Math.mulDiv`).

Nothing here depends on Hypothesis or pytest (the benchmark loads the machines too)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class ModelMismatch(AssertionError):
    """The chain did something the model did not predict, or an invariant broke."""


@dataclass
class Expect:
    """A predicted outcome: a revert with `error` (and `args` if given), or success."""

    error: str | None = None
    args: tuple[Any, ...] | None = None


def mul_div(a: int, b: int, d: int, ceil: bool = False) -> int:
    """a x b / d, rounded down, or up with `ceil` (OpenZeppelin `Math.mulDiv`)."""
    q, r = divmod(a * b, d)
    return q + 1 if ceil and r else q
