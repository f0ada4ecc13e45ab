"""Off-chain checks of a Mint Authorization, mirroring the settlement router rule by rule.

`check(auth, signatures, view)` is pure: `view` is what the chain says (read by `read_view`), and the
result is the list of failed rules, each named as the router's custom error so the operator sees the
same name before sending as the chain would give after. The first failure is the one the router
would revert with (same order).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dbis.rail import typed_data as td

# LPA and stablecoin states (the contracts' enums)
LPA_STATES = ("NONE", "POSTED_FINAL", "POSTED_ADJUSTMENT", "POSTED_REVERSAL", "DISPUTED_HOLD")
TOKEN_STATUSES = ("NONE", "ACTIVE", "SUSPENDED", "RETIRED")
CATEGORIES = {"OPERATIONS": 1, "COMPLIANCE": 2, "TREASURY": 4, "TECHNICAL": 8}
BASE_QUORUM, ELEVATED_QUORUM = 2, 3
NEVER = 2**256 - 1


@dataclass(frozen=True)
class SignerRecord:
    categories: int
    effective_from_block: int
    revoked_at_block: int  # NEVER = not revoked; all zero = never registered


@dataclass(frozen=True)
class ChainView:
    """What the router will see at the submission block."""

    chain_id: int
    router: str
    block_number: int  # the block the submission lands in
    timestamp: int  # lower bound of the submission block's timestamp
    message_id_used: bool
    lpa_state: str
    lpa_accounting_ref: str
    lpa_minted: bool
    token_status: str
    elevated_threshold: int
    remaining_allowance: int
    reserve_gate: str | None
    reserve_healthy: bool
    signers: dict[str, SignerRecord] = field(default_factory=dict)


@dataclass(frozen=True)
class Failure:
    rule: str  # the router's custom error name
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


def quorum_for(view: ChainView, amount: int) -> tuple[int, int]:
    if amount > view.elevated_threshold:
        return ELEVATED_QUORUM, CATEGORIES["COMPLIANCE"]
    return BASE_QUORUM, 0


def _signature_rules(auth: td.MintAuthorization, signatures: bytes, view: ChainView) -> list[Failure]:
    out: list[Failure] = []
    if len(signatures) % td.SIGNATURE_LENGTH:
        return [Failure("SignaturesLengthInvalid", f"{len(signatures)} bytes is not a multiple of 65")]
    n = len(signatures) // td.SIGNATURE_LENGTH
    threshold, required = quorum_for(view, auth.amount)
    if n < threshold or n == 0:
        return [Failure("QuorumNotMet", f"{n} signature(s), the quorum for amount {auth.amount} is {threshold}")]
    digest = td.digest(auth)
    previous = 0
    categories = 0
    for i in range(n):
        sig = signatures[i * 65:(i + 1) * 65]
        _, s, _ = td.split(sig)
        if s > td.HALF_N:
            return out + [Failure("SignatureMalleable", f"signature {i} has a high s (malleable twin)")]
        try:
            signer = td.recover(digest, sig)
        except ValueError:
            return out + [Failure("SignatureInvalid", f"signature {i} is malformed")]
        value = int(signer, 16)
        if value == previous:
            return out + [Failure("DuplicateSigner", f"signature {i} repeats signer {signer}")]
        if value < previous:
            return out + [Failure("SignersNotAscending", f"signature {i} ({signer}) is not above the previous signer")]
        previous = value
        rec = view.signers.get(signer) or SignerRecord(0, 0, 0)
        if rec.effective_from_block == 0:
            return out + [Failure("UnknownSigner", f"{signer} is not a registered signer (or signed another "
                                                   "authorization, chain or router)")]
        if view.block_number < rec.effective_from_block:
            return out + [Failure("SignerNotYetEffective", f"{signer} is effective from block "
                                  f"{rec.effective_from_block}, submission block {view.block_number}")]
        if view.block_number >= rec.revoked_at_block:
            return out + [Failure("SignerRevoked", f"{signer} is revoked from block {rec.revoked_at_block}, "
                                  f"submission block {view.block_number}")]
        categories |= rec.categories
    if categories & required != required:
        return out + [Failure("CategoriesNotCovered", f"amount {auth.amount} is above the elevated threshold "
                              f"{view.elevated_threshold}: the signers must include COMPLIANCE")]
    return out


def check(auth: td.MintAuthorization, signatures: bytes, view: ChainView) -> list[Failure]:
    """Every failed rule, first the one the router reverts with; empty when the submission would pass."""
    fails: list[Failure] = []
    if view.reserve_gate and not view.reserve_healthy:
        fails.append(Failure("ReserveUnhealthy", f"reserve gate {view.reserve_gate} does not report a healthy reserve"))
    if auth.chainId != view.chain_id:
        fails.append(Failure("WrongChainId", f"authorization for chain {auth.chainId}, this chain is {view.chain_id}"))
    if auth.verifyingContract.lower() != view.router.lower():
        fails.append(Failure("WrongVerifyingContract", f"authorization for router {auth.verifyingContract}, "
                                                       f"not {view.router}"))
    if view.timestamp > auth.deadline:
        fails.append(Failure("AuthorizationExpired", f"deadline {auth.deadline} has passed (now {view.timestamp})"))
    if view.message_id_used:
        fails.append(Failure("MessageIdUsed", f"messageId {auth.messageId} was already executed"))
    if auth.amount == 0 or int(auth.recipient, 16) == 0 or int(auth.messageId, 16) == 0:
        fails.append(Failure("ZeroValue", "amount, recipient and messageId must be nonzero"))
    if view.token_status != "ACTIVE":
        fails.append(Failure("TokenNotActive", f"token {auth.token} is {view.token_status} in the stablecoin registry"))
    fails += _signature_rules(auth, signatures, view)
    if view.lpa_state == "NONE":
        fails.append(Failure("UnknownLpa", f"LPA {auth.lpaId} is not posted"))
    elif view.lpa_accounting_ref.lower() != auth.accountingRef.lower():
        fails.append(Failure("AccountingRefMismatch", f"LPA {auth.lpaId} backs accountingRef {view.lpa_accounting_ref}"))
    elif view.lpa_minted:
        fails.append(Failure("AccountingRefUsed", f"accountingRef {auth.accountingRef} was already minted"))
    elif view.lpa_state != "POSTED_FINAL":
        fails.append(Failure("LpaNotFinal", f"LPA {auth.lpaId} is {view.lpa_state}, a mint needs POSTED_FINAL"))
    if auth.amount > view.remaining_allowance:
        fails.append(Failure("MintAllowanceExceeded", f"amount {auth.amount} is above the window allowance left "
                                                      f"({view.remaining_allowance})"))
    return fails


def signers_in(auth: td.MintAuthorization, signatures: bytes) -> list[str]:
    """The recoverable signers of a packed signature blob (malformed ones skipped)."""
    digest = td.digest(auth)
    out = []
    for i in range(len(signatures) // td.SIGNATURE_LENGTH):
        try:
            out.append(td.recover(digest, signatures[i * 65:(i + 1) * 65]))
        except ValueError:
            continue
    return out


def read_view(w3: Any, addresses: dict[str, str], auth: td.MintAuthorization, signers: list[str]) -> ChainView:
    """Read everything `check` needs from the chain (the submission lands in the next block)."""
    from dbis import abi

    router, attestation = addresses["router"], addresses["attestation"]
    registry, coins, controller = addresses["signer_registry"], addresses["stablecoin_registry"], addresses["controller"]
    latest = w3.eth.get_block("latest")
    lpa = abi.view(w3, attestation, "DBISLedgerAttestation", "lpaOf", bytes.fromhex(auth.lpaId[2:]))[0]
    gate = abi.view(w3, router, "DBISSettlementRouter", "reserveGate")[0]
    healthy = True
    if int(gate, 16):
        try:
            healthy = bool(abi.view(w3, gate, "IDBISReserveGate", "isReserveHealthy")[0])
        except Exception:  # a reverting gate: the router fails closed
            healthy = False
    records = {}
    for s in signers:
        cats, eff, rev = abi.view(w3, registry, "DBISSignerRegistry", "signerOf", s)
        records[s] = SignerRecord(cats, eff, rev)
    status = abi.view(w3, coins, "DBISStablecoinRegistry", "statusOf", auth.token)[0]
    return ChainView(
        chain_id=w3.eth.chain_id, router=router, block_number=latest["number"] + 1, timestamp=latest["timestamp"],
        message_id_used=abi.view(w3, router, "DBISSettlementRouter", "messageIdUsed",
                                 bytes.fromhex(auth.messageId[2:]))[0],
        lpa_state=LPA_STATES[lpa[1]], lpa_accounting_ref="0x" + bytes(lpa[0]).hex(), lpa_minted=bool(lpa[2]),
        token_status=TOKEN_STATUSES[status],
        elevated_threshold=abi.view(w3, router, "DBISSettlementRouter", "elevatedThreshold", auth.token)[0],
        remaining_allowance=abi.view(w3, controller, "DBISMintController", "remainingAllowance", auth.token)[0],
        reserve_gate=gate if int(gate, 16) else None, reserve_healthy=healthy, signers=records,
    )
