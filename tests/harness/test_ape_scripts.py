"""Every `dbis` command has its `ape run` script, and the script reaches the command."""

from __future__ import annotations

import argparse
import importlib.util

import pytest
from click.testing import CliRunner

from dbis.artifacts import PROJECT_ROOT
from dbis.cli import parser


def _commands() -> list[str]:
    sub = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    return sorted(sub.choices)


def _load(name: str):
    path = PROJECT_ROOT / "scripts" / f"{name}.py"
    assert path.is_file(), f"no `ape run {name}` script at scripts/{name}.py"
    spec = importlib.util.spec_from_file_location(f"script_{name.replace('-', '_')}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.cli


@pytest.mark.parametrize("name", _commands())
def test_script_runs_its_command(name: str) -> None:
    result = CliRunner().invoke(_load(name), ["--help"])
    assert result.exit_code == 0, result.output
    assert f"usage: dbis {name}" in result.output


def test_script_passes_operator_errors_through() -> None:
    """A bad flag: argparse's one-line error and exit 2, no traceback."""
    result = CliRunner().invoke(_load("v2-deploy"), ["--no-such-flag"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
