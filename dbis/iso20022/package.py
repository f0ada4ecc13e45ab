"""The proof package: a pure function from (configuration, tag, time, rail figures) to files.

Files (the runbook's names, under `reports/status/`):

    dbis-engine-x-recipient-deposit-plan-<tag>.json / .md   recipient deposit plan
    dbis-engine-x-recipient-deposit-iso20022-<tag>.xml      head.001.001.03 + pacs.008.001.13
    dbis-engine-x-recipient-deposit-peg-proof-<tag>.json    the 1:1 rail figures of every proof
    dbis-engine-x-recipient-deposit-audit-envelope-<tag>.json
    dbis-engine-x-recipient-deposit-proof-hashes-<tag>.json isoHash/auditHash/pegHash/proofId per recipient

Hashes follow docs/hashing.md: isoHash = keccak256(C14N 2.0 of the XML), every JSON hash =
keccak256(RFC 8785 of the document). The proof ID of a recipient is the keccak of its identity
(network, chain, tag, message and end-to-end IDs, recipient, units), so the same tag always gives
the same IDs and a consumed ID cannot be run again with a re-built package.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from dbis import ladder
from dbis.errors import OperatorError
from dbis.hashing import keccak_json, keccak_xml
from dbis.iso20022 import boundaries, message, validate
from dbis.iso20022.config import DECIMALS, PackageConfig, check_tag, display

FORMAT = "dbis-engine-x-proof-package/v1"
PREFIX = "dbis-engine-x-recipient-deposit"
KINDS = ("plan-json", "plan-md", "iso20022", "peg-proof", "audit-envelope", "proof-hashes")
HASHING_RULES = {
    "json": "RFC 8785 (JCS) canonical UTF-8 bytes, then keccak256",
    "xml": "W3C Canonical XML 2.0 (C14N 2.0, comments removed), UTF-8, then keccak256",
    "proof_id": "keccak256 of the RFC 8785 bytes of the recipient's identity object (see docs/hashing.md)",
    "doc": "docs/hashing.md",
}


def file_names(tag: str) -> dict[str, str]:
    return {
        "plan-json": f"{PREFIX}-plan-{tag}.json",
        "plan-md": f"{PREFIX}-plan-{tag}.md",
        "iso20022": f"{PREFIX}-iso20022-{tag}.xml",
        "peg-proof": f"{PREFIX}-peg-proof-{tag}.json",
        "audit-envelope": f"{PREFIX}-audit-envelope-{tag}.json",
        "proof-hashes": f"{PREFIX}-proof-hashes-{tag}.json",
    }


@dataclass(frozen=True)
class RailFigures:
    """The Engine X rail the proofs will run through (the peg proof states these)."""

    pool_reserve: int  # poolCwusdcReserve == poolUsdcReserve
    virtual_fee_bps: int
    max_round_trip_loss_bps: int
    vault: str | None = None


@dataclass(frozen=True)
class Package:
    tag: str
    files: dict[str, bytes]  # kind -> bytes
    hashes: dict[str, Any]  # the proof-hashes document

    def names(self) -> dict[str, str]:
        return file_names(self.tag)

    def write(self, out_dir: Path) -> list[Path]:
        out_dir.mkdir(parents=True, exist_ok=True)
        paths = []
        for kind, name in self.names().items():
            path = out_dir / name
            tmp = path.with_suffix(path.suffix + ".tmp")
            tmp.write_bytes(self.files[kind])
            tmp.replace(path)
            paths.append(path)
        return paths


def dumps(value: Any) -> bytes:
    """The on-disk JSON form (readable, deterministic); hashes use RFC 8785, not these bytes."""
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def proof_identity(cfg: PackageConfig, tag: str, e2e: str, recipient: str, units: int) -> dict[str, Any]:
    return {
        "format": "dbis-engine-x-recipient-proof/v1",
        "network": cfg.network,
        "chain_id": str(cfg.chain_id),
        "tag": tag,
        "message_id": message.message_id(tag),
        "end_to_end_id": e2e,
        "recipient": recipient.lower(),
        "amount_out": str(units),
    }


@lru_cache(maxsize=256)
def _preview(units: int, reserve: int, fee_bps: int) -> ladder.Preview:
    return ladder.amount_in_for_exact_out(units, reserve, fee_bps)


def snapshot(environ: dict[str, str], now: dt.datetime | None = None) -> tuple[str, dt.datetime]:
    """The tag and generation time: DBIS_ENGINE_X_SNAPSHOT_TAG / DBIS_ENGINE_X_GENERATED_AT, else now."""
    raw_time = environ.get("DBIS_ENGINE_X_GENERATED_AT")
    if raw_time:
        try:
            generated = dt.datetime.fromisoformat(raw_time)
        except ValueError:
            raise OperatorError(f"DBIS_ENGINE_X_GENERATED_AT {raw_time!r} is not an ISO 8601 date-time") from None
        if generated.tzinfo is None:
            raise OperatorError(f"DBIS_ENGINE_X_GENERATED_AT {raw_time!r} needs a UTC offset (e.g. +00:00)")
    else:
        generated = (now or dt.datetime.now(dt.timezone.utc)).replace(microsecond=0)
    generated = generated.astimezone(dt.timezone.utc)
    tag = environ.get("DBIS_ENGINE_X_SNAPSHOT_TAG") or generated.strftime("%Y%m%d")
    return check_tag(tag), generated


def build(cfg: PackageConfig, tag: str, generated_at: dt.datetime, rail: RailFigures,
          *, validate_xsd: bool = True) -> Package:
    """Every file of the package and its hashes (pure: same inputs, same bytes)."""
    check_tag(tag)
    if rail.pool_reserve <= 0:
        raise OperatorError("the rail's pool reserve is zero: the vault must be seeded before a proof can run")
    names = file_names(tag)
    created = generated_at.isoformat()
    txs: list[message.Transaction] = []
    rows: list[dict[str, Any]] = []
    peg_rows: list[dict[str, Any]] = []
    for r in cfg.recipients:
        e2e = message.end_to_end_id(tag, r.index)
        proof_id = keccak_json(proof_identity(cfg, tag, e2e, r.address, r.amount_units))
        txs.append(message.Transaction(r, e2e, proof_id))
        try:
            pv = _preview(r.amount_units, rail.pool_reserve, rail.virtual_fee_bps)
        except ladder.LadderError as exc:
            raise OperatorError(f"recipient {r.index} ({r.name}): {exc}") from None
        if pv.loss_bps > rail.max_round_trip_loss_bps:
            raise OperatorError(f"recipient {r.index} ({r.name}): round-trip loss {pv.loss_bps} bps is above the "
                                f"vault's maximum {rail.max_round_trip_loss_bps} bps")
        rows.append({"index": r.index, "name": r.name, "recipient": r.address, "amount_out": str(r.amount_units),
                     "amount_out_display": display(r.amount_units), "amount_in": str(pv.amount_in),
                     "end_to_end_id": e2e, "proof_id": proof_id})
        peg_rows.append({"proof_id": proof_id, "recipient": r.address, "amount_in": str(pv.amount_in),
                         "preview_out": str(pv.amount_out), "amount_out": str(r.amount_units),
                         "loss_bps": pv.loss_bps, "ladder_steps": str(pv.steps)})
    total = sum(r.amount_units for r in cfg.recipients)
    common = {"tag": tag, "generated_at": created, "network": cfg.network, "chain_id": str(cfg.chain_id)}
    token = {"symbol": cfg.token_symbol, "decimals": DECIMALS, "address": cfg.token_address}
    plan = {
        "format": FORMAT + "#recipient-deposit-plan", **common,
        "message_id": message.message_id(tag), "token": token, "iso_currency": cfg.currency,
        "vault_call": message.VAULT_CALL, "vault": rail.vault,
        "recipient_count": len(rows), "total_amount_out": str(total), "total_amount_out_display": display(total),
        "recipients": rows,
        "parties": {role: {"name": p.name, "bic": p.bic, "lei": p.lei, "country": p.country}
                    for role, p in cfg.parties.items()},
        "proof_boundaries": boundaries.as_json(),
    }
    xml = message.to_xml(message.build(cfg, tag, generated_at, txs))
    checked = validate.validate(xml) if validate_xsd else []
    peg = {
        "format": FORMAT + "#peg-proof", **common,
        "rail": {"vault": rail.vault, "pool_cwusdc_reserve": str(rail.pool_reserve),
                 "pool_usdc_reserve": str(rail.pool_reserve), "virtual_fee_bps": rail.virtual_fee_bps,
                 "max_round_trip_loss_bps": rail.max_round_trip_loss_bps},
        "rules": [
            "poolCwusdcReserve == poolUsdcReserve before every proof",
            "preview loss <= maxRoundTripLossBps",
            "amount_out <= preview_out (the recipient receives exactly amount_out)",
            "poolCwusdcReserve == poolUsdcReserve, unchanged, after every proof",
        ],
        "proofs": peg_rows,
    }
    iso_hash, peg_hash, plan_hash = keccak_xml(xml), keccak_json(peg), keccak_json(plan)
    audit = {
        "format": FORMAT + "#audit-envelope", **common,
        "message": {"file": names["iso20022"], "business_message_id": message.message_id(tag),
                    "definitions": ["head.001.001.03", "pacs.008.001.13"], "envelope_namespace": message.ENVELOPE_NS,
                    "supplementary_data_namespace": message.PROOF_NS, "xsd_validated": checked,
                    "iso_hash": iso_hash},
        "plan": {"file": names["plan-json"], "plan_hash": plan_hash},
        "peg_proof": {"file": names["peg-proof"], "peg_hash": peg_hash},
        "proofs": [{"proof_id": r["proof_id"], "end_to_end_id": r["end_to_end_id"], "recipient": r["recipient"],
                    "amount_out": r["amount_out"]} for r in rows],
        "hashing": HASHING_RULES,
        "proof_boundaries": boundaries.as_json(),
    }
    audit_hash = keccak_json(audit)
    hashes = {
        "format": FORMAT + "#proof-hashes", **common,
        "isoHash": iso_hash, "auditHash": audit_hash, "pegHash": peg_hash, "planHash": plan_hash,
        "files": {k: v for k, v in names.items() if k != "proof-hashes"},
        "recipients": [{"index": r["index"], "recipient": r["recipient"], "amountOut": r["amount_out"],
                        "endToEndId": r["end_to_end_id"], "proofId": r["proof_id"], "isoHash": iso_hash,
                        "auditHash": audit_hash, "pegHash": peg_hash} for r in rows],
        "hashing": HASHING_RULES,
        "proof_boundaries": boundaries.as_json(),
    }
    files = {
        "plan-json": dumps(plan), "plan-md": plan_markdown(plan, hashes).encode("utf-8"), "iso20022": xml,
        "peg-proof": dumps(peg), "audit-envelope": dumps(audit), "proof-hashes": dumps(hashes),
    }
    return Package(tag, files, hashes)


def plan_markdown(plan: dict[str, Any], hashes: dict[str, Any]) -> str:
    lines = [
        f"# DBIS Engine X recipient deposit plan {plan['tag']}",
        "",
        f"- network: {plan['network']} (chain {plan['chain_id']}); generated at {plan['generated_at']}",
        f"- ISO 20022 message {plan['message_id']}: head.001.001.03 + pacs.008.001.13, "
        f"{plan['recipient_count']} transaction(s)",
        f"- total: {plan['total_amount_out_display']} {plan['token']['symbol']}; vault call `{plan['vault_call']}`",
        f"- isoHash `{hashes['isoHash']}`",
        f"- auditHash `{hashes['auditHash']}`",
        f"- pegHash `{hashes['pegHash']}`",
        "",
        "| # | recipient | name | amount out | amount in | end-to-end ID | proof ID |",
        "| ---: | --- | --- | ---: | ---: | --- | --- |",
    ]
    for r in plan["recipients"]:
        lines.append(f"| {r['index']} | `{r['recipient']}` | {r['name']} | {r['amount_out_display']} | "
                     f"{r['amount_in']} | {r['end_to_end_id']} | `{r['proof_id']}` |")
    lines += ["", "Amounts out are exact cWUSDC (6 decimals); amount in is in 6-decimal units through the rail.",
              "", boundaries.as_markdown(), ""]
    return "\n".join(lines)


@dataclass(frozen=True)
class LoadedPackage:
    tag: str
    hashes: dict[str, Any]
    plan: dict[str, Any]
    peg: dict[str, Any]
    paths: dict[str, Path]


def load_verified(status_dir: Path, tag: str) -> LoadedPackage:
    """Read a package and refuse it unless every hash matches its file (docs/hashing.md)."""
    names = file_names(check_tag(tag))
    paths = {k: status_dir / v for k, v in names.items()}
    missing = [str(p) for p in paths.values() if not p.exists()]
    if missing:
        raise OperatorError(f"proof package {tag} is incomplete: {missing[0]} is missing (run proof-package)")
    try:
        hashes = json.loads(paths["proof-hashes"].read_bytes())
        plan = json.loads(paths["plan-json"].read_bytes())
        peg = json.loads(paths["peg-proof"].read_bytes())
        audit = json.loads(paths["audit-envelope"].read_bytes())
    except json.JSONDecodeError as exc:
        raise OperatorError(f"proof package {tag}: a JSON file does not parse ({exc.msg})") from None
    xml = paths["iso20022"].read_bytes()

    def refuse(what: str) -> OperatorError:
        return OperatorError(f"proof package {tag} does not match its files: {what}")

    try:
        iso_hash = keccak_xml(xml)
    except Exception:
        raise refuse(f"{names['iso20022']} is not well-formed XML") from None
    for label, expected, actual in (("isoHash", hashes.get("isoHash"), iso_hash),
                                    ("auditHash", hashes.get("auditHash"), keccak_json(audit)),
                                    ("pegHash", hashes.get("pegHash"), keccak_json(peg)),
                                    ("planHash", hashes.get("planHash"), keccak_json(plan))):
        if expected != actual:
            raise refuse(f"{label} {expected} != {actual} recomputed")
    if audit["message"]["iso_hash"] != iso_hash or audit["peg_proof"]["peg_hash"] != hashes["pegHash"] \
            or audit["plan"]["plan_hash"] != hashes["planHash"]:
        raise refuse("the audit envelope names other hashes than the proof-hashes file")
    doc = validate.read_back(xml)
    txs = doc.document.fito_ficstmr_cdt_trf.cdt_trf_tx_inf
    rows = hashes.get("recipients") or []
    if len(txs) != len(rows) or len(plan["recipients"]) != len(rows):
        raise refuse(f"{len(rows)} recipient(s) in the hashes, {len(txs)} in the XML, {len(plan['recipients'])} in the plan")
    for row, tx, planned in zip(rows, txs, plan["recipients"]):
        data = message.proof_data(tx)
        identity = {"format": "dbis-engine-x-recipient-proof/v1", "network": plan["network"],
                    "chain_id": plan["chain_id"], "tag": tag, "message_id": plan["message_id"],
                    "end_to_end_id": planned["end_to_end_id"], "recipient": planned["recipient"].lower(),
                    "amount_out": planned["amount_out"]}
        proof_id = keccak_json(identity)
        if not (row["proofId"] == proof_id == data.get("PrfId") == planned["proof_id"]):
            raise refuse(f"proof ID of recipient {row.get('index')} differs between files")
        if not (row["recipient"] == planned["recipient"] == data.get("Rcpt")
                and row["amountOut"] == planned["amount_out"] == data.get("AmtUnits")):
            raise refuse(f"recipient {row.get('index')} or its amount differs between files")
        if (row["isoHash"], row["auditHash"], row["pegHash"]) != (hashes["isoHash"], hashes["auditHash"], hashes["pegHash"]):
            raise refuse(f"recipient {row.get('index')} carries other hashes than the package")
    return LoadedPackage(tag, hashes, plan, peg, paths)
