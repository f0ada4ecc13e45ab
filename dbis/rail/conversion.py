"""DBIS conversion router harness (Conversion Router spec v1.5): EIP-712 `SwapAuthorization` and
`VenueAuthorization` typed data, digests and signatures, the quote object whose RFC 8785 canonical
hash is `quoteHash`, and the off-chain rule check that mirrors `DBISConversionRouter` rule by rule.

Pure functions: the same typed data is hashed here (eth-account) and by the router
(`swapAuthorizationDigest`, `venueAuthorizationDigest`); tests/vectors/rail-swap-authorization.json
pins both. `check_swap` / `check_venue` take what the chain says (a `ConversionView`, read at the edge
by `read_view`) and return every failed rule, named as the router's custom error, the first being the
one the router would revert with.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Iterable

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak, to_checksum_address

from dbis.hashing import canonical_json
from dbis.rail import typed_data as td

DOMAIN_NAME = "DBISConversionRouter"
DOMAIN_VERSION = "1"
ZERO32 = "0x" + "00" * 32
CATEGORIES = {"OPERATIONS": 1, "COMPLIANCE": 2, "TREASURY": 4, "TECHNICAL": 8}
COMPLIANCE = CATEGORIES["COMPLIANCE"]
BASE_QUORUM, ELEVATED_QUORUM = 2, 3
TOKEN_STATUSES = ("NONE", "ACTIVE", "SUSPENDED", "RETIRED")
# spec §4.1 quote source priority, highest first
QUOTE_SOURCES = ("RFQ", "TWAP", "AGGREGATOR", "DEX")
BPS = 10_000


class _Typed:
    """A frozen EIP-712 message of the conversion router (subclasses set FIELDS and PRIMARY)."""

    FIELDS: ClassVar[tuple[tuple[str, str], ...]]
    PRIMARY: ClassVar[str]

    @classmethod
    def type_string(cls) -> str:
        return cls.PRIMARY + "(" + ",".join(f"{t} {n}" for n, t in cls.FIELDS) + ")"

    @classmethod
    def typehash(cls) -> bytes:
        return keccak(text=cls.type_string())

    @classmethod
    def of(cls, **fields: Any) -> Any:
        """Normalise: 32-byte hex for bytes32, checksummed addresses, uint256 ints."""
        out: dict[str, Any] = {}
        for name, typ in cls.FIELDS:
            value = fields[name]
            if typ == "bytes32":
                out[name] = td._b32(value)
            elif typ == "address":
                out[name] = to_checksum_address(value)
            else:
                out[name] = int(value)
                if not 0 <= out[name] < 2**256:
                    raise ValueError(f"{name} out of uint256 range")
        return cls(**out)  # type: ignore[call-arg]

    def to_json(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, int) else v) for k, v in asdict(self).items()}  # type: ignore[call-overload]

    def as_tuple(self) -> list[Any]:
        """The ABI tuple as JSON-friendly values (plans)."""
        return [getattr(self, n) for n, _ in self.FIELDS]

    def as_abi(self) -> tuple[Any, ...]:
        """The ABI tuple with bytes32 fields as bytes (for ABI encoders)."""
        return tuple(bytes.fromhex(getattr(self, n)[2:]) if t == "bytes32" else getattr(self, n)
                     for n, t in self.FIELDS)

    def typed_data(self) -> dict[str, Any]:
        """EIP-712 typed data; the domain is the message's own chainId and verifyingContract."""
        return {
            "types": {
                "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                                 {"name": "chainId", "type": "uint256"},
                                 {"name": "verifyingContract", "type": "address"}],
                self.PRIMARY: [{"name": n, "type": t} for n, t in self.FIELDS],
            },
            "primaryType": self.PRIMARY,
            "domain": domain(getattr(self, "chainId"), getattr(self, "verifyingContract")),
            "message": {n: getattr(self, n) for n, _ in self.FIELDS},
        }

    def digest(self) -> bytes:
        """keccak256(0x1901 ‖ domainSeparator ‖ structHash)."""
        signable = encode_typed_data(full_message=self.typed_data())
        return keccak(b"\x19" + signable.version + signable.header + signable.body)

    def sign(self, private_key: bytes | str) -> tuple[str, bytes]:
        """(signer, 65-byte r ‖ s ‖ v signature) with eth-account (low-s, v 27/28)."""
        signed = Account.sign_message(encode_typed_data(full_message=self.typed_data()), private_key)
        return to_checksum_address(Account.from_key(private_key).address), bytes(signed.signature)


@dataclass(frozen=True)
class SwapAuthorization(_Typed):
    """Spec v1.5 §2.1, field for field (bytes32 as 0x-hex, addresses checksummed)."""

    FIELDS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("messageId", "bytes32"), ("lpaId", "bytes32"), ("venue", "bytes32"), ("tokenIn", "address"),
        ("tokenOut", "address"), ("amountIn", "uint256"), ("minAmountOut", "uint256"), ("deadline", "uint256"),
        ("quoteHash", "bytes32"), ("quoteIssuer", "address"), ("chainId", "uint256"),
        ("verifyingContract", "address"),
    )
    PRIMARY: ClassVar[str] = "SwapAuthorization"

    messageId: str
    lpaId: str
    venue: str
    tokenIn: str
    tokenOut: str
    amountIn: int
    minAmountOut: int
    deadline: int
    quoteHash: str
    quoteIssuer: str
    chainId: int
    verifyingContract: str


@dataclass(frozen=True)
class VenueAuthorization(_Typed):
    """Enable or re-approve a venue (spec §6.1, §6.3): 3 signers including COMPLIANCE."""

    FIELDS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("venue", "bytes32"), ("adapter", "address"), ("pool", "address"), ("approvedUntil", "uint256"),
        ("nonce", "uint256"), ("deadline", "uint256"), ("chainId", "uint256"), ("verifyingContract", "address"),
    )
    PRIMARY: ClassVar[str] = "VenueAuthorization"

    venue: str
    adapter: str
    pool: str
    approvedUntil: int
    nonce: int
    deadline: int
    chainId: int
    verifyingContract: str


def domain(chain_id: int, router: str) -> dict[str, Any]:
    return {"name": DOMAIN_NAME, "version": DOMAIN_VERSION, "chainId": chain_id,
            "verifyingContract": to_checksum_address(router)}


def venue_id(name: str) -> str:
    """Spec §2.1: `venue` is keccak256(venueId)."""
    return "0x" + keccak(text=name).hex()


def assemble(pairs: Iterable[tuple[str, bytes]]) -> bytes:
    """Signatures packed in strictly ascending signer order (the shared quorum rule)."""
    return td.assemble(pairs)


# ------------------------------------------------------------------ quotes (spec §4.1, §5)

@dataclass(frozen=True)
class Quote:
    """The quote a conversion is priced on; `quoteHash` = keccak256 of its RFC 8785 canonical JSON
    (amounts and times as decimal strings so no JSON number loses precision)."""

    quoteId: str
    issuer: str
    source: str  # one of QUOTE_SOURCES
    venue: str  # bytes32 venue id
    chainId: int
    tokenIn: str
    tokenOut: str
    amountIn: int
    amountOut: int  # quoted output
    issuedAt: int
    expiresAt: int

    @classmethod
    def of(cls, **f: Any) -> "Quote":
        source = str(f["source"]).upper()
        if source not in QUOTE_SOURCES:
            raise ValueError(f"quote source {f['source']!r} is not one of {', '.join(QUOTE_SOURCES)}")
        return cls(quoteId=str(f["quoteId"]), issuer=to_checksum_address(f["issuer"]), source=source,
                   venue=td._b32(f["venue"]), chainId=int(f["chainId"]), tokenIn=to_checksum_address(f["tokenIn"]),
                   tokenOut=to_checksum_address(f["tokenOut"]), amountIn=int(f["amountIn"]),
                   amountOut=int(f["amountOut"]), issuedAt=int(f["issuedAt"]), expiresAt=int(f["expiresAt"]))

    def to_json(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, int) else v) for k, v in asdict(self).items()}

    def canonical(self) -> bytes:
        return canonical_json(self.to_json())

    @property
    def quote_hash(self) -> str:
        return "0x" + keccak(self.canonical()).hex()


def min_amount_out(quote: Quote, max_slippage_bps: int) -> int:
    """The least output within the policy's slippage of the quote, rounded up (spec §4.1)."""
    return -(-quote.amountOut * (BPS - max_slippage_bps) // BPS)


# ------------------------------------------------------------------ off-chain rule check

@dataclass(frozen=True)
class Failure:
    rule: str  # the router's (or adapter's) custom error name
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


@dataclass(frozen=True)
class SignerRecord:
    categories: int
    effective_from_block: int
    revoked_at_block: int  # all zero = never registered


@dataclass(frozen=True)
class ConversionView:
    """What the router (and the venue's adapter) will see when the conversion lands."""

    chain_id: int
    router: str
    block_number: int
    timestamp: int
    caller: str
    max_deadline_window: int
    max_venue_approval: int
    check_token_in: bool
    message_used: bool = False
    venue_adapter: str | None = None  # None = unknown venue
    venue_pool: str | None = None
    venue_approved_until: int = 0
    venue_nonce: int = 0
    issuer_allowed: bool = False
    token_status: dict[str, str] = field(default_factory=dict)  # address -> NONE/ACTIVE/...
    denylisted: frozenset[str] = frozenset()  # lower-case addresses on the router's list
    sanctioned: frozenset[str] = frozenset()  # lower-case addresses the oracle reports
    elevated_threshold: int = 0
    signers: dict[str, SignerRecord] = field(default_factory=dict)
    # venue execution policy (adapter): None = not read
    pool_liquidity: int | None = None
    min_liquidity: int = 0
    balance_in: int | None = None
    allowance_in: int | None = None


def quorum_for(view: ConversionView, amount_in: int) -> tuple[int, int]:
    return (ELEVATED_QUORUM, COMPLIANCE) if amount_in > view.elevated_threshold else (BASE_QUORUM, 0)


def quorum_failures(digest: bytes, signatures: bytes, signers: dict[str, SignerRecord], block_number: int,
                    threshold: int, required: int, why_required: str) -> list[Failure]:
    """The SignatureQuorum library's rules, in its order (first failure only)."""
    if len(signatures) % td.SIGNATURE_LENGTH:
        return [Failure("SignaturesLengthInvalid", f"{len(signatures)} bytes is not a multiple of 65")]
    n = len(signatures) // td.SIGNATURE_LENGTH
    if n < threshold or n == 0:
        return [Failure("QuorumNotMet", f"{n} signature(s), the quorum is {threshold}")]
    previous, categories = 0, 0
    for i in range(n):
        sig = signatures[i * 65:(i + 1) * 65]
        if td.split(sig)[1] > td.HALF_N:
            return [Failure("SignatureMalleable", f"signature {i} has a high s")]
        try:
            signer = td.recover(digest, sig)
        except ValueError:
            return [Failure("SignatureInvalid", f"signature {i} is malformed")]
        value = int(signer, 16)
        if value <= previous:
            rule = "DuplicateSigner" if value == previous else "SignersNotAscending"
            return [Failure(rule, f"signature {i} ({signer}) is not above the previous signer")]
        previous = value
        rec = signers.get(signer) or SignerRecord(0, 0, 0)
        if rec.effective_from_block == 0:
            return [Failure("UnknownSigner", f"{signer} is not a registered signer (or signed another message)")]
        if block_number < rec.effective_from_block:
            return [Failure("SignerNotYetEffective", f"{signer} is effective from block {rec.effective_from_block}")]
        if block_number >= rec.revoked_at_block:
            return [Failure("SignerRevoked", f"{signer} is revoked from block {rec.revoked_at_block}")]
        categories |= rec.categories
    if categories & required != required:
        return [Failure("CategoriesNotCovered", f"{why_required}: the signers must include COMPLIANCE")]
    return []


def _screen(view: ConversionView, who: str, address: str | None) -> list[Failure]:
    if address is None:
        return []
    if address.lower() in view.denylisted:
        return [Failure("AddressDenylisted", f"{who} {address} is on the router's denylist")]
    if address.lower() in view.sanctioned:
        return [Failure("AddressSanctioned", f"{who} {address} is on the sanctions list")]
    return []


def _stablecoin(view: ConversionView, token: str) -> list[Failure]:
    status = view.token_status.get(token.lower(), "NONE")
    if status not in ("NONE", "ACTIVE"):
        return [Failure("StablecoinNotActive", f"{token} is {status} in the stablecoin registry")]
    return []


def _domain_failures(auth: SwapAuthorization | VenueAuthorization, view: ConversionView) -> list[Failure]:
    """The rules both authorizations share, in the router's order: chain, router, deadline."""
    f: list[Failure] = []
    if auth.chainId != view.chain_id:
        f.append(Failure("WrongChainId", f"authorization for chain {auth.chainId}, this chain is {view.chain_id}"))
    if auth.verifyingContract.lower() != view.router.lower():
        f.append(Failure("WrongVerifyingContract", f"authorization for {auth.verifyingContract}, not {view.router}"))
    if view.timestamp > auth.deadline:
        f.append(Failure("AuthorizationExpired", f"deadline {auth.deadline} has passed (now {view.timestamp})"))
    return f


def check_swap(auth: SwapAuthorization, signatures: bytes, view: ConversionView) -> list[Failure]:
    """Every failed rule of `convert`, first the one the router reverts with; empty = it would pass."""
    f = _domain_failures(auth, view)
    if view.timestamp <= auth.deadline and auth.deadline > view.timestamp + view.max_deadline_window:
        f.append(Failure("DeadlineTooFar", f"deadline {auth.deadline} is more than {view.max_deadline_window} s "
                                           f"ahead (now {view.timestamp})"))
    if int(auth.messageId, 16) == 0 or int(auth.quoteHash, 16) == 0 or auth.amountIn == 0:
        f.append(Failure("ZeroValue", "messageId, quoteHash and amountIn must be nonzero"))
    if view.message_used:
        f.append(Failure("MessageIdUsed", f"messageId {auth.messageId} was already executed"))
    if view.venue_adapter is None:
        f.append(Failure("UnknownVenue", f"venue {auth.venue} is not on the allowlist"))
    elif view.timestamp > view.venue_approved_until:
        f.append(Failure("VenueNotApproved", f"venue {auth.venue} approval ended at {view.venue_approved_until} "
                                             "(expired or disabled: re-approve it)"))
    if not view.issuer_allowed:
        f.append(Failure("QuoteIssuerNotAllowed", f"quote issuer {auth.quoteIssuer} is not on the allowlist"))
    f += _stablecoin(view, auth.tokenOut)
    if view.check_token_in:
        f += _stablecoin(view, auth.tokenIn)
    f += _screen(view, "caller", view.caller or None) + _screen(view, "venue adapter", view.venue_adapter)
    f += _screen(view, "pool", view.venue_pool)
    threshold, required = quorum_for(view, auth.amountIn)
    f += quorum_failures(auth.digest(), signatures, view.signers, view.block_number, threshold, required,
                         f"amountIn {auth.amountIn} is above the elevated threshold {view.elevated_threshold}")
    if view.pool_liquidity is not None and view.pool_liquidity < view.min_liquidity:
        f.append(Failure("LiquidityBelowFloor", f"pool liquidity {view.pool_liquidity} is under the venue floor "
                                                f"{view.min_liquidity}"))
    if view.balance_in is not None and view.balance_in < auth.amountIn:
        f.append(Failure("ERC20InsufficientBalance", f"caller holds {view.balance_in} of tokenIn, needs {auth.amountIn}"))
    if view.allowance_in is not None and view.allowance_in < auth.amountIn:
        f.append(Failure("ERC20InsufficientAllowance", f"caller approved the venue adapter for {view.allowance_in}, "
                                                       f"needs {auth.amountIn}"))
    return f


def check_venue(auth: VenueAuthorization, signatures: bytes, view: ConversionView,
                adapter_router: str | None, adapter_pool: str | None) -> list[Failure]:
    """Every failed rule of `approveVenue` (view: the venue's current record), first the router's revert."""
    f = _domain_failures(auth, view)
    if int(auth.venue, 16) == 0 or adapter_router is None:
        f.append(Failure("ZeroValue", "venue id must be nonzero and the adapter must be a deployed contract"))
    latest = view.timestamp + view.max_venue_approval
    if not view.timestamp < auth.approvedUntil <= latest:
        f.append(Failure("ApprovalPeriodInvalid", f"approvedUntil {auth.approvedUntil} must be after now and at "
                                                  f"most {latest}"))
    if auth.nonce != view.venue_nonce:
        f.append(Failure("VenueNonceMismatch", f"venue nonce is {view.venue_nonce}, the authorization has {auth.nonce}"))
    if adapter_router is not None and (adapter_router.lower() != view.router.lower()
                                       or (adapter_pool or "").lower() != auth.pool.lower()):
        f.append(Failure("AdapterMismatch", f"adapter {auth.adapter} serves router {adapter_router} and pool "
                                            f"{adapter_pool}, not {view.router} / {auth.pool}"))
    f += _screen(view, "venue adapter", auth.adapter) + _screen(view, "pool", auth.pool)
    f += quorum_failures(auth.digest(), signatures, view.signers, view.block_number, ELEVATED_QUORUM, COMPLIANCE,
                         "a venue approval needs 3 signers")
    return f


def check_quote(quote: Quote, auth: SwapAuthorization, max_slippage_bps: int, now: int,
                max_deadline_window: int) -> list[Failure]:
    """The quote provenance and best-execution rules the signers check before signing (spec §4.1, §5)."""
    f: list[Failure] = []
    if quote.quote_hash != auth.quoteHash:
        f.append(Failure("QuoteHashMismatch", f"quoteHash {auth.quoteHash} is not the quote's {quote.quote_hash}"))
    pairs = ((quote.issuer, auth.quoteIssuer, "issuer"), (quote.venue, auth.venue, "venue"),
             (quote.tokenIn, auth.tokenIn, "tokenIn"), (quote.tokenOut, auth.tokenOut, "tokenOut"))
    for mine, theirs, name in pairs:
        if mine.lower() != theirs.lower():
            f.append(Failure("QuoteMismatch", f"quote {name} {mine} differs from the authorization's {theirs}"))
    if quote.amountIn != auth.amountIn or quote.chainId != auth.chainId:
        f.append(Failure("QuoteMismatch", "quote amountIn or chainId differs from the authorization's"))
    if now > quote.expiresAt:
        f.append(Failure("QuoteExpired", f"quote expired at {quote.expiresAt} (now {now})"))
    if auth.deadline > quote.issuedAt + max_deadline_window:
        f.append(Failure("DeadlineTooFar", f"deadline is more than {max_deadline_window} s after the quote time"))
    floor = min_amount_out(quote, max_slippage_bps)
    if auth.minAmountOut < floor:
        f.append(Failure("SlippageAboveMax", f"minAmountOut {auth.minAmountOut} is below the quote's "
                                             f"{quote.amountOut} less {max_slippage_bps} bps ({floor})"))
    return f
