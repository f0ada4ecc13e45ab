"""pytest plugin (enabled by DBIS_COVERAGE=1 from tests/conftest.py; inert otherwise).

It wraps web3's `HTTPProvider.make_request` (Ape's connection to anvil goes through it):
- every eth_sendTransaction / eth_sendRawTransaction is traced with `debug_traceTransaction`
  right after anvil mined it (before a snapshot revert can lose it);
- every eth_call, and every eth_estimateGas that fails, with `debug_traceCall` at the same block
  (Ape estimates gas before sending, so a refused transaction only shows there; a successful
  estimate is followed by the transaction itself, which runs the same path).
Chains started through `dbis.chain.Anvil` (the command tests drive them from a subprocess) are
swept block by block before they stop. `dbis.engine.FastChain` (pyrevm) executions are replayed
traced on an anvil of the same chain id, with the chain's whole pre-state as state overrides
(dbis.coverage.fastchain): pyrevm 0.3.7's own step tracer costs ~4 ms a step.
At the end of the session the hits are written to .build/coverage/hits/ and docs/coverage.md
and reports/coverage.json are regenerated from every hits file there.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .codeid import CodeIndex
from .compile import Build, load_build
from .fastchain import FastChainReplay
from .report import HITS_DIR, load_hits, write
from .trace import TRACE_OPTIONS, CodeRef, Hits, ingest

ENV = "DBIS_COVERAGE"
SENDS = frozenset({"eth_sendTransaction", "eth_sendRawTransaction"})
CALLS = frozenset({"eth_call", "eth_estimateGas"})
CALL_FIELDS = ("from", "to", "data", "input", "value", "gas")
MINING_WAIT = 10.0  # seconds

Request = Callable[[str, Any], dict[str, Any]]


def enabled() -> bool:
    return os.environ.get(ENV) == "1"


class Tracer:
    """Traces through one JSON-RPC `request` function (the unwrapped one) into `hits`."""

    def __init__(self, index: CodeIndex, hits: Hits) -> None:
        self.index = index
        self.hits = hits
        self.seen: set[tuple[str, str]] = set()  # (endpoint, tx hash) traced as sent
        self._names: dict[bytes, str | None] = {}

    def _runtime_name(self, request: Request, address: str, block: str) -> str | None:
        code_hex = request("eth_getCode", [address, block]).get("result") or "0x"
        code = bytes.fromhex(code_hex[2:])
        if code not in self._names:
            self._names[code] = self.index.runtime(code)
        return self._names[code]

    def _ingest(self, request: Request, steps: list[dict[str, Any]], root: CodeRef | None, block: str) -> None:
        cache: dict[str, str | None] = {}

        def resolve(address: str) -> str | None:
            if address not in cache:
                cache[address] = self._runtime_name(request, address, block)
            return cache[address]

        ingest(steps, root, resolve, self.hits)

    def _root(self, request: Request, to: str | None, data: str, block: str) -> CodeRef | None:
        if not to:
            name = self.index.creation(bytes.fromhex((data or "0x")[2:]))
            return (name, "creation") if name else None
        name = self._runtime_name(request, to, block)
        return (name, "runtime") if name else None

    def transaction(self, request: Request, tx_hash: str) -> None:
        tx = request("eth_getTransactionByHash", [tx_hash]).get("result")
        deadline = time.monotonic() + MINING_WAIT
        while tx and tx.get("blockNumber") is None and time.monotonic() < deadline:
            time.sleep(0.005)  # anvil answers the send before its automine has run
            tx = request("eth_getTransactionByHash", [tx_hash]).get("result")
        if not tx or tx.get("blockNumber") is None:
            self.hits.failures += 1
            return
        block = tx["blockNumber"]
        trace = request("debug_traceTransaction", [tx_hash, TRACE_OPTIONS]).get("result") or {}
        root = self._root(request, tx.get("to"), tx.get("input") or tx.get("data") or "0x", block)
        self._ingest(request, trace.get("structLogs", []), root, block)

    def call(self, request: Request, params: list[Any]) -> None:
        call = {k: v for k, v in dict(params[0]).items() if k in CALL_FIELDS and v is not None}
        block = params[1] if len(params) > 1 and isinstance(params[1], str) else "latest"
        if block in ("latest", "pending"):
            block = request("eth_blockNumber", []).get("result") or "latest"
        trace = request("debug_traceCall", [call, block, TRACE_OPTIONS]).get("result") or {}
        root = self._root(request, call.get("to"), call.get("data") or call.get("input") or "0x", block)
        self._ingest(request, trace.get("structLogs", []), root, block)

    def after(self, request: Request, method: str, params: Any, response: dict[str, Any]) -> None:
        """Trace what `method` just did (never raises: a failed trace is counted, not fatal)."""
        try:
            if method in SENDS and isinstance(response.get("result"), str):
                self.transaction(request, response["result"])
            elif method == "eth_estimateGas" and "error" not in response:
                return  # the transaction follows and is traced once mined: same code path
            elif method in CALLS and params:
                self.call(request, list(params))
        except Exception:  # noqa: BLE001 - coverage must never change a test's outcome
            self.hits.failures += 1

    def sweep(self, request: Request, endpoint: str) -> None:
        """Trace every transaction of every block of a chain not traced yet (a subprocess sent
        it), before the chain stops."""
        try:
            latest = int(request("eth_blockNumber", []).get("result") or "0x0", 16)
            for n in range(latest + 1):
                block = request("eth_getBlockByNumber", [hex(n), False]).get("result") or {}
                for tx_hash in block.get("transactions", []):
                    if (endpoint, tx_hash) not in self.seen:
                        self.transaction(request, tx_hash)
        except Exception:  # noqa: BLE001
            self.hits.failures += 1
        self.seen = {key for key in self.seen if key[0] != endpoint}

    def install(self) -> None:
        """Trace through every web3 HTTPProvider of this process (Ape's connection to its anvil and
        the `dbis.chain` ones alike). Patched on the class, before any connection is made: web3
        caches each provider's bound `make_request` inside its middleware chain."""
        from web3 import HTTPProvider

        original = HTTPProvider.make_request
        if getattr(original, "_dbis_coverage", False):
            return
        tracer = self

        def make_request(provider: Any, method: str, params: Any) -> Any:
            response = original(provider, method, params)
            if isinstance(response, dict) and (method in SENDS or method in CALLS):
                def request(m: str, p: Any) -> Any:
                    return original(provider, m, p)

                if method in SENDS and isinstance(response.get("result"), str):
                    tracer.seen.add((provider.endpoint_uri, response["result"]))
                tracer.after(request, method, params, response)
            return response

        make_request._dbis_coverage = True  # type: ignore[attr-defined]
        HTTPProvider.make_request = make_request  # type: ignore[method-assign]


class CoveragePlugin:
    """Registered by tests/conftest.py when DBIS_COVERAGE=1."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.build: Build = load_build()
        self.tracer = Tracer(CodeIndex(c.code_entry() for c in self.build.contracts.values()), Hits())
        self.tracer.install()
        self.replay = FastChainReplay(self.tracer.index, self.tracer.hits)
        self.replay.install()
        self._patch_anvil()
        self._items: list[pytest.Item] = []

    def _patch_anvil(self) -> None:
        from dbis.chain import Anvil

        tracer = self.tracer
        original_stop = Anvil.stop
        if getattr(original_stop, "_dbis_coverage", False):
            return

        def stop(node: Anvil) -> None:
            if node.w3 is not None and node._proc is not None and node._proc.poll() is None:
                provider = node.w3.provider
                tracer.sweep(lambda m, p: provider.make_request(m, p), node.url)
            original_stop(node)

        stop._dbis_coverage = True  # type: ignore[attr-defined]
        Anvil.stop = stop  # type: ignore[method-assign]

    def traced_dirs(self) -> list[str]:
        """Test directories of this session (all traced: anvil's own and FastChain's replayed)."""
        return sorted({str(Path(str(item.path)).parent.relative_to(Path.cwd())) for item in self._items})

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, session: pytest.Session, config: pytest.Config,
                                      items: list[pytest.Item]) -> None:
        self._items = list(items)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.replay.close()
        HITS_DIR.mkdir(parents=True, exist_ok=True)
        out = HITS_DIR / f"session-{int(time.time())}-{os.getpid()}.json"
        payload = self.tracer.hits.to_json()
        payload["traced_test_dirs"] = self.traced_dirs()
        out.write_text(json.dumps(payload))
        write(self.build, load_hits(), _traced_dirs(HITS_DIR))


def _traced_dirs(directory: Path) -> list[str]:
    dirs: set[str] = set()
    for f in directory.glob("*.json"):
        dirs.update(json.loads(f.read_text()).get("traced_test_dirs", []))
    return sorted(dirs)


def register(config: pytest.Config) -> None:
    """Called from tests/conftest.py's pytest_configure."""
    if enabled() and not config.pluginmanager.has_plugin("dbis-coverage"):
        config.pluginmanager.register(CoveragePlugin(config), "dbis-coverage")
