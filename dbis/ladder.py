"""The virtual ladder, in pure Python, bit-exact with `contracts/libraries/VirtualLadder.sol`.

Used off-chain to plan exact-output proofs (the smallest `amountIn` whose preview covers the
wanted `amountOut`) and by the tests as the reference model of the vault's preview.
"""

from __future__ import annotations

from dataclasses import dataclass

BPS = 10_000


class LadderError(ValueError):
    """An input the ladder cannot price (empty pool, zero amount, fee out of range)."""


def step(x: int, reserve: int, fee_bps: int) -> int:
    """One cWUSDC -> USDC -> cWUSDC round trip of `x` through equal reserves, rounded down."""
    keep = BPS - fee_bps
    in1 = x * keep
    out1 = in1 * reserve // (reserve * BPS + in1)
    in2 = out1 * keep
    return in2 * (reserve + x) // ((reserve - out1) * BPS + in2)


@dataclass(frozen=True)
class Preview:
    """What `previewVirtualProof(amount_in)` returns."""

    amount_in: int
    amount_out: int
    loss_bps: int
    steps: int


def preview(amount_in: int, reserve: int, fee_bps: int) -> Preview:
    """Output, loss (bps, rounded up) and step count of the whole ladder."""
    if reserve <= 0:
        raise LadderError("empty pool: the reserve is zero")
    if amount_in <= 0:
        raise LadderError("amount_in must be positive")
    if not 0 <= fee_bps < BPS:
        raise LadderError(f"fee_bps {fee_bps} out of range")
    full, remainder = divmod(amount_in, reserve)
    out = full * step(reserve, reserve, fee_bps)
    steps = full
    if remainder:
        out += step(remainder, reserve, fee_bps)
        steps += 1
    loss = amount_in - out
    loss_bps = -(-loss * BPS // amount_in)
    return Preview(amount_in, out, loss_bps, steps)


def amount_in_for_exact_out(amount_out: int, reserve: int, fee_bps: int) -> Preview:
    """The smallest `amount_in` whose ladder output is at least `amount_out`.

    The output is monotone non-decreasing in the input, so a bracketing search finds it.
    """
    if amount_out <= 0:
        raise LadderError("amount_out must be positive")
    if step(reserve, reserve, fee_bps) == 0 and preview(reserve, reserve, fee_bps).amount_out < amount_out:
        # Every full step returns nothing: no input, however large, reaches amount_out.
        raise LadderError(f"a reserve of {reserve} at {fee_bps} bps cannot deliver {amount_out}")
    low, high = amount_out, amount_out
    while preview(high, reserve, fee_bps).amount_out < amount_out:
        low, high = high, high * 2
    while low < high:
        mid = (low + high) // 2
        if preview(mid, reserve, fee_bps).amount_out >= amount_out:
            high = mid
        else:
            low = mid + 1
    return preview(high, reserve, fee_bps)
