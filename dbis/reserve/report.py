"""Bytes the attestation contract reads: the Keystone forwarder's metadata and the reserve report.

Metadata, as Chainlink's KeystoneForwarder passes it on (`rawReport[45:109]`, 64 packed bytes):
workflowId (bytes32) | workflowName (bytes10) | workflowOwner (address) | reportName (bytes2).
Report: `abi.encode(bool isSolvent, uint64 chainSelector, uint64 scheduledExecutionTime)`.
"""

from __future__ import annotations

from eth_abi import encode as abi_encode
from eth_utils import keccak, to_bytes

ATTESTATION = "DBISReserveAttestation"
UPDATER_ROLE = "0x" + keccak(text="UPDATER_ROLE").hex()
STATUS_EVENT = "ReserveStatusUpdated(bool,uint256)"
STATUS_TOPIC = "0x" + keccak(text=STATUS_EVENT).hex()


def encode_metadata(workflow_id: bytes, workflow_name: bytes, workflow_owner: str, report_name: bytes = b"\x00\x01") -> bytes:
    """The 64 bytes of metadata the forwarder delivers to `onReport`."""
    if len(workflow_id) != 32 or len(workflow_name) > 10 or len(report_name) != 2:
        raise ValueError("workflowId is 32 bytes, workflowName at most 10, reportName 2")
    return workflow_id + workflow_name.ljust(10, b"\x00") + to_bytes(hexstr=workflow_owner) + report_name


def encode_report(is_solvent: bool, chain_selector: int, scheduled_execution_time: int) -> bytes:
    """The reserve report: `abi.encode(bool, uint64, uint64)`."""
    return abi_encode(["bool", "uint64", "uint64"], [is_solvent, chain_selector, scheduled_execution_time])
