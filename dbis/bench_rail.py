"""Gas of the Rail's `submitMintAuth` with 2, 3 and 5 signatures and the marginal gas per extra
signature, measured in the same run against Safe 1.4.1's `execTransaction` with 2, 3 and 5 owners
(the `@safe-global/safe-contracts` npm artifacts). Target: our marginal gas per signature ≤ Safe's.

Both are measured in steady state on the in-process chain (chain id 138): the Safe's nonce and the
router's window/recipient slots are already nonzero (one warm-up execution each), so the figures
are what every later execution costs. Safe executes a zero-value call to an EOA (its cheapest
transaction); the router mints to a recipient that already holds GRU.
"""

from __future__ import annotations

import json
from typing import Any

from eth_account import Account
from eth_utils import keccak, to_checksum_address

from dbis.artifacts import PROJECT_ROOT, Artifact
from dbis.bench import Row
from dbis.engine import FastChain
from dbis.rail import typed_data as td
from dbis.rail.local import UNIT, build_scene

SAFE_ARTIFACTS = PROJECT_ROOT / "node_modules" / "@safe-global" / "safe-contracts" / "build" / "artifacts" / "contracts"
COUNTS = (2, 3, 5)
ZERO = "0x" + "00" * 20
FIXED_DEADLINE = 4_102_444_800  # 2100-01-01: the same calldata (and signatures) in every run
SIGNER_ORDER = ("ops-a", "ops-b", "compliance", "treasury", "technical")


def safe_artifact(path: str, name: str) -> Artifact:
    data = json.loads((SAFE_ARTIFACTS / path / f"{name}.json").read_text())
    return Artifact(name=f"Safe:{name}", source_id=data["sourceName"], abi=data["abi"],
                    bytecode=bytes.fromhex(data["bytecode"][2:]),
                    runtime_bytecode=bytes.fromhex(data["deployedBytecode"][2:]))


def safe_exec_gas(chain: FastChain, owners_n: int) -> int:
    """Steady-state gas of execTransaction on a Safe with `owners_n` owners and threshold `owners_n`."""
    singleton_art, factory_art = safe_artifact("Safe.sol", "Safe"), safe_artifact("proxies/SafeProxyFactory.sol",
                                                                                  "SafeProxyFactory")
    deployer = chain.account("safe-deployer")
    singleton = chain.deploy(singleton_art, sender=deployer)
    factory = chain.deploy(factory_art, sender=deployer)
    keys = [keccak(text=f"dbis.bench.safe-owner:{i}") for i in range(owners_n)]
    owners = [to_checksum_address(Account.from_key(k).address) for k in keys]
    setup = singleton.setup.encode(owners, owners_n, ZERO, b"", ZERO, ZERO, 0, ZERO)
    receipt = factory.createProxyWithNonce(singleton.address, setup, owners_n, sender=deployer)
    proxy = receipt.events("ProxyCreation")[0].args["proxy"]
    safe = chain.at(singleton_art, proxy)
    target = chain.account("safe-target")
    by_owner = sorted(zip(owners, keys), key=lambda p: int(p[0], 16))

    def execute() -> int:
        nonce = safe.nonce()
        tx_hash = safe.getTransactionHash(target, 0, b"", 0, 0, 0, 0, ZERO, ZERO, nonce)
        sigs = b""
        for _, key in by_owner:
            signed = Account.unsafe_sign_hash(tx_hash, key)
            sigs += signed.r.to_bytes(32, "big") + signed.s.to_bytes(32, "big") + bytes([signed.v])
        return safe.execTransaction(target, 0, b"", 0, 0, 0, 0, ZERO, ZERO, sigs, sender=deployer).gas_used

    execute()  # warm-up: nonce 0 -> 1
    return execute()


def router_gas(n: int) -> int:
    """Steady-state gas of submitMintAuth with `n` signatures (base-quorum amount)."""
    rail = build_scene()
    warm = rail.auth("bench-warm")
    rail.submit(warm, rail.sign(warm, *SIGNER_ORDER[:2]))
    auth = rail.auth(f"bench-{n}", amount=100 * UNIT, deadline=FIXED_DEADLINE)  # fixed bytes: reproducible gas
    return rail.submit(auth, rail.sign(auth, *SIGNER_ORDER[:n])).gas_used


def measure() -> dict[str, Any]:
    chain = FastChain(chain_id=138)
    safe = {n: safe_exec_gas(chain, n) for n in COUNTS}
    ours = {n: router_gas(n) for n in COUNTS}
    span = COUNTS[-1] - COUNTS[0]
    return {"safe": safe, "router": ours,
            "safe_marginal": (safe[COUNTS[-1]] - safe[COUNTS[0]]) / span,
            "router_marginal": (ours[COUNTS[-1]] - ours[COUNTS[0]]) / span}


def rows(m: dict[str, Any] | None = None) -> list[Row]:
    m = m or measure()
    out = []
    for n in COUNTS:
        out.append(Row(f"submitMintAuth, DBIS settlement router: {n} signatures (mint included)", m["router"][n], "gas",
                       f"Safe 1.4.1 execTransaction, {n} owners", m["safe"][n],
                       round(m["router"][n] / m["safe"][n], 3)))
        out.append(Row(f"execTransaction, Safe 1.4.1: {n} owners (zero-value call)", m["safe"][n], "gas",
                       f"Safe 1.4.1 execTransaction, {n} owners", m["safe"][n], 1.0))
    out.append(Row("submitMintAuth marginal gas per extra signature (2 -> 5)", round(m["router_marginal"], 1), "gas",
                   "Safe execTransaction marginal gas per extra owner signature (target <= 1.00x)",
                   round(m["safe_marginal"], 1), round(m["router_marginal"] / m["safe_marginal"], 3)))
    return out


if __name__ == "__main__":
    from dbis.bench import table

    print(table(rows()))
