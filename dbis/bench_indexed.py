"""Gas of `recordIndexedProof` against the real Uniswap V3 pool, next to the pool's own `observe`.

One :class:`dbis.engine.FastChain` run: the npm Uniswap V3 factory (with the 0.01 % tier enabled
as on mainnet), position manager, swap router and a cWUSDC/USDC pool created at exactly 1:1 with
a +-50-tick position, observation cardinality 16. Two vaults over that pool, every gate switched
on (max amount, floors on both tokens, drift 10, minimum liquidity): one spot-only, one with a
60-second TWAP window. Measured as transactions from an EOA (receipt gas, 21,000 intrinsic
included): a recording with a fresh proof ID on each vault, and the pool's `observe([60, 0])` —
the exact call the TWAP vault makes. Two pool states: *quiet* (two minutes with no trade: observe
extrapolates from the newest observation) and *busy* (a small public swap every 10 s until the
16-slot observation ring is full: observe binary-searches it). Target, per state: record <=
2 x observe + 30,000.

    python -m dbis.bench_indexed      # prints the rows
"""

from __future__ import annotations

from typing import Any

from eth_utils import keccak

from dbis import uniswap
from dbis.bench import Row, table, verdicts
from dbis.engine import Contract, FastChain

UNIT = 10**6
FEE = 100
TWAP_WINDOW = 60
POSITION = 1_000 * UNIT
OPERATOR_ROLE = keccak(text="OPERATOR_ROLE")


def target(observe_gas: int) -> int:
    """The issue's budget for one recording: two observe calls and 30,000 gas."""
    return 2 * observe_gas + 30_000


def build(chain: FastChain) -> dict[str, Any]:
    """The real stack, the pool at 1:1 with a position, and the two vaults; returns the handles."""
    admin, operator = chain.account("bench-indexed-admin"), chain.account("bench-indexed-operator")
    cw = chain.deploy("TestERC20", "Wrapped cUSDC", "cWUSDC", 6, sender=admin)
    usdc = chain.deploy("TestERC20", "USD Coin", "USDC", 6, sender=admin)
    weth = chain.deploy(uniswap.WETH, sender=admin)
    factory = chain.deploy(uniswap.FACTORY, sender=admin)
    for fee, spacing in uniswap.GOVERNANCE_FEE_TIERS:
        factory.enableFeeAmount(fee, spacing, sender=admin)
    manager = chain.deploy(uniswap.POSITION_MANAGER, factory.address, weth.address, uniswap.ZERO_ADDRESS, sender=admin)
    token0, token1 = (chain.at("TestERC20", t) for t in uniswap.sort_tokens(str(cw.address), str(usdc.address)))
    manager.createAndInitializePoolIfNecessary(token0.address, token1.address, FEE, uniswap.PARITY_SQRT_PRICE_X96,
                                               sender=admin)
    pool: Contract = chain.at(uniswap.POOL, factory.getPool(token0.address, token1.address, FEE))
    pool.increaseObservationCardinalityNext(16, sender=admin)
    for token in (token0, token1):
        token.mint(admin, POSITION, sender=admin)
        token.approve(manager.address, POSITION, sender=admin)
    manager.mint((token0.address, token1.address, FEE, -50, 50, POSITION, POSITION, 0, 0, admin, uniswap.DEADLINE),
                 sender=admin)
    router = chain.deploy(uniswap.SWAP_ROUTER, factory.address, weth.address, sender=admin)
    trader = chain.account("bench-indexed-trader")
    for token in (token0, token1):
        token.mint(trader, POSITION, sender=admin)
        token.approve(router.address, 2**256 - 1, sender=trader)
    chain.time_travel(120)
    floors = (token0.balanceOf(pool.address) // 2, token1.balanceOf(pool.address) // 2)
    vaults = {}
    for label, window in (("spot", 0), ("twap", TWAP_WINDOW)):
        limits = (0, 10, window, 1, 1_000 * UNIT, *floors)
        vault = chain.deploy("DBISEngineXIndexedLiquidityVault", pool.address, admin, 0, limits, sender=admin)
        vault.grantRole(OPERATOR_ROLE, operator, sender=admin)
        vaults[label] = vault
    return {"pool": pool, "vaults": vaults, "operator": operator, "admin": admin, "router": router,
            "trader": trader, "tokens": (token0, token1)}


def make_busy(chain: FastChain, scene: dict[str, Any], swaps: int = 20) -> None:
    """A 10-unit public swap every 10 seconds, alternating direction (price stays at the peg)."""
    token0, token1 = scene["tokens"]
    for n in range(swaps):
        chain.time_travel(10)
        a, b = (token0, token1) if n % 2 else (token1, token0)
        scene["router"].exactInputSingle((a.address, b.address, FEE, scene["trader"], uniswap.DEADLINE, 10 * UNIT,
                                          0, 0), sender=scene["trader"])


def rows(chain: FastChain | None = None) -> list[Row]:
    """recordIndexedProof (spot only, with TWAP) and the pool's observe, measured in one run."""
    chain = chain or FastChain()
    scene = build(chain)
    caller = chain.account("bench-indexed-observer")
    out: list[Row] = []
    for state in ("quiet", "busy"):
        if state == "busy":
            make_busy(chain, scene)
        observe_gas = scene["pool"].observe.transact([TWAP_WINDOW, 0], sender=caller).gas_used
        budget = target(observe_gas)
        anchor = f"2 x observe + 30,000, {state} pool (target)"
        out.append(Row(f"observe([{TWAP_WINDOW}, 0]) on the real Uniswap V3 pool, {state} pool, as a transaction",
                       observe_gas, "gas", "the recording budget's unit", None, None))
        for label, text in (("spot", "spot tick only"), ("twap", f"{TWAP_WINDOW}-second TWAP check")):
            vault = scene["vaults"][label]
            h = [keccak(text=f"bench-indexed/{state}/{label}/{part}") for part in ("id", "swap", "liq", "iso", "audit")]
            gas = vault.recordIndexedProof(h[0], h[1], h[2], UNIT, h[3], h[4], sender=scene["operator"]).gas_used
            out.append(Row(f"recordIndexedProof, {text}, every gate on, {state} pool (fresh proof ID)", gas, "gas",
                           anchor, budget, round(gas / budget, 3)))
    return out


if __name__ == "__main__":
    measured = rows()
    print(table(measured))
    print("\n".join(verdicts(measured)))
