"""Where the reserve workflow reads reserves and liabilities: a JSON file, an HTTP endpoint, or an
on-chain proof-of-reserve feed (`AggregatorV3Interface`) against a token's total supply.

The figures stay inside this process: `Figures` prints as `Figures(<hidden>)`, and no error message
here quotes a figure. Only `is_solvent` (a boolean) and, for the recovery monitor, the deficit leave.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from web3 import Web3

from dbis import abi
from dbis.commands.engine_x import ERC20
from dbis.errors import OperatorError

FEED = "AggregatorV3Interface"
_RESERVE_KEYS = ("reserves", "totalReserve")
_LIABILITY_KEYS = ("liabilities", "totalLiabilities")


@dataclass(frozen=True)
class Figures:
    """Reserves and liabilities in collateral units (whole tokens, exact decimals). Never printed."""

    reserves: Decimal = field(repr=False)
    liabilities: Decimal = field(repr=False)

    def __repr__(self) -> str:
        return "Figures(<hidden>)"

    __str__ = __repr__

    @property
    def is_solvent(self) -> bool:
        """Reserves cover liabilities (equality is solvent)."""
        return self.reserves >= self.liabilities

    @property
    def deficit(self) -> Decimal:
        """Liabilities not covered by reserves (0 when solvent)."""
        return max(Decimal(0), self.liabilities - self.reserves)


@dataclass(frozen=True)
class SourceSpec:
    """Where to read: `source` (file path or http(s) URL) or `feed` + `liability_token` (needs an RPC)."""

    source: str | None = None
    feed: str | None = None
    liability_token: str | None = None
    feed_max_age: int = 86_400

    @classmethod
    def from_sources(cls, params: dict[str, Any], cfg: dict[str, Any]) -> "SourceSpec":
        """Flags first (`params`), then the network's `reserve` section (`cfg`)."""
        def pick(name: str) -> Any:
            return params.get(name) or cfg.get(name)

        return cls(pick("source"), pick("feed"), pick("liability_token"), int(cfg.get("feed_max_age", 86_400)))


def _figure(value: Any, what: str, w3: Web3 | None) -> Decimal:
    if isinstance(value, dict):  # {"erc20": token, "holder": address}: an on-chain balance
        if w3 is None:
            raise OperatorError(f"the source reads {what} on chain: pass --rpc-url")
        token, holder = value.get("erc20"), value.get("holder")
        if not (isinstance(token, str) and isinstance(holder, str) and Web3.is_address(token) and Web3.is_address(holder)):
            raise OperatorError(f"source {what}: an on-chain balance needs 'erc20' and 'holder' addresses")
        raw = abi.view(w3, token, ERC20, "balanceOf", Web3.to_checksum_address(holder))[0]
        return Decimal(raw).scaleb(-abi.view(w3, token, ERC20, "decimals")[0])
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise OperatorError(f"source {what} must be a number (collateral units) or a decimal string")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise OperatorError(f"source {what} is not a decimal number") from None
    if not number.is_finite() or number < 0:
        raise OperatorError(f"source {what} must be a finite, non-negative number")
    return number


def _pick(doc: dict[str, Any], keys: tuple[str, ...], what: str) -> Any:
    for key in keys:
        if key in doc:
            return doc[key]
    raise OperatorError(f"source has no {what} (expected one of: {', '.join(keys)})")


def parse(doc: Any, w3: Web3 | None = None) -> Figures:
    """Figures from a JSON document `{"reserves": …, "liabilities": …}` (the seed's mock API keys
    `totalReserve` / `totalLiabilities` are accepted too)."""
    if not isinstance(doc, dict):
        raise OperatorError("source must be a JSON object with reserves and liabilities")
    return Figures(_figure(_pick(doc, _RESERVE_KEYS, "reserves"), "reserves", w3),
                   _figure(_pick(doc, _LIABILITY_KEYS, "liabilities"), "liabilities", w3))


def _load_json(source: str) -> Any:
    try:
        if source.startswith(("http://", "https://")):
            with urllib.request.urlopen(source, timeout=15) as response:  # noqa: S310 - operator's URL
                return json.loads(response.read())
        return json.loads(Path(source).read_text())
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        raise OperatorError(f"reserve source {source} is not reachable ({exc.__class__.__name__})") from None
    except FileNotFoundError:
        raise OperatorError(f"reserve source {source} does not exist") from None
    except json.JSONDecodeError:
        raise OperatorError(f"reserve source {source} is not JSON") from None


def read_feed(w3: Web3, feed: str, liability_token: str, max_age: int) -> Figures:
    """Reserves from a proof-of-reserve feed's latest answer, liabilities from the token's supply."""
    if not Web3.is_address(feed) or not Web3.is_address(liability_token):
        raise OperatorError("--feed and --liability-token must be addresses")
    feed = Web3.to_checksum_address(feed)
    try:
        _, answer, _, updated_at, _ = abi.view(w3, feed, FEED, "latestRoundData")
        feed_decimals = abi.view(w3, feed, FEED, "decimals")[0]
    except Exception as exc:  # a reverting or absent feed: publish nothing (the attestation ages out)
        raise OperatorError(f"proof-of-reserve feed {feed} did not answer ({exc.__class__.__name__})") from None
    now = w3.eth.get_block("latest")["timestamp"]
    if answer < 0 or updated_at == 0 or now - updated_at > max_age:
        raise OperatorError(f"proof-of-reserve feed {feed} is stale or invalid: nothing is attested")
    token = Web3.to_checksum_address(liability_token)
    supply = abi.view(w3, token, ERC20, "totalSupply")[0]
    token_decimals = abi.view(w3, token, ERC20, "decimals")[0]
    return Figures(Decimal(answer).scaleb(-feed_decimals), Decimal(supply).scaleb(-token_decimals))


def read(spec: SourceSpec, w3: Web3 | None) -> Figures:
    """Read the figures from the configured source."""
    if spec.feed:
        if w3 is None:
            raise OperatorError("a proof-of-reserve feed is read on chain: pass --rpc-url")
        if not spec.liability_token:
            raise OperatorError("--feed needs --liability-token (liabilities = its total supply)")
        return read_feed(w3, spec.feed, spec.liability_token, spec.feed_max_age)
    if not spec.source:
        raise OperatorError("no reserve source: pass --source <file or URL> or --feed with --rpc-url")
    return parse(_load_json(spec.source), w3)

