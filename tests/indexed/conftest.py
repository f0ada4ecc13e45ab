"""Fixtures of the indexed liquidity vault tests: the REAL Uniswap V3 stack (npm bytecode,
deployed through dbis.uniswap on Ape's anvil), a cWUSDC/USDC pool created at exactly 1:1 and
funded with a narrow position around it, and vaults with chosen limits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from eth_abi import encode as abi_encode
from eth_utils import keccak

from dbis import uniswap
from tests.unit.support import ErrorRegistry, StrictReverts, addr, batch_call, selector

UNIT = 10**6
FEE = 100  # 0.01 %, tick spacing 1
TICK_LOWER, TICK_UPPER = -50, 50  # the position: +-0.5 % around 1:1
POSITION = 1_000 * UNIT  # cWUSDC and USDC in the position
OPERATOR_ROLE = keccak(text="OPERATOR_ROLE")
PAUSER_ROLE = keccak(text="PAUSER_ROLE")
ADMIN_DELAY = 0
# parityTick, maxTickDrift, twapWindow, minLiquidity, maxProofAmount, minBalance0, minBalance1
DEFAULT_LIMITS = {"parityTick": 0, "maxTickDrift": 10, "twapWindow": 0, "minLiquidity": 1,
                  "maxProofAmount": 0, "minBalance0": 0, "minBalance1": 0}
LIMIT_ORDER = tuple(DEFAULT_LIMITS)


def h(label: str) -> bytes:
    return keccak(text=label)


@dataclass
class IndexedScene(StrictReverts):
    project: Any
    chain: Any
    registry: ErrorRegistry
    w3: Any
    stack: uniswap.UniswapStack
    pool: str
    cw: Any
    usdc: Any
    token0: Any
    token1: Any
    a: dict
    vaults: list

    # ---- vaults
    def vault(self, **limits: int):
        """A vault over the pool with the default limits overridden; the operator allowlisted."""
        merged = {**DEFAULT_LIMITS, **limits}
        admin = self.a["admin"]
        v = self.project.DBISEngineXIndexedLiquidityVault.deploy(
            self.pool, admin, ADMIN_DELAY, [merged[k] for k in LIMIT_ORDER], sender=admin)
        v.grantRole(OPERATOR_ROLE, self.a["operator"], sender=admin)
        v.grantRole(PAUSER_ROLE, self.a["pauser"], sender=admin)
        self.vaults.append(v)
        return v

    def record(self, vault, label: str, amount: int = UNIT, *, sender=None, hashes=None):
        swap, liq, iso, audit = hashes or (h(f"{label}/swap"), h(f"{label}/liquidity"), h(f"{label}/iso"),
                                           h(f"{label}/audit"))
        return vault.recordIndexedProof(h(label), swap, liq, amount, iso, audit, sender=sender or self.a["operator"])

    # ---- pool
    def slot0(self):
        return uniswap.slot0(self.w3, self.pool)

    def tick(self) -> int:
        return int(self.slot0()[1])

    def liquidity(self) -> int:
        return uniswap.liquidity(self.w3, self.pool)

    def swap_to_tick(self, tick: int, who: str = "trader") -> str:
        """A real public swap through the SwapRouter that moves the pool to `tick` (price limit)."""
        current = self.tick()
        up = tick > current  # price of token0 in token1 up: token1 in
        token_in, token_out = (self.token1, self.token0) if up else (self.token0, self.token1)
        limit = uniswap.sqrt_price_at_tick(tick)
        return uniswap.exact_input_single(self.w3, self.stack, addr(self.a[who]), token_in.address,
                                          token_out.address, FEE, 10**6 * UNIT, 0, limit)

    def wait(self, seconds: int) -> None:
        self.w3.provider.make_request("evm_increaseTime", [seconds])
        self.w3.provider.make_request("evm_mine", [])

    # ---- state for `refused`
    def state(self) -> dict:
        calls = []
        for v in self.vaults:
            calls.append((f"{v.address}.paused", v.address, selector("paused()"), "bool"))
        for label in ("p1", "p2", "push"):
            for v in self.vaults:
                calls.append((f"{v.address}.proofIdUsed({label})", v.address,
                              selector("proofIdUsed(bytes32)") + abi_encode(["bytes32"], [h(label)]), "bool"))
        for t in (self.token0, self.token1):
            calls.append((f"{t.address}.balanceOf(pool)", t.address,
                          selector("balanceOf(address)") + abi_encode(["address"], [self.pool]), "uint256"))
        snap = dict(zip([c[0] for c in calls], batch_call(self.chain, calls)))
        snap["slot0"] = tuple(self.slot0())
        snap["liquidity"] = self.liquidity()
        return snap


@pytest.fixture(scope="session")
def registry(project):
    return ErrorRegistry(project)


@pytest.fixture(scope="session")
def actors(accounts):
    names = ["admin", "operator", "pauser", "trader", "stranger"]
    return dict(zip(names, accounts[: len(names)]))


@pytest.fixture(scope="module")
def _scene(project, chain, registry, actors):
    a = actors
    admin = a["admin"]
    w3 = chain.provider.web3
    cw = project.TestERC20.deploy("Wrapped cUSDC", "cWUSDC", 6, sender=admin)
    usdc = project.TestERC20.deploy("USD Coin", "USDC", 6, sender=admin)
    for who in ("admin", "trader"):
        cw.mint(a[who], 10**7 * UNIT, sender=admin)
        usdc.mint(a[who], 10**7 * UNIT, sender=admin)
    stack = uniswap.deploy_stack(w3, admin.address)
    pool = uniswap.create_pool_with_liquidity(w3, stack, admin.address, cw.address, usdc.address, FEE,
                                              uniswap.PARITY_SQRT_PRICE_X96, POSITION, POSITION,
                                              TICK_LOWER, TICK_UPPER)
    uniswap.transact(w3, admin.address, pool, uniswap.POOL, "increaseObservationCardinalityNext", 16)
    t0, t1 = uniswap.sort_tokens(cw.address, usdc.address)
    token0, token1 = (cw, usdc) if t0 == cw.address else (usdc, cw)
    return IndexedScene(project, chain, registry, w3, stack, pool, cw, usdc, token0, token1, dict(a), [])


@pytest.fixture
def scene(_scene):
    return IndexedScene(**{**_scene.__dict__, "vaults": []})
