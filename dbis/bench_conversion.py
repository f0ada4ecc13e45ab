"""Gas of a governed conversion through DBISConversionRouter, next to the same swap sent directly
through the real Uniswap V3 SwapRouter, in the same run (issue 6).

One :class:`dbis.engine.FastChain` run with chain id 138 (`dbis.rail.conversion_local.build`): the
signer and stablecoin registries, the sanctions-list test double bound to the router, the npm Uniswap
V3 factory / position manager / SwapRouter, a cWUSDC/GRU pool at 1:1 (0.01 % tier, +-500-tick position
of 1,000,000 each) and the venue adapter approved by 3 signers. A warm-up conversion and a warm-up
direct swap first (so neither measured transaction pays for a first fee-growth or balance slot). Then,
from the same chain state each time (anchor), the same 1,000 cWUSDC -> GRU exact-input swap by the
same trader with standing approvals: (a) `SwapRouter.exactInputSingle`, (b) `convert` with 2
signers (every rule on: deadline window, venue, quote issuer, registry status of tokenIn and tokenOut,
own denylist and sanctions oracle for caller, adapter and pool, quorum, fresh messageId, minAmountOut),
(c) `convert` of a large amount with 3 signers including COMPLIANCE, next to (a) for that amount.
Receipt gas (21,000 intrinsic and calldata included). Target: (b) - (a) <= 60,000.

    python -m dbis.bench_conversion      # prints the rows
"""

from __future__ import annotations

from typing import Any

from dbis import uniswap
from dbis.bench import Row, table
from dbis.engine import FastChain
from dbis.rail import conversion_local as local

OVERHEAD_TARGET = 60_000
SMALL = 1_000 * local.UNIT
LARGE = 20_000 * local.UNIT


def _direct(scene: local.ConversionScene, amount: int) -> int:
    params = (scene.cw.address, scene.gru.address, local.FEE, scene.trader, uniswap.DEADLINE, amount, 0, 0)
    return scene.swap_router.exactInputSingle(params, sender=scene.trader).gas_used


def measure(chain: FastChain | None = None, *, sanctions: bool = True, check_token_in: bool = True) -> dict[str, Any]:
    scene = local.build(chain or FastChain(chain_id=local.CHAIN_ID), sanctions=sanctions,
                        check_token_in=check_token_in)
    scene.convert(scene.auth(SMALL), "ops-a", "ops-b")  # warm-up: every slot a conversion touches is live
    _direct(scene, SMALL)
    scene.chain.time_travel(12)
    out: dict[str, Any] = {}
    for key, amount, signers in (("small", SMALL, ("ops-a", "ops-b")),
                                 ("large", LARGE, ("ops-a", "compliance", "treasury"))):
        with scene.chain.anchor():
            out[f"direct_{key}"] = _direct(scene, amount)
        with scene.chain.anchor():
            receipt = scene.convert(scene.auth(amount), *signers)
            out[f"convert_{key}"] = receipt.gas_used
            out[f"amount_out_{key}"] = receipt.return_value
    return out


def rows(chain: FastChain | None = None) -> list[Row]:
    """Direct SwapRouter swap, 2-signer and 3-signer conversions, and the 2-signer governance overhead:
    every rule on (sanctions oracle bound, tokenIn checked), then the Chain 138 configuration of
    config/networks/dbis.json (no sanctions oracle deployed there, tokenOut-only registry check)."""
    full = measure(chain)
    lean = measure(sanctions=False, check_token_in=False)
    out = [
        Row("exactInputSingle through the real Uniswap V3 SwapRouter, 1,000 cWUSDC -> GRU (direct, no governance)",
            full["direct_small"], "gas", "the conversion overhead's baseline", None, None),
    ]
    for m, text in ((full, "every rule on: sanctions oracle bound, tokenIn and tokenOut registry checks"),
                    (lean, "Chain 138 config: no sanctions oracle bound, tokenOut registry check only")):
        overhead = m["convert_small"] - m["direct_small"]
        out += [
            Row(f"convert, same 1,000 swap through DBISConversionRouter + venue adapter, 2 signers, {text}",
                m["convert_small"], "gas", "direct SwapRouter swap, same run", m["direct_small"],
                round(m["convert_small"] / m["direct_small"], 3)),
            Row(f"conversion governance overhead, 2 signers (convert minus direct swap), {text}", overhead, "gas",
                "60,000 gas (target)", OVERHEAD_TARGET, round(overhead / OVERHEAD_TARGET, 3)),
            Row(f"convert, 20,000 cWUSDC -> GRU, 3 signers including COMPLIANCE, {text}", m["convert_large"], "gas",
                "direct SwapRouter swap of 20,000, same run", m["direct_large"],
                round(m["convert_large"] / m["direct_large"], 3)),
        ]
    return out


def verdicts(measured: list[Row]) -> list[str]:
    return [f"- {r.name}: {r.value:,.0f} gas, target <= {OVERHEAD_TARGET:,}: "
            f"{'met' if r.value <= OVERHEAD_TARGET else 'NOT met'} ({r.ratio:.3f}x)."
            for r in measured if r.anchor_value == OVERHEAD_TARGET]


if __name__ == "__main__":
    measured = rows()
    print(table(measured))
    print("\n".join(verdicts(measured)))
