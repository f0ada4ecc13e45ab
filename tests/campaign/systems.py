"""The systems of the campaign: each wraps a model-checked harness of an earlier issue.

The operations are the state machines' own rules (``tests/property/test_*_state_machine.py``),
called on the shared harness, so the campaign and the property tests exercise one definition of
each operation and one model. Only the argument distributions are written here, as plain
``random.Random`` draws (the campaign must run far faster than Hypothesis can draw).
"""

from __future__ import annotations

import random
from typing import Any, Callable

import tests.property.conftest  # noqa: F401  registers the Hypothesis profiles the machine modules read
from dbis.engine import Contract, FastChain
from tests.property.borrow_machine import BORROWERS as BORROW_ACTORS
from tests.property.borrow_machine import PRICE0, WAD, BorrowHarness
from tests.property.test_borrow_state_machine import BorrowStateMachine
from tests.property.test_vault_state_machine import VaultStateMachine
from tests.property.vault_machine import (
    BORROWERS,
    CAP_MAX,
    DONATION_TOKENS,
    RECIPIENTS,
    RUNBOOK_RESERVE,
    UNIT,
    VaultHarness,
)

Draw = Callable[[random.Random], dict[str, Any]]


def _amount(rng: random.Random) -> int:
    """Dust, typical, large, and the runbook's figures."""
    kind = rng.randrange(4)
    if kind == 0:
        return rng.randint(1, 1_000)
    if kind == 1:
        return rng.randint(1, 10**9)
    if kind == 2:
        return rng.randint(1, 10**13)
    return rng.choice([UNIT, RUNBOOK_RESERVE, 5_000_000_000 * UNIT])


def _proof_out(rng: random.Random) -> int:
    kind = rng.randrange(4)
    if kind == 0:
        return rng.randint(0, 100_000)
    if kind == 1:
        return rng.randint(1, 10**9)
    if kind == 2:
        return rng.randint(1, 5 * 10**15)
    return rng.choice([UNIT, RUNBOOK_RESERVE, 5_000_000_000 * UNIT])


def _pick(rng: random.Random, weights: str = "raw all all+1 part zero") -> str:
    return rng.choice(weights.split())


def _host(machine: type, harness: Any) -> Any:
    """An instance of a state machine's class that only carries the harness (its rules use self.h)."""
    host = object.__new__(machine)
    host.h = harness
    return host


class _RuleSystem:
    """Applies an operation by calling the state machine's rule of the same name."""

    name = ""
    machine: type

    def __init__(self, harness: Any) -> None:
        self.harness = harness
        self._host = _host(self.machine, harness)

    def apply(self, op: str, args: dict[str, Any]) -> None:
        getattr(self.machine, op)(self._host, **args)

    def check(self) -> None:
        self.harness.check_invariants()

    def reset(self) -> None:
        self.harness.reset()

    def addresses(self) -> set[bytes]:
        """Every contract the harness deployed (its tokens included: balances live there)."""
        found: set[bytes] = set()
        for value in vars(self.harness).values():
            for item in value.values() if isinstance(value, dict) else (value,):
                if isinstance(item, Contract):
                    found.add(bytes.fromhex(str(item.address)[2:]))
        return found


class BatchVaultSystem(_RuleSystem):
    """DBISEngineXVirtualBatchVault with its proof borrower and misbehaving flash borrowers."""

    name = "batch_vault"
    machine = VaultStateMachine

    def __init__(self, chain: FastChain) -> None:
        super().__init__(VaultHarness(chain))

    def operations(self) -> dict[str, tuple[int, Draw]]:
        return {
            "start": (4, lambda r: {"amount": r.choice([RUNBOOK_RESERVE, r.randint(1, 10**9)]),
                                    "bucket": r.choice([5 * UNIT, r.randint(0, 10**9)]),
                                    "seeded": r.random() < 0.75}),
            "seed": (4, lambda r: {"amount": _amount(r), "mode": r.choice(["equal"] * 4 + ["unequal", "zero"]),
                                   "delta": r.randint(1, 10)}),
            "withdraw_pool_liquidity": (3, lambda r: {"choice": _pick(r), "raw": _amount(r),
                                                      "skew": r.choice([0, 0, 0, 1, -1]),
                                                      "to_zero": r.random() < 0.5}),
            "fund_lender": (4, lambda r: {"amount": _amount(r), "zero": r.randint(0, 9)}),
            "withdraw_lender_usdc": (3, lambda r: {"choice": _pick(r), "raw": _amount(r)}),
            "set_flash_terms": (2, lambda r: {
                "cap": r.choice([0, _amount(r), UNIT, CAP_MAX, CAP_MAX + 1]),
                "fee_bps": r.choice([0, 0, 1, 9, 30, 100, r.randint(0, 101)])}),
            "proof": (10, lambda r: {"amount_out": _proof_out(r),
                                     "extra_in": r.choice([0, 0, r.randint(1, 10**6)]),
                                     "reuse": r.choice([None, None, r.randint(0, 1_000)]),
                                     "recipient": r.choice(["fresh"] * 6 + ["holder", "surplus", *RECIPIENTS]),
                                     "overask": r.randint(0, 9), "zero_hash": r.randint(0, 19)}),
            "runbook_proof": (3, lambda r: {"amount_out": r.choice([UNIT, 5_000_000_000 * UNIT])}),
            "flash_loan": (8, lambda r: {
                "borrower": r.choice(["proof"] * 4 + ["noop"] * 2 + list(BORROWERS)),
                "choice": _pick(r, "part part part all all all+1 raw zero"), "raw": _amount(r),
                "reuse": r.choice([None, None, None, r.randint(0, 1_000)]),
                "wrong_token": r.randint(0, 14), "float_topup": r.choice([0, 0, r.randint(1, 10**7)])}),
            "pause_or_unpause": (3, lambda r: {"action": r.choice(["pause", "unpause", "unpause", "unpause"])}),
            "donate": (2, lambda r: {"token": r.choice(DONATION_TOKENS), "amount": r.randint(1, 10**9)}),
            "rescue": (2, lambda r: {"token": r.choice(DONATION_TOKENS), "choice": _pick(r), "raw": _amount(r),
                                     "to_zero": r.randint(0, 9)}),
            "unauthorized": (2, lambda r: {"op": r.choice(["seed", "withdrawPool", "fund", "withdrawLender",
                                                           "terms", "proof", "pause", "unpause", "rescue"]),
                                           "amount": r.randint(1, 10**6)}),
        }


def _xaut(rng: random.Random) -> int:
    return rng.randint(1, rng.choice([1_000, 10 * UNIT, 200 * UNIT]))


def _usdc(rng: random.Random) -> int:
    return rng.randint(1, rng.choice([1_000, 10_000 * UNIT, 400_000 * UNIT]))


class BorrowVaultSystem(_RuleSystem):
    """DBISEngineXXautUsdcBorrowVault: collateral, debt with interest, price moves, liquidations."""

    name = "borrow_vault"
    machine = BorrowStateMachine

    def __init__(self, chain: FastChain) -> None:
        super().__init__(BorrowHarness(chain))

    def operations(self) -> dict[str, tuple[int, Draw]]:
        who = lambda r: r.choice(BORROW_ACTORS)  # noqa: E731
        return {
            "start": (4, lambda r: {"rate": r.choice([0, 0, 500, 5_000, 10_000]),
                                    "min_hf": r.choice([WAD, WAD, 11 * WAD // 10]),
                                    "cap": r.choice([500_000 * UNIT, 500_000 * UNIT, 20_000 * UNIT]),
                                    "funded": r.choice([1_000_000 * UNIT, r.randint(0, 50_000 * UNIT)])}),
            "deposit_collateral": (5, lambda r: {"who": who(r), "amount": _xaut(r), "zero": r.random() < 1 / 30}),
            "withdraw_collateral": (3, lambda r: {"who": who(r), "choice": _pick(r, "raw all all all+1 part part part zero"),
                                                  "raw": _xaut(r)}),
            "borrow": (5, lambda r: {"who": who(r), "choice": r.choice(["max", "max", "max+1", "part", "part", "raw", "zero"]),
                                     "raw": _usdc(r)}),
            "repay": (4, lambda r: {"who": who(r), "choice": r.choice(["all", "max", "part", "part", "part", "raw", "tiny", "zero"]),
                                    "raw": _usdc(r), "payer": r.choice([None, None, "liquidator", *BORROW_ACTORS])}),
            "set_price": (4, lambda r: {"move_bps": r.choice([r.randint(-1000, 1000), -1000, -700, 0, 1000,
                                                              r.randint(-9000, 20000)]),
                                        "zero": r.random() < 1 / 50}),
            "time_passes": (3, lambda r: {"seconds": r.choice([1, 12, 600, 3_599, 3_601, 86_400, 30 * 86_400,
                                                               365 * 86_400]),
                                          "refresh": r.randint(0, 3)}),
            "open_position": (4, lambda r: {"who": who(r), "collateral": r.choice([r.randint(1, 10 * UNIT),
                                                                                   r.randint(UNIT, 200 * UNIT)]),
                                            "share_bps": r.choice([10_000, 10_000, 9_999, 9_000, 5_000])}),
            "liquidate": (4, lambda r: {"who": who(r), "choice": r.choice(["max", "max", "max", "part", "part", "raw",
                                                                          "tiny", "zero"]), "raw": _usdc(r)}),
            "crash_and_liquidate": (3, lambda r: {"who": who(r), "steps": r.randint(1, 3),
                                                  "choice": r.choice(["max", "max", "part"]), "raw": _usdc(r)}),
            "fund_lender": (3, lambda r: {"amount": _usdc(r), "zero": r.random() < 1 / 20}),
            "withdraw_lender_usdc": (2, lambda r: {"choice": _pick(r, "raw all all all+1 part part part zero"),
                                                   "raw": _usdc(r)}),
            "unauthorized": (1, lambda r: {"op": r.choice(["fund", "withdrawLender", "price"]),
                                           "amount": r.randint(1, 10**6)}),
        }


def all_systems(chain: FastChain) -> list[Any]:
    """Every system, deployed together on `chain`."""
    from tests.campaign.conversion import ConversionSystem
    from tests.campaign.rail import RailSystem
    from tests.campaign.reserve import ReserveSystem

    reserve = ReserveSystem(chain)
    return [BatchVaultSystem(chain), BorrowVaultSystem(chain), reserve, RailSystem(chain, reserve.harness),
            ConversionSystem(chain)]


def campaign_chain() -> FastChain:
    """The one chain every system shares: chain id 138, the Rail's (the vaults do not depend on it)."""
    from dbis.rail.local import CHAIN_ID

    return FastChain(chain_id=CHAIN_ID)


__all__ = ["BatchVaultSystem", "BorrowVaultSystem", "all_systems", "PRICE0"]
