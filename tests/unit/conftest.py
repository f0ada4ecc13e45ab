"""Fixtures of the Engine X unit tests; the helpers they use live in `support.py`."""

from __future__ import annotations

import pytest

from .support import (
    FLASH_FEE_BPS,
    LENDER_BUCKET,
    RESERVE,
    UNIT,
    ErrorRegistry,
    deploy_vault,
    fund_operator,
    grant_roles,
    make_scene,
)

# ---------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def registry(project):
    return ErrorRegistry(project)


@pytest.fixture(scope="session")
def actors(accounts):
    names = ["admin", "operator", "pauser", "stranger", "surplus", "rounding", "recipient",
             "recipient2", "borrower_owner", "spare"]
    return dict(zip(names, accounts[: len(names)]))


def _deployed(project, actors):
    """Test tokens and a vault with roles granted, the operator funded and approved."""
    a = actors
    cw = project.TestERC20.deploy("Wrapped cUSDC", "cWUSDC", 6, sender=a["admin"])
    usdc = project.TestERC20.deploy("USD Coin", "USDC", 6, sender=a["admin"])
    vault = deploy_vault(project, actors, cw, usdc)
    grant_roles(vault, actors)
    fund_operator(vault, cw, usdc, a["operator"])
    return cw, usdc, vault


@pytest.fixture(scope="module")
def _fresh(project, chain, registry, actors):
    """Deployed vault, roles granted, operator funded and approved; nothing seeded."""
    cw, usdc, vault = _deployed(project, actors)
    return make_scene(project, chain, registry, actors, vault, cw, usdc)


@pytest.fixture(scope="module")
def _scene(project, chain, registry, actors):
    """The runbook's state: 85.763529/85.763529 pool, 5 USDC lender bucket, 9 bps flash fee,
    an allowlisted honest borrower holding 1 USDC of fee float."""
    a = actors
    cw, usdc, vault = _deployed(project, actors)
    vault.seedPool(RESERVE, RESERVE, sender=a["operator"])
    vault.fundLender(LENDER_BUCKET, sender=a["operator"])
    vault.setFlashTerms(0, FLASH_FEE_BPS, sender=a["admin"])
    s = make_scene(project, chain, registry, actors, vault, cw, usdc)
    s.honest = project.HonestFlashBorrower.deploy(sender=a["admin"])
    vault.setFlashBorrower(s.honest, True, sender=a["admin"])
    usdc.mint(s.honest, UNIT, sender=a["admin"])
    s.watch(s.honest)
    return s


@pytest.fixture
def fresh(_fresh):
    return _fresh.copy()


@pytest.fixture
def scene(_scene):
    return _scene.copy()
