"""The project's one hashing rule for JSON: RFC 8785 canonical bytes, then keccak256."""

from __future__ import annotations

from typing import Any

import rfc8785
from eth_utils import keccak


def canonical_json(value: Any) -> bytes:
    """RFC 8785 (JCS) canonical UTF-8 bytes of `value`."""
    return rfc8785.dumps(value)


def keccak_json(value: Any) -> str:
    """0x-prefixed keccak256 of the canonical JSON of `value`."""
    return "0x" + keccak(canonical_json(value)).hex()
