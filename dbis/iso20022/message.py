"""The ISO 20022 message of a proof package, built from pyiso20022's typed bindings.

One XML document, `DbisBizMsg` (namespace :data:`ENVELOPE_NS`), carries the business
application header (`head.001.001.03` `AppHdr`) and the FI-to-FI customer credit transfer
(`pacs.008.001.13` `Document`) side by side, as a business message envelope does. The
`pacs.008` has one `CdtTrfTxInf` per recipient; each carries the DBIS proof data (`DbisPrf`:
proof ID, recipient wallet, exact 6-decimal token units) as `SplmtryData` in the namespace
:data:`PROOF_NS`, which the XSD admits through its `xs:any` envelope; what all transactions
share (`DbisPkg`: tag, chain, token symbol and decimals, vault call) is the message's own
`SplmtryData`. Agents are named once, in the group header; transactions carry BIC and LEI.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, is_dataclass
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import Any, Iterable
from xml.etree import ElementTree

from pyiso20022.head.head_001_001_03 import head_001_001_03 as head
from pyiso20022.pacs.pacs_008_001_13 import pacs_008_001_13 as pacs
from xsdata.formats.dataclass.context import XmlContext
from xsdata.formats.dataclass.models.generics import AnyElement
from xsdata.formats.dataclass.parsers import XmlParser
from xsdata.formats.dataclass.serializers import XmlSerializer
from xsdata.formats.dataclass.serializers.config import SerializerConfig
from xsdata.models.datatype import XmlDate, XmlDateTime

from dbis.iso20022.config import DECIMALS, ISO_FRACTION_DIGITS, PackageConfig, Party, Recipient

HEAD_NS = "urn:iso:std:iso:20022:tech:xsd:head.001.001.03"
PACS_NS = "urn:iso:std:iso:20022:tech:xsd:pacs.008.001.13"
ENVELOPE_NS = "urn:dbis:engine-x:business-message:1"
PROOF_NS = "urn:dbis:engine-x:proof:1"
MSG_DEF_IDR = "pacs.008.001.13"
BIZ_SVC = "dbis.engine-x.recipient-proof"
VAULT_CALL = "DBISEngineXVirtualBatchVault.runVirtualProofExactOutTo"
NS_MAP = {"bizmsg": ENVELOPE_NS, "head": HEAD_NS, "pacs": PACS_NS, "dbis": PROOF_NS}


@dataclass(kw_only=True)
class DbisBizMsg:
    """The envelope: `AppHdr` (head.001.001.03) then `Document` (pacs.008.001.13)."""

    class Meta:
        name = "DbisBizMsg"
        namespace = ENVELOPE_NS

    app_hdr: head.AppHdr = field(metadata={"name": "AppHdr", "type": "Element", "namespace": HEAD_NS,
                                           "required": True})
    document: pacs.Document = field(metadata={"name": "Document", "type": "Element", "namespace": PACS_NS,
                                              "required": True})


@dataclass(frozen=True)
class Transaction:
    """What one credit transfer says about one recipient."""

    recipient: Recipient
    end_to_end_id: str
    proof_id: str


def message_id(tag: str) -> str:
    return f"DBIS-EX-{tag}"


def end_to_end_id(tag: str, index: int) -> str:
    return f"DBIS-EX-{tag}-{index:05d}"


def iso_amount(units: int) -> Decimal:
    """6-decimal token units as an ISO amount with 5 fraction digits (config refuses a 6th decimal)."""
    step = 10 ** (DECIMALS - ISO_FRACTION_DIGITS)
    if units % step:
        raise ValueError(f"{units} units need a 6th decimal; ISO 20022 amounts carry {ISO_FRACTION_DIGITS}")
    return Decimal(units // step).scaleb(-ISO_FRACTION_DIGITS)


def _xml_datetime(moment: dt.datetime) -> XmlDateTime:
    return XmlDateTime.from_string(moment.isoformat())


def _el(name: str, text: str) -> AnyElement:
    return AnyElement(qname=f"{{{PROOF_NS}}}{name}", text=text)


def _fi6(party: Party) -> head.Party44Choice:
    return head.Party44Choice(fiid=head.BranchAndFinancialInstitutionIdentification6(
        fin_instn_id=head.FinancialInstitutionIdentification18(bicfi=party.bic, lei=party.lei, nm=party.name)))


def _fi8(party: Party, named: bool = True) -> pacs.BranchAndFinancialInstitutionIdentification8:
    """An agent by BIC and LEI (and name once, in the group header)."""
    return pacs.BranchAndFinancialInstitutionIdentification8(fin_instn_id=pacs.FinancialInstitutionIdentification23(
        bicfi=party.bic, lei=party.lei, nm=party.name if named else None))


def _org(party: Party) -> pacs.PartyIdentification272:
    return pacs.PartyIdentification272(
        nm=party.name, ctry_of_res=party.country,
        id=pacs.Party52Choice(org_id=pacs.OrganisationIdentification39(any_bic=party.bic, lei=party.lei)))


def caip10(chain_id: int, address: str) -> str:
    """The wallet as a CAIP-10 account ID (`eip155:<chain>:<address>`)."""
    return f"eip155:{chain_id}:{address}"


def build(cfg: PackageConfig, tag: str, generated_at: dt.datetime, txs: Iterable[Transaction]) -> DbisBizMsg:
    """The typed message (pure: same inputs, same object)."""
    txs = list(txs)
    parties = cfg.parties
    ccy = cfg.currency
    total = sum(t.recipient.amount_units for t in txs)
    msg_id = message_id(tag)
    created = _xml_datetime(generated_at)
    app_hdr = head.AppHdr(
        fr=_fi6(parties["debtor_agent"]), to=_fi6(parties["creditor_agent"]), biz_msg_idr=msg_id,
        msg_def_idr=MSG_DEF_IDR, biz_svc=BIZ_SVC, cre_dt=created,
    )
    transactions = []
    for t in txs:
        r = t.recipient
        proof = AnyElement(qname=f"{{{PROOF_NS}}}DbisPrf", text="", children=[
            _el("PrfId", t.proof_id), _el("Rcpt", r.address), _el("AmtUnits", str(r.amount_units)),
        ])
        transactions.append(pacs.CreditTransferTransaction70(
            pmt_id=pacs.PaymentIdentification13(end_to_end_id=t.end_to_end_id, tx_id=t.end_to_end_id),
            intr_bk_sttlm_amt=pacs.ActiveCurrencyAndAmount(value=iso_amount(r.amount_units), ccy=ccy),
            chrg_br=pacs.ChargeBearerType1Code.DEBT,
            dbtr=_org(parties["debtor"]),
            dbtr_agt=_fi8(parties["debtor_agent"], named=False),
            cdtr_agt=_fi8(parties["creditor_agent"], named=False),
            cdtr=pacs.PartyIdentification272(nm=r.name),
            cdtr_acct=pacs.CashAccount40(prxy=pacs.ProxyAccountIdentification1(
                tp=pacs.ProxyAccountType1Choice(prtry="CAIP-10"), id=caip10(cfg.chain_id, r.address))),
            splmtry_data=[pacs.SupplementaryData1(plc_and_nm="DBIS Engine X recipient proof",
                                                  envlp=pacs.SupplementaryDataEnvelope1(any_element=proof))],
        ))
    document = pacs.Document(fito_ficstmr_cdt_trf=pacs.FitoFicustomerCreditTransferV13(
        grp_hdr=pacs.GroupHeader131(
            msg_id=msg_id, cre_dt_tm=created, nb_of_txs=str(len(txs)),
            ttl_intr_bk_sttlm_amt=pacs.ActiveCurrencyAndAmount(value=iso_amount(total), ccy=ccy),
            intr_bk_sttlm_dt=XmlDate.from_date(generated_at.date()),
            sttlm_inf=pacs.SettlementInstruction15(sttlm_mtd=pacs.SettlementMethod1Code.INDA),
            instg_agt=_fi8(parties["debtor_agent"]), instd_agt=_fi8(parties["creditor_agent"]),
        ),
        cdt_trf_tx_inf=transactions,
        splmtry_data=[pacs.SupplementaryData1(plc_and_nm="DBIS Engine X proof package", envlp=pacs.SupplementaryDataEnvelope1(
            any_element=AnyElement(qname=f"{{{PROOF_NS}}}DbisPkg", text="", children=[
                _el("Tag", tag), _el("ChainId", str(cfg.chain_id)), _el("TknSym", cfg.token_symbol),
                _el("TknDcmls", str(DECIMALS)), _el("VltCall", VAULT_CALL),
            ])))],
    ))
    return DbisBizMsg(app_hdr=app_hdr, document=document)


_XSDATA = XmlSerializer(config=SerializerConfig(indent="  ", encoding="UTF-8"))
_CONTEXT = XmlContext()
for _prefix, _uri in NS_MAP.items():
    ElementTree.register_namespace(_prefix, _uri)


@lru_cache(maxsize=None)
def _vars(cls: type) -> tuple[Any, ...]:
    """The binding's XML fields in declaration (= XSD sequence) order, from xsdata's metadata."""
    return tuple(sorted(_CONTEXT.build(cls).get_all_vars(), key=lambda v: v.index))


def _text(value: Any) -> str:
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _any(parent: ElementTree.Element, node: AnyElement) -> None:
    el = ElementTree.SubElement(parent, node.qname or "", {k: _text(v) for k, v in node.attributes.items()})
    el.text = None if node.text is None else _text(node.text)
    for child in node.children:
        _any(el, child)


def _fill(el: ElementTree.Element, obj: Any) -> ElementTree.Element:
    for var in _vars(type(obj)):
        value = getattr(obj, var.name)
        if value is None or (isinstance(value, list) and not value):
            continue
        if var.is_attribute:
            el.set(var.qname, _text(value))
        elif var.is_text:
            el.text = _text(value)
        else:
            for item in value if isinstance(value, list) else (value,):
                if var.is_wildcard:
                    _any(el, item)
                elif is_dataclass(item):
                    _fill(ElementTree.SubElement(el, var.qname), item)
                else:
                    ElementTree.SubElement(el, var.qname).text = _text(item)
    return el


def to_xml(message: DbisBizMsg) -> bytes:
    """The message as UTF-8 XML bytes (deterministic: same message, same bytes).

    A direct walk of the typed bindings with xsdata's own field metadata into ElementTree (about
    4x faster than xsdata's generic serializer on 1,000 transactions); tests check that it reads
    back into the bindings and is canonically equal to :func:`to_xml_xsdata`.
    """
    root = _fill(ElementTree.Element(_CONTEXT.build(DbisBizMsg).qname), message)
    ElementTree.indent(root, "  ")
    return ElementTree.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"


def to_xml_xsdata(message: DbisBizMsg) -> bytes:
    """The same message through xsdata's serializer (the reference for :func:`to_xml`)."""
    return _XSDATA.render(message, ns_map=NS_MAP).encode("utf-8")


def parse(xml: bytes) -> DbisBizMsg:
    """Read a message back into the typed bindings."""
    return XmlParser().from_bytes(xml, DbisBizMsg)


def proof_data(tx: Any, name: str = "DbisPrf") -> dict[str, str]:
    """The DBIS proof fields read back from SplmtryData: a transaction's `DbisPrf`, or the
    message's `DbisPkg` (pass the FIToFICstmrCdtTrf and name="DbisPkg")."""
    out: dict[str, str] = {}
    for data in tx.splmtry_data:
        element = data.envlp.any_element
        if isinstance(element, AnyElement) and element.qname == f"{{{PROOF_NS}}}{name}":
            for child in element.children:
                if isinstance(child, AnyElement) and child.qname:
                    out[child.qname.split("}")[-1]] = child.text or ""
    return out
