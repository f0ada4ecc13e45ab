"""The proof package: byte-identical output (committed vectors), the hashing rules, XSD validation,
read-back into the typed bindings, and refusal of a package whose hashes do not match its files."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from dbis.errors import OperatorError
from dbis.hashing import canonical_xml, keccak_json, keccak_xml
from dbis.iso20022 import boundaries, config, message, package, validate
from tests.proof_package.support import ENV, PER_RECIPIENT, RAIL, TAG, VECTORS, build_vector_package

NAMES = package.file_names(TAG)


@pytest.fixture(scope="module")
def pkg() -> package.Package:
    return build_vector_package()


def test_files_are_byte_identical_to_the_committed_vectors(pkg: package.Package) -> None:
    for kind, name in NAMES.items():
        assert pkg.files[kind] == (VECTORS / name).read_bytes(), f"{name} differs from the committed vector"
    committed = json.loads((VECTORS / NAMES["proof-hashes"]).read_text())
    assert (pkg.hashes["isoHash"], pkg.hashes["auditHash"], pkg.hashes["pegHash"]) == (
        committed["isoHash"], committed["auditHash"], committed["pegHash"])


def test_other_time_or_tag_gives_other_hashes_and_the_same_inputs_the_same_ones(pkg: package.Package) -> None:
    cfg = config.load("local", PER_RECIPIENT)
    tag, generated = package.snapshot(ENV)
    assert package.build(cfg, tag, generated, RAIL).files == pkg.files
    later = package.build(cfg, tag, generated + dt.timedelta(seconds=1), RAIL)
    assert later.hashes["isoHash"] != pkg.hashes["isoHash"]
    assert [r["proofId"] for r in later.hashes["recipients"]] == [r["proofId"] for r in pkg.hashes["recipients"]]
    other = package.build(cfg, "20260508", generated, RAIL)
    assert {r["proofId"] for r in other.hashes["recipients"]}.isdisjoint(r["proofId"] for r in pkg.hashes["recipients"])


def test_hashes_follow_the_documented_rules(pkg: package.Package) -> None:
    h = pkg.hashes
    assert h["isoHash"] == keccak_xml(pkg.files["iso20022"])
    assert h["auditHash"] == keccak_json(json.loads(pkg.files["audit-envelope"]))
    assert h["pegHash"] == keccak_json(json.loads(pkg.files["peg-proof"]))
    assert h["planHash"] == keccak_json(json.loads(pkg.files["plan-json"]))
    cfg = config.load("local", PER_RECIPIENT)
    for r, row in zip(cfg.recipients, h["recipients"]):
        identity = package.proof_identity(cfg, TAG, message.end_to_end_id(TAG, r.index), r.address, r.amount_units)
        assert row["proofId"] == keccak_json(identity)


def test_c14n_ignores_serialisation_details_but_not_content() -> None:
    a = '<?xml version="1.0"?><r xmlns="urn:x" b="2" a="1"><!-- note --><c></c><d>5</d></r>'
    b = '<r a="1" b="2" xmlns="urn:x"><c/><d>5</d></r>'
    assert canonical_xml(a) == canonical_xml(b) == b'<r xmlns="urn:x" a="1" b="2"><c></c><d>5</d></r>'
    assert keccak_xml(a) == keccak_xml(b) != keccak_xml(b.replace("5", "6"))
    assert keccak_json({"b": 1, "a": [1, "x"]}) == keccak_json({"a": [1, "x"], "b": 1})


def test_xml_validates_against_the_official_pacs008_xsd(pkg: package.Package) -> None:
    assert message.PACS_NS in validate.validate(pkg.files["iso20022"])
    bad = pkg.files["iso20022"].replace(b">5000000000.00000<", b">5000000000.000001<", 1)
    with pytest.raises(OperatorError, match=r"pacs.008.001.13.xsd validation failed at .*IntrBkSttlmAmt") as err:
        validate.validate(bad)
    assert "\n" not in str(err.value)
    no_bic = pkg.files["iso20022"].replace(b"<pacs:BICFI>DBISXXD0XXX<", b"<pacs:BICFI>dbis<", 1)
    with pytest.raises(OperatorError, match="BICFI"):
        validate.validate(no_bic)


def test_message_reads_back_into_the_typed_bindings(pkg: package.Package) -> None:
    msg = validate.read_back(pkg.files["iso20022"])
    assert msg.app_hdr.biz_msg_idr == message.message_id(TAG) and msg.app_hdr.msg_def_idr == "pacs.008.001.13"
    assert msg.app_hdr.fr.fiid.fin_instn_id.bicfi == "DBISXXD0XXX"
    transfer = msg.document.fito_ficstmr_cdt_trf
    assert transfer.grp_hdr.nb_of_txs == "2" and str(transfer.grp_hdr.ttl_intr_bk_sttlm_amt.value) == "10000000000.00000"
    plan = json.loads(pkg.files["plan-json"])
    for tx, row, planned in zip(transfer.cdt_trf_tx_inf, pkg.hashes["recipients"], plan["recipients"]):
        assert tx.pmt_id.end_to_end_id == row["endToEndId"]
        assert tx.intr_bk_sttlm_amt.value * 10**6 == int(row["amountOut"])
        assert tx.cdtr_acct.prxy.id == f"eip155:31337:{row['recipient']}" and tx.cdtr.nm == planned["name"]
        data = message.proof_data(tx)
        assert (data["PrfId"], data["Rcpt"], data["AmtUnits"]) == (row["proofId"], row["recipient"], row["amountOut"])
    package_data = message.proof_data(transfer, "DbisPkg")
    assert package_data == {"Tag": TAG, "ChainId": "31337", "TknSym": "cWUSDC", "TknDcmls": "6",
                            "VltCall": message.VAULT_CALL}
    # Serialising what was read gives the same canonical bytes: nothing was lost on the way.
    assert keccak_xml(message.to_xml(msg)) == pkg.hashes["isoHash"]


def test_fast_serialiser_is_canonically_equal_to_xsdata_serialiser(pkg: package.Package) -> None:
    msg = validate.read_back(pkg.files["iso20022"])
    assert canonical_xml(message.to_xml_xsdata(msg)) == canonical_xml(message.to_xml(msg))
    assert message.parse(message.to_xml(msg)) == msg


def test_every_package_file_carries_the_proof_boundaries(pkg: package.Package) -> None:
    for kind in ("plan-json", "audit-envelope", "proof-hashes"):
        assert json.loads(pkg.files[kind])["proof_boundaries"] == boundaries.as_json()
    assert boundaries.as_markdown() in pkg.files["plan-md"].decode()
    assert "Not proven" in pkg.files["plan-md"].decode()


def test_a_verified_package_loads_and_a_tampered_one_is_refused(tmp_path: Path) -> None:
    assert package.load_verified(VECTORS, TAG).hashes["isoHash"].startswith("0x")

    def tampered(kind: str, old: bytes, new: bytes) -> str:
        folder = tmp_path / kind
        shutil.copytree(VECTORS, folder)
        path = folder / NAMES[kind]
        assert old in path.read_bytes()
        path.write_bytes(path.read_bytes().replace(old, new, 1))
        with pytest.raises(OperatorError) as err:
            package.load_verified(folder, TAG)
        return str(err.value)

    assert "isoHash" in tampered("iso20022", b"Meta wallet", b"Evil wallet")
    assert "auditHash" in tampered("audit-envelope", b'"tag": "20260507"', b'"tag": "20260508"')
    assert "pegHash" in tampered("peg-proof", b'"loss_bps": 1', b'"loss_bps": 0')
    assert "planHash" in tampered("plan-json", b"Master wallet", b"Other wallet")
    first = json.loads((VECTORS / NAMES["proof-hashes"]).read_text())["recipients"][0]["proofId"]
    assert "proof ID of recipient 1" in tampered("proof-hashes", first.encode(), b"0x" + b"1" * 64)
    (tmp_path / "empty").mkdir()
    with pytest.raises(OperatorError, match="incomplete"):
        package.load_verified(tmp_path / "empty", TAG)


def test_snapshot_environment_is_checked() -> None:
    assert package.snapshot(ENV) == (TAG, dt.datetime(2026, 5, 7, tzinfo=dt.timezone.utc))
    with pytest.raises(OperatorError, match="needs a UTC offset"):
        package.snapshot({"DBIS_ENGINE_X_GENERATED_AT": "2026-05-07T00:00:00"})
    with pytest.raises(OperatorError, match="snapshot tag"):
        package.snapshot({**ENV, "DBIS_ENGINE_X_SNAPSHOT_TAG": "2026/05/07"})
    now = dt.datetime(2026, 11, 22, 8, 30, 1, 5, tzinfo=dt.timezone.utc)
    assert package.snapshot({}, now) == ("20261122", now.replace(microsecond=0))


def test_a_rail_that_cannot_carry_the_proof_is_refused() -> None:
    cfg = config.load("local", PER_RECIPIENT)
    tag, generated = package.snapshot(ENV)
    with pytest.raises(OperatorError, match="round-trip loss .* above the vault's maximum 1 bps"):
        package.build(cfg, tag, generated, dataclasses.replace(RAIL, virtual_fee_bps=30))
    with pytest.raises(OperatorError, match="pool reserve is zero"):
        package.build(cfg, tag, generated, dataclasses.replace(RAIL, pool_reserve=0))
