"""The reserve attestation as a campaign system: its model, operations and invariants.

Operations: the updater publishes a flag; the forwarder delivers CRE reports (older, equal, newer
or future scheduled times, the wrong chain selector, a foreign workflow, a short metadata); a
stranger tries both; time passes. Every outcome is predicted (the exact custom error or the new
state) and the invariants compare `isSolvent`, `attestedAt` and `isReserveHealthy()` with the
model after every step: the attestation time never goes backwards, and the gate is healthy exactly
when the last accepted flag is solvent and not older than `maxAge`.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable

from eth_utils import keccak

from dbis.engine import FastChain, Receipt
from dbis.reserve.report import encode_metadata, encode_report
from tests.property.model_support import Expect, ModelMismatch, run_expecting

CHAIN_SELECTOR = 5009297550715157269
MAX_AGE = 3600
WORKFLOW_ID = keccak(text="dbis-reserve-workflow")
WORKFLOW_NAME = b"dbisreserv"
UPDATER_ROLE = keccak(text="UPDATER_ROLE")
ADMIN_DELAY = 3 * 24 * 3600


@dataclass
class ReserveModel:
    solvent: bool = False
    attested_at: int = 0

    def healthy(self, now: int) -> bool:
        return self.solvent and self.attested_at != 0 and now - self.attested_at <= MAX_AGE


class ReserveHarness:
    """DBISReserveAttestation with its forwarder, updater and workflow owner."""

    def __init__(self, chain: FastChain) -> None:
        self.chain = c = chain
        self.admin = c.account("reserve-admin")
        self.forwarder = c.account("reserve-forwarder")
        self.updater = c.account("reserve-updater")
        self.stranger = c.account("reserve-stranger")
        self.owner = c.account("reserve-workflow-owner")
        self.attestation = c.deploy("DBISReserveAttestation", self.admin, ADMIN_DELAY, self.forwarder,
                                    CHAIN_SELECTOR, MAX_AGE, self.owner, WORKFLOW_ID, sender=self.admin)
        self.attestation.grantRole(UPDATER_ROLE, self.updater, sender=self.admin)
        self.model = ReserveModel()
        self.outcomes: Counter[str] = Counter()
        self.transitions = 0

    def reset(self) -> None:
        self.model = ReserveModel()

    def _run(self, label: str, expect: Expect, fn: Any, *args: Any, sender: Any) -> Receipt | None:
        self.transitions += 1
        return run_expecting(label, expect, self.outcomes, fn, *args, sender=sender)

    def update(self, solvent: bool, *, stranger: bool = False) -> None:
        sender = self.stranger if stranger else self.updater
        expect = Expect("AccessControlUnauthorizedAccount", (sender, UPDATER_ROLE)) if stranger else Expect()
        if self._run("updateAttestation", expect, self.attestation.updateAttestation, solvent, sender=sender):
            self.model.solvent, self.model.attested_at = solvent, self.chain.timestamp

    def report(self, solvent: bool, offset: int, *, fault: str = "none") -> None:
        """A report scheduled `offset` seconds after the last attestation (or before it, or in the future)."""
        now, last = self.chain.timestamp, self.model.attested_at
        scheduled = max(0, min(last + offset, 2**64 - 1)) if last else max(0, now + offset)
        selector = CHAIN_SELECTOR + 1 if fault == "chain" else CHAIN_SELECTOR
        workflow = keccak(text="another workflow") if fault == "workflow" else WORKFLOW_ID
        metadata = encode_metadata(workflow, WORKFLOW_NAME, str(self.owner))
        if fault == "metadata":
            metadata = metadata[:63]
        sender = self.stranger if fault == "stranger" else self.forwarder
        expect = (
            (Expect("UnauthorizedForwarder", (sender,)) if fault == "stranger" else None)
            or (Expect("InvalidMetadataLength", (63,)) if fault == "metadata" else None)
            or (Expect("InvalidWorkflowId", (workflow,)) if fault == "workflow" else None)
            or (Expect("WrongChainSelector", (selector,)) if fault == "chain" else None)
            or (Expect("StaleReport", (scheduled, last)) if scheduled <= last else None)
            or (Expect("ReportFromFuture", (scheduled,)) if scheduled > now else None)
            or Expect()
        )
        receipt = self._run("onReport", expect, self.attestation.onReport, metadata,
                            encode_report(solvent, selector, scheduled), sender=sender)
        if receipt is not None:
            self.model.solvent, self.model.attested_at = solvent, scheduled

    def time_passes(self, seconds: int) -> None:
        self.chain.time_travel(seconds)

    def check_invariants(self) -> None:
        a, m, now = self.attestation, self.model, self.chain.timestamp
        state = (a.isSolvent(), a.attestedAt(), a.isReserveHealthy())
        if state != (m.solvent, m.attested_at, m.healthy(now)):
            raise ModelMismatch(f"reserve attestation (isSolvent, attestedAt, healthy) = {state}, model "
                                f"{(m.solvent, m.attested_at, m.healthy(now))} at {now}")


class ReserveSystem:
    """The campaign's view of the reserve attestation."""

    name = "reserve"

    def __init__(self, chain: FastChain) -> None:
        self.harness = ReserveHarness(chain)

    def operations(self) -> dict[str, tuple[int, Callable[[random.Random], dict[str, Any]]]]:
        return {
            "update": (3, lambda r: {"solvent": r.random() < 0.7, "stranger": r.random() < 0.1}),
            "report": (5, lambda r: {"solvent": r.random() < 0.7,
                                     "offset": r.choice([-600, -1, 0, 1, 12, 300, 3_600, 10**6, r.randint(-4_000, 4_000)]),
                                     "fault": r.choice(["none"] * 8 + ["chain", "workflow", "metadata", "stranger"])}),
            "time_passes": (2, lambda r: {"seconds": r.choice([1, 12, 600, MAX_AGE - 1, MAX_AGE, MAX_AGE + 1, 86_400])}),
        }

    def apply(self, op: str, args: dict[str, Any]) -> None:
        {"update": self.harness.update, "report": self.harness.report,
         "time_passes": self.harness.time_passes}[op](**args)

    def check(self) -> None:
        self.harness.check_invariants()

    def reset(self) -> None:
        self.harness.reset()

    def addresses(self) -> set[bytes]:
        return {bytes.fromhex(str(self.harness.attestation.address)[2:])}


