"""A fast in-process EVM for tests and benchmarks, built on revm (through pyrevm; no block mining).

Ape's local provider mines a block per transaction and talks JSON-RPC to a node; that is right
for integration tests and demos but far too slow for property tests that run thousands of
transactions. `FastChain` runs the same compiled bytecode (read from Ape's build manifest through
:mod:`dbis.artifacts`) directly in revm, a Rust EVM, with the project's hardfork (Shanghai, as
`evm_version` in ape-config.yaml and anvil's `--hardfork`):

    chain = FastChain()
    owner = chain.account("owner")
    token = chain.deploy("TestERC20", "USD Coin", "USDC", 6, sender=owner)
    receipt = token.mint(owner, 10**6, sender=owner)        # state change -> Receipt
    assert token.balanceOf(owner) == 10**6                    # view -> decoded value
    with reverts("ERC20InsufficientBalance"):                 # custom errors decoded by name
        token.transfer(chain.account("bob"), 10**7, sender=owner)

Gas is accounted by revm as a transaction would be on mainnet (the figure a receipt shows): the
intrinsic cost (21,000 + calldata, + creation and EIP-3860 init-code words for a deployment) plus
the execution gas, minus the refund capped at one fifth (EIP-3529). Every transaction starts
fresh: warm/cold access sets (EIP-2929), the EIP-2200 "original" storage values and the logs are
those of a new transaction, with the sender, the target and the coinbase warm (EIP-2929/3651).
Calls never mine blocks, and senders need no keys or ether (the gas price is zero).

How the state is kept (pyrevm 0.3 keeps every change in revm's journal and never ends a
transaction, so accounts and slots would stay warm and "original" values would go stale):
the canonical state lives in revm's in-memory database. Each transaction runs inside a journal
checkpoint; its writes (read from the journal) are copied into the database, the checkpoint is
reverted (the journal is empty again: the next transaction finds everything cold, with originals
= current values), and an undo log kept here makes `snapshot()`/`revert()` work on the database.
A Python mirror of every written slot and account makes `get_storage`/`balance` free.

ABI values are coded by titanoboa's codec (eth-stdlib) and addresses are its `Address` (a
checksummed `str`), with a word-by-word fast path for static elementary types (same results).
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from boa.util.abi import Address, abi_decode, abi_encode
from eth_utils import keccak
from pyrevm import EVM, AccountInfo, BlockEnv, CfgEnv, Env

from dbis import artifacts
from dbis.abi import abi_type, signature
from dbis.artifacts import Artifact

__all__ = [
    "Contract",
    "ContractFunction",
    "DecodedError",
    "FastChain",
    "Log",
    "Receipt",
    "Reverted",
    "reverts",
]

SPEC_ID = "Shanghai"  # revm's name for the hardfork (case-sensitive: unknown names mean "latest")
TX_GAS = 21_000
CREATE_GAS = 32_000
INITCODE_WORD_GAS = 2
CALLDATA_ZERO_GAS = 4
CALLDATA_NONZERO_GAS = 16
DEFAULT_TX_GAS = 30_000_000
BLOCK_GAS_LIMIT = 200_000_000
CHAIN_ID = 1
DEFAULT_ETHER = 10**24

_ERROR_STRING = bytes.fromhex("08c379a0")  # Error(string)
_PANIC = bytes.fromhex("4e487b71")  # Panic(uint256)


# ---------------------------------------------------------------------------------- ABI helpers


def _schema(params: Sequence[dict[str, Any]]) -> str:
    return "(" + ",".join(abi_type(p) for p in params) + ")"


def _to_abi(value: Any) -> Any:
    """Contract handles become their address; tuples/lists are converted element-wise."""
    if isinstance(value, Contract):
        return value.address
    if isinstance(value, (list, tuple)):
        return type(value)(_to_abi(v) for v in value)
    return value


_ELEMENTARY = re.compile(r"(u?int)(\d*)|(address)|(bool)|bytes(\d+)")


def _word_codec(typ: str) -> tuple[Any, Any] | None:
    """(encode, decode) of one static elementary type, or None (then the generic codec is used).

    `encode(value)` returns the 32-byte word or None when the value is not one it handles
    exactly like the generic encoder would (then the generic encoder runs, and raises what it
    raises); `decode(word)` returns the value or `_NO_FAST` when the word is outside the type's
    bounds (the generic decoder then raises its DecodeError).
    """
    match = _ELEMENTARY.fullmatch(typ)
    if match is None:
        return None
    kind, bits, address, boolean, size = match.groups()
    if kind == "uint":
        top = 1 << int(bits or 256)

        def enc_uint(v: Any) -> bytes | None:
            return v.to_bytes(32, "big") if type(v) is int and 0 <= v < top else None

        def dec_uint(w: bytes) -> Any:
            v = int.from_bytes(w, "big")
            return v if v < top else _NO_FAST

        return enc_uint, dec_uint
    if kind == "int":
        half = 1 << (int(bits or 256) - 1)

        def enc_int(v: Any) -> bytes | None:
            return v.to_bytes(32, "big", signed=True) if type(v) is int and -half <= v < half else None

        def dec_int(w: bytes) -> Any:
            v = int.from_bytes(w, "big", signed=True)
            return v if -half <= v < half else _NO_FAST

        return enc_int, dec_int
    if address:

        def enc_address(v: Any) -> bytes | None:
            return _ADDRESS_PAD + v.canonical_address if type(v) is Address else None

        def dec_address(w: bytes) -> Any:
            return Address(w[12:]) if w[:12] == _ADDRESS_PAD else _NO_FAST

        return enc_address, dec_address
    if boolean:

        def enc_bool(v: Any) -> bytes | None:
            return (_TRUE if v else _FALSE) if type(v) is bool else None

        def dec_bool(w: bytes) -> Any:
            return True if w == _TRUE else False if w == _FALSE else _NO_FAST

        return enc_bool, dec_bool
    n = int(size)
    pad = bytes(32 - n)

    def enc_bytes(v: Any) -> bytes | None:
        if type(v) is str and len(v) == 2 + 2 * n and v[:2] in ("0x", "0X"):  # 0x-hex text of the value
            v = bytes.fromhex(v[2:])
        return v + pad if type(v) is bytes and len(v) == n else None

    def dec_bytes(w: bytes) -> Any:
        return w[:n] if w[n:] == pad else _NO_FAST

    return enc_bytes, dec_bytes


_NO_FAST = object()
_ADDRESS_PAD = bytes(12)
_TRUE, _FALSE = (1).to_bytes(32, "big"), bytes(32)
_codecs: dict[str, tuple[Any, Any]] = {}


def codec(types: Sequence[str]) -> tuple[Any, Any]:
    """(encode(values) -> bytes, decode(data) -> tuple) of the ABI tuple `(types...)`.

    Tuples of static elementary types (uintN, intN, address, bool, bytesN) are coded word by
    word here; anything else, and any value or word the fast path does not take as is, goes to
    the generic codec (titanoboa's, eth-stdlib), so results and errors are the generic ones.
    """
    schema = "(" + ",".join(types) + ")"
    cached = _codecs.get(schema)
    if cached is not None:
        return cached
    words = [_word_codec(t) for t in types]
    if any(w is None for w in words):
        pair = (lambda values: abi_encode(schema, _to_abi(values)), lambda data: abi_decode(schema, data))
    else:
        encoders = [w[0] for w in words]
        decoders = [w[1] for w in words]
        size = 32 * len(types)

        def encode(values: Sequence[Any]) -> bytes:
            if len(values) == len(encoders):
                parts = [enc(v) for enc, v in zip(encoders, values)]
                if None not in parts:
                    return b"".join(parts)
                values = _to_abi(tuple(values))
                parts = [enc(v) for enc, v in zip(encoders, values)]
                if None not in parts:
                    return b"".join(parts)
            return abi_encode(schema, _to_abi(tuple(values)))

        def decode(data: bytes) -> tuple[Any, ...]:
            if len(data) >= size:
                out = tuple([dec(data[i : i + 32]) for i, dec in zip(range(0, size, 32), decoders)])
                if _NO_FAST not in out:
                    return out
            return abi_decode(schema, data)

        pair = (encode, decode)
    _codecs[schema] = pair
    return pair


# ------------------------------------------------------------------------------- results/errors


@dataclass(frozen=True)
class DecodedError:
    """A revert payload decoded against the known ABIs.

    `name` is the custom error name, `"Error"` for `require(..., "reason")`, `"Panic"` for
    assertion/arithmetic failures, or `None` for empty or unrecognised data.
    """

    name: str | None
    args: tuple[Any, ...]
    data: bytes

    def __str__(self) -> str:
        if self.name is None:
            return f"<unknown revert 0x{self.data.hex()}>" if self.data else "<empty revert>"
        return f"{self.name}({', '.join(_fmt(a) for a in self.args)})"


def _fmt(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return repr(value) if isinstance(value, str) and not value.startswith("0x") else str(value)


class Reverted(Exception):
    """A transaction or call reverted (or ran out of gas). `error` holds the decoded reason."""

    def __init__(self, error: DecodedError, gas_used: int, message: str = ""):
        self.error = error
        self.gas_used = gas_used
        super().__init__(message or f"reverted with {error}")

    @property
    def name(self) -> str | None:
        """Name of the custom error (or Error/Panic/None)."""
        return self.error.name

    @property
    def error_args(self) -> tuple[Any, ...]:
        """Arguments of the custom error."""
        return self.error.args


@dataclass(frozen=True)
class Log:
    """One decoded event log (`event` is None when no known ABI matches)."""

    address: Address
    event: str | None
    args: dict[str, Any]
    topics: tuple[bytes, ...]
    data: bytes


@dataclass
class Receipt:
    """Result of a state-changing call."""

    to: Address | None
    sender: Address
    gas_used: int
    """Gas a mainnet receipt would show (intrinsic + execution - refund capped at 1/5)."""
    execution_gas: int
    """Gas used by the EVM execution alone (before refund)."""
    refund: int
    output: bytes
    return_value: Any
    _raw_logs: tuple[Any, ...] = field(repr=False)  # revm's logs
    _chain: FastChain = field(repr=False)
    _logs: list[Log] | None = field(default=None, repr=False)

    @property
    def logs(self) -> list[Log]:
        """Every log of the transaction, decoded (lazily) against the known event ABIs."""
        if self._logs is None:
            self._logs = [self._chain._decode_raw(raw) for raw in self._raw_logs]
        return self._logs

    def events(self, name: str) -> list[Log]:
        """The logs of event `name`, in emission order."""
        return [log for log in self.logs if log.event == name]


@contextlib.contextmanager
def reverts(error: str | None = None, *args: Any) -> Iterator[list[Reverted]]:
    """Assert that the block reverts, optionally with custom error `error` and exact `args`.

    Yields a list that holds the caught :class:`Reverted` after the block, for further checks.
    """
    caught: list[Reverted] = []
    try:
        yield caught
    except Reverted as exc:
        caught.append(exc)
        if error is not None and exc.error.name != error:
            raise AssertionError(f"expected revert {error}, got {exc.error}") from exc
        if args and tuple(exc.error.args) != tuple(args):
            raise AssertionError(f"expected {error}{tuple(args)}, got {exc.error}") from exc
    else:
        raise AssertionError(f"expected a revert{' with ' + error if error else ''}, none happened")


# ------------------------------------------------------------------------------------- contracts


class ContractFunction:
    """One ABI function of a deployed contract.

    Calling it runs a static call for `view`/`pure` functions (returns the decoded value) and a
    transaction otherwise (returns a :class:`Receipt`). `.call()` / `.transact()` force either.
    """

    def __init__(self, contract: Contract, overloads: list[dict[str, Any]]):
        self.contract = contract
        self.name = overloads[0]["name"]
        self._by_arity: dict[int, _Overload | None] = {}
        for entry in overloads:
            n = len(entry["inputs"])
            self._by_arity[n] = None if n in self._by_arity else _overload(entry)

    def _pick(self, args: tuple[Any, ...]) -> _Overload:
        overload = self._by_arity.get(len(args))
        if overload is None:
            raise TypeError(f"{self.name}: no unique overload takes {len(args)} arguments")
        return overload

    def encode(self, *args: Any) -> bytes:
        """Calldata of a call with `args`."""
        overload = self._pick(args)
        return overload.selector + overload.encode(args)

    def __call__(self, *args: Any, sender: Any = None, value: int = 0, gas: int | None = None) -> Any:
        overload = self._pick(args)
        data = overload.selector + overload.encode(args)
        contract = self.contract
        if overload.static:
            output = contract.chain.call_raw(contract.address, data, sender=sender, value=value, gas=gas,
                                             static=True)
            return overload.result(output)
        receipt = contract.chain.transact_raw(contract.address, data, sender=sender, value=value, gas=gas)
        receipt.return_value = overload.result(receipt.output)
        return receipt

    def call(self, *args: Any, sender: Any = None, value: int = 0, gas: int | None = None) -> Any:
        """Run without keeping any state change; return the decoded output."""
        overload = self._pick(args)
        data = overload.selector + overload.encode(args)
        output = self.contract.chain.call_raw(
            self.contract.address, data, sender=sender, value=value, gas=gas, static=overload.static
        )
        return overload.result(output)

    def transact(self, *args: Any, sender: Any = None, value: int = 0, gas: int | None = None) -> Receipt:
        """Run as a transaction; raise :class:`Reverted` on failure."""
        overload = self._pick(args)
        data = overload.selector + overload.encode(args)
        receipt = self.contract.chain.transact_raw(
            self.contract.address, data, sender=sender, value=value, gas=gas
        )
        receipt.return_value = overload.result(receipt.output)
        return receipt


@dataclass(frozen=True)
class _Overload:
    selector: bytes
    static: bool  # view or pure
    encode: Any
    decode: Any
    n_out: int

    def result(self, output: bytes) -> Any:
        if self.n_out == 0:
            return None
        values = self.decode(output)
        return values[0] if self.n_out == 1 else values


_overloads: dict[str, _Overload] = {}


def _overload(entry: dict[str, Any]) -> _Overload:
    key = json.dumps(entry, sort_keys=True)
    cached = _overloads.get(key)
    if cached is None:
        outputs = entry.get("outputs", [])
        encode, _ = codec([abi_type(p) for p in entry["inputs"]])
        _, decode = codec([abi_type(p) for p in outputs])
        cached = _overloads[key] = _Overload(
            keccak(text=signature(entry))[:4], entry.get("stateMutability") in ("view", "pure"),
            encode, decode, len(outputs))
    return cached


class Contract:
    """A deployed contract: its ABI functions are attributes (see :class:`ContractFunction`)."""

    def __init__(self, chain: FastChain, artifact: Artifact, address: Address):
        self.chain = chain
        self.artifact = artifact
        self.address = address
        overloads: dict[str, list[dict[str, Any]]] = {}
        for entry in artifact.abi:
            if entry.get("type") == "function":
                overloads.setdefault(entry["name"], []).append(entry)
        self._functions = {name: ContractFunction(self, entries) for name, entries in overloads.items()}
        for name, function in self._functions.items():  # plain attributes: no __getattr__ per call
            if not hasattr(type(self), name) and name not in self.__dict__:
                self.__dict__[name] = function

    def __getattr__(self, name: str) -> ContractFunction:
        functions = self.__dict__.get("_functions", {})
        if name in functions:
            return functions[name]
        raise AttributeError(f"{self.artifact.name} has no function {name!r}")

    def __repr__(self) -> str:
        return f"<{self.artifact.name} at {self.address}>"

    def __str__(self) -> str:
        return str(self.address)


# ----------------------------------------------------------------------------------------- chain

# What the journal (`EVM.journal_str`, revm's Debug format) records that changes the state.
_JOURNAL_MARK = ", journal: ["
_SLOT_CHANGE = "StorageChange { address: "
_SLOT_WRITTEN = ", had_value: Some("
_ACCOUNT_CHANGE = re.compile(r"(?:NonceChange|AccountCreated|CodeChange) \{ address: (0x[0-9a-f]{40})")
_VALUE_MOVE = re.compile(r"BalanceTransfer \{ from: (0x[0-9a-f]{40}), to: (0x[0-9a-f]{40}), balance: [1-9]")
_DESTROYED = re.compile(r"AccountDestroyed \{ address: (0x[0-9a-f]{40}), target: (0x[0-9a-f]{40})")
_CODE = re.compile(r"code: (?:None|Some\(Bytecode \{ bytecode: 0x([0-9a-f]*), state: \w+(?: \{ len: (\d+))?)")
_REVERT = re.compile(r"Revert \{ gas_used: (\d+), output: 0x([0-9a-f]*) \}")
_SLOT, _ACCOUNT = 0, 1
_AccountState = tuple[int, int, "bytes | None"]  # balance, nonce, code (None: unchanged)


class ExecutionObserver(Protocol):
    """Sees every execution of every :class:`FastChain` (`make coverage` replays them traced).

    `before` runs first and returns what `after` needs (e.g. the pre-state); `after` runs once the
    execution ended, whether it succeeded or reverted, with the arguments as the caller gave them
    (`to=None`: a deployment; `sender`/`gas` may be None: the chain's defaults)."""

    def before(self, chain: "FastChain") -> Any: ...

    def after(self, chain: "FastChain", pre: Any, to: Any, data: bytes, sender: Any, value: int,
              gas: int | None) -> None: ...


class FastChain:
    """An isolated in-process chain (its own revm instance and state)."""

    observer: ClassVar[ExecutionObserver | None] = None  # None: no overhead (the normal case)

    def __init__(self, *, gas_limit: int = DEFAULT_TX_GAS, chain_id: int = CHAIN_ID) -> None:
        self.gas_limit = gas_limit
        self.chain_id = chain_id
        self._timestamp = int(time.time())
        self._block_number = 1
        self._evm = EVM(
            env=Env(cfg=CfgEnv(chain_id=chain_id), block=self._block_env()),
            gas_limit=max(BLOCK_GAS_LIMIT, gas_limit),
            spec_id=SPEC_ID,
        )
        # Mirror of the database: every slot and account ever written (unwritten = zero/empty).
        self._slots: dict[bytes, dict[int, int]] = {}
        self._accounts: dict[bytes, tuple[int, int]] = {}  # balance, nonce
        self._code: dict[bytes, bytes] = {}
        self._undo: list[tuple[Any, ...]] = []
        self._touched: set[bytes] = set()  # accounts whose state changed since take_touched()
        self._snapshots: dict[int, int] = {}
        self._next_snapshot = 0
        self._errors: dict[bytes, dict[str, Any]] = {}
        self._events: dict[bytes, list[dict[str, Any]]] = {}
        self._events_of: dict[int, tuple[Artifact, dict[bytes, list[dict[str, Any]]]]] = {}
        self._artifact_at: dict[str, Artifact] = {}
        self._labels: dict[str, Address] = {}
        self._trace_buffer: io.StringIO | None = None
        self._traces: list[list[dict[str, Any]]] = []
        self.deployer = self.account("deployer")

    def _block_env(self) -> BlockEnv:
        return BlockEnv(number=self._block_number, timestamp=self._timestamp, gas_limit=BLOCK_GAS_LIMIT)

    # -- accounts and artifacts -----------------------------------------------------------------

    def account(self, label: str, ether: int = DEFAULT_ETHER) -> Address:
        """The externally owned account named `label` (same label -> same address), funded."""
        if label not in self._labels:
            address = Address(keccak(text=f"dbis.engine:{label}")[12:])
            self._labels[label] = address
            canonical = address.canonical_address
            self._set_account(canonical, ether, self._accounts.get(canonical, (0, 0))[1])
        return self._labels[label]

    def register(self, artifact: Artifact) -> None:
        """Make `artifact`'s custom errors and events decodable in every revert and log."""
        for entry in artifact.abi:
            if entry.get("type") == "error":
                self._errors.setdefault(keccak(text=signature(entry))[:4], entry)
            elif entry.get("type") == "event" and not entry.get("anonymous"):
                topic = keccak(text=signature(entry))
                known = self._events.setdefault(topic, [])
                if all(_indexed(e) != _indexed(entry) for e in known):
                    known.append(entry)

    def _artifact(self, artifact: str | Artifact) -> Artifact:
        return artifacts.load(artifact) if isinstance(artifact, str) else artifact

    def deploy(
        self, artifact: str | Artifact, *args: Any, sender: Any = None, value: int = 0, gas: int | None = None
    ) -> Contract:
        """Deploy `artifact` (a name in the build manifest, or an :class:`Artifact`)."""
        art = self._artifact(artifact)
        if not art.bytecode:
            raise ValueError(f"{art.name} has no deployment bytecode (abstract or interface?)")
        self.register(art)
        ctor = next((e for e in art.abi if e.get("type") == "constructor"), {"inputs": []})
        initcode = art.bytecode + abi_encode(_schema(ctor["inputs"]), _to_abi(args))
        receipt = self._execute(None, initcode, sender, value, gas)
        address = receipt.to
        assert address is not None
        self._artifact_at[address] = art
        self.last_deploy_receipt = receipt
        return Contract(self, art, address)

    def at(self, artifact: str | Artifact, address: Any) -> Contract:
        """A handle on an already deployed contract."""
        art = self._artifact(artifact)
        self.register(art)
        addr = Address(str(_to_abi(address)))
        self._artifact_at[addr] = art
        return Contract(self, art, addr)

    # -- raw execution --------------------------------------------------------------------------

    def transact_raw(
        self, to: Any, data: bytes, *, sender: Any = None, value: int = 0, gas: int | None = None
    ) -> Receipt:
        """Send a transaction; raise :class:`Reverted` on failure."""
        return self._execute(_address(to), data, sender, value, gas)

    def call_raw(
        self,
        to: Any,
        data: bytes,
        *,
        sender: Any = None,
        value: int = 0,
        gas: int | None = None,
        static: bool = False,
    ) -> bytes:
        """Run a call and throw its state changes away; return the raw output.

        `static=True` runs it as a STATICCALL (any state change reverts): the path used for
        `view`/`pure` functions.
        """
        observer = FastChain.observer
        if observer is not None:
            pre = observer.before(self)
            try:
                return self._call(to, data, sender, value, gas, static)
            finally:
                observer.after(self, pre, to, data, sender, value, gas)
        return self._call(to, data, sender, value, gas, static)

    def _call(self, to: Any, data: bytes, sender: Any, value: int, gas: int | None, static: bool) -> bytes:
        origin = _address(sender) if sender is not None else self.deployer
        if gas is None:
            gas = self.gas_limit
        elif gas < _intrinsic(data, False):
            raise ValueError(f"gas {gas} below the intrinsic cost {_intrinsic(data, False)}")
        evm = self._evm
        checkpoint = evm.snapshot()
        try:
            return evm.message_call(origin, _address(to), data, value, gas, None, static)
        except RuntimeError as exc:
            raise self._failure(exc, gas) from None
        finally:
            evm.revert(checkpoint)
            if self._trace_buffer is not None:
                self._end_trace()

    def _execute(self, to: Address | None, data: bytes, sender: Any, value: int, gas: int | None) -> Receipt:
        """Run a transaction (`to=None`: a deployment) and keep its state changes."""
        observer = FastChain.observer
        if observer is not None:
            pre = observer.before(self)
            try:
                return self._transact(to, data, sender, value, gas)
            finally:
                observer.after(self, pre, to, data, sender, value, gas)
        return self._transact(to, data, sender, value, gas)

    def _transact(self, to: Address | None, data: bytes, sender: Any, value: int, gas: int | None) -> Receipt:
        origin = _address(sender) if sender is not None else self.deployer
        gas = self.gas_limit if gas is None else gas
        intrinsic = _intrinsic(data, to is None)
        if gas < intrinsic:
            raise ValueError(f"gas {gas} below the intrinsic cost {intrinsic}")
        evm = self._evm
        checkpoint = evm.snapshot()
        try:
            try:
                if to is None:
                    created = evm.deploy(origin, data, value, gas)
                    output = b""
                else:
                    output = evm.message_call(origin, to, data, value, gas)
            except RuntimeError as exc:
                raise self._failure(exc, gas) from None
            result = evm.result
            changes = self._collect()
        finally:
            evm.revert(checkpoint)
            if self._trace_buffer is not None:
                self._end_trace()
        self._apply(*changes)
        target = to
        if to is None:
            target = Address(created)
            output = self._code.get(target.canonical_address, b"")
        used, refund = result.gas_used, result.gas_refunded
        return Receipt(
            to=target,
            sender=origin,
            gas_used=used,
            execution_gas=used + refund - intrinsic,
            refund=refund,
            output=output,
            return_value=None,
            _raw_logs=tuple(result.logs),
            _chain=self,
        )

    def _failure(self, exc: RuntimeError, gas: int) -> Exception:
        """The :class:`Reverted` of a failed transaction (or `exc` itself if it never ran)."""
        message = str(exc)
        match = _REVERT.match(message)
        if match is not None:
            return Reverted(self.decode_error(bytes.fromhex(match[2])), int(match[1]))
        if message.startswith("Halt {"):  # out of gas, invalid opcode, ...: all gas is spent
            return Reverted(DecodedError(None, (), b""), gas, f"reverted with <empty revert> ({message})")
        return exc

    # -- state transfer between revm's journal and its database ---------------------------------

    def _collect(self) -> tuple[dict[tuple[str, int], int], dict[str, _AccountState], set[str]]:
        """The state a transaction wrote, read from the journal before it is reverted."""
        evm = self._evm
        text = evm.journal_str
        cut = text.rfind(_JOURNAL_MARK)
        journal = text[cut:]
        # Written slots: `StorageChange { address: 0x.., key: N, had_value: Some(..) }` (a slot
        # that was only read has `had_value: None`).
        slots: dict[tuple[str, int], int] = {}
        pieces = journal.split(_SLOT_WRITTEN)
        for piece in pieces[:-1]:
            entry = piece[piece.rfind(_SLOT_CHANGE) + len(_SLOT_CHANGE):]  # "0x<40 hex>, key: N"
            slots[entry[:42], int(entry[49:])] = 0
        for address, key in slots:
            slots[address, key] = evm.storage(address, key)
        accounts: dict[str, _AccountState] = {}
        destroyed: set[str] = set()
        moves = journal.count("BalanceTransfer {") != journal.count(", balance: 0 }")
        if moves or "NonceChange" in journal or "AccountCreated" in journal or "CodeChange" in journal \
                or "AccountDestroyed" in journal:
            created = set(_ACCOUNT_CHANGE.findall(journal))
            touched = set(created)
            for sender, receiver in _VALUE_MOVE.findall(journal):
                touched.update((sender, receiver))
            for address, target in _DESTROYED.findall(journal):
                destroyed.add(address)
                touched.add(target)
            for address in touched:
                info = evm.basic(address)
                code = None
                if address in created:
                    at = text.find(f"{address}: Account {{ info")
                    match = _CODE.search(text, at) if 0 <= at < cut else None
                    if match is not None and match[1]:
                        raw = bytes.fromhex(match[1])
                        code = raw[: int(match[2])] if match[2] else raw
                accounts[address] = (info.balance, info.nonce, code)
        return slots, accounts, destroyed

    def _apply(
        self,
        slots: dict[tuple[str, int], int],
        accounts: dict[str, _AccountState],
        destroyed: set[str],
    ) -> None:
        """Write a transaction's changes into the database (the journal is empty again)."""
        for address in destroyed:
            canonical = bytes.fromhex(address[2:])
            accounts[address] = (0, 0, b"")
            for key in list(self._slots.get(canonical, ())):
                slots[address, key] = 0
        for address, (balance, nonce, code) in accounts.items():
            self._set_account(bytes.fromhex(address[2:]), balance, nonce, code)
        if slots:
            writes = []
            undo = self._undo
            record = bool(self._snapshots)  # the undo log only serves snapshots still open
            mirror = self._slots
            for (address, key), value in slots.items():
                canonical = bytes.fromhex(address[2:])
                account = mirror.get(canonical)
                if account is None:
                    account = mirror[canonical] = {}
                old = account.get(key, 0)
                if old != value:
                    self._touched.add(canonical)
                    if record:
                        undo.append((_SLOT, canonical, key, old))
                    account[key] = value
                    writes.append((address, key, value))
            self._write_slots(writes)

    def _set_account(self, canonical: bytes, balance: int, nonce: int, code: bytes | None = None) -> None:
        self._touched.add(canonical)
        old_balance, old_nonce = self._accounts.get(canonical, (0, 0))
        old_code = self._code.get(canonical)
        if code is None:
            code = old_code
        elif not code:
            code = None
        if (balance, nonce, code) == (old_balance, old_nonce, old_code):
            return
        if self._snapshots:
            self._undo.append((_ACCOUNT, canonical, old_balance, old_nonce, old_code))
        self._write_account(canonical, balance, nonce, code)

    def _write_account(self, canonical: bytes, balance: int, nonce: int, code: bytes | None) -> None:
        """Mirror and database; the journal must not hold the account (it would take the write)."""
        self._accounts[canonical] = (balance, nonce)
        if code:
            self._code[canonical] = code
        else:
            self._code.pop(canonical, None)
        info = AccountInfo(balance=balance, nonce=nonce, code=code)
        self._evm.insert_account_info("0x" + canonical.hex(), info)

    def _write_slots(self, writes: Sequence[tuple[str, int, int]]) -> None:
        """Database writes (the mirror is up to date). `insert_account_storage` writes to the
        database only while the journal does not hold the account, and then loads it into the
        journal (which would make it warm): each write is undone from the journal at once."""
        evm = self._evm
        snapshot, revert, insert = evm.snapshot, evm.revert, evm.insert_account_storage
        for address, key, value in writes:
            checkpoint = snapshot()
            insert(address, key, value)
            revert(checkpoint)

    # -- decoding -------------------------------------------------------------------------------

    def decode_error(self, data: bytes) -> DecodedError:
        """Decode revert data: custom errors of every registered artifact, Error and Panic."""
        selector = data[:4]
        if selector == _ERROR_STRING:
            return DecodedError("Error", tuple(abi_decode("(string)", data[4:])), data)
        if selector == _PANIC:
            return DecodedError("Panic", tuple(abi_decode("(uint256)", data[4:])), data)
        entry = self._errors.get(selector)
        if entry is None or len(data) < 4:
            return DecodedError(None, (), data)
        try:
            decode = codec([abi_type(p) for p in entry["inputs"]])[1]
            return DecodedError(entry["name"], tuple(decode(data[4:])), data)
        except Exception:  # noqa: BLE001 - malformed payload with a known selector
            return DecodedError(None, (), data)

    def _decode_raw(self, raw: Any) -> Log:
        """One of revm's logs, decoded."""
        topics, data = raw.data
        return self.decode_log(raw.address, topics, data)

    def decode_log(self, address: Any, topics: Sequence[int | bytes], data: bytes) -> Log:
        """Decode one raw log against the registered event ABIs."""
        addr = Address(address)
        raw_topics = tuple(t if isinstance(t, bytes) else t.to_bytes(32, "big") for t in topics)
        candidates: list[dict[str, Any]] = []
        if raw_topics:
            own = self._artifact_at.get(addr)
            if own is not None:
                candidates = list(self._own_events(own).get(raw_topics[0], ()))
            candidates += self._events.get(raw_topics[0], [])
        for entry in candidates:
            names, indexed, decode_plain = _event_plan(entry)
            if len(indexed) != len(raw_topics) - 1:
                continue
            values = dict(zip(names, decode_plain(data)))
            for (name, decode), topic in zip(indexed, raw_topics[1:]):
                values[name] = topic if decode is None else decode(topic)[0]
            args = {p["name"]: values[p["name"]] for p in entry["inputs"]}
            return Log(addr, entry["name"], args, raw_topics, data)
        return Log(addr, None, {}, raw_topics, data)

    def _own_events(self, artifact: Artifact) -> dict[bytes, list[dict[str, Any]]]:
        """`artifact`'s events by topic (cached)."""
        cached = self._events_of.get(id(artifact))
        if cached is None or cached[0] is not artifact:
            topics: dict[bytes, list[dict[str, Any]]] = {}
            for e in artifact.abi:
                if e.get("type") == "event" and not e.get("anonymous"):
                    topics.setdefault(keccak(text=signature(e)), []).append(e)
            cached = self._events_of[id(artifact)] = (artifact, topics)
        return cached[1]

    # -- state ----------------------------------------------------------------------------------

    def snapshot(self) -> Any:
        """A snapshot id; `revert(id)` restores it (once: take a new snapshot to revert again)."""
        self._next_snapshot += 1
        self._snapshots[self._next_snapshot] = len(self._undo)
        return self._next_snapshot

    def revert(self, snapshot_id: Any) -> None:
        """Restore the state of `snapshot()`; later snapshots become invalid."""
        position = self._snapshots.pop(snapshot_id, None)
        if position is None:
            raise ValueError(f"unknown or already reverted snapshot {snapshot_id!r}")
        for later in [s for s in self._snapshots if s > snapshot_id]:
            del self._snapshots[later]
        entries = self._undo[position:]
        del self._undo[position if self._snapshots else 0:]
        accounts: dict[bytes, tuple[int, int, bytes | None]] = {}
        slots: dict[tuple[bytes, int], int] = {}
        for entry in reversed(entries):  # the oldest value of each key is applied last
            if entry[0] == _SLOT:
                slots[entry[1], entry[2]] = entry[3]
            else:
                accounts[entry[1]] = entry[2:]
        for canonical, (balance, nonce, code) in accounts.items():
            self._write_account(canonical, balance, nonce, code)
        writes = []
        for (canonical, key), value in slots.items():
            account = self._slots[canonical]
            if value:
                account[key] = value
            else:
                account.pop(key, None)
            writes.append(("0x" + canonical.hex(), key, value))
        self._write_slots(writes)

    @contextlib.contextmanager
    def anchor(self) -> Iterator[None]:
        """Undo every state change (and block time travel) made inside the block."""
        snapshot = self.snapshot()
        clock = self._timestamp, self._block_number
        try:
            yield
        finally:
            self.revert(snapshot)
            self._timestamp, self._block_number = clock
            self._evm.set_block_env(self._block_env())

    def balance(self, address: Any) -> int:
        """Ether balance (wei)."""
        return self._accounts.get(_address(address).canonical_address, (0, 0))[0]

    def get_storage(self, address: Any, slot: int) -> int:
        """Raw storage word."""
        account = self._slots.get(_address(address).canonical_address)
        return account.get(slot, 0) if account else 0

    def get_code(self, address: Any) -> bytes:
        """Runtime code at `address` (empty for an account without code)."""
        return self._code.get(_address(address).canonical_address, b"")

    def state_dump(self) -> dict[str, tuple[int, int, bytes, dict[int, int]]]:
        """Every account this chain holds: address (0x, lower case) -> (balance, nonce, code, slots)."""
        keys = set(self._accounts) | set(self._code) | set(self._slots)
        return {
            "0x" + k.hex(): (*self._accounts.get(k, (0, 0)), self._code.get(k, b""), dict(self._slots.get(k, {})))
            for k in keys
        }

    def set_code(self, address: Any, code: bytes) -> None:
        """Place runtime code at `address` (a contract needed at a fixed address, e.g. test vectors)."""
        canonical = _address(address).canonical_address
        balance, nonce = self._accounts.get(canonical, (0, 0))
        self._set_account(canonical, balance, max(nonce, 1), code)

    def set_storage(self, address: Any, slot: int, value: int) -> None:
        """Overwrite a raw storage word (tests that corrupt state on purpose)."""
        addr = _address(address)
        self._apply({(str(addr).lower(), slot): value}, {}, set())

    @property
    def timestamp(self) -> int:
        """Block timestamp seen by transactions."""
        return self._timestamp

    def take_touched(self) -> set[bytes]:
        """The accounts (canonical addresses) whose storage, balance, nonce or code a transaction,
        a storage override or a revert changed since the last call; the set starts empty again."""
        touched, self._touched = self._touched, set()
        return touched

    @property
    def block_number(self) -> int:
        """Block number seen by transactions (`block.number`)."""
        return self._block_number

    def mine(self, blocks: int = 1) -> None:
        """Move the block number forward by `blocks` (and the timestamp by 12 s a block)."""
        if blocks < 0:
            raise ValueError("blocks must not be negative")
        self._block_number += blocks
        self._timestamp += 12 * blocks
        self._evm.set_block_env(self._block_env())

    def time_travel(self, seconds: int) -> None:
        """Move the block timestamp (and number, 12 s blocks) forward."""
        self._timestamp += seconds
        self._block_number += seconds // 12
        self._evm.set_block_env(self._block_env())

    # -- tracing --------------------------------------------------------------------------------

    @contextlib.contextmanager
    def tracing(self) -> Iterator[list[list[dict[str, Any]]]]:
        """Record an EIP-3155 trace of every transaction and call run inside the block.

        Yields a list that holds one list of steps per execution, in order (revm's JSON lines:
        pc, op, opName, gas, gasCost, depth, stack, ...; `depth` is 1 in the transaction's own
        frame). Slow: for gas breakdowns, not for property runs.
        """
        traces: list[list[dict[str, Any]]] = []
        stdout = sys.stdout
        sys.stdout = self._trace_buffer = io.StringIO()
        self._traces = traces
        self._evm.tracing = True
        try:
            yield traces
        finally:
            self._evm.tracing = False
            sys.stdout = stdout
            self._trace_buffer = None

    def _end_trace(self) -> None:
        buffer = self._trace_buffer
        if buffer is None:
            return
        steps = [json.loads(line) for line in buffer.getvalue().splitlines() if line.startswith('{"pc"')]
        buffer.seek(0)
        buffer.truncate()
        if steps:
            base = steps[0]["depth"] - 1
            for step in steps:
                step["depth"] -= base
        self._traces.append(steps)


def _intrinsic(data: bytes, create: bool) -> int:
    """Intrinsic gas of a transaction: 21,000 + calldata (+ creation and init-code words)."""
    zeros = data.count(0)
    gas = TX_GAS + zeros * CALLDATA_ZERO_GAS + (len(data) - zeros) * CALLDATA_NONZERO_GAS
    if create:
        gas += CREATE_GAS + INITCODE_WORD_GAS * ((len(data) + 31) // 32)
    return gas


def _address(value: Any) -> Address:
    """An :class:`Address` from an address string, an Address or a contract handle."""
    if isinstance(value, Address):
        return value
    if isinstance(value, Contract):
        return value.address
    return Address(str(value))


_event_plans: dict[int, tuple[dict[str, Any], tuple[Any, ...]]] = {}


def _event_plan(entry: dict[str, Any]) -> tuple[Any, ...]:
    """(names of the data fields, [(name, topic decoder or None for a hashed dynamic value)],
    data decoder) of an event ABI entry (cached)."""
    cached = _event_plans.get(id(entry))
    if cached is None or cached[0] is not entry:
        plain = [p for p in entry["inputs"] if not p.get("indexed")]
        indexed = []
        for p in entry["inputs"]:
            if p.get("indexed"):
                typ = abi_type(p)
                dynamic = typ in ("string", "bytes") or typ.endswith("]") or typ.startswith("(")
                indexed.append((p["name"], None if dynamic else codec([typ])[1]))
        plan = ([p["name"] for p in plain], indexed, codec([abi_type(p) for p in plain])[1])
        cached = _event_plans[id(entry)] = (entry, tuple(plan))
    return cached[1]


def _indexed(entry: dict[str, Any]) -> tuple[bool, ...]:
    return tuple(bool(p.get("indexed")) for p in entry["inputs"])
