"""A fast in-process EVM for tests and benchmarks, built on titanoboa (py-evm, no block mining).

Ape's local provider mines a block per transaction and talks JSON-RPC to a node; that is right
for integration tests and demos but far too slow for property tests that run thousands of
transactions. `FastChain` runs the same compiled bytecode (read from Ape's build manifest through
:mod:`dbis.artifacts`) directly in py-evm:

    chain = FastChain()
    owner = chain.account("owner")
    token = chain.deploy("TestERC20", "USD Coin", "USDC", 6, sender=owner)
    receipt = token.mint(owner, 10**6, sender=owner)        # state change -> Receipt
    assert token.balanceOf(owner) == 10**6                    # view -> decoded value
    with reverts("ERC20InsufficientBalance"):                 # custom errors decoded by name
        token.transfer(chain.account("bob"), 10**7, sender=owner)

Gas is accounted as a transaction would be on mainnet (the figure a receipt shows): the
intrinsic cost (21,000 + calldata, + creation and init-code words for a deployment) plus the
execution gas, minus the refund capped at one fifth (EIP-3529), with the EIP-7623 calldata floor.
Every call starts like a fresh transaction: warm/cold access sets and transient storage are
reset, and the sender, the target and the coinbase start warm (EIP-2929/3651). Calls never mine
blocks, and senders need no keys or ether (the gas price is zero).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import boa
from boa.vm.fast_accountdb import patch_pyevm_state_object
from eth.exceptions import Halt, OutOfGas
from eth.vm.code_stream import CodeStream
from eth.vm.computation import NO_RESULT as _NO_RESULT
from eth.vm.gas_meter import GasMeter
from eth.vm.logic.invalid import InvalidOpcode
from eth.vm.opcode import _FastOpcode
from boa.util.abi import Address, abi_decode, abi_encode
from eth_utils import keccak

from dbis import artifacts
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

TX_GAS = 21_000
CREATE_GAS = 32_000
INITCODE_WORD_GAS = 2
CALLDATA_ZERO_GAS = 4
CALLDATA_NONZERO_GAS = 16
FLOOR_TOKEN_GAS = 10  # EIP-7623 (Prague): floor price per calldata token
MAX_REFUND_QUOTIENT = 5  # EIP-3529
DEFAULT_TX_GAS = 30_000_000
DEFAULT_ETHER = 10**24

_ERROR_STRING = bytes.fromhex("08c379a0")  # Error(string)
_PANIC = bytes.fromhex("4e487b71")  # Panic(uint256)


# ---------------------------------------------------------------------------------- ABI helpers


def abi_type(param: dict[str, Any]) -> str:
    """The canonical ABI type string of one ABI parameter (tuples expanded)."""
    typ: str = param["type"]
    if typ.startswith("tuple"):
        inner = ",".join(abi_type(c) for c in param["components"])
        return f"({inner}){typ[len('tuple'):]}"
    return typ


def signature(entry: dict[str, Any]) -> str:
    """`name(type,...)` of a function, event or error ABI entry."""
    return f"{entry['name']}({','.join(abi_type(p) for p in entry.get('inputs', []))})"


def _schema(params: Sequence[dict[str, Any]]) -> str:
    return "(" + ",".join(abi_type(p) for p in params) + ")"


def _to_abi(value: Any) -> Any:
    """Contract handles become their address; tuples/lists are converted element-wise."""
    if isinstance(value, Contract):
        return value.address
    if isinstance(value, (list, tuple)):
        return type(value)(_to_abi(v) for v in value)
    return value


def _calldata_cost(data: bytes) -> tuple[int, int]:
    """(standard calldata gas, EIP-7623 token count) of `data`."""
    zeros = data.count(0)
    nonzero = len(data) - zeros
    return zeros * CALLDATA_ZERO_GAS + nonzero * CALLDATA_NONZERO_GAS, zeros + 4 * nonzero


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
    """Gas a mainnet receipt would show (intrinsic + execution - capped refund, EIP-7623 floor)."""
    execution_gas: int
    """Gas used by the EVM execution alone (before refund)."""
    refund: int
    output: bytes
    return_value: Any
    _raw_logs: tuple[tuple[bytes, tuple[int, ...], bytes], ...] = field(repr=False)
    _chain: FastChain = field(repr=False)
    _logs: list[Log] | None = field(default=None, repr=False)

    @property
    def logs(self) -> list[Log]:
        """Every log of the transaction, decoded (lazily) against the known event ABIs."""
        if self._logs is None:
            self._logs = [self._chain.decode_log(*raw) for raw in self._raw_logs]
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
        self._overloads = [
            (
                entry,
                keccak(text=signature(entry))[:4],
                _schema(entry["inputs"]),
                _schema(entry.get("outputs", [])),
                len(entry.get("outputs", [])),
            )
            for entry in overloads
        ]

    def _pick(self, args: tuple[Any, ...]) -> tuple[dict[str, Any], bytes, str, str, int]:
        matches = [o for o in self._overloads if len(o[0]["inputs"]) == len(args)]
        if len(matches) != 1:
            raise TypeError(f"{self.name}: no unique overload takes {len(args)} arguments")
        return matches[0]

    def encode(self, *args: Any) -> bytes:
        """Calldata of a call with `args`."""
        _, selector, in_schema, _, _ = self._pick(args)
        return selector + abi_encode(in_schema, _to_abi(args))

    def _decode(self, out_schema: str, n_out: int, output: bytes) -> Any:
        if n_out == 0:
            return None
        values = abi_decode(out_schema, output)
        return values[0] if n_out == 1 else values

    def __call__(self, *args: Any, sender: Any = None, value: int = 0, gas: int | None = None) -> Any:
        entry = self._pick(args)[0]
        if entry.get("stateMutability") in ("view", "pure"):
            return self.call(*args, sender=sender, value=value, gas=gas)
        return self.transact(*args, sender=sender, value=value, gas=gas)

    def call(self, *args: Any, sender: Any = None, value: int = 0, gas: int | None = None) -> Any:
        """Run without keeping any state change; return the decoded output."""
        entry, selector, in_schema, out_schema, n_out = self._pick(args)
        data = selector + abi_encode(in_schema, _to_abi(args))
        static = entry.get("stateMutability") in ("view", "pure")
        output = self.contract.chain.call_raw(
            self.contract.address, data, sender=sender, value=value, gas=gas, static=static
        )
        return self._decode(out_schema, n_out, output)

    def transact(self, *args: Any, sender: Any = None, value: int = 0, gas: int | None = None) -> Receipt:
        """Run as a transaction; raise :class:`Reverted` on failure."""
        _, selector, in_schema, out_schema, n_out = self._pick(args)
        data = selector + abi_encode(in_schema, _to_abi(args))
        receipt = self.contract.chain.transact_raw(
            self.contract.address, data, sender=sender, value=value, gas=gas
        )
        receipt.return_value = self._decode(out_schema, n_out, receipt.output)
        return receipt


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


class FastChain:
    """An isolated in-process chain (its own py-evm state; independent of `boa.env`)."""

    def __init__(self, *, gas_limit: int = DEFAULT_TX_GAS) -> None:
        self.env = boa.Env()
        self.gas_limit = gas_limit
        self._state = self.env.evm.vm.state
        self._state._account_db._reset_access_counters()  # nothing is warm between transactions
        self._state.computation_class = _fast_computation_class(self._state.computation_class)
        patch_pyevm_state_object(self._state)  # titanoboa's cheap touch_account
        self._originals: dict[tuple[bytes, int], int] = {}
        self._install_original_storage_hook()
        self._errors: dict[bytes, dict[str, Any]] = {}
        self._events: dict[bytes, list[dict[str, Any]]] = {}
        self._artifact_at: dict[str, Artifact] = {}
        self._labels: dict[str, Address] = {}
        self.deployer = self.account("deployer")

    # -- accounts and artifacts -----------------------------------------------------------------

    def account(self, label: str, ether: int = DEFAULT_ETHER) -> Address:
        """The externally owned account named `label` (same label -> same address), funded."""
        if label not in self._labels:
            address = Address(keccak(text=f"dbis.engine:{label}")[12:])
            self._labels[label] = address
            self.env.set_balance(address, ether)
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
        return self._execute(Address(str(_to_abi(to))), data, sender, value, gas)

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

        `static=True` runs it as a STATICCALL (any state change reverts), which needs no
        snapshot and is the fast path used for `view`/`pure` functions.
        """
        target = Address(str(_to_abi(to)))
        if static:
            return self._execute(target, data, sender, value, gas, static=True).output
        snapshot = self.snapshot()
        try:
            return self._execute(target, data, sender, value, gas).output
        finally:
            self.revert(snapshot)

    def _execute(
        self, to: Address | None, data: bytes, sender: Any, value: int, gas: int | None, static: bool = False
    ) -> Receipt:
        origin = Address(str(_to_abi(sender))) if sender is not None else self.deployer
        gas = self.gas_limit if gas is None else gas
        state = self._state
        # A fresh transaction: the EIP-2929 access set and EIP-1153 transient storage start empty
        # (both are empty between transactions: each transaction's additions are discarded
        # through their own journal checkpoints, which keeps outer snapshots valid).
        access = state._account_db._journal_accessed_state
        transient = state.transient_storage._db
        access_checkpoint = access.record()
        transient_checkpoint = transient.record()
        try:
            return self._execute_in_tx(state, origin, to, data, value, gas, static)
        finally:
            self._originals.clear()
            transient.discard(transient_checkpoint)
            access.discard(access_checkpoint)

    def _install_original_storage_hook(self) -> None:
        """Make SSTORE see the value a slot had at the start of the *transaction* as "original".

        py-evm reads the EIP-2200 original value from below its journal, which only moves when a
        block is mined; titanoboa never mines, so without this every slot written since genesis
        would look dirty and SSTORE would be priced (and refunded) wrongly. SSTORE asks for the
        original value before its first write to a slot in a transaction, so the journal value
        seen then is the value at the start of the transaction; it is remembered until the
        transaction ends.
        """
        state = self._state
        journal_get = state.get_storage
        originals = self._originals

        def get_storage(address: bytes, slot: int, from_journal: bool = True) -> int:
            if from_journal:
                return journal_get(address, slot)
            key = (address, slot)
            if key not in originals:
                originals[key] = journal_get(address, slot)
            return originals[key]

        state.get_storage = get_storage

    def _execute_in_tx(
        self, state: Any, origin: Address, to: Address | None, data: bytes, value: int, gas: int, static: bool
    ) -> Receipt:
        state.mark_address_warm(origin.canonical_address)
        state.mark_address_warm(state.coinbase)
        data_gas, tokens = _calldata_cost(data)
        intrinsic = TX_GAS + data_gas
        if to is None:
            intrinsic += CREATE_GAS + INITCODE_WORD_GAS * ((len(data) + 31) // 32)
        if gas < intrinsic:
            raise ValueError(f"gas {gas} below the intrinsic cost {intrinsic}")
        if to is None:
            address = self.env.evm.generate_create_address(origin)  # bumps the sender's nonce
            state.mark_address_warm(address.canonical_address)  # the created account starts warm
            _, computation = self.env.deploy(
                sender=origin, gas=gas - intrinsic, value=value, bytecode=data, override_address=address
            )
            target: Address | None = address
        else:
            state.mark_address_warm(to.canonical_address)
            computation = self.env.execute_code(
                to_address=to, sender=origin, gas=gas - intrinsic, value=value, data=data, is_modifying=not static
            )
            target = to
        execution = computation.get_gas_used()
        if computation.is_error:
            error = self.decode_error(computation.output)
            raise Reverted(error, intrinsic + execution)
        used = intrinsic + execution
        refund = min(computation.get_gas_refund(), used // MAX_REFUND_QUOTIENT)
        gas_used = max(used - refund, TX_GAS + FLOOR_TOKEN_GAS * tokens)
        return Receipt(
            to=target,
            sender=origin,
            gas_used=gas_used,
            execution_gas=execution,
            refund=refund,
            output=computation.output,
            return_value=None,
            _raw_logs=computation.get_log_entries(),
            _chain=self,
        )

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
            return DecodedError(entry["name"], tuple(abi_decode(_schema(entry["inputs"]), data[4:])), data)
        except Exception:  # noqa: BLE001 - malformed payload with a known selector
            return DecodedError(None, (), data)

    def decode_log(self, address: bytes, topics: tuple[int, ...], data: bytes) -> Log:
        """Decode one raw log against the registered event ABIs."""
        addr = Address(address)
        raw_topics = tuple(t.to_bytes(32, "big") for t in topics)
        candidates: list[dict[str, Any]] = []
        if raw_topics:
            own = self._artifact_at.get(addr)
            if own is not None:
                candidates = [
                    e for e in own.abi
                    if e.get("type") == "event" and not e.get("anonymous")
                    and keccak(text=signature(e)) == raw_topics[0]
                ]
            candidates += self._events.get(raw_topics[0], [])
        for entry in candidates:
            indexed = [p for p in entry["inputs"] if p.get("indexed")]
            if len(indexed) != len(raw_topics) - 1:
                continue
            plain = [p for p in entry["inputs"] if not p.get("indexed")]
            values = dict(zip((p["name"] for p in plain), abi_decode(_schema(plain), data)))
            for param, topic in zip(indexed, raw_topics[1:]):
                typ = abi_type(param)
                dynamic = typ in ("string", "bytes") or typ.endswith("]") or typ.startswith("(")
                values[param["name"]] = topic if dynamic else abi_decode(f"({typ})", topic)[0]
            args = {p["name"]: values[p["name"]] for p in entry["inputs"]}
            return Log(addr, entry["name"], args, raw_topics, data)
        return Log(addr, None, {}, raw_topics, data)

    # -- state ----------------------------------------------------------------------------------

    def snapshot(self) -> Any:
        """A snapshot id; `revert(id)` restores it (once: take a new snapshot to revert again)."""
        return self.env.evm.snapshot()

    def revert(self, snapshot_id: Any) -> None:
        """Restore the state of `snapshot()`; later snapshots become invalid."""
        self.env.evm.revert(snapshot_id)

    @contextlib.contextmanager
    def anchor(self) -> Iterator[None]:
        """Undo every state change (and block time travel) made inside the block."""
        with self.env.anchor():
            yield

    def balance(self, address: Any) -> int:
        """Ether balance (wei)."""
        return self.env.get_balance(Address(str(_to_abi(address))))

    def get_storage(self, address: Any, slot: int) -> int:
        """Raw storage word."""
        return self.env.get_storage(Address(str(_to_abi(address))), slot)

    def set_storage(self, address: Any, slot: int, value: int) -> None:
        """Overwrite a raw storage word (tests that corrupt state on purpose)."""
        self.env.set_storage(Address(str(_to_abi(address))), slot, value)

    @property
    def timestamp(self) -> int:
        """Block timestamp seen by transactions."""
        return self.env.timestamp

    def time_travel(self, seconds: int) -> None:
        """Move the block timestamp (and number, 12 s blocks) forward."""
        self.env.time_travel(seconds=seconds)


class _SharedJumpdestCodeStream(CodeStream):
    """A code stream whose JUMPDEST analysis is shared by every execution of the same code.

    py-evm analyses jump targets lazily per code stream, i.e. again in every call frame; the
    valid/invalid position sets only depend on the code, so they are cached per bytecode.
    """

    __slots__ = ()
    _analysis: dict[bytes, tuple[set[int], set[int]]] = {}

    def __init__(self, code_bytes: bytes) -> None:
        super().__init__(code_bytes)
        cached = self._analysis.get(code_bytes)
        if cached is None:
            cached = self._analysis[code_bytes] = (set(), set())
        self.valid_positions, self.invalid_positions = cached


def _fast_computation_class(base: type) -> type:
    """`base` (titanoboa's computation) with a leaner interpreter loop.

    * no per-opcode PC trace (titanoboa keeps one for coverage, unused here);
    * JUMPDEST analysis shared by every frame running the same code;
    * the static gas of plain opcodes is charged inline instead of through three nested calls
      (`Opcode.__call__` -> `Computation.consume_gas` -> `GasMeter.consume_gas`); opcodes with
      their own `__call__` (calls, creates, storage, ...) and any non-standard gas meter take
      py-evm's path unchanged. Same gas, same errors: the loop is py-evm's, minus the calls.
    """

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        base.__init__(self, *args, **kwargs)
        self.code = _SharedJumpdestCodeStream(self.code._raw_code_bytes)

    @classmethod  # type: ignore[misc]
    def apply_computation(cls: Any, state: Any, message: Any, transaction_context: Any,
                          parent_computation: Any = None) -> Any:
        if not cls._inline_gas:
            return base.apply_computation.__func__(cls, state, message, transaction_context, parent_computation)
        with cls(state, message, transaction_context) as computation:
            if computation.is_origin_computation:
                computation.contracts_created = []
                if message.is_create:
                    cls.consume_initcode_gas_cost(computation)
            if parent_computation is not None:
                computation.contracts_created = parent_computation.contracts_created
            if message.is_create:
                computation.contracts_created.append(message.storage_address)
            precompile = computation.precompiles.get(message.code_address, _NO_RESULT)
            if precompile is not _NO_RESULT:
                if not message.is_delegation:
                    precompile(computation)
                return computation
            meter = computation._gas_meter
            if type(meter) is not GasMeter or computation.logger.show_debug2:
                return _slow_loop(computation)
            lookup = computation.opcodes
            fast = _FastOpcode
            try:
                for opcode in computation.code:
                    fn = lookup.get(opcode)
                    if fn is None:
                        fn = InvalidOpcode(opcode)
                    if type(fn) is fast:
                        cost = fn.gas_cost
                        if cost:
                            if cost > meter.gas_remaining:
                                raise OutOfGas(f"Out of gas: Needed {cost} - Remaining "
                                               f"{meter.gas_remaining} - Reason: {fn.mnemonic}")
                            meter.gas_remaining -= cost
                        fn.logic_fn(computation)
                    else:
                        fn(computation=computation)
            except Halt:
                pass
        return computation

    # titanoboa wraps SHA3 and SSTORE to record every preimage and written slot for its own
    # tooling; those records grow without bound over a long property run. Use py-evm's own.
    opcodes = dict(base.opcodes)
    for code, attr in ((0x20, "sha3"), (0x55, "sstore")):
        opcodes[code] = getattr(opcodes[code], attr, opcodes[code])
    return type(
        "DbisFastComputation",
        (base,),
        {"__init__": __init__, "apply_computation": apply_computation, "_inline_gas": True,
         "opcodes": opcodes},
    )


def _slow_loop(computation: Any) -> Any:
    """py-evm's own interpreter loop (for non-standard gas meters)."""
    lookup = computation.opcodes
    try:
        for opcode in computation.code:
            fn = lookup.get(opcode)
            if fn is None:
                fn = InvalidOpcode(opcode)
            fn(computation=computation)
    except Halt:
        pass
    return computation


def _indexed(entry: dict[str, Any]) -> tuple[bool, ...]:
    return tuple(bool(p.get("indexed")) for p in entry["inputs"])
