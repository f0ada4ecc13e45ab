"""The Rail operator commands end to end on a local chain whose chain id is 138 (the `dbis` network):
rail-deploy, rail-signer-add, lpa-post, mint-auth-sign (one file per signer, own key each),
mint-auth-submit; refusals name the rule before anything is sent."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from eth_account import Account
from eth_utils import keccak

from dbis import artifacts
from dbis.chain import Anvil
from tests.harness.conftest import read_journal
from tests.harness.test_framework import OPERATOR, _ape_account, _one_line_error

KEYS = {name: "0x" + keccak(text=f"dbis.rail.cli-signer:{name}").hex() for name in ("ops-a", "ops-b", "compliance")}
LPA, REF = "0x" + keccak(text="LPA-CLI-1").hex(), "0x" + keccak(text="REF-CLI-1").hex()
ISO = "0x" + keccak(text="pacs.008 CLI-1").hex()
RECIPIENT = "0x3333333333333333333333333333333333333333"


@pytest.fixture
def dbis_chain():
    with Anvil(chain_id=138) as node:
        yield node


def _nonce(w3) -> int:
    return w3.eth.get_transaction_count(OPERATOR.address)


def test_rail_commands_on_chain_138(dbis_chain, run_cli, workdir: Path) -> None:
    env = _ape_account(workdir)
    url = dbis_chain.url
    base = ("--network", "dbis", "--rpc-url", url, "--account", "operator")

    def confirmed(command: str, *args: str) -> None:
        dry = run_cli(command, *base, *args, env=env)
        assert dry.returncode == 0, dry.stderr
        plan_hash = re.search(r"--confirm (0x[0-9a-f]{64})", dry.stdout)[1]
        done = run_cli(command, *base, *args, "--confirm", plan_hash, execute=True, env=env)
        assert done.returncode == 0, done.stderr

    nonce = _nonce(dbis_chain.w3)
    refused = run_cli("rail-deploy", *base, execute=True, env=env)
    assert "needs explicit confirmation" in _one_line_error(refused) and _nonce(dbis_chain.w3) == nonce
    confirmed("rail-deploy")
    entries = read_journal(workdir, "dbis")
    addr = {e["step"]: e["contract_address"] for e in entries if e.get("contract_address")}
    router, token = addr["deploy-router"], addr["deploy-token"]
    for name, cats in (("ops-a", "OPERATIONS"), ("ops-b", "OPERATIONS"), ("compliance", "COMPLIANCE")):
        confirmed("rail-signer-add", "--signer", Account.from_key(KEYS[name]).address, "--categories", cats)
    confirmed("lpa-post", "--lpa-id", LPA, "--accounting-ref", REF)

    # ops-b keeps its key in an Ape keyfile account (the operator's path); ops-a signs from a key file.
    env["APE_ACCOUNTS_opsb_PASSPHRASE"] = "ops b passphrase"
    (workdir / "ape" / "accounts" / "opsb.json").write_text(
        json.dumps(Account.encrypt(KEYS["ops-b"], env["APE_ACCOUNTS_opsb_PASSPHRASE"])))
    out = workdir / "mint-auth"
    sign_base = ("mint-auth-sign", "--network", "dbis", "--rpc-url", url, "--signatures-dir", str(out))
    (workdir / "ops-a.key").write_text(KEYS["ops-a"])
    signed = run_cli(*sign_base, "--key-file", str(workdir / "ops-a.key"), "--message-id",
                     "0x" + keccak(text="MSG-CLI-1").hex(), "--lpa-id", LPA, "--accounting-ref", REF,
                     "--iso-message-hash", ISO, "--recipient", RECIPIENT, "--amount", "250000000")
    assert signed.returncode == 0, signed.stderr
    signed = run_cli(*sign_base, "--account", "opsb", "--auth-file", str(out / "authorization.json"), env=env)
    assert signed.returncode == 0, signed.stderr
    files = sorted(p.name for p in out.glob("*.sig.json"))
    assert len(files) == 2 and json.loads((out / "authorization.json").read_text())["authorization"]["chainId"] == "138"

    confirmed("mint-auth-submit", "--auth-file", str(out / "authorization.json"))
    token_c = dbis_chain.w3.eth.contract(address=token, abi=artifacts.load("DBISGRUToken").abi)
    assert token_c.functions.balanceOf(RECIPIENT).call() == 250_000_000

    # A re-run of the same submission resumes from the journal: nothing is sent twice.
    nonce = _nonce(dbis_chain.w3)
    confirmed("mint-auth-submit", "--auth-file", str(out / "authorization.json"))
    assert _nonce(dbis_chain.w3) == nonce and token_c.functions.balanceOf(RECIPIENT).call() == 250_000_000
    # Refusals, each naming the rule, nothing sent:
    big = workdir / "big"
    key_file = workdir / "ops-a.key"
    signed = run_cli("mint-auth-sign", "--network", "dbis", "--rpc-url", url, "--signatures-dir", str(big), "--key-file",
                     str(key_file), "--message-id", "0x" + keccak(text="MSG-CLI-2").hex(), "--lpa-id", LPA,
                     "--accounting-ref", REF, "--iso-message-hash", ISO, "--recipient", RECIPIENT,
                     "--amount", "5000000000")
    assert signed.returncode == 0, signed.stderr
    short = run_cli("mint-auth-submit", *base, "--auth-file", str(big / "authorization.json"), env=env)
    assert "QuorumNotMet" in _one_line_error(short)
    wrong = run_cli("lpa-transition", *base, "--lpa-id", LPA, "--to", "DISPUTED_HOLD", env=env)
    assert wrong.returncode == 0, wrong.stderr  # the sender holds the dispute role: a valid dry-run
    confirmed("lpa-transition", "--lpa-id", LPA, "--to", "POSTED_REVERSAL")
    back = run_cli("lpa-transition", *base, "--lpa-id", LPA, "--to", "POSTED_FINAL", env=env)
    assert "TransitionNotAllowed" in _one_line_error(back)
    not_final = run_cli("mint-auth-sign", "--network", "dbis", "--rpc-url", url, "--signatures-dir", str(workdir / "nf"),
                        "--key-file", str(key_file), "--auth-file", str(big / "authorization.json"))
    assert "LpaNotFinal" in _one_line_error(not_final)
    stranger = run_cli("rail-signer-revoke", *base, "--signer", RECIPIENT, env=env)
    assert "UnknownSigner" in _one_line_error(stranger)
    assert _nonce(dbis_chain.w3) == nonce + 1  # only the confirmed reversal transition was sent
    ops_b = Account.from_key(KEYS["ops-b"]).address
    confirmed("rail-signer-revoke", "--signer", ops_b)
    registry = dbis_chain.w3.eth.contract(address=addr["deploy-signer-registry"],
                                          abi=artifacts.load("DBISSignerRegistry").abi)
    revoked_at = registry.functions.signerOf(ops_b).call()[2]
    assert revoked_at == dbis_chain.w3.eth.block_number  # revoked from the block the revocation landed in
    assert not registry.functions.isActive(ops_b, revoked_at).call()
    assert router


def test_signing_refuses_another_chain(anvil, run_cli, workdir: Path) -> None:
    """The `dbis` network is chain 138: an RPC answering 31337 is refused before anything is signed."""
    key_file = workdir / "k.key"
    key_file.write_text(KEYS["ops-a"])
    result = run_cli("mint-auth-sign", "--network", "dbis", "--rpc-url", anvil.url, "--key-file", str(key_file),
                     "--auth-file", str(workdir / "none.json"))
    assert "does not match network dbis (expected 138)" in _one_line_error(result)
    assert not list(workdir.glob("**/*.sig.json"))
