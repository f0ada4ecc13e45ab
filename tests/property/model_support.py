"""What both state-machine harnesses share: the mismatch error, a predicted outcome and exact
integer arithmetic with an explicit rounding direction (the contracts' `Math.mulDiv`).

Nothing here depends on Hypothesis or pytest (the benchmark loads the machines too)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from eth_utils import keccak

from dbis.engine import Receipt, Reverted


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


def run_expecting(label: str, expect: Expect, outcomes: Counter[str], fn: Any, *args: Any,
                  sender: Any) -> Receipt | None:
    """Run one transaction and check its outcome against `expect` (the error name, and its
    arguments when given); counts the outcome. The receipt on success, None on a predicted revert."""
    try:
        receipt = fn(*args, sender=sender)
    except Reverted as exc:
        if expect.error is None:
            raise ModelMismatch(f"{label}: expected success, reverted with {exc.error}") from exc
        if exc.error.name != expect.error:
            raise ModelMismatch(f"{label}: expected {expect.error}{expect.args}, reverted with {exc.error}") from exc
        if expect.args is not None and tuple(exc.error.args) != tuple(expect.args):
            raise ModelMismatch(f"{label}: expected {expect.error}{expect.args}, got {exc.error}") from exc
        outcomes[f"{label}:{expect.error}"] += 1
        return None
    if expect.error is not None:
        raise ModelMismatch(f"{label}: expected revert {expect.error}{expect.args}, the call succeeded")
    outcomes[f"{label}:ok"] += 1
    return receipt


def erc20_balance_slot(holder: Any) -> int:
    """Storage slot of `holder` in OpenZeppelin ERC20's `_balances` mapping (slot 0)."""
    address = getattr(holder, "address", holder)
    return int.from_bytes(keccak(bytes(12) + bytes.fromhex(str(address)[2:]) + bytes(32)), "big")
