"""Fixtures of the reserve-attestation tests: a fresh attestation per test, strict revert decoding."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from eth_utils import keccak

from dbis.reserve.report import encode_metadata, encode_report
from tests.harness.conftest import anvil, run_cli, workdir  # noqa: F401 - fixtures of the command tests
from tests.unit.support import ErrorRegistry, StrictReverts, batch_call, selector

CHAIN_SELECTOR = 5009297550715157269  # Chainlink's ethereum-mainnet selector (any nonzero value works)
MAX_AGE = 3600
WORKFLOW_ID = keccak(text="dbis-reserve-workflow")
WORKFLOW_NAME = b"dbisreserv"
UPDATER_ROLE = keccak(text="UPDATER_ROLE")
ZERO_ADDRESS = "0x" + "00" * 20
ZERO32 = b"\x00" * 32


@dataclass
class AttestationScene(StrictReverts):
    chain: Any
    registry: ErrorRegistry
    att: Any
    a: dict

    def state(self) -> dict:
        calls = [(n, self.att.address, selector(f"{n}()"), t)
                 for n, t in (("isSolvent", "bool"), ("attestedAt", "uint64"), ("isReserveHealthy", "bool"))]
        return dict(zip([c[0] for c in calls], batch_call(self.chain, calls)))

    def now(self) -> int:
        return self.chain.provider.web3.eth.get_block("latest")["timestamp"]

    def metadata(self, workflow_id: bytes = WORKFLOW_ID, owner: Any = None) -> bytes:
        return encode_metadata(workflow_id, WORKFLOW_NAME, (owner or self.a["workflow_owner"]).address)

    def report(self, solvent: bool, at: int, chain_selector: int = CHAIN_SELECTOR) -> bytes:
        return encode_report(solvent, chain_selector, at)

    def deliver(self, solvent: bool, at: int, *, sender: Any = None, metadata: bytes | None = None,
                chain_selector: int = CHAIN_SELECTOR):
        return self.att.onReport(metadata if metadata is not None else self.metadata(),
                                 self.report(solvent, at, chain_selector), sender=sender or self.a["forwarder"])


@pytest.fixture(scope="session")
def registry(project):
    return ErrorRegistry(project)


@pytest.fixture(scope="session")
def actors(accounts):
    names = ["admin", "forwarder", "updater", "stranger", "workflow_owner"]
    return dict(zip(names, accounts[: len(names)]))


def deploy_attestation(project, a, *, owner: Any = None, workflow_id: bytes = WORKFLOW_ID, max_age: int = MAX_AGE):
    att = project.DBISReserveAttestation.deploy(
        a["admin"], 0, a["forwarder"], CHAIN_SELECTOR, max_age,
        owner if owner is not None else a["workflow_owner"], workflow_id, sender=a["admin"])
    att.grantRole(UPDATER_ROLE, a["updater"], sender=a["admin"])
    return att


@pytest.fixture
def scene(project, chain, registry, actors) -> AttestationScene:
    return AttestationScene(chain, registry, deploy_attestation(project, actors), dict(actors))
