"""XSD validation of the message against the official ISO 20022 schemas vendored under
`schemas/iso20022/` (libxml2 through lxml; xmlschema names the first violation on one line), and
read-back into the typed bindings.

`pacs.008.001.13.xsd` is vendored (see schemas/iso20022/README.md). `head.001.001.03.xsd` is
validated the same way when its file is present; without it the header is checked by the typed
read-back only (the registries reachable here ship no copy of it; docs/decisions.md).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree

import xmlschema
from lxml import etree

from dbis.artifacts import PROJECT_ROOT
from dbis.errors import OperatorError
from dbis.iso20022 import message

SCHEMA_DIR = PROJECT_ROOT / "schemas" / "iso20022"
SCHEMAS = {message.PACS_NS: "pacs.008.001.13.xsd", message.HEAD_NS: "head.001.001.03.xsd"}


@lru_cache(maxsize=4)
def schema(namespace: str) -> etree.XMLSchema | None:
    """libxml2's validator for the namespace's official XSD (fast: 1,000 transactions in ~0.1 s)."""
    path: Path = SCHEMA_DIR / SCHEMAS[namespace]
    return etree.XMLSchema(etree.parse(str(path))) if path.exists() else None


@lru_cache(maxsize=4)
def explainer(namespace: str) -> xmlschema.XMLSchema:
    """xmlschema's validator of the same XSD: slower, used only to name the first violation."""
    return xmlschema.XMLSchema(str(SCHEMA_DIR / SCHEMAS[namespace]))


def validate(xml: bytes) -> list[str]:
    """Validate the envelope's parts against their official XSDs; returns the namespaces checked.

    Raises OperatorError with the first schema violation on one line.
    """
    try:
        root = etree.fromstring(xml)
    except etree.XMLSyntaxError as exc:
        raise OperatorError(f"the ISO 20022 message is not well-formed XML: {exc}") from None
    if root.tag != f"{{{message.ENVELOPE_NS}}}DbisBizMsg":
        raise OperatorError(f"not a DBIS business message: root element {root.tag}")
    checked = []
    for namespace, local in ((message.HEAD_NS, "AppHdr"), (message.PACS_NS, "Document")):
        part = root.find(f"{{{namespace}}}{local}")
        if part is None:
            raise OperatorError(f"the message has no {local} ({namespace})")
        xsd = schema(namespace)
        if xsd is None:
            continue
        if not xsd.validate(etree.ElementTree(part)):
            error = next(explainer(namespace).iter_errors(ElementTree.fromstring(etree.tostring(part))), None)
            if error is not None:
                where = re.sub(r"\{[^}]*\}", "", error.path or "")
                reason = (error.reason or str(error)).splitlines()[0]
            else:  # pragma: no cover - both validators implement XSD 1.0; keep libxml2's words
                where, reason = "", str(xsd.error_log.last_error.message)
            raise OperatorError(f"{SCHEMAS[namespace]} validation failed at {where}: {reason}")
        checked.append(namespace)
    if message.PACS_NS not in checked:
        raise OperatorError(f"the official schema {SCHEMA_DIR / SCHEMAS[message.PACS_NS]} is missing")
    return checked


def read_back(xml: bytes) -> message.DbisBizMsg:
    """Parse the XML into the typed bindings; refuses anything the bindings cannot read."""
    try:
        return message.parse(xml)
    except Exception as exc:  # xsdata raises ParserError and friends
        raise OperatorError(f"the ISO 20022 message does not read back into the bindings: {exc}") from None
