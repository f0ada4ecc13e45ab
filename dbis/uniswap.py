"""The real Uniswap V3 stack on a local chain, through plain web3.py.

`deploy_stack` deploys the UniswapV3Factory, NonfungiblePositionManager and SwapRouter bytecode
shipped in the pinned `@uniswap/v3-core` / `@uniswap/v3-periphery` npm packages (never
recompiled) and a test WETH9; `create_pool_with_liquidity` creates and initialises a pool through
the position manager and mints a position; `exact_input_single` swaps through the router.
Transactions are sent with `eth_sendTransaction` from an account the node unlocks (anvil's dev
accounts). The pure helpers (`sort_tokens`, `pool_address`, `full_range`, `tick_at_sqrt_price`,
`sqrt_price_at_tick`) need no chain.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from eth_utils import keccak, to_checksum_address
from web3 import Web3

from dbis import abi, artifacts

FACTORY = "UniswapV3Factory"
POOL = "UniswapV3Pool"
POSITION_MANAGER = "NonfungiblePositionManager"
SWAP_ROUTER = "SwapRouter"
WETH = "TestWETH9"
ERC20 = "TestERC20"  # any compiled contract with the ERC-20 ABI
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
# v3-periphery's PoolAddress.POOL_INIT_CODE_HASH: keccak256 of the v3-core pool creation code.
POOL_INIT_CODE_HASH = "0xe34f199b19b2b4f47f68442619d555527d244f78a3297ea89325f843f87b8b54"
MIN_TICK, MAX_TICK = -887_272, 887_272
Q96 = 2**96
PARITY_SQRT_PRICE_X96 = Q96  # exactly 1:1 for two tokens with equal decimals (tick 0)
DEADLINE = 2**64 - 1
# The 0.01 % tier (tick spacing 1) that Uniswap governance enabled on the mainnet factory in
# November 2021; the factory bytecode enables only 500/3000/10000 at deployment.
GOVERNANCE_FEE_TIERS = ((100, 1),)


@dataclass(frozen=True)
class UniswapStack:
    """Addresses of one deployed Uniswap V3 stack."""

    factory: str
    position_manager: str
    swap_router: str
    weth: str


# ---------------------------------------------------------------------------- pure helpers


def sort_tokens(token_a: str, token_b: str) -> tuple[str, str]:
    """(token0, token1) in Uniswap's order (ascending address)."""
    a, b = to_checksum_address(token_a), to_checksum_address(token_b)
    if a.lower() == b.lower():
        raise ValueError("a pool needs two different tokens")
    return (a, b) if int(a, 16) < int(b, 16) else (b, a)


def pool_address(factory: str, token_a: str, token_b: str, fee: int,
                 init_code_hash: str = POOL_INIT_CODE_HASH) -> str:
    """The CREATE2 address of a pool (v3-periphery PoolAddress.computeAddress)."""
    token0, token1 = sort_tokens(token_a, token_b)
    salt = keccak(bytes.fromhex(token0[2:]).rjust(32, b"\0") + bytes.fromhex(token1[2:]).rjust(32, b"\0")
                  + fee.to_bytes(32, "big"))
    digest = keccak(b"\xff" + bytes.fromhex(factory[2:]) + salt + bytes.fromhex(init_code_hash[2:]))
    return to_checksum_address(digest[12:])


def pool_init_code_hash() -> str:
    """keccak256 of the npm v3-core pool creation code (must equal POOL_INIT_CODE_HASH)."""
    return "0x" + keccak(artifacts.load(POOL).bytecode).hex()


def full_range(tick_spacing: int) -> tuple[int, int]:
    """The widest usable (tickLower, tickUpper) for a tick spacing."""
    upper = MAX_TICK // tick_spacing * tick_spacing
    return -upper, upper


_TICK_FACTORS = (
    0xfffcb933bd6fad37aa2d162d1a594001, 0xfff97272373d413259a46990580e213a, 0xfff2e50f5f656932ef12357cf3c7fdcc,
    0xffe5caca7e10e4e61c3624eaa0941cd0, 0xffcb9843d60f6159c9db58835c926644, 0xff973b41fa98c081472e6896dfb254c0,
    0xff2ea16466c96a3843ec78b326b52861, 0xfe5dee046a99a2a811c461f1969c3053, 0xfcbe86c7900a88aedcffc83b479aa3a4,
    0xf987a7253ac413176f2b074cf7815e54, 0xf3392b0822b70005940c7a398e4b70f3, 0xe7159475a2c29b7443b29c7fa6e889d9,
    0xd097f3bdfd2022b8845ad8f792aa5825, 0xa9f746462d870fdf8a65dc1f90e061e5, 0x70d869a156d2a1b890bb3df62baf32f7,
    0x31be135f97d08fd981231505542fcfa6, 0x9aa508b5b7a84e1c677de54f3e99bc9, 0x5d6af8dedb81196699c329225ee604,
    0x2216e584f5fa1ea926041bedfe98, 0x48a170391f7dc42444e8fa2,
)


def sqrt_price_at_tick(tick: int) -> int:
    """sqrtPriceX96 at a tick, exactly as v3-core TickMath.getSqrtRatioAtTick."""
    if abs(tick) > MAX_TICK:
        raise ValueError(f"tick {tick} is outside [{MIN_TICK}, {MAX_TICK}]")
    ratio = 0xfffcb933bd6fad37aa2d162d1a594001 if abs(tick) & 1 else 1 << 128
    for bit, factor in enumerate(_TICK_FACTORS[1:], 1):
        if abs(tick) & (1 << bit):
            ratio = (ratio * factor) >> 128
    if tick > 0:
        ratio = (2**256 - 1) // ratio
    return (ratio >> 32) + (1 if ratio % (1 << 32) else 0)


def tick_at_sqrt_price(sqrt_price_x96: int) -> int:
    """The greatest tick whose sqrt price is <= `sqrt_price_x96` (TickMath.getTickAtSqrtRatio)."""
    tick = math.floor(math.log((sqrt_price_x96 / Q96) ** 2, 1.0001))
    while tick < MAX_TICK and sqrt_price_at_tick(tick + 1) <= sqrt_price_x96:
        tick += 1
    while tick > MIN_TICK and sqrt_price_at_tick(tick) > sqrt_price_x96:
        tick -= 1
    return tick


# ---------------------------------------------------------------------------- web3 edges


def _send(w3: Web3, sender: str, to: str | None, data: bytes, value: int = 0) -> str:
    tx: dict[str, Any] = {"from": to_checksum_address(sender), "data": "0x" + data.hex(), "value": value}
    if to:
        tx["to"] = to_checksum_address(to)
    tx_hash = w3.eth.send_transaction(tx)  # type: ignore[arg-type]
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=120, poll_latency=0.05)
    if receipt["status"] != 1:
        raise RuntimeError(f"transaction {tx_hash.to_0x_hex()} reverted")
    return tx_hash.to_0x_hex()


def deploy(w3: Web3, sender: str, contract: str, *args: Any) -> str:
    """Deploy a compiled or npm artifact; returns the address."""
    tx_hash = _send(w3, sender, None, abi.encode_deploy(artifacts.load(contract), list(args)))
    return to_checksum_address(w3.eth.get_transaction_receipt(tx_hash)["contractAddress"])


def transact(w3: Web3, sender: str, target: str, contract: str, function: str, *args: Any, value: int = 0) -> str:
    """Call a state-changing function; returns the transaction hash."""
    return _send(w3, sender, target, abi.encode_call(artifacts.load(contract), function, list(args)), value)


def view(w3: Web3, target: str, contract: str, function: str, *args: Any) -> tuple[Any, ...]:
    return abi.view(w3, target, contract, function, *args)


def deploy_stack(w3: Web3, deployer: str) -> UniswapStack:
    """The real UniswapV3Factory, NonfungiblePositionManager and SwapRouter (npm bytecode) + a test WETH9.

    The position manager's token descriptor is the zero address: only `tokenURI` uses it. The
    factory's owner (the deployer) enables the mainnet governance fee tiers (0.01 %) as on mainnet.
    """
    weth = deploy(w3, deployer, WETH)
    factory = deploy(w3, deployer, FACTORY)
    for fee, spacing in GOVERNANCE_FEE_TIERS:
        transact(w3, deployer, factory, FACTORY, "enableFeeAmount", fee, spacing)
    manager = deploy(w3, deployer, POSITION_MANAGER, factory, weth, ZERO_ADDRESS)
    router = deploy(w3, deployer, SWAP_ROUTER, factory, weth)
    return UniswapStack(factory=factory, position_manager=manager, swap_router=router, weth=weth)


def get_pool(w3: Web3, stack: UniswapStack, token_a: str, token_b: str, fee: int) -> str | None:
    """The factory's pool for the pair and fee, or None."""
    address = view(w3, stack.factory, FACTORY, "getPool", *sort_tokens(token_a, token_b), fee)[0]
    return None if int(address, 16) == 0 else to_checksum_address(address)


def _approve(w3: Web3, owner: str, token: str, spender: str, amount: int) -> None:
    if view(w3, token, ERC20, "allowance", owner, spender)[0] < amount:
        transact(w3, owner, token, ERC20, "approve", spender, amount)


def create_pool_with_liquidity(
    w3: Web3, stack: UniswapStack, deployer: str, token_a: str, token_b: str, fee: int, sqrt_price_x96: int,
    amount_a: int, amount_b: int, tick_lower: int | None = None, tick_upper: int | None = None,
) -> str:
    """Create and initialise the pool if missing, mint a position to `deployer`, return the pool.

    `sqrt_price_x96` is the price of token1 in token0 after sorting (Uniswap's convention); the
    position covers the full usable range when the ticks are None. The deployer must hold the
    amounts; the position manager takes what the price and range need, at most these.
    """
    token0, token1 = sort_tokens(token_a, token_b)
    amount0, amount1 = (amount_a, amount_b) if token0.lower() == token_a.lower() else (amount_b, amount_a)
    transact(w3, deployer, stack.position_manager, POSITION_MANAGER, "createAndInitializePoolIfNecessary",
             token0, token1, fee, sqrt_price_x96)
    pool = get_pool(w3, stack, token0, token1, fee)
    assert pool is not None
    if tick_lower is None or tick_upper is None:
        spacing = view(w3, stack.factory, FACTORY, "feeAmountTickSpacing", fee)[0]
        tick_lower, tick_upper = full_range(spacing)
    _approve(w3, deployer, token0, stack.position_manager, amount0)
    _approve(w3, deployer, token1, stack.position_manager, amount1)
    mint_position(w3, stack, deployer, token0, token1, fee, tick_lower, tick_upper, amount0, amount1)
    return pool


def mint_position(w3: Web3, stack: UniswapStack, owner: str, token0: str, token1: str, fee: int,
                  tick_lower: int, tick_upper: int, amount0: int, amount1: int) -> str:
    """NonfungiblePositionManager.mint to `owner` (tokens already approved); returns the tx hash."""
    params = [token0, token1, fee, tick_lower, tick_upper, amount0, amount1, 0, 0, owner, DEADLINE]
    return transact(w3, owner, stack.position_manager, POSITION_MANAGER, "mint", params)


def exact_input_single(w3: Web3, stack: UniswapStack, sender: str, token_in: str, token_out: str, fee: int,
                       amount_in: int, min_out: int = 0, sqrt_price_limit_x96: int = 0) -> str:
    """A real swap through the SwapRouter (approving it first when needed); returns the tx hash."""
    _approve(w3, sender, token_in, stack.swap_router, amount_in)
    params = [token_in, token_out, fee, sender, DEADLINE, amount_in, min_out, sqrt_price_limit_x96]
    return transact(w3, sender, stack.swap_router, SWAP_ROUTER, "exactInputSingle", params)


def slot0(w3: Web3, pool: str) -> tuple[Any, ...]:
    """(sqrtPriceX96, tick, observationIndex, observationCardinality, observationCardinalityNext, feeProtocol, unlocked)."""
    return view(w3, pool, POOL, "slot0")


def liquidity(w3: Web3, pool: str) -> int:
    return int(view(w3, pool, POOL, "liquidity")[0])
