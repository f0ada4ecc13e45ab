"""The project's hashing rules (docs/hashing.md): every hash is keccak256 of canonical bytes.

* JSON: RFC 8785 (JCS) canonical UTF-8 bytes, then keccak256 (`keccak_json`).
* XML: W3C Canonical XML 2.0 (C14N 2.0, `xml.etree.ElementTree.canonicalize` with comments
  dropped and whitespace-only text kept), UTF-8, then keccak256 (`keccak_xml`).
* Raw bytes (a file exactly as written): keccak256 (`keccak_bytes`).
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import canonicalize

import rfc8785
from eth_utils import keccak


def canonical_json(value: Any) -> bytes:
    """RFC 8785 (JCS) canonical UTF-8 bytes of `value`."""
    return rfc8785.dumps(value)


def keccak_json(value: Any) -> str:
    """0x-prefixed keccak256 of the canonical JSON of `value`."""
    return "0x" + keccak(canonical_json(value)).hex()


def canonical_xml(xml: bytes | str) -> bytes:
    """C14N 2.0 canonical UTF-8 bytes of an XML document (comments removed, the XML declaration
    dropped, attributes ordered, namespace declarations normalised, whitespace text kept)."""
    text = xml.decode("utf-8") if isinstance(xml, bytes) else xml
    return canonicalize(text, with_comments=False, strip_text=False).encode("utf-8")


def keccak_xml(xml: bytes | str) -> str:
    """0x-prefixed keccak256 of the C14N 2.0 canonical form of an XML document."""
    return "0x" + keccak(canonical_xml(xml)).hex()


def keccak_bytes(data: bytes) -> str:
    """0x-prefixed keccak256 of raw bytes."""
    return "0x" + keccak(data).hex()
