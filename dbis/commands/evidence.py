"""Proof evidence for Engine X proofs: the three documents a proof anchors and their hashes.

Each document is JSON, hashed by the project's one rule (RFC 8785 canonical bytes, then
keccak256). The proof ID commits to the proof's identity (kind, tag, chain, vault, recipient,
amount), so the same tag always gives the same proof ID and a re-run cannot double-spend it.

These are the small evidence records of operator proofs (`loop-proof`, the demo). The full ISO
20022 `head.001` + `pacs.008` package of a recipient run is produced by `proof-package`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dbis.hashing import keccak_json
from dbis.ladder import Preview

FORMAT = "dbis-engine-x-proof-evidence/v1"


@dataclass(frozen=True)
class ProofEvidence:
    proof_id: str
    iso_hash: str
    audit_hash: str
    peg_hash: str
    documents: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "proof_id": self.proof_id,
            "iso_hash": self.iso_hash,
            "audit_hash": self.audit_hash,
            "peg_hash": self.peg_hash,
            "documents": self.documents,
        }


def build(
    *,
    kind: str,
    tag: str,
    chain_id: int,
    vault: str,
    sender: str,
    recipient: str,
    preview: Preview,
    amount_out: int,
    reserve: int,
    fee_bps: int,
) -> ProofEvidence:
    """The documents and hashes of one exact-output proof (pure: same inputs, same hashes)."""
    identity = {
        "kind": kind,
        "tag": tag,
        "chain_id": chain_id,
        "vault": vault.lower(),
        "recipient": recipient.lower(),
        "amount_out": str(amount_out),
    }
    transfer = {
        "format": FORMAT + "#transfer-instruction",
        "note": "credit-transfer instruction record; the ISO 20022 XML package comes from proof-package",
        "debtor": sender.lower(),
        "creditor": recipient.lower(),
        "instructed_amount": {"currency": "cWUSDC", "units": str(amount_out), "decimals": 6},
        "identity": identity,
    }
    peg = {
        "format": FORMAT + "#peg",
        "pool_cwusdc_reserve": str(reserve),
        "pool_usdc_reserve": str(reserve),
        "virtual_fee_bps": fee_bps,
        "amount_in": str(preview.amount_in),
        "preview_out": str(preview.amount_out),
        "loss_bps": preview.loss_bps,
        "ladder_steps": str(preview.steps),
        "amount_out": str(amount_out),
        "rule": "reserves equal before and after; amount_out <= preview_out",
    }
    audit = {
        "format": FORMAT + "#audit",
        "identity": identity,
        "transfer_hash": keccak_json(transfer),
        "peg_hash": keccak_json(peg),
    }
    return ProofEvidence(
        proof_id=keccak_json(identity),
        iso_hash=keccak_json(transfer),
        audit_hash=keccak_json(audit),
        peg_hash=keccak_json(peg),
        documents={"identity": identity, "transfer": transfer, "peg": peg, "audit": audit},
    )
