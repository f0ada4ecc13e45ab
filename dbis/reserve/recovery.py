"""Recovery of an insolvent reserve (the Self-Healing Reserve's agent): size the deficit, choose the
mechanism by size, and for a small deficit plan the USDC → collateral swap and the transfer.

* direct swap (deficit below `dark_pool_threshold_usd`, the seed's 50M USD): use the collateral the
  recovery wallet already holds, buy the rest with USDC through the Uniswap V3 SwapRouter
  (`exactInputSingle`, at least the missing amount out), and transfer the whole deficit to the
  reserve address. Public transactions, seconds.
* dark pool (at or above the threshold): planned and reported only. The seed's confidential matching
  needs Chainlink Confidential Compute, which does not run here; the monitor refuses to execute it
  and tells the operator to escalate.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any, Literal

from web3 import Web3

from dbis import abi
from dbis.commands.engine_x import ERC20
from dbis.errors import OperatorError
from dbis.operator import BuildContext
from dbis.plan import Plan, Step, call

ROUTER = "IUniswapV3SwapRouter"
PRICE_DECIMALS = 8  # USD per whole collateral token, Chainlink-style
SWAP_DEADLINE = 1_800  # seconds after the simulated block
Mechanism = Literal["direct-swap", "dark-pool"]


@dataclass(frozen=True)
class Sizing:
    """How much is missing and how the recovery covers it (collateral and USDC base units)."""

    mechanism: Mechanism
    deficit: int  # collateral units to send to the reserve
    deficit_usd: Decimal
    from_wallet: int  # collateral the recovery wallet already holds and sends
    buy: int  # collateral bought with USDC (minimum out of the swap)
    usdc_in: int  # USDC paid into the swap (price plus slippage allowance, rounded up)


def size(deficit: Decimal, *, collateral_decimals: int, usdc_decimals: int, price: int, wallet_collateral: int,
         slippage_bps: int, dark_pool_threshold_usd: Decimal) -> Sizing:
    """Pure sizing. The deficit is rounded UP to a collateral unit (the reserve is restored in full);
    the USDC input is rounded UP (the swap must not come out short)."""
    if deficit <= 0:
        raise ValueError("no deficit to recover")
    units = int((deficit.scaleb(collateral_decimals)).to_integral_value(rounding=ROUND_CEILING))
    deficit_usd = deficit * Decimal(price).scaleb(-PRICE_DECIMALS)
    if deficit_usd >= dark_pool_threshold_usd:
        return Sizing("dark-pool", units, deficit_usd, 0, 0, 0)
    from_wallet = min(units, wallet_collateral)
    buy = units - from_wallet
    numerator = buy * price * 10**usdc_decimals * (10_000 + slippage_bps)
    denominator = 10**collateral_decimals * 10**PRICE_DECIMALS * 10_000
    usdc_in = -(-numerator // denominator)
    return Sizing("direct-swap", units, deficit_usd, from_wallet, buy, usdc_in)


@dataclass(frozen=True)
class RecoveryConfig:
    """Addresses and limits of the recovery (network `reserve` section, or flags)."""

    collateral: str
    usdc: str | None
    reserve_address: str
    swap_router: str | None
    pool_fee: int
    price: int
    slippage_bps: int
    dark_pool_threshold_usd: Decimal

    @classmethod
    def from_sources(cls, params: dict[str, Any], cfg: dict[str, Any], tokens: dict[str, Any]) -> "RecoveryConfig":
        def pick(name: str, default: Any = None) -> Any:
            value = params.get(name)
            return cfg.get(name, default) if value is None else value

        def address(name: str, required: bool) -> str | None:
            value = pick(name) or (tokens.get(name) if name == "usdc" else None)
            if not value:
                if required:
                    raise OperatorError(f"recovery needs --{name.replace('_', '-')} (or reserve.{name} in the network config)")
                return None
            if not Web3.is_address(value):
                raise OperatorError(f"--{name.replace('_', '-')} {value!r} is not an address")
            return Web3.to_checksum_address(value)

        price = pick("price")
        if not price or int(price) <= 0:
            raise OperatorError("recovery needs the collateral price: --price (USD, 8 decimals) or reserve.price")
        return cls(
            collateral=address("collateral", True) or "", usdc=address("usdc", False),
            reserve_address=address("reserve_address", True) or "", swap_router=address("swap_router", False),
            pool_fee=int(pick("pool_fee", 3000)), price=int(price), slippage_bps=int(pick("slippage_bps", 100)),
            dark_pool_threshold_usd=Decimal(str(pick("dark_pool_threshold_usd", 50_000_000))),
        )


def size_for(w3: Web3, wallet: str, deficit: Decimal, rc: RecoveryConfig) -> Sizing:
    """`size` with the decimals and the wallet's collateral read on chain."""
    usdc_decimals = abi.view(w3, rc.usdc, ERC20, "decimals")[0] if rc.usdc else 6
    return size(deficit, collateral_decimals=abi.view(w3, rc.collateral, ERC20, "decimals")[0],
                usdc_decimals=usdc_decimals, price=rc.price,
                wallet_collateral=abi.view(w3, rc.collateral, ERC20, "balanceOf", wallet)[0],
                slippage_bps=rc.slippage_bps, dark_pool_threshold_usd=rc.dark_pool_threshold_usd)


def steps(sizing: Sizing, rc: RecoveryConfig, wallet: str, now: int) -> tuple[Step, ...]:
    """The direct-swap transactions: approve and swap (only for what the wallet lacks), then transfer."""
    if sizing.mechanism != "direct-swap":
        raise OperatorError("a dark-pool recovery is not executable here (needs Chainlink Confidential Compute): "
                            "escalate to treasury")
    out: list[Step] = []
    if sizing.buy:
        if not rc.usdc or not rc.swap_router:
            raise OperatorError("the recovery wallet lacks collateral and no swap is configured: "
                                "set --usdc and --swap-router")
        params = [rc.usdc, rc.collateral, rc.pool_fee, wallet, now + SWAP_DEADLINE, sizing.usdc_in, sizing.buy, 0]
        out += [
            call("approve-usdc", rc.usdc, ERC20, "approve", rc.swap_router, sizing.usdc_in, events=("Approval",)),
            call("swap-usdc-for-collateral", rc.swap_router, ROUTER, "exactInputSingle", params,
                 events=("Transfer",), note="Uniswap V3 SwapRouter exactInputSingle"),
        ]
    out.append(call("transfer-to-reserve", rc.collateral, ERC20, "transfer", rc.reserve_address, sizing.deficit,
                    events=("Transfer",)))
    return tuple(out)


def build_recovery(ctx: BuildContext, sizing: Sizing, rc: RecoveryConfig, key: str) -> Plan:
    """The recovery plan for one insolvency (its key: the attestation and the insolvent timestamp)."""
    usdc_balance = abi.view(ctx.w3, rc.usdc, ERC20, "balanceOf", ctx.sender)[0] if rc.usdc and sizing.buy else 0
    if sizing.buy and usdc_balance < sizing.usdc_in:
        raise OperatorError(f"recovery wallet {ctx.sender} holds {usdc_balance} USDC units, the swap needs "
                            f"{sizing.usdc_in}")
    now = ctx.w3.eth.get_block("latest")["timestamp"]
    return Plan("reserve-recovery", ctx.net.name, ctx.net.chain_id, ctx.sender, key,
                steps(sizing, rc, ctx.sender, now),
                params={"mechanism": sizing.mechanism, "deficit": sizing.deficit, "from_wallet": sizing.from_wallet,
                        "buy": sizing.buy, "usdc_in": sizing.usdc_in, "reserve_address": rc.reserve_address})
