"""Every test the docs cite (`tests/<file>.py::test_name`) exists, so the threat model and the
other docs cannot point at a test that was renamed or removed."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ("docs/threat-model.md", "README.md", "docs/decisions.md")
REFERENCE = re.compile(r"(tests/[\w/]+\.py)::(\w+)")


def _references() -> list[tuple[str, str, str]]:
    found = []
    for doc in DOCS:
        path = ROOT / doc
        if path.exists():
            found += [(doc, file, name) for file, name in REFERENCE.findall(path.read_text())]
    return found


def _test_names(file: Path) -> set[str]:
    tree = ast.parse(file.read_text())
    return {node.name for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


def test_the_threat_model_cites_tests() -> None:
    cited = [r for r in _references() if r[0] == "docs/threat-model.md"]
    assert len(cited) >= 20, "the threat model must name the test behind each control"


@pytest.mark.parametrize("doc,file,name", _references(), ids=lambda v: str(v))
def test_cited_test_exists(doc: str, file: str, name: str) -> None:
    path = ROOT / file
    assert path.exists(), f"{doc} cites {file}, which does not exist"
    assert name in _test_names(path), f"{doc} cites {file}::{name}, which does not exist"
