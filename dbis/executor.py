"""Run a plan: simulate it on an anvil chain (dry-run), or broadcast it with a journal (EXECUTE=1)."""

from __future__ import annotations

import os
from typing import Any, Callable

from eth_utils import keccak, to_checksum_address
from web3 import Web3

from dbis import abi, artifacts
from dbis.errors import OperatorError, StepFailed
from dbis.hashing import keccak_json
from dbis.journal import Journal
from dbis.plan import Plan, Step
from dbis.signers import ApeSigner

Progress = Callable[[str], None]

# Fault injection for the resume tests, never set by operators: "landed:N" makes the process die
# (as if killed) right after its N-th transaction lands; "pending:N" right after the N-th signed
# transaction is journaled as pending, before it is sent.
CRASH_ENV = "DBIS_CRASH_AT"


def _crash_point() -> tuple[str, int]:
    value = os.environ.get(CRASH_ENV, "")
    if not value:
        return "", 0
    point, _, count = value.partition(":")
    return point, int(count)


def _resolve(value: Any, addresses: dict[str, str]) -> Any:
    if isinstance(value, str) and value.startswith("@"):
        step_id = value[1:]
        if step_id not in addresses:
            raise OperatorError(f"argument {value} names a step that has not deployed anything")
        return addresses[step_id]
    if isinstance(value, (list, tuple)):
        return [_resolve(v, addresses) for v in value]
    return value


def _encode(step: Step, addresses: dict[str, str]) -> tuple[str | None, bytes, list[Any]]:
    artifact = artifacts.load(step.contract)
    args = [_resolve(a, addresses) for a in step.args]
    if step.action == "deploy":
        return None, abi.encode_deploy(artifact, args), args
    target = _resolve(step.target, addresses)
    if not target:
        raise OperatorError(f"step {step.id} has no target address")
    return to_checksum_address(target), abi.encode_call(artifact, step.function or "", args), args


def fingerprint(plan: Plan, step: Step, to: str | None, data: bytes) -> str:
    """Identity of one transaction: command, run key, step, chain, sender and exact calldata."""
    return keccak_json(
        {
            "command": plan.command,
            "key": plan.key,
            "step": step.id,
            "chain_id": plan.chain_id,
            "sender": plan.sender.lower(),
            "to": (to or "").lower(),
            "data": "0x" + data.hex(),
        }
    )


def _rpc(w3: Web3, method: str, params: list[Any]) -> Any:
    response = w3.provider.make_request(method, params)  # type: ignore[arg-type]
    if "error" in response:
        error = response["error"]
        data = error.get("data")
        if isinstance(data, dict):
            data = data.get("data")
        raise _RpcError(str(error.get("message")), bytes.fromhex(data[2:]) if isinstance(data, str) and data.startswith("0x") else b"")
    return response["result"]


class _RpcError(Exception):
    def __init__(self, message: str, data: bytes) -> None:
        super().__init__(message)
        self.message = message
        self.data = data


def _precheck(w3: Web3, n: int, step: Step, tx: dict[str, Any]) -> int:
    """eth_call then eth_estimateGas; a revert becomes StepFailed with the decoded custom error."""
    call = {k: v for k, v in tx.items() if v is not None}
    try:
        _rpc(w3, "eth_call", [call, "pending"])
        return int(_rpc(w3, "eth_estimateGas", [call, "pending"]), 16)
    except _RpcError as exc:
        reason = abi.decode_error(exc.data) if exc.data else exc.message
        raise StepFailed(f"step {n} ({step.id}) would revert: {reason}") from None


def _result(n: int, step: Step, to: str | None, args: list[Any], receipt: Any, status: str) -> dict[str, Any]:
    return {
        "n": n,
        "id": step.id,
        "action": step.action,
        "contract": step.contract,
        "function": step.function or "constructor",
        "to": to,
        "args": args,
        "status": status,
        "tx_hash": receipt["transactionHash"].to_0x_hex() if hasattr(receipt["transactionHash"], "to_0x_hex") else str(receipt["transactionHash"]),
        "block": int(receipt["blockNumber"]),
        "gas_used": int(receipt["gasUsed"]),
        "contract_address": receipt.get("contractAddress"),
        "events": [abi.decode_log(dict(log)) for log in receipt["logs"]],
    }


def _check_events(n: int, step: Step, result: dict[str, Any]) -> None:
    emitted = {e["event"] for e in result["events"]}
    missing = [e for e in step.expect_events if e not in emitted]
    if missing:
        raise StepFailed(f"step {n} ({step.id}) landed without the expected event(s) {', '.join(missing)}")


def _journal_result(n: int, step: Step, to: str | None, args: list[Any], entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "n": n, "id": step.id, "action": step.action, "contract": step.contract,
        "function": step.function or "constructor", "to": to, "args": args, "status": "journal",
        "tx_hash": entry["tx_hash"], "block": entry.get("block"), "gas_used": entry.get("gas_used"),
        "contract_address": entry.get("contract_address"), "events": entry.get("events", []),
    }


def simulate(w3: Web3, plan: Plan, journal: Journal | None, progress: Progress = print) -> list[dict[str, Any]]:
    """Run every step on a simulation chain (fresh anvil or a fork), sending from the plan's sender.

    Steps the journal shows as landed are not re-run: a fork already holds their effects.
    """
    _rpc(w3, "anvil_impersonateAccount", [plan.sender])
    addresses: dict[str, str] = {}
    results: list[dict[str, Any]] = []
    for n, step in enumerate(plan.steps, 1):
        to, data, args = _encode(step, addresses)
        fp = fingerprint(plan, step, to, data)
        done = journal.landed(fp) if journal else None
        if done:
            results.append(_journal_result(n, step, to, args, done))
            if done.get("contract_address"):
                addresses[step.id] = done["contract_address"]
            progress(f"  [{n}/{len(plan.steps)}] {step.id}: already landed ({done['tx_hash'][:12]}…), skipped")
            continue
        tx = {"from": plan.sender, "to": to, "data": "0x" + data.hex()}
        gas = _precheck(w3, n, step, tx)
        tx_hash = _rpc(w3, "eth_sendTransaction", [{**{k: v for k, v in tx.items() if v}, "gas": hex(gas * 6 // 5)}])
        receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=120, poll_latency=0.05)
        if receipt["status"] != 1:
            raise StepFailed(f"step {n} ({step.id}) reverted in simulation")
        result = _result(n, step, to, args, receipt, "simulated")
        _check_events(n, step, result)
        if result["contract_address"]:
            addresses[step.id] = result["contract_address"]
        results.append(result)
        progress(f"  [{n}/{len(plan.steps)}] {step.id}: simulated, {result['gas_used']:,} gas")
    return results


def _fees(w3: Web3) -> tuple[int, int]:
    base = int(w3.eth.get_block("latest").get("baseFeePerGas") or 0)
    try:
        tip = int(w3.eth.max_priority_fee)
    except Exception:
        tip = 10**9
    return 2 * base + tip, tip


def _reconcile(w3: Web3, n: int, step: Step, entry: dict[str, Any], journal: Journal, progress: Progress) -> Any:
    """A step left pending by an interrupted run: find its receipt or re-send the same signed bytes."""
    tx_hash = entry["tx_hash"]
    try:
        return w3.eth.get_transaction_receipt(tx_hash)
    except Exception:
        pass
    nonce = w3.eth.get_transaction_count(entry["from"], "latest")
    if nonce > int(entry["nonce"]):
        raise OperatorError(
            f"step {n} ({step.id}): pending tx {tx_hash} is unknown but nonce {entry['nonce']} is used; "
            f"inspect the account before re-running"
        )
    progress(f"  [{n}] {step.id}: re-sending the journaled signed transaction {tx_hash[:12]}…")
    try:
        w3.eth.send_raw_transaction(bytes.fromhex(entry["raw_tx"][2:]))
    except Exception as exc:
        if "already known" not in str(exc).lower():
            raise OperatorError(f"step {n} ({step.id}): re-send refused: {exc}") from None
    return w3.eth.wait_for_transaction_receipt(tx_hash, timeout=600, poll_latency=0.2)


def execute(
    w3: Web3, plan: Plan, journal: Journal, signer: ApeSigner, progress: Progress = print
) -> list[dict[str, Any]]:
    """Broadcast the plan in order, journaling every transaction before and after it lands."""
    if signer.address.lower() != plan.sender.lower():
        raise OperatorError(f"signer {signer.address} is not the plan's sender {plan.sender}")
    crash_point, crash_count = _crash_point()
    sent = 0
    addresses: dict[str, str] = {}
    results: list[dict[str, Any]] = []
    for n, step in enumerate(plan.steps, 1):
        to, data, args = _encode(step, addresses)
        fp = fingerprint(plan, step, to, data)
        entry = journal.find(fp)
        if entry and entry["status"] == "landed":
            results.append(_journal_result(n, step, to, args, entry))
            if entry.get("contract_address"):
                addresses[step.id] = entry["contract_address"]
            progress(f"  [{n}/{len(plan.steps)}] {step.id}: already landed ({entry['tx_hash'][:12]}…), skipped")
            continue
        if entry and entry["status"] == "pending":
            receipt = _reconcile(w3, n, step, entry, journal, progress)
        else:
            gas = _precheck(w3, n, step, {"from": plan.sender, "to": to, "data": "0x" + data.hex()})
            max_fee, tip = _fees(w3)
            tx: dict[str, Any] = {
                "chainId": plan.chain_id,
                "nonce": w3.eth.get_transaction_count(plan.sender, "pending"),
                "data": data,
                "value": 0,
                "gas": gas * 6 // 5,
                "maxFeePerGas": max_fee,
                "maxPriorityFeePerGas": tip,
            }
            if to:
                tx["to"] = to
            raw = signer.sign(tx)
            tx_hash = "0x" + keccak(raw).hex()
            entry = journal.record(
                {
                    "command": plan.command, "key": plan.key, "plan_hash": plan.hash, "step": step.id,
                    "fingerprint": fp, "status": "pending", "tx_hash": tx_hash, "raw_tx": "0x" + raw.hex(),
                    "nonce": tx["nonce"], "from": plan.sender, "to": to, "contract": step.contract,
                    "function": step.function or "constructor", "args": args,
                }
            )
            if crash_point == "pending" and sent + 1 >= crash_count:
                os._exit(137)
            progress(f"  [{n}/{len(plan.steps)}] {step.id}: sent {tx_hash[:12]}…, waiting for the receipt")
            w3.eth.send_raw_transaction(raw)
            receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=600, poll_latency=0.2)
        result = _result(n, step, to, args, receipt, "landed" if receipt["status"] == 1 else "failed")
        journal.update(
            entry, status=result["status"], block=result["block"], gas_used=result["gas_used"],
            contract_address=result["contract_address"], events=result["events"],
        )
        if result["status"] != "landed":
            raise StepFailed(f"step {n} ({step.id}) reverted on chain in tx {result['tx_hash']}")
        _check_events(n, step, result)
        if result["contract_address"]:
            addresses[step.id] = result["contract_address"]
        results.append(result)
        progress(f"  [{n}/{len(plan.steps)}] {step.id}: landed in block {result['block']}, {result['gas_used']:,} gas")
        sent += 1
        if crash_point == "landed" and sent >= crash_count:
            os._exit(137)
    return results
