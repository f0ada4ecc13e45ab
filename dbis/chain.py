"""Chains the harness talks to: an embedded anvil (fresh or forking an RPC) and remote RPCs."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

from web3 import HTTPProvider, Web3

from dbis.artifacts import PROJECT_ROOT
from dbis.errors import OperatorError

ANVIL_MNEMONIC = "test test test test test test test test test test test junk"


def anvil_binary() -> str:
    """The anvil executable shipped by the pinned npm package (or one on PATH)."""
    local = PROJECT_ROOT / "node_modules" / ".bin" / "anvil"
    if local.exists():
        return str(local)
    found = shutil.which("anvil")
    if not found:
        raise OperatorError("anvil not found: run `make setup` (npm package @foundry-rs/anvil-linux-amd64)")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def connect(url: str, timeout: float = 30.0) -> Web3:
    """A web3 connection to `url`; refuses an unreachable RPC with a one-line error."""
    w3 = Web3(HTTPProvider(url, request_kwargs={"timeout": timeout}))
    try:
        w3.eth.chain_id  # noqa: B018 - probe
    except Exception as exc:  # requests/websocket errors vary by transport
        raise OperatorError(f"RPC {url} is not reachable: {exc.__class__.__name__}") from None
    return w3


class Anvil:
    """An anvil process on a free loopback port, stopped on exit.

    `fork_url` forks that RPC (a dry-run of a real network runs here, never on the network).
    """

    def __init__(
        self,
        chain_id: int = 31337,
        fork_url: str | None = None,
        port: int | None = None,
        log_path: Path | None = None,
    ) -> None:
        self.chain_id = chain_id
        self.fork_url = fork_url
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._proc: subprocess.Popen[bytes] | None = None
        self.w3: Web3 | None = None

    def start(self) -> Web3:
        args = [
            anvil_binary(),
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--mnemonic", ANVIL_MNEMONIC,
            "--accounts", "10",
            "--hardfork", "shanghai",
        ]
        if os.environ.get("DBIS_COVERAGE") == "1":
            args.append("--steps-tracing")  # geth-style step traces for `make coverage` (dbis.coverage)
        if self.fork_url:
            args += ["--fork-url", self.fork_url]
        else:
            args += ["--chain-id", str(self.chain_id)]
        log = open(self.log_path, "wb") if self.log_path else subprocess.DEVNULL
        self._proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise OperatorError(f"anvil exited with code {self._proc.returncode} (fork: {self.fork_url})")
            try:
                w3 = Web3(HTTPProvider(self.url, request_kwargs={"timeout": 60}))
                w3.eth.chain_id  # noqa: B018 - probe
                self.w3 = w3
                return w3
            except Exception:
                time.sleep(0.1)
        self.stop()
        raise OperatorError("anvil did not start within 60 s")

    def stop(self) -> None:
        if self._proc and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
        self._proc = None

    def __enter__(self) -> "Anvil":
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
