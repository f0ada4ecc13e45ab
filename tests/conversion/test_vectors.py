"""Fixed vectors (tests/vectors/rail-swap-authorization.json): the Python typed-data digests of
SwapAuthorization and VenueAuthorization equal the vector and the router's own digests on chain 138 at
the vector's verifyingContract; the quote's RFC 8785 canonical bytes and hash are pinned too.
Regenerate with `DBIS_WRITE_VECTORS=1` (then review the diff)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from eth_utils import keccak

from dbis.engine import FastChain
from dbis.rail import conversion as cv
from dbis.rail import conversion_local as local

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "rail-swap-authorization.json"
ROUTER = "0x00000000000000000000000000000000DB15c0DE"  # checksummed
KEYS = [keccak(text=f"dbis.rail.vector-signer:{i}") for i in range(3)]
CWUSDC = "0x1111111111111111111111111111111111111111"
GRU = "0x2222222222222222222222222222222222222222"
ISSUER = "0x3333333333333333333333333333333333333333"


def _quote() -> cv.Quote:
    return cv.Quote.of(quoteId="RFQ-2026-000001", issuer=ISSUER, source="RFQ", venue=cv.venue_id("uniswap-v3:1"),
                       chainId=138, tokenIn=CWUSDC, tokenOut=GRU, amountIn=1_000_000_000, amountOut=999_000_000,
                       issuedAt=1_900_000_000, expiresAt=1_900_000_120)


def _swap_cases() -> list[dict]:
    q = _quote()
    base = dict(messageId="0x" + keccak(text="ISO20022:pacs.008:MSG-0001").hex(), lpaId=cv.ZERO32,
                venue=q.venue, tokenIn=CWUSDC, tokenOut=GRU, amountIn=q.amountIn,
                minAmountOut=cv.min_amount_out(q, 50), deadline=1_900_000_060, quoteHash=q.quote_hash,
                quoteIssuer=ISSUER, chainId=138, verifyingContract=ROUTER)
    return [
        {"name": "base", "fields": base},
        {"name": "settlement-linked", "fields": {**base, "lpaId": "0x" + keccak(text="LPA-2026-000001").hex(),
                                                 "messageId": "0x" + "01" * 32}},
        {"name": "max-values", "fields": {**base, "amountIn": 2**256 - 1, "minAmountOut": 2**256 - 1,
                                          "deadline": 2**256 - 1, "quoteHash": "0x" + "ff" * 32}},
    ]


def _venue_cases() -> list[dict]:
    base = dict(venue=cv.venue_id("uniswap-v3:1"), adapter="0x4444444444444444444444444444444444444444",
                pool="0x5555555555555555555555555555555555555555", approvedUntil=1_931_536_000, nonce=0,
                deadline=1_900_003_600, chainId=138, verifyingContract=ROUTER)
    return [{"name": "enable", "fields": base}, {"name": "re-approve", "fields": {**base, "nonce": 1}}]


def _signed(msg) -> dict:
    sigs = [msg.sign(k) for k in KEYS]
    return {"digest": "0x" + msg.digest().hex(),
            "signatures": [{"signer": a, "signature": "0x" + s.hex()} for a, s in sigs],
            "packed_quorum": "0x" + cv.assemble(sigs).hex()}


def _build() -> dict:
    q = _quote()
    return {
        "description": "EIP-712 SwapAuthorization and VenueAuthorization vectors, domain DBISConversionRouter/1 on "
                       "chain 138; quoteHash = keccak256(RFC 8785 canonical JSON of the quote)",
        "swap_type": cv.SwapAuthorization.type_string(), "swap_typehash": "0x" + cv.SwapAuthorization.typehash().hex(),
        "venue_type": cv.VenueAuthorization.type_string(),
        "venue_typehash": "0x" + cv.VenueAuthorization.typehash().hex(),
        "signer_keys": "keccak256('dbis.rail.vector-signer:<i>'), i = 0..2 (test keys only)",
        "quote": {"quote": q.to_json(), "canonical": q.canonical().decode(), "quoteHash": q.quote_hash},
        "swap": [{"name": c["name"], "authorization": cv.SwapAuthorization.of(**c["fields"]).to_json(),
                  **_signed(cv.SwapAuthorization.of(**c["fields"]))} for c in _swap_cases()],
        "venue": [{"name": c["name"], "authorization": cv.VenueAuthorization.of(**c["fields"]).to_json(),
                   **_signed(cv.VenueAuthorization.of(**c["fields"]))} for c in _venue_cases()],
    }


def test_vectors_are_committed_and_match_python() -> None:
    fresh = _build()
    if os.environ.get("DBIS_WRITE_VECTORS") == "1":
        VECTORS.write_text(json.dumps(fresh, indent=2) + "\n")
    assert json.loads(VECTORS.read_text()) == fresh


def test_quote_hash_is_keccak_of_rfc8785_canonical_json() -> None:
    q = _quote()
    canonical = q.canonical()
    assert canonical.startswith(b'{"amountIn":"1000000000","amountOut":"999000000"')  # sorted keys, no spaces
    assert q.quote_hash == "0x" + keccak(canonical).hex()
    assert cv.Quote.of(**{**q.to_json(), "amountOut": 999_000_001}).quote_hash != q.quote_hash


def test_contract_digests_equal_the_vectors() -> None:
    chain = FastChain(chain_id=138)
    scene = local.build(chain)
    # The router's runtime code at the vector's verifyingContract (OpenZeppelin's EIP712 rebuilds the domain
    # separator for the address it runs at).
    chain.set_code(ROUTER, chain.get_code(scene.router.address))
    router = chain.at("DBISConversionRouter", ROUTER)
    vectors = json.loads(VECTORS.read_text())
    assert "0x" + router.SWAP_AUTHORIZATION_TYPEHASH().hex() == vectors["swap_typehash"]
    assert "0x" + router.VENUE_AUTHORIZATION_TYPEHASH().hex() == vectors["venue_typehash"]
    fields, name, version, chain_id, contract, _, _ = router.eip712Domain()
    assert (fields, name, version, chain_id, str(contract)) == (b"\x0f", "DBISConversionRouter", "1", 138, ROUTER)
    for v in vectors["swap"]:
        auth = cv.SwapAuthorization.of(**v["authorization"])
        assert "0x" + router.swapAuthorizationDigest(auth.as_abi()).hex() == v["digest"] == "0x" + auth.digest().hex()
    for v in vectors["venue"]:
        auth = cv.VenueAuthorization.of(**v["authorization"])
        assert "0x" + router.venueAuthorizationDigest(auth.as_abi()).hex() == v["digest"] == "0x" + auth.digest().hex()
