"""The fast engine (`dbis.engine`) that the property tests and the benchmarks run on.

Its gas figures are cross-checked against anvil by `python -m dbis.bench` (the proof and the
flash-loan round trip agree to the unit); here the per-transaction semantics that make those
figures right are pinned down on an OpenZeppelin ERC-20, whose costs are well known.
"""

from __future__ import annotations

import pytest

from dbis.engine import FastChain, Reverted, reverts


@pytest.fixture(scope="module")
def chain() -> FastChain:
    return FastChain()


@pytest.fixture
def token(chain: FastChain):
    snapshot = chain.snapshot()
    owner = chain.account("engine-owner")
    token = chain.deploy("TestERC20", "Token", "TOK", 6, sender=owner)
    token.mint(owner, 10**12, sender=owner)
    yield token
    chain.revert(snapshot)


def test_views_return_decoded_values(chain: FastChain, token) -> None:
    owner = chain.account("engine-owner")
    assert token.balanceOf(owner) == 10**12
    assert token.symbol() == "TOK"
    assert token.decimals() == 6


def test_transfer_gas_is_a_mainnet_receipt(chain: FastChain, token) -> None:
    """21,000 + calldata + cold accesses + EIP-2200 storage pricing, per transaction."""
    owner, bob = chain.account("engine-owner"), chain.account("engine-bob")
    first = token.transfer(bob, 10, sender=owner)  # bob's balance: zero -> nonzero
    second = token.transfer(bob, 10, sender=owner)  # nonzero -> nonzero, in a new transaction
    third = token.transfer(bob, 10, sender=owner)
    assert first.gas_used == 51_553
    assert second.gas_used == third.gas_used == 34_453  # nothing stays warm between transactions
    assert first.return_value is True


def test_refund_is_capped_and_counted(chain: FastChain, token) -> None:
    owner, bob = chain.account("engine-owner"), chain.account("engine-bob")
    token.transfer(bob, 10, sender=owner)
    back = token.transfer(owner, 10, sender=bob)  # bob's slot back to zero: 4,800 refunded
    assert back.refund == 4_800
    assert back.gas_used == back.execution_gas + 21_000 + _calldata_gas(token, owner) - 4_800


def _calldata_gas(token, to) -> int:
    data = token.transfer.encode(to, 10)
    return sum(4 if b == 0 else 16 for b in data)


def test_custom_errors_are_decoded_with_arguments(chain: FastChain, token) -> None:
    owner, bob = chain.account("engine-owner"), chain.account("engine-bob")
    with reverts("ERC20InsufficientBalance", owner, 10**12, 10**13):
        token.transfer(bob, 10**13, sender=owner)
    with pytest.raises(AssertionError, match="expected revert ERC20InvalidReceiver"):
        with reverts("ERC20InvalidReceiver"):
            token.transfer(bob, 10**13, sender=owner)
    with pytest.raises(AssertionError, match="none happened"):
        with reverts():
            token.transfer(bob, 1, sender=owner)


def test_a_revert_changes_nothing(chain: FastChain, token) -> None:
    owner, bob = chain.account("engine-owner"), chain.account("engine-bob")
    with pytest.raises(Reverted) as info:
        token.transfer(bob, 10**13, sender=owner)
    assert info.value.name == "ERC20InsufficientBalance"
    assert info.value.gas_used > 21_000
    assert token.balanceOf(owner) == 10**12 and token.balanceOf(bob) == 0


def test_logs_are_decoded(chain: FastChain, token) -> None:
    owner, bob = chain.account("engine-owner"), chain.account("engine-bob")
    receipt = token.transfer(bob, 7, sender=owner)
    (log,) = receipt.events("Transfer")
    assert log.address == token.address
    assert log.args == {"from": owner, "to": bob, "value": 7}


def test_snapshot_revert_and_call(chain: FastChain, token) -> None:
    owner, bob = chain.account("engine-owner"), chain.account("engine-bob")
    snapshot = chain.snapshot()
    token.transfer(bob, 5, sender=owner)
    assert token.transfer.call(bob, 5, sender=owner) is True  # simulated, not kept
    assert token.balanceOf(bob) == 5
    chain.revert(snapshot)
    assert token.balanceOf(bob) == 0
    with chain.anchor():
        token.transfer(bob, 5, sender=owner)
        assert token.balanceOf(bob) == 5
    assert token.balanceOf(bob) == 0
