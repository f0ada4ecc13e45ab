"""What a proof package proves and what it does not (the runbook's proof boundaries).

This list is written into every package (plan JSON and Markdown, audit envelope, proof-hashes
file) and stands in the README, so a reader of any one file sees the boundary.
"""

from __future__ import annotations

PROVEN: tuple[str, ...] = (
    "exact recipient output: runVirtualProofExactOutTo pays each recipient exactly amountOut",
    "Engine X internal cWUSDC ~= USDC peg throughout the batch: the vault requires equal maintained "
    "reserves before each proof and leaves them equal and unchanged",
    "ISO 20022-style transfer evidence: head.001.001.03 application header + pacs.008.001.13 credit "
    "transfer with the DBIS proof data as supplementary data, validated against the official XSD",
    "on-chain anchor: VirtualProofAuditEvidence emits the ISO, audit-envelope and peg-proof hashes "
    "under a proof ID that never runs twice",
)

NOT_PROVEN: tuple[str, ...] = (
    "legal or regulatory approval: needs external legal, compliance, AML/KYC, sanctions and auditor evidence",
    "public DEX peg repair, public price discovery or public DEX volume: the virtual ladder is internal "
    "netting, not public market depth",
    "public indexed LP compliance: needs a real public cWUSDC/USDC pool against official USDC with "
    "before/after reserves and swap transaction hashes",
    "settlement by any bank or payment system: the ISO 20022 message is evidence of the instruction, "
    "it was not sent over any financial network",
)


def as_json() -> dict[str, list[str]]:
    return {"proven": list(PROVEN), "not_proven": list(NOT_PROVEN)}


def as_markdown() -> str:
    lines = ["## Proof boundaries", "", "Proven:"]
    lines += [f"- {p}" for p in PROVEN]
    lines += ["", "Not proven:"]
    lines += [f"- {p}" for p in NOT_PROVEN]
    return "\n".join(lines)
