"""Coverage of tests that run on `dbis.engine.FastChain` (in-process revm through pyrevm 0.3.7).

pyrevm's `EVM(tracing=True)` prints revm's EIP-3155 trace (pc, op, opName, depth, stack per
step) as JSON lines; `FastChain.tracing()` already collects them per execution. Each transaction
(`_execute`) and call (`call_raw`) is run inside that context and its steps go through the same
:func:`dbis.coverage.trace.ingest` as anvil's. Executions already inside a caller's `tracing()`
block (the gas-breakdown benchmark) are left alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .codeid import CodeIndex
from .trace import CodeRef, Hits, ingest


def _steps(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"pc": s["pc"], "op": s.get("opName") or s["op"], "depth": s["depth"], "stack": s.get("stack", [])}
            for s in raw]


def install(index: CodeIndex, hits: Hits) -> None:
    """Patch FastChain so every execution is traced into `hits` (idempotent)."""
    from dbis.engine import FastChain

    if getattr(FastChain._execute, "_dbis_coverage", False):
        return
    names: dict[bytes, str | None] = {}

    def runtime(chain: FastChain, address: str) -> str | None:
        code = bytes(chain._evm.get_code(address) or b"")
        if code not in names:
            names[code] = index.runtime(code)
        return names[code]

    def traced(run: Callable[..., Any], root: Callable[..., CodeRef | None]) -> Callable[..., Any]:
        def wrapper(chain: FastChain, to: Any, data: bytes, *args: Any, **kwargs: Any) -> Any:
            if chain._trace_buffer is not None:
                return run(chain, to, data, *args, **kwargs)
            with chain.tracing() as traces:
                try:
                    return run(chain, to, data, *args, **kwargs)
                finally:
                    ref = root(chain, to, data)
                    for raw in traces:
                        ingest(_steps(raw), ref, lambda a: runtime(chain, a), hits)

        wrapper._dbis_coverage = True  # type: ignore[attr-defined]
        return wrapper

    def root(chain: FastChain, to: Any, data: bytes) -> CodeRef | None:
        if to is None:
            name = index.creation(bytes(data))
            return (name, "creation") if name else None
        name = runtime(chain, str(to))
        return (name, "runtime") if name else None

    FastChain._execute = traced(FastChain._execute, root)  # type: ignore[method-assign]
    FastChain.call_raw = traced(FastChain.call_raw, root)  # type: ignore[method-assign]
