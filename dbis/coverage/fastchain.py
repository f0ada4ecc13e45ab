"""Coverage of the tests that run on `dbis.engine.FastChain` (in-process revm).

pyrevm 0.3.7's own step tracer costs ~4 ms a step (16 s for one Rail mint), so each FastChain
execution is replayed instead on an anvil with the same chain id: `debug_traceCall` with the
chain's whole pre-state as state overrides (code, balance, nonce and every storage slot of every
account it holds) and its block number and timestamp as block overrides. The replay runs the
same bytecode from the same state, so it takes the same path (checked: same gas, same steps).
The struct logs are ingested as anvil's own traces are; code is named from the FastChain's state
after the execution (so a contract created inside it is found), not from anvil's.
"""

from __future__ import annotations

from typing import Any

from dbis.chain import Anvil
from dbis.engine import FastChain

from .trace import TRACE_OPTIONS, CodeRef, Hits, ingest


def _word(n: int) -> str:
    return "0x%064x" % n


def state_overrides(chain: FastChain) -> dict[str, dict[str, Any]]:
    """The chain's whole state as geth/anvil state overrides (`state` replaces all storage)."""
    out: dict[str, dict[str, Any]] = {}
    for address, (balance, nonce, code, slots) in chain.state_dump().items():
        entry: dict[str, Any] = {"balance": hex(balance), "nonce": hex(nonce),
                                 "state": {_word(k): _word(v) for k, v in slots.items()}}
        if code:
            entry["code"] = "0x" + code.hex()
        out[address] = entry
    return out


def _hex_address(value: Any) -> str:
    """Lower-case 0x address of an address string or a contract handle (`.address`)."""
    return str(getattr(value, "address", value)).lower()


class FastChainReplay:
    """The `FastChain.observer` of a coverage session: every execution replayed traced on anvil."""

    def __init__(self, index: Any, hits: Hits) -> None:
        self.index = index  # dbis.coverage.codeid.CodeIndex
        self.hits = hits
        self._nodes: dict[int, Anvil] = {}  # chain id -> anvil
        self._names: dict[bytes, str | None] = {}
        self._previous: Any = None

    def install(self) -> None:
        """Become `FastChain.observer` (the one in place before comes back on `close`)."""
        self._previous, FastChain.observer = FastChain.observer, self

    def close(self) -> None:
        """Stop observing (restore the previous observer) and stop the replay anvils."""
        if FastChain.observer is self:
            FastChain.observer = self._previous
        for node in self._nodes.values():
            node.stop()
        self._nodes.clear()

    def _node(self, chain_id: int) -> Anvil:
        node = self._nodes.get(chain_id)
        if node is None:
            node = self._nodes[chain_id] = Anvil(chain_id=chain_id)
            node.start()
        return node

    def _runtime_name(self, code: bytes) -> str | None:
        if code not in self._names:
            self._names[code] = self.index.runtime(code) if code else None
        return self._names[code]

    # -- ExecutionObserver ------------------------------------------------------------------------

    def before(self, chain: FastChain) -> Any:
        return state_overrides(chain), chain.timestamp, chain.block_number

    def after(self, chain: FastChain, pre: Any, to: Any, data: bytes, sender: Any, value: int,
              gas: int | None) -> None:
        """Replay and ingest (never raises: a failed trace is counted, not fatal)."""
        try:
            self._replay(chain, pre, to, data, sender, value, gas)
        except Exception:  # noqa: BLE001 - coverage must never change a test's outcome
            self.hits.failures += 1

    def _replay(self, chain: FastChain, pre: Any, to: Any, data: bytes, sender: Any, value: int,
                gas: int | None) -> None:
        overrides, timestamp, number = pre
        call: dict[str, Any] = {
            "from": _hex_address(sender if sender is not None else chain.deployer),
            "data": "0x" + bytes(data).hex(),
            "value": hex(value),
            "gas": hex(gas if gas is not None else chain.gas_limit),
            "gasPrice": "0x0",
        }
        root: CodeRef | None
        if to is None:
            name = self.index.creation(bytes(data))
            root = (name, "creation") if name else None
        else:
            target = _hex_address(to)
            call["to"] = target
            entry = overrides.get(target)
            name = self._runtime_name(bytes.fromhex(entry["code"][2:])) if entry and "code" in entry else None
            root = (name, "runtime") if name else None
        options = {**TRACE_OPTIONS, "stateOverrides": overrides,
                   "blockOverrides": {"time": hex(timestamp), "number": hex(number)}}
        node = self._node(chain.chain_id)
        assert node.w3 is not None
        response = node.w3.provider.make_request("debug_traceCall", [call, "latest", options])
        if "error" in response:
            self.hits.failures += 1
            return
        steps = (response.get("result") or {}).get("structLogs", [])
        cache: dict[str, str | None] = {}

        def resolve(address: str) -> str | None:
            if address not in cache:
                code = chain.get_code(address) or bytes.fromhex(overrides.get(address, {}).get("code", "0x")[2:])
                cache[address] = self._runtime_name(code)
            return cache[address]

        ingest(steps, root, resolve, self.hits)
