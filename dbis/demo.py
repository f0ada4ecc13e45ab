"""`make demo`: the Engine X proof scenario on the embedded local chain, through the framework.

1. v2-deploy with EXECUTE=1 on a local anvil: test tokens, vault, proof borrower, roles, flash
   terms, 85.763529 cWUSDC / 85.763529 USDC seed and a 5 USDC lender bucket.
2. Two exact-output proofs of 5,000,000,000 cWUSDC to two fresh recipients, distinct proof IDs.
3. A flash loan of the lender bucket through the proof borrower.
4. The XAUt-backed USDC borrow vault: deposit, borrow at the LTV limit, price fall, liquidation.
5. Indexed LP: the real Uniswap V3 pool at 1:1, a tiny public swap, the indexed proof recorded,
   then the pool moved out of range and the record refused with its reason.
6. Proof of reserve: healthy, undercollateralised with the recovery executed, healthy again.
Then it prints the evidence and writes `reports/demo/engine-x-demo.json`.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from eth_utils import keccak, to_checksum_address
from web3 import Web3

from dbis import abi, demo_borrow, demo_conversion, demo_indexed, demo_rail, demo_reserve
from dbis.artifacts import PROJECT_ROOT
from dbis.chain import Anvil
from dbis.commands import borrow_vault, engine_x
from dbis.hashing import keccak_json
from dbis.operator import BuildContext, Options, Outcome, run_command
from dbis.plan import Plan, call, write_json

PER_RECIPIENT = 5_000_000_000 * 10**6
RECIPIENTS = ("meta", "master")
TAG = "demo"

BOUNDARIES = """\
What this demo proves (on a local chain, with test tokens):
  - each recipient received exactly the requested cWUSDC (exact-output delivery);
  - the Engine X rail reserves were equal before and after every proof (maintained 1:1 rail);
  - each proof anchored nonzero ISO/audit/peg hashes in VirtualProofAuditEvidence, under a
    proof ID that can never run again;
  - the flash loan lent only lender-bucket USDC and its fee landed in the bucket;
  - the borrow vault lent pre-funded USDC up to the LTV limit against XAUt and liquidated the
    position only once a price fall took its health below 1, seizing collateral rounded in the
    vault's favour.
What it does not prove:
  - public DEX market depth, public price discovery or a public cWUSDC/USDC peg (the ladder is
    virtual internal netting, not public volume);
  - public indexed LP compliance (needs a real public pool and swap evidence);
  - a real XAU/USD price: the demo's price is set by the operator role; production needs a feed
    or a governed price updater;
  - legal, regulatory, AML/KYC, sanctions or auditor approval."""


def recipient_address(label: str) -> str:
    """A fresh, deterministic recipient address for a demo label."""
    return to_checksum_address(keccak(text=f"dbis-engine-x-demo-recipient:{label}")[12:])


def _addresses(outcome: Outcome) -> dict[str, str]:
    return {r["id"]: r["contract_address"] for r in outcome.results if r.get("contract_address")}


def build_recipient_proofs(ctx: BuildContext) -> Plan:
    """Mint the local test cWUSDC the proofs need, then one exact-output proof per recipient."""
    vault = engine_x.vault_address(ctx)
    steps = []
    evidence = {}
    for label in RECIPIENTS:
        proof, ev = engine_x.proof_steps(
            ctx, vault, kind="engine-x-recipient-proof", tag=TAG, recipient=recipient_address(label),
            amount_out=PER_RECIPIENT, suffix=f"-{label}",
        )
        steps += proof
        evidence[label] = ev
    cwusdc = ctx.view(vault, engine_x.VAULT, "cwusdc")[0]
    total_in = sum(int(s.args[1]) for s in steps if s.function == "approve")
    mint = call("mint-cwusdc-for-proofs", cwusdc, engine_x.TOKEN, "mint", ctx.sender, total_in, events=("Transfer",))
    key = "demo-recipient-proofs:" + keccak_json([ev.proof_id for ev in evidence.values()])
    return Plan(
        command="demo-recipient-proofs", network=ctx.net.name, chain_id=ctx.net.chain_id, sender=ctx.sender,
        key=key, steps=(mint, *steps),
        params={"evidence": {k: v.to_json() for k, v in evidence.items()}},
    )


def build_flash_proof(ctx: BuildContext) -> Plan:
    """Give the borrower its fee float (local test USDC) and run one flash proof of the bucket."""
    vault = engine_x.vault_address(ctx)
    borrower = ctx.addresses["v2-deploy/deploy-borrower"]
    usdc = ctx.view(vault, engine_x.VAULT, "usdc")[0]
    amount = ctx.view(vault, engine_x.VAULT, "maxFlashLoan", usdc)[0]
    fee = ctx.view(vault, engine_x.VAULT, "flashFee", usdc, amount)[0]
    identity = {"kind": "engine-x-flash-proof", "tag": TAG, "chain_id": ctx.net.chain_id,
                "vault": vault.lower(), "amount": str(amount)}
    docs = {
        "iso": {"note": "flash working-capital leg, no credit transfer", "identity": identity},
        "audit": {"identity": identity, "lender": vault.lower(), "borrower": borrower.lower(), "fee": str(fee)},
        "peg": {"identity": identity, "rule": "lent only from lenderUsdcAvailable; pool USDC never lent"},
    }
    step = [keccak_json(identity), keccak_json(docs["iso"]), keccak_json(docs["audit"]), keccak_json(docs["peg"])]
    steps = (
        call("fund-borrower-fee", usdc, engine_x.TOKEN, "mint", borrower, fee, events=("Transfer",)),
        call("run-flash-proof", borrower, engine_x.BORROWER, "runFlashProof", amount, step,
             events=("FlashLoan", "FlashProofExecuted")),
    )
    return Plan(
        command="demo-flash-proof", network=ctx.net.name, chain_id=ctx.net.chain_id, sender=ctx.sender,
        key=f"demo-flash-proof:{step[0]}", steps=steps,
        params={"amount": amount, "fee": fee, "proof_id": step[0], "documents": docs},
    )


def _state(w3: Web3, vault: str, cwusdc: str, usdc: str) -> dict[str, int]:
    v = engine_x.VAULT
    return {
        "poolCwusdcReserve": abi.view(w3, vault, v, "poolCwusdcReserve")[0],
        "poolUsdcReserve": abi.view(w3, vault, v, "poolUsdcReserve")[0],
        "lenderUsdcAvailable": abi.view(w3, vault, v, "lenderUsdcAvailable")[0],
        "vaultCwusdcBalance": abi.view(w3, cwusdc, engine_x.TOKEN, "balanceOf", vault)[0],
        "vaultUsdcBalance": abi.view(w3, usdc, engine_x.TOKEN, "balanceOf", vault)[0],
    }


def _units(value: int) -> str:
    return f"{value / 10**6:,.6f}"


def main(out_dir: Path | None = None) -> int:
    out = out_dir or PROJECT_ROOT / "reports" / "demo"
    shutil.rmtree(out, ignore_errors=True)
    quiet: list[str] = []

    def progress(line: str) -> None:
        if line.startswith("  ["):
            print(line)
        else:
            quiet.append(line)

    with Anvil(chain_id=31337) as node:
        assert node.w3 is not None
        w3 = node.w3

        def opts(local_account: int = 0, **params: Any) -> Options:
            return Options(network="local", rpc_url=node.url, execute=True, local_account=local_account,
                           journal_dir=out / "deployments", out_dir=out / "plans", params=params)

        print("== 1. v2-deploy (EXECUTE=1 on the embedded local chain)")
        deployed = run_command("v2-deploy", engine_x.build_v2_deploy, opts(), progress)
        addr = _addresses(deployed)
        vault, cwusdc, usdc = addr["deploy-vault"], addr["deploy-cwusdc"], addr["deploy-usdc"]
        before = _state(w3, vault, cwusdc, usdc)

        print("== 2. two exact-output proofs of 5,000,000,000 cWUSDC")
        proofs = run_command("demo-recipient-proofs", build_recipient_proofs, opts(), progress)
        mid = _state(w3, vault, cwusdc, usdc)

        print("== 3. flash loan of the lender bucket through the proof borrower")
        flash = run_command("demo-flash-proof", build_flash_proof, opts(), progress)
        after = _state(w3, vault, cwusdc, usdc)

        print("== 4. borrow vault: XAUt collateral, USDC loan at the LTV limit, price fall, liquidation")
        borrow = demo_borrow.run(w3, opts, progress)

        print("== 5. indexed LP: real Uniswap V3 pool at 1:1, public swap, indexed proof, out-of-range refusal")
        indexed = demo_indexed.run(w3, opts, progress, cwusdc, usdc)
        print("== 6. proof of reserve: healthy, undercollateralised with recovery, healthy again")
        reserve = demo_reserve.run(w3, node.url, opts, progress, out)

        recipients = {}
        for label in RECIPIENTS:
            address = recipient_address(label)
            recipients[label] = {"address": address,
                                 "cwusdc_balance": abi.view(w3, cwusdc, engine_x.TOKEN, "balanceOf", address)[0]}

    evidence_rows = []
    for r in proofs.results:
        for e in r["events"]:
            if e["event"] == "VirtualProofAuditEvidence":
                evidence_rows.append({**e["args"], "tx_hash": r["tx_hash"], "gas_used": r["gas_used"]})
    flash_events = [e for r in flash.results for e in r["events"] if e["event"] in ("FlashLoan", "FlashProofExecuted")]
    flash_gas = next(r["gas_used"] for r in flash.results if r["id"] == "run-flash-proof")

    print()
    print("== Evidence")
    print(f"vault {vault}  cWUSDC {cwusdc}  USDC {usdc}")
    print(f"{'':28}{'before':>22}{'after proofs':>22}{'after flash':>22}")
    for key in before:
        print(f"{key:28}{_units(before[key]):>22}{_units(mid[key]):>22}{_units(after[key]):>22}")
    print()
    print(f"{'recipient':8} {'address':44} {'cWUSDC received':>24} {'exact?':>7}")
    for label, info in recipients.items():
        exact = "yes" if info["cwusdc_balance"] == PER_RECIPIENT else "NO"
        print(f"{label:8} {info['address']:44} {_units(info['cwusdc_balance']):>24} {exact:>7}")
    print()
    for row in evidence_rows:
        print(f"proof {row['proofId']}")
        print(f"  recipient {row['recipient']}  amountIn {_units(row['amountIn'])}  amountOut {_units(row['amountOut'])}")
        print(f"  isoHash {row['isoHash']}\n  auditHash {row['auditHash']}\n  pegHash {row['pegHash']}")
        print(f"  reserves at proof {_units(row['poolCwusdcReserve'])} / {_units(row['poolUsdcReserve'])}"
              f"  gas {row['gas_used']:,}  tx {row['tx_hash']}")
    for e in flash_events:
        shown = {k: v for k, v in e["args"].items() if k in ("amount", "fee", "proofId")}
        print(f"{e['event']}: {shown}")
    print(f"flash proof gas {flash_gas:,}")
    print()
    print(f"borrow vault {borrow['vault']}: XAUt price {borrow['price_before'] / 1e8:,.2f} -> "
          f"{borrow['price_after'] / 1e8:,.2f} USD")
    for stage, rows in borrow["positions"].items():
        print(f"-- {stage.replace('_', ' ')}")
        print(borrow_vault.render_positions(rows))
    liq = borrow["liquidation"]
    print("liquidation: " + ", ".join(f"{k} {v}" for k, v in liq.items()))
    print("gas: " + ", ".join(f"{k} {v:,}" for k, v in borrow["gas"].items() if k in ("deposit", "borrow", "liquidate")))
    print()
    print(demo_indexed.render(indexed))
    print(demo_reserve.render(reserve))
    print()
    print("== 7. DBIS Rail (chain id 138): signers, LPA, a 3-key Mint Authorization, one refusal per rule")
    rail = demo_rail.run()
    print(demo_rail.render(rail))
    print()
    conversion = demo_conversion.run()  # issue 6
    print(demo_conversion.render(conversion))
    print()
    print(BOUNDARIES)

    ok = (
        all(info["cwusdc_balance"] == PER_RECIPIENT for info in recipients.values())
        and before["poolCwusdcReserve"] == before["poolUsdcReserve"] == after["poolCwusdcReserve"]
        == after["poolUsdcReserve"]
        and len({row["proofId"] for row in evidence_rows}) == len(RECIPIENTS)
        and borrow["positions"]["after_price_fall"][0]["health_factor"] < 10**18
        and borrow["positions"]["after_liquidation"][0]["debt"] < borrow["positions"]["after_price_fall"][0]["debt"]
        and demo_reserve.checks(reserve)
        and indexed["checks_passed"]
        and rail["ok"]
        and conversion["ok"]
    )
    report = {
        "scenario": "engine-x-demo",
        "chain_id": 31337,
        "contracts": {"vault": vault, "cwusdc": cwusdc, "usdc": usdc,
                      "borrower": addr["deploy-borrower"]},
        "state": {"before": before, "after_proofs": mid, "after_flash": after},
        "recipients": recipients,
        "proofs": evidence_rows,
        "flash": {"events": flash_events, "gas_used": flash_gas},
        "borrow_vault": borrow,
        "indexed_lp": indexed,
        "reserve": reserve,
        "rail": rail,
        "conversion": conversion,
        "plans": {"v2-deploy": deployed.plan.hash, "recipient-proofs": proofs.plan.hash, "flash": flash.plan.hash},
        "checks_passed": ok,
        "boundaries": BOUNDARIES.splitlines(),
    }
    path = out / "engine-x-demo.json"
    write_json(path, report)
    print(f"\nreport written to {path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path}")
    print("demo checks: " + ("passed" if ok else "FAILED"))
    return 0 if ok else 1
