"""Helpers of the Engine X unit tests (vault + flash proof borrower): constants, the `Scene`
(one deployed vault and its actors), strict revert decoding and state snapshots.

Every refusal in these tests is checked twice: the revert must carry the expected custom error
(decoded strictly by selector, with its arguments), and the observable state (reserves, lender
bucket, configuration, token balances, proof IDs) must be identical before and after.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import keccak, to_checksum_address
from hexbytes import HexBytes

from tests.constants import ADMIN_DELAY, UINT104_MAX, UINT128_MAX, UINT256_MAX, UNIT  # noqa: F401 - re-exported

try:  # the harness is installed editable by `make setup`; fall back to the checkout
    from dbis import ladder
except ImportError:  # pragma: no cover
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from dbis import ladder

__all__ = ["ladder"]  # re-exported: the tests' reference model of the vault's preview

# ---------------------------------------------------------------------------- constants

RESERVE = 85_763_529  # the runbook's pool: 85.763529 cWUSDC / 85.763529 USDC
LENDER_BUCKET = 5 * UNIT  # the runbook's 5 USDC lender bucket
VIRTUAL_FEE_BPS = 5
MAX_LOSS_BPS = 10  # a 1 cWUSDC proof shows exactly 10 bps at a 5 bps fee (boundary)
FLASH_FEE_BPS = 9
CALLBACK_SUCCESS = keccak(text="ERC3156FlashBorrower.onFlashLoan")
OPERATOR_ROLE = keccak(text="OPERATOR_ROLE")
PAUSER_ROLE = keccak(text="PAUSER_ROLE")
DEFAULT_ADMIN_ROLE = b"\x00" * 32
ZERO_ADDRESS = "0x" + "00" * 20
ZERO32 = b"\x00" * 32


def h(label: str) -> bytes:
    """A deterministic nonzero bytes32 (proof IDs and hashes)."""
    return keccak(text=label)


def addr(x: Any) -> str:
    return x.address if hasattr(x, "address") else to_checksum_address(x)


# ---------------------------------------------------------------------------- revert decoding

_BUILTIN = {
    keccak(text="Error(string)")[:4]: ("Error", ["message"], ["string"]),
    keccak(text="Panic(uint256)")[:4]: ("Panic", ["code"], ["uint256"]),
}


class ErrorRegistry:
    """Every custom error of every compiled contract, by selector."""

    def __init__(self, project):
        self.by_selector: dict[bytes, tuple[str, list[str], list[str]]] = dict(_BUILTIN)
        for container in project.contracts.values():
            for err in container.contract_type.errors:
                sel = keccak(text=err.selector)[:4]
                self.by_selector[sel] = (
                    err.name,
                    [i.name for i in err.inputs],
                    [i.canonical_type for i in err.inputs],
                )

    def decode(self, data: bytes) -> tuple[str, dict[str, Any]]:
        data = bytes(data)
        if len(data) < 4 or data[:4] not in self.by_selector:
            raise AssertionError(f"unknown revert data 0x{data.hex()}")
        name, names, types = self.by_selector[data[:4]]
        values = abi_decode(types, data[4:])
        return name, {n: _norm(t, v) for n, t, v in zip(names, types, values)}


def _norm(abi_type: str, value: Any) -> Any:
    if abi_type == "address":
        return to_checksum_address(value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    return value


def _norm_expected(value: Any) -> Any:
    if hasattr(value, "address"):
        return value.address
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return to_checksum_address(value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    return value


def _replayed_revert_data(chain, exc: BaseException) -> str | None:
    """Revert data of a mined, failed transaction, by replaying it on the state before it.

    Ape sometimes raises a bare TransactionError without the data (seen for constructor reverts
    whose data holds the address being created); anvil mines one transaction per block, so an
    eth_call at the previous block reproduces the revert exactly.
    """
    from web3.exceptions import ContractCustomError, ContractLogicError as Web3LogicError

    txn = getattr(exc, "txn", None)
    try:
        tx_hash = txn.txn_hash
    except Exception:  # noqa: BLE001
        return None
    w3 = chain.provider.web3
    tx = w3.eth.get_transaction(tx_hash)
    call = {"from": tx["from"], "data": tx["input"], "value": tx["value"], "gas": tx["gas"]}
    if tx.get("to"):
        call["to"] = tx["to"]
    try:
        w3.eth.call(call, tx["blockNumber"] - 1)
    except ContractCustomError as err:
        return err.data
    except Web3LogicError as err:
        return err.data if isinstance(err.data, str) else None
    return None


def _revert_of(exc: BaseException, registry: ErrorRegistry, chain=None) -> tuple[str, dict[str, Any]]:
    """(error name, inputs) of a revert, whatever path ape/web3 raised it through."""
    from ape.exceptions import CustomError

    if isinstance(exc, CustomError):
        return exc.abi.name, {k: _norm_expected(v) for k, v in exc.inputs.items()}
    # Raw revert data: web3's ContractCustomError (our static calls) or ape's undecoded error.
    candidates = [getattr(exc, "data", None), getattr(getattr(exc, "base_err", None), "data", None),
                  getattr(exc, "revert_message", None)]
    if chain is not None:
        candidates.append(lambda: _replayed_revert_data(chain, exc))
    for candidate in candidates:
        if callable(candidate):
            candidate = candidate()
        if isinstance(candidate, str) and candidate.startswith("0x"):
            try:
                return registry.decode(HexBytes(candidate))
            except (ValueError, AssertionError):
                continue
    message = getattr(exc, "revert_message", None) or str(exc)
    return "Error", {"message": message}


# ---------------------------------------------------------------------------- scene


class StrictReverts:
    """Refusal checks for a scene with `registry`, `chain` and a `state()` snapshot.

    `reverts`: the block must revert with one custom error, decoded strictly by selector, with
    these argument values. `refused`: the same, and the observable state is unchanged."""

    registry: ErrorRegistry
    chain: Any

    def state(self) -> dict:  # pragma: no cover - every scene defines it
        raise NotImplementedError

    @contextmanager
    def reverts(self, name: str, **inputs):
        """The block must revert with custom error `name` (and these argument values)."""
        try:
            yield
        except AssertionError:
            raise
        except Exception as exc:  # noqa: BLE001 - ape, web3 and provider errors alike
            actual, actual_inputs = _revert_of(exc, self.registry, self.chain)
            assert actual == name, f"expected revert {name}{inputs or ''}, got {actual}{actual_inputs}"
            for key, expected in inputs.items():
                assert key in actual_inputs, f"{name} has no input {key!r} ({actual_inputs})"
                assert actual_inputs[key] == _norm_expected(expected), (
                    f"{name}.{key}: expected {expected!r}, got {actual_inputs[key]!r}"
                )
        else:
            raise AssertionError(f"expected revert {name}, but nothing reverted")

    @contextmanager
    def refused(self, name: str, **inputs):
        """`reverts`, plus: the observable state is exactly what it was before."""
        before = self.state()
        with self.reverts(name, **inputs):
            yield
        after = self.state()
        changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        assert not changed, f"state changed by a refused call: {changed}"


@dataclass
class Scene(StrictReverts):
    """One deployed vault with its tokens, actors and probes of its observable state."""

    project: Any
    chain: Any
    registry: ErrorRegistry
    vault: Any
    cw: Any
    usdc: Any
    admin: Any
    operator: Any
    pauser: Any
    stranger: Any
    surplus: Any
    rounding: Any
    recipient: Any
    holders: list = field(default_factory=list)
    proof_ids: list = field(default_factory=list)
    extra_probes: list = field(default_factory=list)
    honest: Any = None

    def copy(self) -> "Scene":
        """Per-test copy: `watch` on it never leaks into the next test."""
        return replace(self, holders=list(self.holders), proof_ids=list(self.proof_ids),
                       extra_probes=list(self.extra_probes))

    # ---- state

    VAULT_GETTERS = [
        ("poolCwusdcReserve", "uint128"), ("poolUsdcReserve", "uint128"),
        ("lenderUsdcAvailable", "uint128"), ("maxFlashLoanCap", "uint104"), ("flashFeeBps", "uint16"),
        ("paused", "bool"), ("surplusReceiver", "address"), ("roundingReceiver", "address"),
    ]

    def state(self) -> dict:
        """Everything a refused call must leave alone, read in one batched JSON-RPC round trip."""
        v = self.vault
        calls: list[tuple[str, str, bytes, str]] = [
            (name, v.address, selector(f"{name}()"), out) for name, out in self.VAULT_GETTERS
        ]
        for who in [v, self.admin, self.operator, self.pauser, self.stranger, self.surplus,
                    self.rounding, self.recipient, *self.holders]:
            for label, tok in (("cw", self.cw), ("usdc", self.usdc)):
                calls.append((f"{label}.balanceOf({addr(who)})", tok.address,
                              selector("balanceOf(address)") + abi_encode(["address"], [addr(who)]),
                              "uint256"))
        for pid in self.proof_ids:
            calls.append((f"proofIdUsed({HexBytes(pid).hex()})", v.address,
                          selector("proofIdUsed(bytes32)") + abi_encode(["bytes32"], [bytes(pid)]), "bool"))
        snap = dict(zip([c[0] for c in calls], batch_call(self.chain, calls)))
        for name, probe in self.extra_probes:
            snap[name] = probe()
        return snap

    def watch(self, *holders, proof_ids=(), probes=()):
        """Add holders, proof IDs and (name, callable) probes to the state snapshot."""
        self.holders.extend(holders)
        self.proof_ids.extend(proof_ids)
        self.extra_probes.extend(probes)

    def static(self, contract, method: str, *args, sender=None):
        """eth_call straight through web3 so that a view's revert data arrives undamaged."""
        data = getattr(contract, method).encode_input(*args)
        tx = {"to": contract.address, "data": HexBytes(data).to_0x_hex()}
        if sender is not None:
            tx["from"] = addr(sender)
        return self.chain.provider.web3.eth.call(tx)

    # ---- actions

    def proof(self, recipient, amount_in, amount_out, label, *, sender=None, hashes=None):
        iso, audit, peg = hashes or (h(f"{label}/iso"), h(f"{label}/audit"), h(f"{label}/peg"))
        return self.vault.runVirtualProofExactOutTo(
            recipient, amount_in, amount_out, h(label), iso, audit, peg, sender=sender or self.operator
        )


def selector(signature: str) -> bytes:
    return keccak(text=signature)[:4]


def batch_call(chain, calls) -> list:
    """eth_call every (label, to, calldata, output type) in one JSON-RPC batch; decoded outputs."""
    provider = chain.provider.web3.provider
    requests = [("eth_call", [{"to": to, "data": "0x" + data.hex()}, "latest"]) for _, to, data, _ in calls]
    responses = provider.make_batch_request(requests)
    out = []
    for (label, _, _, out_type), response in zip(calls, responses, strict=True):
        if "error" in response:
            raise AssertionError(f"state probe {label} failed: {response['error']}")
        (value,) = abi_decode([out_type], HexBytes(response["result"]))
        out.append(_norm(out_type, value))
    return out


def events(receipt, event_type) -> list[dict]:
    """Arguments of every `event_type` log in `receipt`, in order."""
    return [dict(log.event_arguments) for log in event_type.from_receipt(receipt)]


def execution_gas(receipt) -> int:
    """Gas used minus the intrinsic cost (21,000 + calldata), i.e. what the EVM executed."""
    data = bytes(receipt.transaction.data)
    intrinsic = 21_000 + sum(16 if b else 4 for b in data)
    return receipt.gas_used - intrinsic


def find_slot(chain, address: str, value: int, max_slot: int = 32) -> int:
    """Index of the first storage slot of `address` holding exactly `value`."""
    for slot in range(max_slot):
        raw = chain.provider.web3.eth.get_storage_at(address, slot)
        if int.from_bytes(raw, "big") == value:
            return slot
    raise AssertionError(f"no storage slot of {address} holds {value:#x}")


# ---------------------------------------------------------------------------- deployment


def deploy_vault(project, actors, cw, usdc, *, fee_bps=VIRTUAL_FEE_BPS, max_loss_bps=MAX_LOSS_BPS,
                 admin=None):
    """Deploy a vault over `cw`/`usdc` with the suite's receivers and admin delay."""
    a = actors
    admin_addr = admin if admin is not None else a["admin"]
    vault = project.DBISEngineXVirtualBatchVault.deploy(
        cw, usdc, admin_addr, ADMIN_DELAY, a["surplus"], a["rounding"], fee_bps, max_loss_bps,
        sender=a["admin"],
    )
    return vault


def grant_roles(vault, actors):
    """OPERATOR_ROLE to the operator, PAUSER_ROLE to the pauser (the admin holds neither)."""
    a = actors
    vault.grantRole(OPERATOR_ROLE, a["operator"], sender=a["admin"])
    vault.grantRole(PAUSER_ROLE, a["pauser"], sender=a["admin"])


def make_scene(project, chain, registry, actors, vault, cw, usdc) -> Scene:
    """Wrap a deployed vault and the named actors into a `Scene`."""
    a = actors
    return Scene(
        project=project, chain=chain, registry=registry, vault=vault, cw=cw, usdc=usdc,
        admin=a["admin"], operator=a["operator"], pauser=a["pauser"], stranger=a["stranger"],
        surplus=a["surplus"], rounding=a["rounding"], recipient=a["recipient"],
    )


def fund_operator(vault, cw, usdc, operator, amount_cw=10**17, amount_usdc=10**14):
    """Mint both tokens to the operator and approve the vault for all of them."""
    cw.mint(operator, amount_cw, sender=operator)
    usdc.mint(operator, amount_usdc, sender=operator)
    cw.approve(vault, UINT256_MAX, sender=operator)
    usdc.approve(vault, UINT256_MAX, sender=operator)
