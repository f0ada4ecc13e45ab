"""Fixtures of the XAUt/USDC borrow-vault unit tests; strict revert decoding from tests.unit.support."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from eth_abi import encode as abi_encode
from hexbytes import HexBytes

from tests.unit.support import (
    ADMIN_DELAY,
    UINT256_MAX,
    ErrorRegistry,
    StrictReverts,
    addr,
    batch_call,
    selector,
)
from eth_utils import keccak

from tests.constants import BPS, PRICE_UNIT, RAY, UNIT, WAD, YEAR  # noqa: F401 - re-exported to the tests

PRICE = 2000 * PRICE_UNIT  # $2,000 per XAUt
OPERATOR_ROLE = keccak(text="OPERATOR_ROLE")
PAUSER_ROLE = keccak(text="PAUSER_ROLE")
PRICE_UPDATER_ROLE = keccak(text="PRICE_UPDATER_ROLE")
ZERO_ADDRESS = "0x" + "00" * 20
FUNDED = 1_000_000 * UNIT
# ltv, threshold, bonus, closeFactor, minHF, borrowCap, rateBps
RISK = (7000, 7500, 500, 5000, WAD, 500_000 * UNIT, 0)
# maxPriceAge, maxPriceMoveBps, feed, feedMaxAge
PRICE_PARAMS = (3600, 1000, ZERO_ADDRESS, 0)


@dataclass
class BorrowScene(StrictReverts):
    project: Any
    chain: Any
    registry: ErrorRegistry
    vault: Any
    xaut: Any
    usdc: Any
    a: dict
    proofs: list = field(default_factory=list)

    GETTERS = [
        ("totalCollateral", "uint128"), ("totalDebtShares", "uint128"), ("lenderUsdcIdle", "uint128"),
        ("badDebt", "uint128"), ("borrowIndex", "uint128"), ("lastAccrual", "uint40"),
        ("ownerPrice", "uint128"), ("ownerPriceUpdatedAt", "uint48"), ("paused", "bool"),
        ("feedDecimals", "uint8"), ("riskParams", "(uint16,uint16,uint16,uint16,uint64,uint128,uint16)"),
        ("priceParams", "(uint32,uint16,address,uint32)"),
    ]

    def state(self) -> dict:
        v = self.vault
        calls = [(n, v.address, selector(f"{n}()"), t) for n, t in self.GETTERS]
        for name, who in self.a.items():
            calls.append((f"position({name})", v.address,
                          selector("position(address)") + abi_encode(["address"], [addr(who)]),
                          "(uint256,uint256,uint256)"))
        for name, who in [*self.a.items(), ("vault", v)]:
            for label, tok in (("xaut", self.xaut), ("usdc", self.usdc)):
                calls.append((f"{label}.balanceOf({name})", tok.address,
                              selector("balanceOf(address)") + abi_encode(["address"], [addr(who)]), "uint256"))
        for p in self.proofs:
            calls.append((f"proof({p.hex()})", v.address,
                          selector("repaymentProofs(bytes32)") + abi_encode(["bytes32"], [p]), "bytes32"))
        return dict(zip([c[0] for c in calls], batch_call(self.chain, calls)))

    def static(self, method: str, *args, sender=None):
        data = getattr(self.vault, method).encode_input(*args)
        tx = {"to": self.vault.address, "data": HexBytes(data).to_0x_hex()}
        if sender is not None:
            tx["from"] = addr(sender)
        return self.chain.provider.web3.eth.call(tx)

    # ---- helpers
    def now(self) -> int:
        return self.chain.provider.web3.eth.get_block("latest")["timestamp"]

    def set_price(self, px: int):
        return self.vault.setPrice(px, sender=self.a["pricer"])

    def deposit(self, who: str, amount: int):
        return self.vault.depositCollateral(amount, sender=self.a[who])

    def borrow(self, who: str, amount: int):
        return self.vault.borrow(amount, self.a[who], sender=self.a[who])

    def pos(self, who: str):
        return tuple(self.vault.position(self.a[who]))

    def walk_price(self, target: int):
        """Move the owner price to `target` in steps of at most 10%."""
        px = self.vault.ownerPrice()
        while px != target:
            step = px // 10
            px = max(target, px - step) if target < px else min(target, px + step)
            self.set_price(px)


@pytest.fixture(scope="session")
def registry(project):
    return ErrorRegistry(project)


@pytest.fixture(scope="session")
def actors(accounts):
    names = ["admin", "operator", "pricer", "pauser", "alice", "bob", "liquidator", "stranger"]
    return dict(zip(names, accounts[: len(names)]))


def deploy_usdc(project, admin, kind):
    if kind == "plain":
        return project.TestERC20.deploy("USD Coin", "USDC", 6, sender=admin)
    if kind == "blacklist":
        return project.BlacklistERC20.deploy("USD Coin", "USDC", sender=admin)
    if kind == "noreturn":
        return project.NoReturnERC20.deploy(sender=admin)
    raise ValueError(kind)


def build_scene(project, chain, registry, actors, usdc_kind="plain", xaut=None, risk=RISK) -> BorrowScene:
    a = actors
    admin = a["admin"]
    xaut = xaut or project.TestERC20.deploy("Tether Gold", "XAUt", 6, sender=admin)
    usdc = deploy_usdc(project, admin, usdc_kind)
    vault = project.DBISEngineXXautUsdcBorrowVault.deploy(
        xaut, usdc, admin, ADMIN_DELAY, risk, PRICE_PARAMS, sender=admin)
    vault.grantRole(OPERATOR_ROLE, a["operator"], sender=admin)
    vault.grantRole(PAUSER_ROLE, a["pauser"], sender=admin)
    vault.grantRole(PRICE_UPDATER_ROLE, a["pricer"], sender=admin)
    vault.setPrice(PRICE, sender=a["pricer"])
    for name in ("operator", "alice", "bob", "liquidator", "stranger"):
        xaut.mint(a[name], 1_000 * UNIT, sender=admin)
        usdc.mint(a[name], 10_000_000 * UNIT, sender=admin)
        xaut.approve(vault, UINT256_MAX, sender=a[name])
        usdc.approve(vault, UINT256_MAX, sender=a[name])
    vault.fundLender(FUNDED, sender=a["operator"])
    return BorrowScene(project, chain, registry, vault, xaut, usdc, dict(a))


@pytest.fixture(scope="module")
def _scene(project, chain, registry, actors):
    return build_scene(project, chain, registry, actors)


@pytest.fixture
def scene(_scene):
    s = BorrowScene(_scene.project, _scene.chain, _scene.registry, _scene.vault, _scene.xaut,
                    _scene.usdc, dict(_scene.a))
    s.set_price(PRICE)  # a fresh price at the start of every test whatever time earlier tests moved
    return s
