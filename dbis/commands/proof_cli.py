"""The runbook's proof and audit commands.

* `proof-package`     build the ISO 20022 proof package (offline; pure; byte-identical for a fixed
                      DBIS_ENGINE_X_SNAPSHOT_TAG and DBIS_ENGINE_X_GENERATED_AT);
* `recipient-proof`   (a plan) consume a package: `runVirtualProofExactOutTo` per recipient;
* `legacy-retirement` (a plan) retire the legacy vault once the v2 proof state is live;
* `canary-preflight`  a fresh canary package, consumed-ID checks and the USDC prep-swap advice;
* `audit-manifest`    ABI / bytecode / on-chain code hashes, compiler settings, proof hashes;
* `public-readiness`  the public-LP gates (dbis.readiness) against the live pool.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_utils import keccak
from web3 import Web3

from dbis import abi, artifacts, ladder, netconfig, readiness
from dbis.artifacts import PROJECT_ROOT
from dbis.commands.engine_x import ERC20, VAULT, _address, vault_address
from dbis.errors import OperatorError
from dbis.hashing import keccak_bytes, keccak_json
from dbis.iso20022 import config as pconfig
from dbis.iso20022 import package as ppackage
from dbis.operator import BuildContext
from dbis.plan import Plan, call, write_json

PAUSER_ROLE = "0x" + keccak(text="PAUSER_ROLE").hex()


def status_dir(value: Any = None) -> Path:
    """Where packages and status reports live: --status-dir, else DBIS_STATUS_DIR, else reports/status/."""
    return Path(value or os.environ.get("DBIS_STATUS_DIR") or PROJECT_ROOT / "reports" / "status")


# ------------------------------------------------------------------ chain access for read-only commands


@dataclass
class Live:
    net: netconfig.NetworkConfig
    w3: Web3 | None
    addresses: dict[str, str]
    journal_entries: list[dict[str, Any]]


def live(network: str, rpc_url: str | None, journal_dir: Path | None, *, required: bool) -> Live:
    """The network, its RPC (when given or required) and the journal of what was deployed there."""
    from dbis.chain import connect
    from dbis.journal import Journal

    net = netconfig.load(network)
    rpc = net.rpc_url(rpc_url)
    if not rpc:
        if required:
            raise OperatorError(f"this command reads a live chain: set {net.rpc_url_env} or pass --rpc-url")
        return Live(net, None, {}, [])
    w3 = connect(rpc)
    if w3.eth.chain_id != net.chain_id:
        raise OperatorError(f"RPC chain id {w3.eth.chain_id} does not match network {net.name} (expected {net.chain_id})")
    path = Path(journal_dir or PROJECT_ROOT / "deployments") / f"{net.name}.json"
    if not path.exists():
        return Live(net, w3, {}, [])
    journal = Journal.open(path, net.name, net.chain_id, w3.eth.get_block(0)["hash"].to_0x_hex())
    return Live(net, w3, journal.addresses(), journal.entries)


def _checksum(value: str | None, what: str) -> str | None:
    if not value:
        return None
    if not Web3.is_address(value):
        raise OperatorError(f"{what} {value!r} is not an address")
    return Web3.to_checksum_address(value)


# ------------------------------------------------------------------ proof-package


def rail_figures(net: netconfig.NetworkConfig, w3: Web3 | None, vault: str | None,
                 reserve: int | None, fee_bps: int | None, max_loss: int | None) -> ppackage.RailFigures:
    """The rail the proofs will use: the live vault when one is known, else the network config
    (`engine_x.seed_amount`, `virtual_fee_bps`, `max_round_trip_loss_bps`); flags override."""
    cfg = net.engine_x or {}
    live_reserve = live_fee = live_loss = None
    if w3 is not None and vault:
        if not w3.eth.get_code(vault):
            raise OperatorError(f"no contract at vault {vault} on {net.name}")
        live_reserve = abi.view(w3, vault, VAULT, "poolCwusdcReserve")[0]
        usdc_reserve = abi.view(w3, vault, VAULT, "poolUsdcReserve")[0]
        if live_reserve != usdc_reserve:
            raise OperatorError(f"vault {vault} reserves are not equal ({live_reserve} / {usdc_reserve})")
        live_fee = abi.view(w3, vault, VAULT, "virtualFeeBps")[0]
        live_loss = abi.view(w3, vault, VAULT, "maxRoundTripLossBps")[0]

    def pick(flag: int | None, on_chain: int | None, key: str) -> int:
        for value in (flag, on_chain, cfg.get(key)):
            if value is not None:
                return int(value)
        raise OperatorError(f"no {key} for {net.name}: pass the flag or deploy the vault first")

    return ppackage.RailFigures(pick(reserve, live_reserve, "seed_amount"), pick(fee_bps, live_fee, "virtual_fee_bps"),
                                pick(max_loss, live_loss, "max_round_trip_loss_bps"), vault)


def proof_package_command(args: Any) -> int:
    """`proof-package --per-recipient 5000000000`: write the package under reports/status/."""
    env = dict(os.environ)
    tag, generated = ppackage.snapshot(env)
    state = live(args.network, args.rpc_url, args.journal_dir, required=False)
    cfg = pconfig.load(state.net.name, args.per_recipient, Path(args.config) if args.config else None)
    if cfg.chain_id != state.net.chain_id:
        raise OperatorError(f"config chain id {cfg.chain_id} does not match network {state.net.name} ({state.net.chain_id})")
    vault = _checksum(args.vault, "--vault") or state.addresses.get("v2-deploy/deploy-vault")
    rail = rail_figures(state.net, state.w3, vault, args.pool_reserve, args.fee_bps, args.max_loss_bps)
    pkg = ppackage.build(cfg, tag, generated, rail)
    out = status_dir(args.status_dir)
    paths = pkg.write(out)
    h = pkg.hashes
    print(f"proof package {tag} for {cfg.network}: {len(cfg.recipients)} recipient(s), "
          f"{pconfig.display(sum(r.amount_units for r in cfg.recipients))} cWUSDC in total")
    print(f"  isoHash   {h['isoHash']}  (C14N 2.0 + keccak256; pacs.008.001.13 XSD valid)")
    print(f"  auditHash {h['auditHash']}\n  pegHash   {h['pegHash']}")
    for r in h["recipients"]:
        print(f"  #{r['index']} {r['recipient']} {pconfig.display(int(r['amountOut']))} proofId {r['proofId']}")
    for p in paths:
        print(f"  wrote {_rel(p)}")
    return 0


# ------------------------------------------------------------------ recipient-proof (plan)


def _package_tag(ctx: BuildContext) -> str:
    tag = ctx.param("tag") or os.environ.get("DBIS_ENGINE_X_SNAPSHOT_TAG")
    if not tag:
        raise OperatorError("which package? pass --tag (the <tag> of the proof-hashes file)")
    return str(tag)


def build_recipient_proof(ctx: BuildContext) -> Plan:
    """Consume a proof package: one `runVirtualProofExactOutTo` per recipient, with the package's
    isoHash/auditHash/pegHash and each recipient's proof ID. Refuses a package whose hashes do not
    match its files, a package for another network or rail, and a proof ID already consumed."""
    tag = _package_tag(ctx)
    pkg = ppackage.load_verified(status_dir(ctx.param("status_dir")), tag)
    h = pkg.hashes
    if h["network"] != ctx.net.name or int(h["chain_id"]) != ctx.net.chain_id:
        raise OperatorError(f"package {tag} is for {h['network']} (chain {h['chain_id']}), not {ctx.net.name}")
    vault = vault_address(ctx)
    reserve = ctx.view(vault, VAULT, "poolCwusdcReserve")[0]
    usdc_reserve = ctx.view(vault, VAULT, "poolUsdcReserve")[0]
    fee_bps = ctx.view(vault, VAULT, "virtualFeeBps")[0]
    if reserve != usdc_reserve:
        raise OperatorError(f"vault {vault} reserves are not equal ({reserve} / {usdc_reserve}); no proof can run")
    rail = pkg.peg["rail"]
    if (str(reserve), fee_bps) != (rail["pool_cwusdc_reserve"], rail["virtual_fee_bps"]):
        raise OperatorError(
            f"package {tag}'s peg proof states reserve {rail['pool_cwusdc_reserve']} at {rail['virtual_fee_bps']} bps, "
            f"vault {vault} has {reserve} at {fee_bps} bps: rebuild the package (proof-package --rpc-url)"
        )
    key = f"recipient-proof:{tag}:{h['isoHash']}"
    proofs, total_in = [], 0
    for n, (row, peg) in enumerate(zip(h["recipients"], pkg.peg["proofs"]), 1):
        amount_out = int(row["amountOut"])
        preview = ladder.amount_in_for_exact_out(amount_out, reserve, fee_bps)
        if str(preview.amount_in) != peg["amount_in"] or peg["proof_id"] != row["proofId"]:
            raise OperatorError(f"package {tag}: recipient {n}'s peg figures do not match the live rail")
        if ctx.view(vault, VAULT, "proofIdUsed", row["proofId"])[0] and not ctx.landed("recipient-proof", key):
            raise OperatorError(f"proof ID {row['proofId']} (recipient {n}) is already consumed on {ctx.net.name}: "
                                "build a new package with a new DBIS_ENGINE_X_SNAPSHOT_TAG")
        total_in += preview.amount_in
        proofs.append(call(
            f"run-proof-{n}", vault, VAULT, "runVirtualProofExactOutTo", row["recipient"], preview.amount_in,
            amount_out, row["proofId"], h["isoHash"], h["auditHash"], h["pegHash"],
            events=("VirtualProofAuditEvidence",), note=row["endToEndId"],
        ))
    cwusdc = ctx.view(vault, VAULT, "cwusdc")[0]
    steps = [call("approve-cwusdc", cwusdc, ERC20, "approve", vault, total_in, events=("Approval",)), *proofs]
    return Plan(
        command="recipient-proof", network=ctx.net.name, chain_id=ctx.net.chain_id, sender=ctx.sender, key=key,
        steps=tuple(steps),
        params={"tag": tag, "vault": vault, "isoHash": h["isoHash"], "auditHash": h["auditHash"],
                "pegHash": h["pegHash"], "recipients": len(proofs), "total_amount_in": total_in},
    )


# ------------------------------------------------------------------ legacy-retirement (plan)


def v2_proof_state(ctx: BuildContext, vault: str) -> dict[str, Any]:
    """Whether the v2 vault's proof state is live: code, not paused, equal nonzero reserves, and at
    least one VirtualProofAuditEvidence anchored. Raises with the first unmet condition."""
    if not ctx.w3.eth.get_code(vault):
        raise OperatorError(f"v2 proof state is not live: no contract at {vault}")
    if ctx.view(vault, VAULT, "paused")[0]:
        raise OperatorError(f"v2 proof state is not live: vault {vault} is paused")
    reserve, usdc_reserve = ctx.view(vault, VAULT, "poolCwusdcReserve")[0], ctx.view(vault, VAULT, "poolUsdcReserve")[0]
    if reserve == 0 or reserve != usdc_reserve:
        raise OperatorError(f"v2 proof state is not live: vault {vault} reserves are {reserve} / {usdc_reserve}")
    event = next(e for e in artifacts.load(VAULT).abi if e.get("type") == "event" and e["name"] == "VirtualProofAuditEvidence")
    topic = "0x" + keccak(text=abi.signature(event)).hex()
    logs = ctx.w3.eth.get_logs({"address": vault, "fromBlock": 0, "toBlock": "latest", "topics": [topic]})
    if not logs:
        raise OperatorError(f"v2 proof state is not live: vault {vault} has anchored no proof yet (run loop-proof)")
    return {"vault": vault, "reserve": reserve, "anchored_proofs": len(logs)}


def build_legacy_retirement(ctx: BuildContext) -> Plan:
    """Retire the legacy vault (pause it, withdraw its rail and lender bucket to the sender), only
    after the v2 proof state is live; a broadcast also needs `--reviewed <external review ref>`."""
    legacy = _address(ctx, "legacy_vault") or _checksum((ctx.net.engine_x or {}).get("legacy_vault"), "legacy_vault")
    if not legacy:
        raise OperatorError("no legacy vault: pass --legacy-vault or set engine_x.legacy_vault in the network config")
    vault = vault_address(ctx)
    if legacy.lower() == vault.lower():
        raise OperatorError(f"--legacy-vault {legacy} is the v2 vault itself")
    live_state = v2_proof_state(ctx, vault)
    reviewed = str(ctx.param("reviewed") or "")
    if ctx.options.execute and not reviewed:
        raise OperatorError("the runbook retires the legacy vault only after external review: pass --reviewed <reference>")
    if not ctx.w3.eth.get_code(legacy):
        raise OperatorError(f"no contract at legacy vault {legacy}")
    steps = []
    if not ctx.view(legacy, VAULT, "paused")[0]:
        steps.append(call("pause-legacy", legacy, VAULT, "pause", events=("Paused",)))
    reserve = ctx.view(legacy, VAULT, "poolCwusdcReserve")[0]
    if reserve:
        steps.append(call("withdraw-legacy-pool", legacy, VAULT, "withdrawPoolLiquidity", ctx.sender, reserve, reserve,
                          events=("PoolLiquidityWithdrawn",)))
    lender = ctx.view(legacy, VAULT, "lenderUsdcAvailable")[0]
    if lender:
        steps.append(call("withdraw-legacy-lender", legacy, VAULT, "withdrawLenderUsdc", ctx.sender, lender,
                          events=("LenderUsdcWithdrawn",)))
    return Plan(
        command="legacy-retirement", network=ctx.net.name, chain_id=ctx.net.chain_id, sender=ctx.sender,
        key=f"legacy-retirement:{legacy.lower()}", steps=tuple(steps),
        params={"legacy_vault": legacy, "v2": live_state, "reviewed": reviewed, "legacy_reserve": reserve,
                "legacy_lender": lender},
    )


# ------------------------------------------------------------------ canary-preflight


def canary_preflight_command(args: Any) -> int:
    """A fresh canary package (own tag and proof IDs), consumed-ID checks and the USDC advice."""
    state = live(args.network, args.rpc_url, args.journal_dir, required=True)
    assert state.w3 is not None
    w3, net = state.w3, state.net
    sender = _checksum(args.sender, "--sender")
    if not sender:
        if net.is_local:
            sender = Web3.to_checksum_address(w3.eth.accounts[0])
        else:
            raise OperatorError("canary-preflight needs the deployer address: pass --sender")
    vault = _checksum(args.vault, "--vault") or state.addresses.get("v2-deploy/deploy-vault")
    if not vault:
        raise OperatorError(f"no vault on {net.name}: run v2-deploy with EXECUTE=1 first, or pass --vault")
    base_tag, generated = ppackage.snapshot(dict(os.environ))
    canary_tag = pconfig.check_tag(args.canary_tag or f"{base_tag}-canary")
    # The canary uses the configuration's parties; its recipients are validated but not paid here.
    cfg = pconfig.load(net.name, args.amount or "1", Path(args.config) if args.config else None)
    recipient = _checksum(args.recipient, "--recipient") or sender
    units = pconfig.parse_amount(args.amount, "--amount") if args.amount is not None else cfg.canary_amount_units
    canary_cfg = pconfig.PackageConfig(
        network=cfg.network, chain_id=cfg.chain_id, currency=cfg.currency, token_symbol=cfg.token_symbol,
        token_address=cfg.token_address, parties=cfg.parties,
        recipients=(pconfig.Recipient(1, "canary recipient", recipient, units),), canary_amount_units=units)
    rail = rail_figures(net, w3, vault, None, None, None)
    pkg = ppackage.build(canary_cfg, canary_tag, generated, rail)
    out = status_dir(args.status_dir)
    pkg.write(out)
    ids = [("canary", r["proofId"]) for r in pkg.hashes["recipients"]]
    main_tag = args.tag or os.environ.get("DBIS_ENGINE_X_SNAPSHOT_TAG")
    main_file = out / ppackage.file_names(main_tag)["proof-hashes"] if main_tag else None
    main_ids: list[str] = []
    if main_file and main_file.exists():
        main_ids = [r["proofId"] for r in json.loads(main_file.read_text())["recipients"]]
        ids += [("package", pid) for pid in main_ids]
    checks = []
    for origin, pid in ids:
        used = abi.view(w3, vault, VAULT, "proofIdUsed", pid)[0]
        checks.append({"origin": origin, "proof_id": pid, "consumed": bool(used)})
    overlap = {pid for origin, pid in ids if origin == "canary"} & set(main_ids)
    usdc = abi.view(w3, vault, VAULT, "usdc")[0]
    cwusdc = abi.view(w3, vault, VAULT, "cwusdc")[0]
    usdc_balance = abi.view(w3, usdc, ERC20, "balanceOf", sender)[0]
    cw_balance = abi.view(w3, cwusdc, ERC20, "balanceOf", sender)[0]
    amount_in = int(json.loads(pkg.files["peg-proof"])["proofs"][0]["amount_in"])
    advice = []
    if usdc_balance == 0:
        advice.append("the deployer holds no official USDC: do a tiny XAUt -> USDC prep swap before the canary "
                      "(the runbook's canary prep); do not reuse the recipient package's proof hashes")
    if cw_balance < amount_in:
        advice.append(f"the deployer holds {pconfig.display(cw_balance)} cWUSDC, the canary needs "
                      f"{pconfig.display(amount_in)}: bridge or fund cWUSDC first")
    report = {"network": net.name, "vault": vault, "deployer": sender, "canary_tag": canary_tag,
              "canary_hashes": {k: pkg.hashes[k] for k in ("isoHash", "auditHash", "pegHash")},
              "checks": checks, "deployer_usdc": str(usdc_balance), "deployer_cwusdc": str(cw_balance),
              "canary_amount_in": str(amount_in), "advice": advice,
              "main_package": main_tag if main_ids else None}
    report_path = out / f"dbis-engine-x-canary-preflight-{canary_tag}.json"
    write_json(report_path, report)
    print(f"canary-preflight on {net.name}: vault {vault}, deployer {sender}, canary package {canary_tag}")
    for c in checks:
        print(f"  {c['origin']:8} proof ID {c['proof_id']}  {'CONSUMED' if c['consumed'] else 'fresh'}")
    print(f"  deployer USDC {pconfig.display(usdc_balance)}, cWUSDC {pconfig.display(cw_balance)}")
    for a in advice:
        print(f"  advice: {a}")
    print(f"  report {_rel(report_path)}")
    consumed = [c for c in checks if c["consumed"]]
    if overlap:
        raise OperatorError("the canary proof IDs overlap the recipient package's: use another canary tag")
    if consumed:
        c = consumed[0]
        raise OperatorError(f"{c['origin']} proof ID {c['proof_id']} is already consumed on {net.name}: use a new tag")
    return 0


# ------------------------------------------------------------------ audit-manifest


def _production_contracts() -> list[str]:
    out = []
    for name in artifacts.names():
        source = artifacts.load(name).source_id
        if source.startswith(("contracts/engine_x/", "contracts/libraries/", "contracts/rail/", "contracts/reserve/")):
            out.append(name)
    return out


def manifest(network: str, w3: Web3 | None, entries: list[dict[str, Any]], package_dir: Path,
             tags: list[str] | None) -> dict[str, Any]:
    """The audit manifest (pure apart from the chain reads): per contract its ABI hash, runtime
    bytecode hash and, where journaled, the on-chain code hash; compiler; proof hashes."""
    deployed: dict[str, list[dict[str, str]]] = {}
    for e in entries:
        if e.get("status") == "landed" and e.get("contract_address"):
            deployed.setdefault(e["contract"], []).append({"step": f"{e['command']}/{e['step']}",
                                                           "address": e["contract_address"]})
    contracts = []
    for name in _production_contracts():
        art = artifacts.load(name)
        runtime = "0x" + keccak(art.runtime_bytecode).hex() if art.runtime_bytecode else None
        row: dict[str, Any] = {"contract": name, "source": art.source_id, "abi_hash": keccak_json(art.abi),
                               "runtime_bytecode_hash": runtime, "deployments": []}
        for d in deployed.get(name, []):
            entry = dict(d)
            if w3 is not None:
                code = bytes(w3.eth.get_code(Web3.to_checksum_address(d["address"])))
                entry["onchain_code_hash"] = keccak_bytes(code) if code else None
                # immutables are written into the runtime code at deployment, so the hashes can
                # differ even for the same source; the length must not.
                entry["onchain_code_length"] = len(code)
                entry["runtime_bytecode_length"] = len(art.runtime_bytecode)
            row["deployments"].append(entry)
        contracts.append(row)
    proofs = []
    files = sorted(package_dir.glob(f"{ppackage.PREFIX}-proof-hashes-*.json")) if package_dir.exists() else []
    for f in files:
        tag = f.name[len(f"{ppackage.PREFIX}-proof-hashes-"):-len(".json")]
        if tags and tag not in tags:
            continue
        h = json.loads(f.read_text())
        proofs.append({"tag": tag, "network": h["network"], "isoHash": h["isoHash"], "auditHash": h["auditHash"],
                       "pegHash": h["pegHash"], "planHash": h["planHash"],
                       "proofIds": [r["proofId"] for r in h["recipients"]]})
    return {"format": "dbis-engine-x-audit-manifest/v1", "network": network, "compiler": artifacts.compiler_info(),
            "contracts": contracts, "proof_packages": proofs,
            "hashing": {"abi_hash": "keccak256 of the RFC 8785 canonical ABI JSON",
                        "runtime_bytecode_hash": "keccak256 of the compiled runtime bytecode",
                        "onchain_code_hash": "keccak256 of eth_getCode at the journaled address"}}


def audit_manifest_command(args: Any) -> int:
    state = live(args.network, args.rpc_url, args.journal_dir, required=False)
    tags = [args.tag] if args.tag else None
    data = manifest(state.net.name, state.w3, state.journal_entries, status_dir(args.status_dir), tags)
    path = status_dir(args.status_dir) / f"dbis-engine-x-audit-manifest-{state.net.name}.json"
    write_json(path, data)
    print(f"audit manifest for {state.net.name}: compiler solc {data['compiler']['version']}")
    for c in data["contracts"]:
        onchain = ", ".join(f"{d['address']} code {str(d.get('onchain_code_hash'))[:12]}…" for d in c["deployments"])
        print(f"  {c['contract']:36} abi {c['abi_hash'][:12]}… runtime {str(c['runtime_bytecode_hash'])[:12]}… {onchain}")
    for p in data["proof_packages"]:
        print(f"  package {p['tag']}: isoHash {p['isoHash'][:12]}… {len(p['proofIds'])} proof ID(s)")
    print(f"manifest written to {_rel(path)}")
    return 0


# ------------------------------------------------------------------ public-readiness


def public_readiness_command(args: Any) -> int:
    state = live(args.network, args.rpc_url, args.journal_dir, required=False)
    net, w3 = state.net, state.w3
    usdc = net.tokens.get("usdc") or state.addresses.get("v2-deploy/deploy-usdc")
    cwusdc = net.tokens.get("cwusdc") or state.addresses.get("v2-deploy/deploy-cwusdc")
    usdc = usdc or state.addresses.get("univ3-local-stack/deploy-usdc")
    cwusdc = cwusdc or state.addresses.get("univ3-local-stack/deploy-cwusdc")
    pool = _checksum(args.pool, "--pool") or _checksum((net.raw.get("public_lp") or {}).get("pool"), "public_lp.pool")
    if not pool and w3 is not None:
        pool = readiness.discover_pool(w3, net.raw, state.addresses, cwusdc, usdc)
    pool_state = None
    if pool and w3 is not None and w3.eth.get_code(Web3.to_checksum_address(pool)):
        pool_state = readiness.read_pool(w3, Web3.to_checksum_address(pool))
    gates = readiness.evaluate(pool_state, usdc, cwusdc)
    vault = state.addresses.get("v2-deploy/deploy-vault")
    print(f"public-readiness on {net.name}: pool {pool or 'none'}, v2 vault {vault or 'not deployed'}")
    print(readiness.render(gates))
    blocked = sum(not g.passed for g in gates)
    print(f"{len(gates) - blocked} gate(s) pass, {blocked} blocked" +
          ("; Engine X evidence alone does not meet a public LP standard" if blocked else ""))
    path = status_dir(args.status_dir) / f"engine-x-public-readiness-{net.name}.json"
    write_json(path, {"network": net.name, "pool": pool, "vault": vault, "usdc": usdc, "cwusdc": cwusdc,
                      "gates": [g.to_json() for g in gates]})
    print(f"report written to {_rel(path)}")
    return 0


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
