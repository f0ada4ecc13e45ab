"""Public-LP readiness gates of the runbook (`public-readiness`): a pure evaluation of pool state.

The gates, in the runbook's words: official Mainnet USDC on the quote side of the cWUSDC/USDC
pool, pool liquidity in range, the 2,500 / 2,500 policy floor and the 10,000 / 10,000 target.
:func:`evaluate` takes a :class:`PoolState` (read through :data:`POOL_ABI` / :data:`ERC20_ABI`,
a tiny ABI of the Uniswap V3 pool and ERC-20 views) and returns one :class:`Gate` per line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

UNITS = 10**6  # cWUSDC and USDC have 6 decimals
POLICY_FLOOR = 2_500 * UNITS
TARGET = 10_000 * UNITS

POOL_ABI: list[dict[str, Any]] = [
    {"type": "function", "name": "slot0", "stateMutability": "view", "inputs": [], "outputs": [
        {"name": "sqrtPriceX96", "type": "uint160"}, {"name": "tick", "type": "int24"},
        {"name": "observationIndex", "type": "uint16"}, {"name": "observationCardinality", "type": "uint16"},
        {"name": "observationCardinalityNext", "type": "uint16"}, {"name": "feeProtocol", "type": "uint8"},
        {"name": "unlocked", "type": "bool"}]},
    {"type": "function", "name": "liquidity", "stateMutability": "view", "inputs": [],
     "outputs": [{"name": "", "type": "uint128"}]},
    {"type": "function", "name": "token0", "stateMutability": "view", "inputs": [],
     "outputs": [{"name": "", "type": "address"}]},
    {"type": "function", "name": "token1", "stateMutability": "view", "inputs": [],
     "outputs": [{"name": "", "type": "address"}]},
]
FACTORY_ABI: list[dict[str, Any]] = [
    {"type": "function", "name": "getPool", "stateMutability": "view",
     "inputs": [{"name": "tokenA", "type": "address"}, {"name": "tokenB", "type": "address"},
                {"name": "fee", "type": "uint24"}], "outputs": [{"name": "pool", "type": "address"}]},
]
ERC20_ABI: list[dict[str, Any]] = [
    {"type": "function", "name": "balanceOf", "stateMutability": "view",
     "inputs": [{"name": "account", "type": "address"}], "outputs": [{"name": "", "type": "uint256"}]},
]


@dataclass(frozen=True)
class PoolState:
    """What the gates need from the live cWUSDC/USDC pool."""

    pool: str
    token0: str
    token1: str
    liquidity: int  # active (in-range) liquidity at the current tick
    tick: int
    balance0: int  # token0 held by the pool
    balance1: int


@dataclass(frozen=True)
class Gate:
    name: str
    passed: bool
    figure: str

    def to_json(self) -> dict[str, Any]:
        return {"gate": self.name, "status": "pass" if self.passed else "blocked", "figure": self.figure}


GATE_NAMES = (
    "official USDC on the quote side",
    "pool liquidity in range",
    "2,500 / 2,500 policy floor",
    "10,000 / 10,000 target",
)


def _fmt(units: int) -> str:
    return f"{units / UNITS:,.6f}"


def evaluate(state: PoolState | None, usdc: str | None, cwusdc: str | None) -> list[Gate]:
    """Each public-LP gate as pass or blocked, with the figure it was judged on (pure)."""
    if state is None:
        return [Gate(name, False, "no cWUSDC/USDC pool deployed or configured") for name in GATE_NAMES]
    tokens = {state.token0.lower(): state.balance0, state.token1.lower(): state.balance1}
    quote_ok = bool(usdc) and usdc.lower() in tokens and bool(cwusdc) and cwusdc.lower() in tokens
    usdc_bal = tokens.get(usdc.lower(), 0) if usdc else 0
    cw_bal = tokens.get(cwusdc.lower(), 0) if cwusdc else 0
    pair = f"token0 {state.token0}, token1 {state.token1}; official USDC {usdc or 'not configured'}"
    balances = f"cWUSDC {_fmt(cw_bal)} / USDC {_fmt(usdc_bal)}"
    return [
        Gate(GATE_NAMES[0], quote_ok, pair),
        Gate(GATE_NAMES[1], state.liquidity > 0, f"active liquidity {state.liquidity} at tick {state.tick}"),
        Gate(GATE_NAMES[2], quote_ok and cw_bal >= POLICY_FLOOR and usdc_bal >= POLICY_FLOOR,
             f"{balances} (floor {_fmt(POLICY_FLOOR)} each)"),
        Gate(GATE_NAMES[3], quote_ok and cw_bal >= TARGET and usdc_bal >= TARGET,
             f"{balances} (target {_fmt(TARGET)} each)"),
    ]


def read_pool(w3: Any, pool: str) -> PoolState:
    """Read the pool through the tiny ABI (slot0, liquidity, token0, token1, balanceOf)."""
    c = w3.eth.contract(address=pool, abi=POOL_ABI)
    token0, token1 = c.functions.token0().call(), c.functions.token1().call()
    slot0 = c.functions.slot0().call()
    bal = [w3.eth.contract(address=t, abi=ERC20_ABI).functions.balanceOf(pool).call() for t in (token0, token1)]
    return PoolState(pool, token0, token1, c.functions.liquidity().call(), int(slot0[1]), bal[0], bal[1])


def discover_pool(w3: Any, raw: dict[str, Any], addresses: dict[str, str], cwusdc: str | None,
                  usdc: str | None) -> str | None:
    """The cWUSDC/USDC pool the indexed-LP commands use: the factory of `uniswap_v3.factory` in
    the network config (else the journaled `univ3-local-stack/deploy-factory`) at the fee tier
    `indexed_lp.fee`; None when any of these is missing or the factory lists no pool."""
    factory = (raw.get("uniswap_v3") or {}).get("factory") or addresses.get("univ3-local-stack/deploy-factory")
    fee = (raw.get("indexed_lp") or {}).get("fee")
    if not (factory and fee is not None and cwusdc and usdc) or not w3.eth.get_code(w3.to_checksum_address(factory)):
        return None
    c = w3.eth.contract(address=w3.to_checksum_address(factory), abi=FACTORY_ABI)
    pool = c.functions.getPool(w3.to_checksum_address(cwusdc), w3.to_checksum_address(usdc), int(fee)).call()
    return None if int(pool, 16) == 0 else pool


def render(gates: list[Gate]) -> str:
    width = max(len(g.name) for g in gates)
    lines = [f"{'gate':{width}}  status   figure"]
    lines += [f"{g.name:{width}}  {'pass' if g.passed else 'BLOCKED':7}  {g.figure}" for g in gates]
    return "\n".join(lines)
