"""The Rail on the in-process chain (FastChain, chain id 138): every Rail contract deployed and wired
as `rail-deploy` wires them, with five signers (two OPERATIONS, COMPLIANCE, TREASURY, TECHNICAL),
each holding its own eth-account key. Used by the tests, the gas benchmark and the demo.

`RailScene.refused` checks a refusal twice: the decoded custom error (strict, by name and
arguments) and an unchanged observable state (`RailScene.state()`), so nothing is lost.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator

from eth_account import Account
from eth_utils import keccak

from dbis import artifacts
from dbis.engine import Contract, FastChain, Reverted, reverts
from dbis.rail import rules
from dbis.rail import typed_data as td

CHAIN_ID = 138
OPERATIONS, COMPLIANCE, TREASURY, TECHNICAL = 1, 2, 4, 8
NEVER = 2**256 - 1
UNIT = 10**6
ALLOWANCE = 1_000_000 * UNIT  # per window
WINDOW = 86_400
ELEVATED = 1_000 * UNIT  # amounts above need 3 signers with COMPLIANCE
CANONICAL_ID = keccak(text="DBIS:GRU:USD")
STATES = {"NONE": 0, "POSTED_FINAL": 1, "POSTED_ADJUSTMENT": 2, "POSTED_REVERSAL": 3, "DISPUTED_HOLD": 4}
ROLE = {n: keccak(text=n) for n in ("LEDGER_OPS_ROLE", "DISPUTE_ROLE", "CORRECTIVE_ACTION_ROLE",
                                    "SETTLEMENT_ROUTER_ROLE", "SIGNER_ADMIN", "ROUTER_ADMIN")}


def h(label: str) -> bytes:
    return keccak(text=label)


def hx(label: str) -> str:
    return "0x" + h(label).hex()


@dataclass
class Signer:
    name: str
    key: bytes
    categories: int

    @property
    def address(self) -> str:
        return Account.from_key(self.key).address


SIGNER_SPECS = (("ops-a", OPERATIONS), ("ops-b", OPERATIONS), ("compliance", COMPLIANCE),
                ("treasury", TREASURY), ("technical", TECHNICAL))


@dataclass
class RailScene:
    chain: FastChain
    registry: Contract
    attestation: Contract
    coins: Contract
    controller: Contract
    token: Contract
    router: Contract
    admin: Any
    ops: Any
    dispute: Any
    corrective: Any
    recipient: Any
    signers: dict[str, Signer]
    counter: list[int] = field(default_factory=lambda: [0])

    # -- building blocks ------------------------------------------------------------------------
    def post(self, label: str) -> tuple[str, str]:
        """Post an LPA (POSTED_FINAL) for a fresh accountingRef; returns (lpaId, accountingRef)."""
        lpa, ref = hx(f"lpa:{label}"), hx(f"ref:{label}")
        self.attestation.postLpa(lpa, ref, sender=self.ops)
        return lpa, ref

    def auth(self, label: str, amount: int = 100 * UNIT, post: bool = True, **overrides: Any) -> td.MintAuthorization:
        lpa, ref = self.post(label) if post else (hx(f"lpa:{label}"), hx(f"ref:{label}"))
        fields = dict(messageId=hx(f"msg:{label}"), lpaId=lpa, accountingRef=ref, isoMessageHash=hx(f"iso:{label}"),
                      token=self.token.address, recipient=self.recipient, amount=amount,
                      deadline=self.chain.timestamp + 3600, chainId=CHAIN_ID, verifyingContract=self.router.address)
        fields.update(overrides)
        return td.MintAuthorization.of(**fields)

    def sign(self, auth: td.MintAuthorization, *names: str) -> bytes:
        return td.assemble(td.sign(auth, self.signers[n].key) for n in names)

    def raw_sigs(self, auth: td.MintAuthorization, *names: str) -> list[tuple[str, bytes]]:
        return [td.sign(auth, self.signers[n].key) for n in names]

    def submit(self, auth: td.MintAuthorization, signatures: bytes, sender: Any = None) -> Any:
        return self.router.submitMintAuth(auth.as_abi(), signatures, sender=sender or self.admin)

    # -- observable state -----------------------------------------------------------------------
    def state(self, auth: td.MintAuthorization | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "supply": self.token.totalSupply(),
            "recipient": self.token.balanceOf(self.recipient),
            "remaining": self.controller.remainingAllowance(self.token.address),
        }
        if auth is not None:
            out["message_used"] = self.router.messageIdUsed(auth.messageId)
            out["lpa"] = self.attestation.lpaOf(auth.lpaId)
        return out

    @contextmanager
    def refused(self, error: str, *args: Any, auth: td.MintAuthorization | None = None) -> Iterator[None]:
        """The block reverts with exactly `error(*args)` and the observable state is unchanged."""
        before = self.state(auth)
        with reverts(error, *args):
            yield
        assert self.state(auth) == before, "a refused call changed the state"


def build_scene(chain: FastChain | None = None) -> RailScene:
    chain = chain or FastChain(chain_id=CHAIN_ID)
    admin, ops, dispute, corrective, recipient = (chain.account(n) for n in
                                                  ("rail-admin", "ledger-ops", "dispute", "corrective", "recipient"))
    registry = chain.deploy("DBISSignerRegistry", admin, admin, sender=admin)
    attestation = chain.deploy("DBISLedgerAttestation", admin, sender=admin)
    coins = chain.deploy("DBISStablecoinRegistry", admin, sender=admin)
    controller = chain.deploy("DBISMintController", admin, sender=admin)
    token = chain.deploy("DBISGRUToken", "GRU USD", "GRUUSD", 6, controller.address, sender=admin)
    router = chain.deploy("DBISSettlementRouter", admin, registry.address, attestation.address, coins.address,
                          controller.address, sender=admin)
    for artifact in ("TestReserveGate", "TestRevertingReserveGate"):
        chain.register(artifacts.load(artifact))
    controller.bindRouter(router.address, sender=admin)
    attestation.grantRole(ROLE["SETTLEMENT_ROUTER_ROLE"], router.address, sender=admin)
    attestation.grantRole(ROLE["LEDGER_OPS_ROLE"], ops, sender=admin)
    attestation.grantRole(ROLE["DISPUTE_ROLE"], dispute, sender=admin)
    attestation.grantRole(ROLE["CORRECTIVE_ACTION_ROLE"], corrective, sender=admin)
    coins.register(CANONICAL_ID, token.address, 6, sender=admin)
    controller.setMintLimit(token.address, ALLOWANCE, WINDOW, sender=admin)
    router.setElevatedThreshold(token.address, ELEVATED, sender=admin)
    signers = {}
    for name, cats in SIGNER_SPECS:
        s = Signer(name, keccak(text=f"dbis.rail.test-signer:{name}"), cats)
        registry.addSigner(s.address, cats, chain.block_number, sender=admin)
        signers[name] = s
    chain.mine(1)  # the signers' effective block is behind: submissions land in a later block
    return RailScene(chain, registry, attestation, coins, controller, token, router, admin, ops, dispute,
                     corrective, recipient, signers)


def scene_view(rail: RailScene, auth: td.MintAuthorization, signers: list[str]) -> rules.ChainView:
    """What `rules.check` needs, read from the scene's chain (what `rules.read_view` reads on a node);
    a reserve gate that reverts reads as unhealthy, as the router treats it."""
    lpa = rail.attestation.lpaOf(auth.lpaId)
    gate = rail.router.reserveGate()
    healthy = True
    if int(gate, 16):
        try:
            healthy = rail.chain.at("TestReserveGate", gate).isReserveHealthy()  # any IDBISReserveGate ABI
        except Reverted:
            healthy = False
    return rules.ChainView(
        chain_id=rail.chain.chain_id, router=rail.router.address, block_number=rail.chain.block_number,
        timestamp=rail.chain.timestamp, message_id_used=rail.router.messageIdUsed(auth.messageId),
        lpa_state=rules.LPA_STATES[lpa[1]], lpa_accounting_ref="0x" + bytes(lpa[0]).hex(), lpa_minted=lpa[2],
        token_status=rules.TOKEN_STATUSES[rail.coins.statusOf(auth.token)],
        elevated_threshold=rail.router.elevatedThreshold(auth.token),
        remaining_allowance=rail.controller.remainingAllowance(auth.token),
        reserve_gate=gate if int(gate, 16) else None, reserve_healthy=healthy,
        signers={s: rules.SignerRecord(*rail.registry.signerOf(s)) for s in signers})
