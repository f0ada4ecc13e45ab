#!/usr/bin/env python3
"""Slither static analysis over every contract, gated by a committed triage file.

Runs in its own virtualenv (.venv-slither, pinned by tools/slither/requirements.lock) because
Slither pins eth-* versions Ape does not accept. The contracts are compiled through the same
provisioned solc as `ape compile` (SOLCX_BINARY_PATH/solc-v<version>, native or solc-js) with the
same remapping, EVM version and optimizer settings as ape-config.yaml.

Every finding gets a stable key (detector + the names of the elements it points at, no line
numbers), so moving code does not invalidate the triage. The gate:
  - fails (exit 1) on any High or Medium finding whose key is not in slither-triage.json;
  - lists Low / Informational / Optimization findings that are not triaged (they do not fail);
  - lists triage entries that no longer match a finding (fixed: remove them with --prune).
`--update` adds every untriaged finding to the triage file with the justification "TODO", which
still fails the gate for High/Medium until a person writes the one-line reason.

Usage: python tools/slither_gate.py [--update] [--prune] [--json out.json]
"""

from __future__ import annotations

import argparse
import inspect
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TRIAGE = ROOT / "slither-triage.json"
FAILING = ("High", "Medium")
# Sources compiled and analysed; findings inside these folders are not triaged: test doubles and
# benchmark fixtures are never deployed outside the local chain, and node_modules is upstream code.
SKIPPED_FINDINGS = ("contracts/test/", "contracts/bench/", "node_modules/")
REMAPPING = "@openzeppelin/contracts/=node_modules/@openzeppelin/contracts/"


def _settings() -> tuple[str, str, bool, int]:
    """Compiler version, EVM version, optimizer on/off and runs, read from ape-config.yaml."""
    import re

    text = (ROOT / "ape-config.yaml").read_text()
    block = re.search(r"^solidity:\n((?:[ \t]+.*\n)+)", text, re.MULTILINE)
    text = block.group(1) if block else ""

    def find(pattern: str, default: str) -> str:
        match = re.search(pattern, text, re.MULTILINE)
        return match.group(1) if match else default

    version = find(r"^\s*version:\s*\"?([0-9.]+)\"?", "0.8.28")
    evm = find(r"^\s*evm_version:\s*\"?(\w+)\"?", "shanghai")
    optimize = find(r"^\s*optimize:\s*(\w+)", "true").lower() == "true"
    runs = int(find(r"^\s*optimization_runs:\s*(\d+)", "200"))
    return version, evm, optimize, runs


def _solc(version: str) -> str:
    folder = Path(os.environ.get("SOLCX_BINARY_PATH", ROOT / ".toolchain" / "solc"))
    binary = folder / f"solc-v{version}"
    if not binary.exists():
        raise SystemExit(f"error: {binary} not found; run `make setup` first")
    return str(binary)


def _sources() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "contracts").rglob("*.sol") if ".cache" not in p.parts)


def _element_key(element: dict[str, Any]) -> str:
    kind = element.get("type", "?")
    name = element.get("name", "?")
    fields = element.get("type_specific_fields", {}) or {}
    parent = fields.get("parent") or {}
    if kind == "node":
        function = parent.get("name", "?")
        contract = ((parent.get("type_specific_fields") or {}).get("parent") or {}).get("name", "?")
        return f"node:{contract}.{function}:{name}"
    if kind in ("function", "variable", "event", "modifier", "struct", "enum", "custom_error"):
        return f"{kind}:{parent.get('name', '?')}.{fields.get('signature', name)}"
    if kind == "contract":
        return f"contract:{name}"
    return f"{kind}:{name}"


def finding_key(result: dict[str, Any]) -> str:
    """A key that survives moving lines: the detector and the elements, in order, without positions."""
    return result["check"] + "|" + "|".join(_element_key(e) for e in result.get("elements", []))


def _in_skipped(result: dict[str, Any]) -> bool:
    files = {((e.get("source_mapping") or {}).get("filename_relative") or "") for e in result.get("elements", [])}
    files.discard("")
    return bool(files) and all(f.startswith(SKIPPED_FINDINGS) for f in files)


def evaluate(findings: dict[str, dict[str, Any]], triage: dict[str, dict[str, str]]
             ) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]], list[str]]:
    """(untriaged findings, the failing subset: High/Medium, stale triage keys). A "TODO" is untriaged."""
    untriaged = {k: r for k, r in findings.items() if triage.get(k, {}).get("why", "TODO").strip() in ("", "TODO")}
    failing = {k: r for k, r in untriaged.items() if r["impact"] in FAILING}
    return untriaged, failing, sorted(set(triage) - set(findings))


def analyse() -> list[dict[str, Any]]:
    """Compile with the provisioned solc and run every Slither detector; returns the raw results."""
    from crytic_compile import CryticCompile
    from crytic_compile.platform.solc_standard_json import SolcStandardJson
    from slither import Slither
    from slither.detectors import all_detectors
    from slither.detectors.abstract_detector import AbstractDetector

    logging.disable(logging.WARNING)
    version, evm, optimize, runs = _settings()
    standard = SolcStandardJson()
    standard.add_source_files(_sources())
    standard.add_remapping(REMAPPING)
    standard.to_dict().setdefault("settings", {})["evmVersion"] = evm
    standard.to_dict()["settings"]["optimizer"] = {"enabled": optimize, "runs": runs}
    compiled = CryticCompile(standard, solc=_solc(version), solc_working_dir=str(ROOT))
    slither = Slither(compiled)
    for detector in vars(all_detectors).values():
        if inspect.isclass(detector) and issubclass(detector, AbstractDetector):
            slither.register_detector(detector)
    results = [r for group in slither.run_detectors() for r in group]
    return [r for r in results if not _in_skipped(r)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="add untriaged findings with justification TODO")
    parser.add_argument("--prune", action="store_true", help="drop triage entries that match no finding")
    parser.add_argument("--json", type=Path, help="write every finding with its key and triage to this file")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    triage: dict[str, dict[str, str]] = json.loads(TRIAGE.read_text()) if TRIAGE.exists() else {}
    results = analyse()
    findings: dict[str, dict[str, Any]] = {}
    for r in results:
        findings.setdefault(finding_key(r), r)

    untriaged, failing, stale = evaluate(findings, triage)
    counts: dict[str, int] = {}
    for r in findings.values():
        counts[r["impact"]] = counts.get(r["impact"], 0) + 1
    print(f"slither: {len(findings)} findings over {len(_sources())} files "
          + ", ".join(f"{impact} {n}" for impact, n in sorted(counts.items()))
          + f"; {len(findings) - len(untriaged)} triaged")
    for key, r in sorted(untriaged.items(), key=lambda kv: (kv[1]["impact"] not in FAILING, kv[0])):
        mark = "FAIL" if r["impact"] in FAILING else "note"
        first = r.get("description", "").strip().splitlines()[0] if r.get("description") else key
        print(f"  {mark} [{r['impact']}/{r['confidence']}] {r['check']}: {first}")
        print(f"       key: {key}")
    for key in stale:
        print(f"  stale triage entry (no longer found): {key}")

    if args.update or args.prune:
        for key, r in findings.items():
            if args.update and key not in triage:
                triage[key] = {"impact": r["impact"], "why": "TODO"}
        if args.prune:
            for key in stale:
                triage.pop(key)
        TRIAGE.write_text(json.dumps(dict(sorted(triage.items())), indent=2) + "\n")
        print(f"wrote {TRIAGE.relative_to(ROOT)}")
    if args.json:
        args.json.write_text(json.dumps([{"key": k, "impact": r["impact"], "confidence": r["confidence"],
                                          "check": r["check"], "why": triage.get(k, {}).get("why"),
                                          "description": r.get("description", "")}
                                         for k, r in sorted(findings.items())], indent=2) + "\n")
    if failing:
        print(f"slither gate: {len(failing)} High/Medium finding(s) not triaged; fix them or justify them "
              f"in {TRIAGE.name} (one line each)", file=sys.stderr)
        return 1
    print("slither gate: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
