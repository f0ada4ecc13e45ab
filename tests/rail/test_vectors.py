"""Fixed vectors (tests/vectors/rail-mint-authorization.json): the Python typed-data digest equals the
vector and the router's own `mintAuthorizationDigest` on a chain with chain id 138, at the vector's
verifyingContract. Regenerate with `DBIS_WRITE_VECTORS=1` (then review the diff)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from eth_utils import keccak

from dbis.engine import FastChain
from dbis.rail import typed_data as td
from tests.rail.scene import build_scene

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "rail-mint-authorization.json"
ROUTER = "0x00000000000000000000000000000000DB150138"
KEYS = [keccak(text=f"dbis.rail.vector-signer:{i}") for i in range(3)]


def _cases() -> list[dict]:
    base = dict(messageId="0x" + keccak(text="ISO20022:pacs.008:MSG-0001").hex(),
                lpaId="0x" + keccak(text="LPA-2026-000001").hex(),
                accountingRef="0x" + keccak(text="ACCT-REF-2026-000001").hex(),
                isoMessageHash="0x" + keccak(text="<pacs.008 canonical bytes>").hex(),
                token="0x1111111111111111111111111111111111111111",
                recipient="0x2222222222222222222222222222222222222222",
                amount=1_000_000_000, deadline=1_900_000_000, chainId=138, verifyingContract=ROUTER)
    return [
        {"name": "base", "fields": base},
        {"name": "elevated-amount", "fields": {**base, "amount": 5_000_000_000_000, "messageId": "0x" + "01" * 32}},
        {"name": "max-values", "fields": {**base, "amount": 2**256 - 1, "deadline": 2**256 - 1,
                                          "isoMessageHash": "0x" + "ff" * 32}},
    ]


def _build() -> dict:
    out = {"description": "EIP-712 MintAuthorization vectors, domain DBISSettlementRouter/1 on chain 138",
           "type": td.MINT_AUTHORIZATION_TYPE, "typehash": "0x" + td.MINT_AUTHORIZATION_TYPEHASH.hex(),
           "signer_keys": "keccak256('dbis.rail.vector-signer:<i>'), i = 0..2 (test keys only)", "vectors": []}
    for case in _cases():
        auth = td.MintAuthorization.of(**case["fields"])
        sigs = [td.sign(auth, k) for k in KEYS]
        out["vectors"].append({"name": case["name"], "authorization": auth.to_json(),
                               "digest": "0x" + td.digest(auth).hex(),
                               "signatures": [{"signer": a, "signature": "0x" + s.hex()} for a, s in sigs],
                               "packed_quorum": "0x" + td.assemble(sigs).hex()})
    return out


def test_vectors_are_committed_and_match_python() -> None:
    fresh = _build()
    if os.environ.get("DBIS_WRITE_VECTORS") == "1":
        VECTORS.write_text(json.dumps(fresh, indent=2) + "\n")
    assert json.loads(VECTORS.read_text()) == fresh


def test_contract_digest_equals_the_vectors() -> None:
    chain = FastChain(chain_id=138)
    rail = build_scene(chain)
    # The router's runtime code at the vector's verifyingContract (OpenZeppelin's EIP712 rebuilds the
    # domain separator for the address it runs at).
    chain.set_code(ROUTER, chain.get_code(rail.router.address))
    router = chain.at("DBISSettlementRouter", ROUTER)
    vectors = json.loads(VECTORS.read_text())
    assert router.MINT_AUTHORIZATION_TYPEHASH() == bytes.fromhex(vectors["typehash"][2:])
    for v in vectors["vectors"]:
        auth = td.MintAuthorization.of(**v["authorization"])
        assert "0x" + router.mintAuthorizationDigest(auth.as_abi()).hex() == v["digest"] == "0x" + td.digest(auth).hex()
        for s in v["signatures"]:
            assert td.recover(bytes.fromhex(v["digest"][2:]), bytes.fromhex(s["signature"][2:])) == s["signer"]
