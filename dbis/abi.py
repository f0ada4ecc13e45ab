"""ABI encoding and decoding over every compiled artifact: calls, events and custom errors."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import function_signature_to_4byte_selector, keccak, to_checksum_address

from dbis import artifacts


def abi_type(param: dict[str, Any]) -> str:
    """The canonical ABI type string of one input/output, tuples included."""
    t = param["type"]
    if t.startswith("tuple"):
        inner = ",".join(abi_type(c) for c in param["components"])
        return f"({inner}){t[5:]}"
    return t


def signature(entry: dict[str, Any]) -> str:
    return f"{entry['name']}({','.join(abi_type(i) for i in entry.get('inputs', []))})"


def _coerce(param: dict[str, Any], value: Any) -> Any:
    """Accept JSON-friendly values: 0x-hex strings for bytes, ints or digit strings for uints,
    lists (or dicts by component name) for tuples."""
    t = param["type"]
    if t.endswith("]"):
        inner = {**param, "type": t[: t.rindex("[")]}
        return [_coerce(inner, v) for v in value]
    if t == "tuple":
        components = param["components"]
        if isinstance(value, dict):
            value = [value[c["name"]] for c in components]
        return tuple(_coerce(c, v) for c, v in zip(components, value))
    if t.startswith("bytes") and isinstance(value, str):
        return bytes.fromhex(value[2:] if value.startswith("0x") else value)
    if (t.startswith("uint") or t.startswith("int")) and isinstance(value, str):
        return int(value, 0)
    if t == "address" and isinstance(value, str):
        return to_checksum_address(value)
    return value


def encode_args(inputs: list[dict[str, Any]], args: list[Any]) -> bytes:
    types = [abi_type(i) for i in inputs]
    if len(types) != len(args):
        raise ValueError(f"expected {len(types)} arguments, got {len(args)}")
    return abi_encode(types, [_coerce(p, a) for p, a in zip(inputs, args)])


def encode_call(artifact: artifacts.Artifact, function: str, args: list[Any]) -> bytes:
    entry = artifact.function_abi(function)
    return function_signature_to_4byte_selector(signature(entry)) + encode_args(entry.get("inputs", []), args)


def encode_deploy(artifact: artifacts.Artifact, args: list[Any]) -> bytes:
    ctor = next((e for e in artifact.abi if e.get("type") == "constructor"), {"inputs": []})
    return artifact.bytecode + encode_args(ctor.get("inputs", []), args)


def decode_output(artifact: artifacts.Artifact, function: str, data: bytes) -> tuple[Any, ...]:
    entry = artifact.function_abi(function)
    return tuple(abi_decode([abi_type(o) for o in entry.get("outputs", [])], data))


def view(w3: Any, address: str, contract: str, function: str, *args: Any) -> tuple[Any, ...]:
    """Call a view function of a deployed contract through a web3 connection."""
    artifact = artifacts.load(contract)
    out = w3.eth.call({"to": to_checksum_address(address), "data": encode_call(artifact, function, list(args))})
    return decode_output(artifact, function, bytes(out))


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[bytes, dict[str, Any]], dict[bytes, dict[str, Any]]]:
    events: dict[bytes, dict[str, Any]] = {}
    errors: dict[bytes, dict[str, Any]] = {}
    for name in artifacts.names():
        for entry in artifacts.load(name).abi:
            if entry.get("type") == "event":
                events.setdefault(keccak(text=signature(entry)), entry)
            elif entry.get("type") == "error":
                errors.setdefault(keccak(text=signature(entry))[:4], entry)
    return events, errors


def decode_error(data: bytes) -> str:
    """`Name(arg, ...)` for a revert payload: custom errors of every artifact, Error and Panic."""
    if not data:
        return "reverted without data"
    selector, body = data[:4], data[4:]
    if selector == bytes.fromhex("08c379a0"):
        return f"Error({abi_decode(['string'], body)[0]!r})"
    if selector == bytes.fromhex("4e487b71"):
        return f"Panic({hex(abi_decode(['uint256'], body)[0])})"
    entry = _tables()[1].get(selector)
    if entry is None:
        return f"unknown error 0x{data.hex()}"
    try:
        values = abi_decode([abi_type(i) for i in entry.get("inputs", [])], body)
    except Exception:
        return f"{entry['name']}(<undecodable>)"
    return f"{entry['name']}({', '.join(str(_jsonable(v)) for v in values)})"


def decode_log(log: dict[str, Any]) -> dict[str, Any]:
    """{'event': name, 'address': emitter, 'args': {...}} for a receipt log (unknown events kept raw)."""
    topics = [bytes(t) for t in log["topics"]]
    address = to_checksum_address(log["address"])
    entry = _tables()[0].get(topics[0]) if topics else None
    if entry is not None and sum(1 for i in entry["inputs"] if i.get("indexed")) != len(topics) - 1:
        # Same signature, other indexing (ERC-721 Transfer indexes the token ID; ERC-20's does not).
        entry = next((e for name in artifacts.names() for e in artifacts.load(name).abi
                      if e.get("type") == "event" and keccak(text=signature(e)) == topics[0]
                      and sum(1 for i in e["inputs"] if i.get("indexed")) == len(topics) - 1), None)
    if entry is None:
        return {"event": "unknown", "address": address, "args": {"topics": [_jsonable(t) for t in topics]}}
    indexed = [i for i in entry["inputs"] if i.get("indexed")]
    plain = [i for i in entry["inputs"] if not i.get("indexed")]
    args: dict[str, Any] = {}
    for param, topic in zip(indexed, topics[1:]):
        args[param["name"]] = _jsonable(abi_decode([abi_type(param)], topic)[0])
    values = abi_decode([abi_type(p) for p in plain], bytes(log["data"]))
    for param, value in zip(plain, values):
        args[param["name"]] = _jsonable(value)
    return {"event": entry["name"], "address": address, "args": args}
