"""web3 helpers of the reserve command tests (anvil's unlocked dev accounts send)."""

from __future__ import annotations

from typing import Any

from web3 import Web3

from dbis import abi, artifacts


def deploy(w3: Web3, name: str, *args: Any, sender: str | None = None) -> str:
    data = abi.encode_deploy(artifacts.load(name), list(args))
    tx = w3.eth.send_transaction({"from": sender or w3.eth.accounts[0], "data": data})
    return str(w3.eth.wait_for_transaction_receipt(tx)["contractAddress"])


def send(w3: Web3, target: str, name: str, function: str, *args: Any, sender: str | None = None) -> Any:
    data = abi.encode_call(artifacts.load(name), function, list(args))
    tx = w3.eth.send_transaction({"from": sender or w3.eth.accounts[0], "to": target, "data": data})
    receipt = w3.eth.wait_for_transaction_receipt(tx)
    assert receipt["status"] == 1
    return receipt


def view(w3: Web3, target: str, name: str, function: str, *args: Any) -> Any:
    return abi.view(w3, target, name, function, *args)[0]
