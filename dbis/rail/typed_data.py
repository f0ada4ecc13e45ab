"""EIP-712 `MintAuthorization` of the DBIS settlement router: typed data, digest, signing, quorum.

Pure functions: the same typed data is hashed here (eth-account) and by the router
(`mintAuthorizationDigest`); tests/vectors/rail-mint-authorization.json pins both.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Iterable

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak, to_checksum_address

DOMAIN_NAME = "DBISSettlementRouter"
DOMAIN_VERSION = "1"
DBIS_CHAIN_ID = 138
SIGNATURE_LENGTH = 65
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
HALF_N = SECP256K1_N // 2

MINT_AUTHORIZATION_FIELDS: tuple[tuple[str, str], ...] = (
    ("messageId", "bytes32"),
    ("lpaId", "bytes32"),
    ("accountingRef", "bytes32"),
    ("isoMessageHash", "bytes32"),
    ("token", "address"),
    ("recipient", "address"),
    ("amount", "uint256"),
    ("deadline", "uint256"),
    ("chainId", "uint256"),
    ("verifyingContract", "address"),
)
MINT_AUTHORIZATION_TYPE = "MintAuthorization(" + ",".join(f"{t} {n}" for n, t in MINT_AUTHORIZATION_FIELDS) + ")"
MINT_AUTHORIZATION_TYPEHASH = keccak(text=MINT_AUTHORIZATION_TYPE)


def _b32(value: str | bytes) -> str:
    raw = bytes.fromhex(value[2:] if value.startswith("0x") else value) if isinstance(value, str) else value
    if len(raw) != 32:
        raise ValueError(f"expected 32 bytes, got {len(raw)}")
    return "0x" + raw.hex()


@dataclass(frozen=True)
class MintAuthorization:
    """The signed message (field names as in the contract; bytes32 as 0x-hex, addresses checksummed)."""

    messageId: str
    lpaId: str
    accountingRef: str
    isoMessageHash: str
    token: str
    recipient: str
    amount: int
    deadline: int
    chainId: int
    verifyingContract: str

    @classmethod
    def of(cls, **fields: Any) -> "MintAuthorization":
        """Normalise: 32-byte hex for the bytes32 fields, checksummed addresses, ints."""
        out: dict[str, Any] = {}
        for name, typ in MINT_AUTHORIZATION_FIELDS:
            value = fields[name]
            if typ == "bytes32":
                out[name] = _b32(value)
            elif typ == "address":
                out[name] = to_checksum_address(value)
            else:
                out[name] = int(value)
                if out[name] < 0 or out[name] >= 2**256:
                    raise ValueError(f"{name} out of uint256 range")
        return cls(**out)

    def to_json(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, int) else v) for k, v in asdict(self).items()}

    def as_tuple(self) -> list[Any]:
        """The ABI tuple (argument of submitMintAuth) as JSON-friendly values (plans)."""
        return [getattr(self, name) for name, _ in MINT_AUTHORIZATION_FIELDS]

    def as_abi(self) -> tuple[Any, ...]:
        """The ABI tuple with bytes32 fields as bytes (for ABI encoders)."""
        return tuple(bytes.fromhex(getattr(self, n)[2:]) if t == "bytes32" else getattr(self, n)
                     for n, t in MINT_AUTHORIZATION_FIELDS)


def domain(chain_id: int, router: str) -> dict[str, Any]:
    return {"name": DOMAIN_NAME, "version": DOMAIN_VERSION, "chainId": chain_id,
            "verifyingContract": to_checksum_address(router)}


def typed_data(auth: MintAuthorization) -> dict[str, Any]:
    """The EIP-712 typed data; the domain is the authorization's own chainId and verifyingContract."""
    return {
        "types": {
            "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                             {"name": "chainId", "type": "uint256"},
                             {"name": "verifyingContract", "type": "address"}],
            "MintAuthorization": [{"name": n, "type": t} for n, t in MINT_AUTHORIZATION_FIELDS],
        },
        "primaryType": "MintAuthorization",
        "domain": domain(auth.chainId, auth.verifyingContract),
        "message": {n: getattr(auth, n) for n, _ in MINT_AUTHORIZATION_FIELDS},
    }


def digest(auth: MintAuthorization) -> bytes:
    """keccak256(0x1901 ‖ domainSeparator ‖ structHash)."""
    signable = encode_typed_data(full_message=typed_data(auth))
    return keccak(b"\x19" + signable.version + signable.header + signable.body)


def sign(auth: MintAuthorization, private_key: bytes | str) -> tuple[str, bytes]:
    """(signer address, 65-byte r ‖ s ‖ v signature) with eth-account (low-s, v 27/28)."""
    signed = Account.sign_message(encode_typed_data(full_message=typed_data(auth)), private_key)
    return to_checksum_address(Account.from_key(private_key).address), bytes(signed.signature)


def split(signature: bytes) -> tuple[int, int, int]:
    """(r, s, v) of a 65-byte r ‖ s ‖ v signature."""
    if len(signature) != SIGNATURE_LENGTH:
        raise ValueError(f"a signature is {SIGNATURE_LENGTH} bytes, not {len(signature)}")
    return int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:64], "big"), signature[64]


def high_s_twin(signature: bytes) -> bytes:
    """The malleable twin (n - s, flipped v) of a valid signature: same signer, refused on chain."""
    r, s, v = split(signature)
    return r.to_bytes(32, "big") + (SECP256K1_N - s).to_bytes(32, "big") + bytes([55 - v])


def recover(digest_: bytes, signature: bytes) -> str:
    """The signer of `signature` over `digest_` (raises ValueError on a malformed signature)."""
    r, s, v = split(signature)
    if v not in (27, 28) or not (0 < r < SECP256K1_N) or not (0 < s < SECP256K1_N):
        raise ValueError("malformed signature")
    return to_checksum_address(Account._recover_hash(digest_, vrs=(v, r, s)))


def assemble(signatures: Iterable[tuple[str, bytes]]) -> bytes:
    """Pack (signer, signature) pairs in strictly ascending signer order, as the router expects.

    Raises ValueError on a duplicate signer (one signer, one signature).
    """
    ordered = sorted(((int(a, 16), a, s) for a, s in signatures), key=lambda t: t[0])
    for (a, name, _), (b, _, _) in zip(ordered, ordered[1:]):
        if a == b:
            raise ValueError(f"duplicate signer {name}")
    return b"".join(s for _, _, s in ordered)


def signers_of(digest_: bytes, packed: bytes) -> list[str]:
    """The signers of a packed quorum over `digest_`, in order (what an auditor recovers from calldata)."""
    return [recover(digest_, packed[i:i + SIGNATURE_LENGTH]) for i in range(0, len(packed), SIGNATURE_LENGTH)]


def signers_hash(signers: Iterable[str]) -> bytes:
    """keccak256 of the signers as 32-byte words: the `signersHash` of MintAuthorizationExecuted."""
    return keccak(b"".join(bytes(12) + bytes.fromhex(a[2:]) for a in signers))
