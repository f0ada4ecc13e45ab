"""The conversion commands end to end on a local anvil with the real Uniswap V3 stack and the Rail's
registries: conversion-deploy, venue-approve (writes the Venue Authorization, then submits it once 3
signers including COMPLIANCE signed with swap-auth-sign), swap-auth-sign from a quote, convert. Each
command names the failing rule before anything is sent."""

from __future__ import annotations

import json
from pathlib import Path

from eth_account import Account
from eth_utils import keccak

from dbis import abi, uniswap
from dbis.rail import conversion as cv
from tests.harness.conftest import anvil, read_journal, run_cli, workdir  # noqa: F401 - fixtures
from tests.harness.test_framework import _nonce, _one_line_error

UNIT = 10**6
SIGNERS = {"ops-a": 1, "ops-b": 1, "compliance": 2, "treasury": 4}
VENUE_NAME = "uniswap-v3:cWUSDC/GRUUSD:100"


def _key(name: str) -> str:
    return "0x" + keccak(text=f"dbis.rail.cmd-signer:{name}").hex()


def _rail(anvil, workdir: Path) -> dict:
    """The Rail pieces rail-deploy would give (registries, signers) and a pool, deployed with web3."""
    w3 = anvil.w3
    me = w3.eth.accounts[0]
    reg = uniswap.deploy(w3, me, "DBISSignerRegistry", me, me)
    coins = uniswap.deploy(w3, me, "DBISStablecoinRegistry", me)
    cw = uniswap.deploy(w3, me, "TestERC20", "Wrapped cUSDC", "cWUSDC", 6)
    gru = uniswap.deploy(w3, me, "TestERC20", "GRU USD", "GRUUSD", 6)
    uniswap.transact(w3, me, coins, "DBISStablecoinRegistry", "register", keccak(text="DBIS:GRU:USD"), gru, 6)
    for t in (cw, gru):
        uniswap.transact(w3, me, t, "TestERC20", "mint", me, 10**7 * UNIT)
    stack = uniswap.deploy_stack(w3, me)
    pool = uniswap.create_pool_with_liquidity(w3, stack, me, cw, gru, 100, uniswap.PARITY_SQRT_PRICE_X96,
                                              10**6 * UNIT, 10**6 * UNIT, -500, 500)
    for name, cats in SIGNERS.items():
        uniswap.transact(w3, me, reg, "DBISSignerRegistry", "addSigner", Account.from_key(_key(name)).address, cats,
                         w3.eth.block_number + 1)
    keys = {}
    for name in SIGNERS:
        keys[name] = workdir / f"{name}.key"
        keys[name].write_text(_key(name))
    return {"me": me, "registry": reg, "coins": coins, "cw": cw, "gru": gru, "pool": pool, "keys": keys}


def _deployed(workdir: Path) -> dict[str, str]:
    return {f"{e['command']}/{e['step']}": e["contract_address"] for e in read_journal(workdir)
            if e.get("contract_address") and e["status"] == "landed"}


def _sign(run_cli, anvil, key: Path, *args: str):
    return run_cli("swap-auth-sign", "--network", "local", "--rpc-url", anvil.url, "--key-file", str(key), *args)


def test_deploy_approve_sign_and_convert_end_to_end(anvil, run_cli, workdir) -> None:  # noqa: F811
    r = _rail(anvil, workdir)
    w3 = anvil.w3
    issuer = w3.eth.accounts[1]
    deployed = run_cli("conversion-deploy", "--rpc-url", anvil.url, "--signer-registry", r["registry"],
                       "--stablecoin-registry", r["coins"], "--pool", r["pool"], "--quote-issuers", issuer,
                       "--tokens", f"{r['cw']},{r['gru']}", execute=True)
    assert deployed.returncode == 0, deployed.stderr
    a = _deployed(workdir)
    router, adapter = a["conversion-deploy/deploy-router"], a["conversion-deploy/deploy-adapter"]
    assert abi.view(w3, router, "DBISConversionRouter", "quoteIssuerAllowed", issuer)[0]

    # venue-approve without signatures: writes the authorization for the signers and names the rule
    first = run_cli("venue-approve", "--rpc-url", anvil.url, execute=True)
    assert first.returncode != 0 and "QuorumNotMet" in _one_line_error(first)
    auth_file = next((workdir / "plans" / "venue-approvals").glob("*/authorization.json"))
    for name in ("ops-a", "treasury"):
        assert _sign(run_cli, anvil, r["keys"][name], "--auth-file", str(auth_file)).returncode == 0
    nonce = _nonce(w3)
    short = run_cli("venue-approve", "--rpc-url", anvil.url, "--auth-file", str(auth_file), execute=True)
    assert "QuorumNotMet" in _one_line_error(short) and _nonce(w3) == nonce, "refused before sending"
    assert _sign(run_cli, anvil, r["keys"]["ops-b"], "--auth-file", str(auth_file)).returncode == 0
    no_compliance = run_cli("venue-approve", "--rpc-url", anvil.url, "--auth-file", str(auth_file), execute=True)
    assert "CategoriesNotCovered" in _one_line_error(no_compliance) and _nonce(w3) == nonce
    (auth_file.parent / f"{Account.from_key(_key('ops-b')).address}.sig.json").unlink()
    assert _sign(run_cli, anvil, r["keys"]["compliance"], "--auth-file", str(auth_file)).returncode == 0
    approved = run_cli("venue-approve", "--rpc-url", anvil.url, "--auth-file", str(auth_file), execute=True)
    assert approved.returncode == 0, approved.stderr
    venue = abi.view(w3, router, "DBISConversionRouter", "venueOf", bytes.fromhex(cv.venue_id(VENUE_NAME)[2:]))
    assert venue[0].lower() == adapter.lower() and venue[2] == 1

    # a quote from the allowed issuer, a Swap Authorization built from it by the first signer, co-signed
    now = w3.eth.get_block("latest")["timestamp"]
    quote = cv.Quote.of(quoteId="RFQ-1", issuer=issuer, source="RFQ", venue=cv.venue_id(VENUE_NAME), chainId=31337,
                        tokenIn=r["cw"], tokenOut=r["gru"], amountIn=1_000 * UNIT, amountOut=999 * UNIT,
                        issuedAt=now, expiresAt=now + 120)
    quote_file = workdir / "quote.json"
    quote_file.write_text(json.dumps(quote.to_json()))
    built = _sign(run_cli, anvil, r["keys"]["ops-a"], "--quote-file", str(quote_file), "--message-id",
                  "0x" + keccak(text="MSG-1").hex(), "--router", router)
    assert built.returncode == 0, built.stderr
    swap_auth = workdir / "plans" / "authorization.json"  # the runner's --out-dir
    one = run_cli("convert", "--rpc-url", anvil.url, "--auth-file", str(swap_auth))
    assert "QuorumNotMet" in _one_line_error(one)
    assert _sign(run_cli, anvil, r["keys"]["ops-b"], "--auth-file", str(swap_auth)).returncode == 0
    dry = run_cli("convert", "--rpc-url", anvil.url, "--auth-file", str(swap_auth))
    assert dry.returncode == 0, dry.stderr
    assert "approve-token-in" in dry.stdout and "ConversionExecuted" in dry.stdout
    before = abi.view(w3, r["gru"], "TestERC20", "balanceOf", r["me"])[0]
    converted = run_cli("convert", "--rpc-url", anvil.url, "--auth-file", str(swap_auth), execute=True)
    assert converted.returncode == 0, converted.stderr
    [entry] = [e for e in read_journal(workdir) if e["command"] == "convert" and e["step"] == "convert"]
    [event] = [e for e in entry["events"] if e["event"] == "ConversionExecuted"]
    assert event["args"]["quoteHash"] == quote.quote_hash and event["args"]["amountIn"] == 1_000 * UNIT
    got = abi.view(w3, r["gru"], "TestERC20", "balanceOf", r["me"])[0] - before
    assert event["args"]["amountOut"] == got >= cv.min_amount_out(quote, 50)


def test_swap_auth_sign_refuses_a_quote_the_policy_does_not_allow(anvil, run_cli, workdir) -> None:  # noqa: F811
    r = _rail(anvil, workdir)
    w3 = anvil.w3
    now = w3.eth.get_block("latest")["timestamp"]
    quote = cv.Quote.of(quoteId="RFQ-2", issuer=w3.eth.accounts[1], source="RFQ", venue=cv.venue_id(VENUE_NAME),
                        chainId=31337, tokenIn=r["cw"], tokenOut=r["gru"], amountIn=UNIT, amountOut=UNIT,
                        issuedAt=now, expiresAt=now + 120)
    (workdir / "q.json").write_text(json.dumps(quote.to_json()))
    args = ("--quote-file", str(workdir / "q.json"), "--message-id", "0x" + "11" * 32, "--router",
            "0x" + "22" * 20)
    slippage = _sign(run_cli, anvil, r["keys"]["ops-a"], *args, "--min-amount-out", str(UNIT * 9_900 // 10_000))
    assert "SlippageAboveMax" in _one_line_error(slippage)
    too_far = _sign(run_cli, anvil, r["keys"]["ops-a"], *args, "--deadline", str(now + 121))
    assert "DeadlineTooFar" in _one_line_error(too_far)
    no_code = run_cli("conversion-deploy", "--rpc-url", anvil.url, "--signer-registry", "0x" + "22" * 20,
                      "--stablecoin-registry", r["coins"])
    assert "ZeroValue: the signer registry" in _one_line_error(no_code)
    unknown = run_cli("convert", "--rpc-url", anvil.url, "--auth-file", str(workdir / "missing.json"))
    assert "no conversion router on local" in _one_line_error(unknown)
