"""reserve-deploy and reserve-workflow: only the boolean leaves the workflow, from every source."""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from eth_utils import function_signature_to_4byte_selector

from dbis.errors import OperatorError
from dbis.reserve import source
from tests.harness.conftest import read_journal
from tests.harness.test_framework import _one_line_error

from .chain_support import deploy, send, view

# Figures chosen so that every way of writing them is recognisable in any output.
RESERVES, LIABILITIES = "123456.789012", "123450.987654"
LEAKS = ("123456", "789012", "123450", "987654", "12345678901200", "12345098765400")


def _write(path: Path, reserves: str, liabilities: str) -> Path:
    path.write_text(json.dumps({"reserves": reserves, "liabilities": liabilities}))
    return path


def _attestation(workdir: Path) -> str:
    return next(e["contract_address"] for e in read_journal(workdir) if e["step"] == "deploy-attestation")


def _everything_written(result, workdir: Path) -> str:
    files = "".join(p.read_text() for p in workdir.rglob("*.json") if "source" not in p.name)
    return result.stdout + result.stderr + files


def test_workflow_publishes_only_the_boolean(anvil, run_cli, workdir: Path) -> None:
    deployed = run_cli("reserve-deploy", "--rpc-url", anvil.url, execute=True)
    assert deployed.returncode == 0, deployed.stderr
    attestation = _attestation(workdir)
    books = _write(workdir / "source-books.json", RESERVES, LIABILITIES)

    dry = run_cli("reserve-workflow", "--rpc-url", anvil.url, "--source", str(books))
    assert dry.returncode == 0, dry.stderr
    assert "updateAttestation(True)" in dry.stdout and "dry-run: nothing was sent" in dry.stdout
    assert view(anvil.w3, attestation, "DBISReserveAttestation", "attestedAt") == 0

    sent = run_cli("reserve-workflow", "--rpc-url", anvil.url, "--source", str(books), execute=True)
    assert sent.returncode == 0, sent.stderr
    w3 = anvil.w3
    assert view(w3, attestation, "DBISReserveAttestation", "isReserveHealthy") is True
    _write(books, RESERVES, "123456.789013")  # one unit short: insolvent
    again = run_cli("reserve-workflow", "--rpc-url", anvil.url, "--source", str(books), execute=True)
    assert again.returncode == 0, again.stderr
    assert view(w3, attestation, "DBISReserveAttestation", "isSolvent") is False

    # The transactions carry the selector and one boolean word, nothing else.
    published = [e for e in read_journal(workdir) if e["command"] == "reserve-workflow"]
    assert len(published) == 2
    selector = function_signature_to_4byte_selector("updateAttestation(bool)")
    for entry, flag in zip(published, (1, 0)):
        tx = w3.eth.get_transaction(entry["tx_hash"])
        assert bytes(tx["input"]) == selector + flag.to_bytes(32, "big")
    # Output, plans, results and the journal never hold a figure.
    written = _everything_written(dry, workdir) + _everything_written(sent, workdir) + again.stdout + again.stderr
    for figure in LEAKS:
        assert figure not in written, f"figure {figure} leaked"


def test_workflow_without_attestation_or_source_is_refused(anvil, run_cli, workdir: Path) -> None:
    assert "no reserve attestation on local" in _one_line_error(run_cli("reserve-workflow", "--rpc-url", anvil.url))
    run_cli("reserve-deploy", "--rpc-url", anvil.url, execute=True)
    assert "no reserve source" in _one_line_error(run_cli("reserve-workflow", "--rpc-url", anvil.url))
    bad = workdir / "source-bad.json"
    bad.write_text(json.dumps({"reserves": "12345.6789"}))
    line = _one_line_error(run_cli("reserve-workflow", "--rpc-url", anvil.url, "--source", str(bad)))
    assert "no liabilities" in line and "12345" not in line


def test_deploy_refuses_a_bad_configuration(run_cli) -> None:
    assert "--max-age" in _one_line_error(run_cli("reserve-deploy", "--max-age", "0"))
    assert "chain selector" in _one_line_error(run_cli("reserve-deploy", "--chain-selector", str(2**64)))
    assert "--workflow-id" in _one_line_error(run_cli("reserve-deploy", "--workflow-id", "0x1234"))


def test_figures_never_print() -> None:
    figures = source.parse({"totalReserve": RESERVES, "totalLiabilities": LIABILITIES})  # the seed's mock API keys
    assert figures.is_solvent and figures.deficit == 0
    assert repr(figures) == str(figures) == f"{figures!r}" == "Figures(<hidden>)"
    assert source.parse({"reserves": "1", "liabilities": "1.5"}).deficit == Decimal("0.5")


@pytest.mark.parametrize("doc, message", [
    ([], "JSON object"),
    ({"reserves": "12345.6789", "liabilities": "x12345"}, "not a decimal number"),
    ({"reserves": "-12345", "liabilities": "1"}, "non-negative"),
    ({"reserves": True, "liabilities": "1"}, "must be a number"),
    ({"reserves": "NaN", "liabilities": "1"}, "finite"),
    ({"reserves": {"erc20": "0x12345"}, "liabilities": "1"}, "--rpc-url"),
])
def test_bad_source_documents_are_refused_without_their_figures(doc, message) -> None:
    with pytest.raises(OperatorError) as err:
        source.parse(doc)
    assert message in str(err.value) and "12345" not in str(err.value)


def test_http_source(workdir: Path) -> None:
    body = json.dumps({"totalReserve": "99.5", "totalLiabilities": "100", "isSolvent": False}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server API
            self.send_response(200)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/reserves"
        figures = source.read(source.SourceSpec(source=url), None)
        assert not figures.is_solvent and figures.deficit == Decimal("0.5")
    finally:
        server.shutdown()
    with pytest.raises(OperatorError, match="not reachable"):
        source.read(source.SourceSpec(source=url), None)


def test_feed_source_compares_reserves_with_token_supply(anvil) -> None:
    w3 = anvil.w3
    feed = deploy(w3, "MockAggregatorV3", 8)
    token = deploy(w3, "TestERC20", "Wrapped BTC", "wBTC", 8)
    send(w3, token, "TestERC20", "mint", w3.eth.accounts[1], 100 * 10**8)
    now = w3.eth.get_block("latest")["timestamp"]
    send(w3, feed, "MockAggregatorV3", "setRoundData", 1, 100 * 10**8, now, now, 1)
    spec = source.SourceSpec(feed=feed, liability_token=token, feed_max_age=3600)
    assert source.read(spec, w3).is_solvent  # 100 held against 100 issued
    send(w3, token, "TestERC20", "mint", w3.eth.accounts[1], 1)
    assert source.read(spec, w3).deficit == Decimal("0.00000001")
    w3.provider.make_request("evm_increaseTime", [3601])
    w3.provider.make_request("evm_mine", [])
    with pytest.raises(OperatorError, match="stale or invalid"):  # a stale feed attests nothing
        source.read(spec, w3)
    send(w3, feed, "MockAggregatorV3", "setBroken", True)
    with pytest.raises(OperatorError, match="did not answer"):
        source.read(spec, w3)
    with pytest.raises(OperatorError, match="--liability-token"):
        source.read(source.SourceSpec(feed=feed), w3)
