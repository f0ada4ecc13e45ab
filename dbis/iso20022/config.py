"""Proof-package configuration: parties and recipients from `config/proof-package/<network>.json`.

Everything an operator types is checked here, and each mistake is refused with a one-line
reason (dbis.errors.OperatorError) before anything is built.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from eth_utils import is_checksum_address, to_checksum_address

from dbis.artifacts import PROJECT_ROOT
from dbis.errors import OperatorError

CONFIG_DIR = PROJECT_ROOT / "config" / "proof-package"
DECIMALS = 6  # cWUSDC, USDC
ISO_FRACTION_DIGITS = 5  # ActiveCurrencyAndAmount in pacs.008.001.13
BIC_RE = re.compile(r"^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")  # ISO 9362
LEI_RE = re.compile(r"^[A-Z0-9]{18}[0-9]{2}$")  # ISO 17442
ADDRESS_RE = re.compile(r"^0x[0-9a-fA-F]{40}$")
TAG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,19}$")
PARTY_ROLES = ("debtor", "debtor_agent", "creditor_agent")
ZERO_ADDRESS = "0x" + "0" * 40


@dataclass(frozen=True)
class Party:
    """A legal entity of the message: the debtor institution or an agent (BIC + LEI required)."""

    role: str
    name: str
    bic: str
    lei: str
    country: str | None = None


@dataclass(frozen=True)
class Recipient:
    """One creditor wallet and the exact cWUSDC it receives (6-decimal units)."""

    index: int
    name: str
    address: str  # EIP-55 checksummed
    amount_units: int


@dataclass(frozen=True)
class PackageConfig:
    network: str
    chain_id: int
    currency: str
    token_symbol: str
    token_address: str | None
    parties: dict[str, Party]
    recipients: tuple[Recipient, ...]
    canary_amount_units: int


def lei_checksum_ok(lei: str) -> bool:
    """ISO 17442 check digits: the LEI read as a base-36 number is 1 modulo 97."""
    digits = "".join(str(int(c, 36)) for c in lei)
    return int(digits) % 97 == 1


def lei_with_check_digits(prefix18: str) -> str:
    """Complete an 18-character LEI prefix with its ISO 17442 check digits (test data helper)."""
    digits = "".join(str(int(c, 36)) for c in prefix18 + "00")
    return f"{prefix18}{98 - int(digits) % 97:02d}"


def parse_amount(text: Any, what: str) -> int:
    """Whole cWUSDC (a decimal string, at most 6 decimals) to 6-decimal units; refuses 0."""
    raw = str(text).strip()
    if not re.fullmatch(r"\d+(\.\d+)?", raw):
        raise OperatorError(f"{what} {raw!r} is not a positive decimal amount of cWUSDC")
    _, _, frac = raw.partition(".")
    if len(frac) > DECIMALS:
        raise OperatorError(f"{what} {raw} has more than {DECIMALS} decimals (cWUSDC has {DECIMALS})")
    try:
        units = int(Decimal(raw) * 10**DECIMALS)
    except InvalidOperation:  # pragma: no cover - the regex already guarantees a decimal
        raise OperatorError(f"{what} {raw!r} is not a decimal amount") from None
    if units == 0:
        raise OperatorError(f"{what} is zero: a proof must move a positive amount")
    if units % 10 ** (DECIMALS - ISO_FRACTION_DIGITS):
        raise OperatorError(
            f"{what} {raw} has a nonzero 6th decimal: ISO 20022 amounts carry at most {ISO_FRACTION_DIGITS} decimals"
        )
    return units


def display(units: int) -> str:
    """6-decimal units as a decimal string with all 6 decimals (5000000000000000 -> 5000000000.000000)."""
    whole, frac = divmod(units, 10**DECIMALS)
    return f"{whole}.{frac:0{DECIMALS}d}"


def check_address(value: Any, what: str) -> str:
    text = str(value or "").strip()
    if not ADDRESS_RE.fullmatch(text):
        raise OperatorError(f"{what} {text!r} is not an address (0x followed by 40 hex digits)")
    if text.lower() == ZERO_ADDRESS:
        raise OperatorError(f"{what} is the zero address")
    mixed = text[2:] != text[2:].lower() and text[2:] != text[2:].upper()
    if mixed and not is_checksum_address(text):
        raise OperatorError(f"{what} {text} has a wrong EIP-55 checksum (mistyped?)")
    return to_checksum_address(text)


def check_tag(tag: str) -> str:
    if not TAG_RE.fullmatch(tag):
        raise OperatorError(f"snapshot tag {tag!r} must be 1-20 letters, digits or '-' (it is part of ISO message IDs)")
    return tag


def _party(role: str, raw: Any) -> Party:
    if not isinstance(raw, dict):
        raise OperatorError(f"party {role} is missing from the proof-package configuration")
    name = str(raw.get("name") or "").strip()
    bic = str(raw.get("bic") or "").strip()
    lei = str(raw.get("lei") or "").strip()
    if not name:
        raise OperatorError(f"party {role} has no name")
    if not bic:
        raise OperatorError(f"party {role} has no BIC")
    if not BIC_RE.fullmatch(bic):
        raise OperatorError(f"party {role} BIC {bic!r} is not an ISO 9362 BIC (8 or 11 characters)")
    if not lei:
        raise OperatorError(f"party {role} has no LEI")
    if not LEI_RE.fullmatch(lei) or not lei_checksum_ok(lei):
        raise OperatorError(f"party {role} LEI {lei!r} is not an ISO 17442 LEI (20 characters, valid check digits)")
    country = raw.get("country")
    if country is not None and not re.fullmatch(r"[A-Z]{2}", str(country)):
        raise OperatorError(f"party {role} country {country!r} is not an ISO 3166 alpha-2 code")
    return Party(role, name[:140], bic, lei, country)


def from_dict(raw: dict[str, Any], per_recipient: Any) -> PackageConfig:
    """Validate a configuration dict; `per_recipient` (whole cWUSDC) applies to recipients without `amount`."""
    default_units = parse_amount(per_recipient, "--per-recipient") if per_recipient is not None else None
    parties_raw = raw.get("parties") or {}
    parties = {role: _party(role, parties_raw.get(role)) for role in PARTY_ROLES}
    entries = raw.get("recipients") or []
    if not entries:
        raise OperatorError(f"no recipients in the proof-package configuration for {raw.get('network')}")
    seen: dict[str, int] = {}
    recipients = []
    for i, entry in enumerate(entries, 1):
        name = str(entry.get("name") or "").strip()
        if not name:
            raise OperatorError(f"recipient {i} has no name")
        address = check_address(entry.get("address"), f"recipient {i} ({name}) address")
        if address.lower() in seen:
            raise OperatorError(f"recipient {i} ({name}) duplicates recipient {seen[address.lower()]}: {address}")
        seen[address.lower()] = i
        if entry.get("amount") is not None:
            units = parse_amount(entry["amount"], f"recipient {i} ({name}) amount")
        elif default_units is not None:
            units = default_units
        else:
            raise OperatorError(f"recipient {i} ({name}) has no amount: pass --per-recipient")
        recipients.append(Recipient(i, name[:140], address, units))
    currency = str(raw.get("currency") or "USD")
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise OperatorError(f"currency {currency!r} is not an ISO 4217 code")
    token = raw.get("token") or {}
    token_address = check_address(token["address"], "token address") if token.get("address") else None
    canary = parse_amount(raw.get("canary_amount", "0.01"), "canary_amount")
    return PackageConfig(
        network=str(raw["network"]), chain_id=int(raw["chain_id"]), currency=currency,
        token_symbol=str(token.get("symbol") or "cWUSDC"), token_address=token_address,
        parties=parties, recipients=tuple(recipients), canary_amount_units=canary,
    )


def load(network: str, per_recipient: Any, path: Path | None = None) -> PackageConfig:
    """Load and validate `config/proof-package/<network>.json` (or `path`)."""
    file = path or CONFIG_DIR / f"{network}.json"
    if not file.exists():
        raise OperatorError(f"no proof-package configuration at {file}: create it (see config/proof-package/local.json)")
    try:
        raw = json.loads(file.read_text())
    except json.JSONDecodeError as exc:
        raise OperatorError(f"{file} is not valid JSON: {exc.msg} at line {exc.lineno}") from None
    return from_dict(raw, per_recipient)
