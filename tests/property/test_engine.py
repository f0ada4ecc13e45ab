"""The fast engine (`dbis.engine`) that the property tests and the benchmarks run on.

Its gas figures are cross-checked against anvil by `python -m dbis.bench` (the proof and the
flash-loan round trip agree to the unit); here the per-transaction semantics that make those
figures right are pinned down on an OpenZeppelin ERC-20, whose costs are well known.
"""

from __future__ import annotations

import pytest

from dbis.artifacts import Artifact
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


def _raw_artifact(name: str, runtime: bytes, init: bytes = b"") -> Artifact:
    """A contract from hand-assembled bytecode: `init` runs, then `runtime` is returned."""
    assert len(runtime) < 256 and len(init) < 256 - 11
    # PUSH1 len DUP1 PUSH1 offset PUSH1 0 CODECOPY PUSH1 0 RETURN (11 bytes), then the runtime.
    copier = bytes.fromhex(f"60{len(runtime):02x}8060{len(init) + 11:02x}6000396000f3")
    return Artifact(name=name, source_id="", abi=[], bytecode=init + copier + runtime,
                    runtime_bytecode=runtime)


# A child whose constructor stores 42 in slot 0 and whose runtime is STOP.
_CHILD_INIT = bytes.fromhex("602a600055" "6001601160003960016000f3" "00")
# On every call: CREATE a child (the init code is pushed and stored in memory), keep its address
# in slot 1.
_FACTORY = bytes.fromhex("71") + _CHILD_INIT + bytes.fromhex("600052" "6012600e6000f0" "600155" "00")


def _addr(word: int) -> str:
    return f"0x{word:040x}"


def test_contract_creations_inside_a_transaction_are_kept_and_reverted(chain: FastChain) -> None:
    """The engine copies every change of a transaction out of revm's journal: storage, nonces
    and the code of contracts created by contracts; snapshots undo all of it."""
    owner = chain.account("engine-factory-owner")
    snapshot = chain.snapshot()
    factory = chain.deploy(_raw_artifact("Factory", _FACTORY), sender=owner)
    chain.transact_raw(factory, b"", sender=owner)
    first = chain.get_storage(factory, 1)
    assert first and chain.get_storage(_addr(first), 0) == 42
    inner = chain.snapshot()
    chain.transact_raw(factory, b"", sender=owner)
    second = chain.get_storage(factory, 1)
    assert second not in (0, first) and chain.get_storage(_addr(second), 0) == 42
    # The first child's code is STOP: calling it succeeds and changes nothing.
    assert chain.transact_raw(_addr(first), b"", sender=owner).gas_used == 21_000
    chain.revert(inner)
    assert chain.get_storage(factory, 1) == first and chain.get_storage(_addr(second), 0) == 0
    chain.transact_raw(factory, b"", sender=owner)  # the factory's nonce was restored too
    assert chain.get_storage(factory, 1) == second
    chain.revert(snapshot)
    assert chain.get_storage(factory, 1) == 0 and chain.get_storage(_addr(first), 0) == 0


def test_selfdestruct_moves_the_balance_and_deletes_the_account(chain: FastChain) -> None:
    owner, heir = chain.account("engine-sd-owner"), chain.account("engine-sd-heir", ether=0)
    with chain.anchor():
        runtime = bytes.fromhex("73") + heir.canonical_address + bytes.fromhex("ff")  # SELFDESTRUCT(heir)
        doomed = chain.deploy(_raw_artifact("Doomed", runtime, init=bytes.fromhex("602a600155")),
                              sender=owner, value=7)
        assert chain.balance(doomed) == 7 and chain.get_storage(doomed, 1) == 42
        chain.transact_raw(doomed, b"", sender=owner)
        assert chain.balance(heir) == 7 and chain.balance(doomed) == 0
        assert chain.get_storage(doomed, 1) == 0
        # No code left: a call is a plain transfer of nothing.
        assert chain.transact_raw(doomed, b"", sender=owner).gas_used == 21_000
    assert chain.balance(heir) == 0


def test_failed_view_and_out_of_gas(chain: FastChain, token) -> None:
    owner = chain.account("engine-owner")
    with reverts() as caught:
        token.transfer(chain.account("engine-bob"), 1, sender=owner, gas=30_000)
    assert caught[0].gas_used == 30_000  # out of gas: the whole limit is spent
    assert token.balanceOf(owner) == 10**12
