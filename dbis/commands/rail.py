"""DBIS Rail operator commands (Chain 138): `rail-deploy`, `rail-signer-add`, `rail-signer-revoke`,
`lpa-post`, `lpa-transition`, `mint-auth-submit` (plans: dry-run by default, EXECUTE=1 broadcasts)
and `mint-auth-sign` (off-chain: one signature file per signer, so signers never share keys).

`mint-auth-submit` collects the signature files, checks every rule of the settlement router off-chain
against the chain's current state and refuses with the name of the first failing rule before anything
is simulated or sent.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from eth_utils import keccak, to_checksum_address
from web3 import Web3

from dbis import abi
from dbis.errors import OperatorError
from dbis.operator import BuildContext
from dbis.plan import Plan, call, deploy, ref, write_json
from dbis.rail import rules
from dbis.rail import typed_data as td

SIGNER_REGISTRY = "DBISSignerRegistry"
ATTESTATION = "DBISLedgerAttestation"
STABLECOIN_REGISTRY = "DBISStablecoinRegistry"
CONTROLLER = "DBISMintController"
TOKEN = "DBISGRUToken"
ROUTER = "DBISSettlementRouter"
ROLES = {name: "0x" + keccak(text=name).hex() for name in (
    "LEDGER_OPS_ROLE", "DISPUTE_ROLE", "CORRECTIVE_ACTION_ROLE", "SETTLEMENT_ROUTER_ROLE", "SIGNER_ADMIN")}
DEPLOY_STEPS = {"signer_registry": "deploy-signer-registry", "attestation": "deploy-attestation",
                "stablecoin_registry": "deploy-stablecoin-registry", "controller": "deploy-controller",
                "token": "deploy-token", "router": "deploy-router"}
SIGNATURE_KIND = "dbis-rail-mint-authorization-signature"


# ------------------------------------------------------------------ helpers

def _config(net: Any) -> dict[str, Any]:
    return net.section("rail")


def bytes32(value: str | None, flag: str) -> str:
    """A 0x-prefixed 32-byte hex value (one line refusal otherwise)."""
    if not value:
        raise OperatorError(f"{flag} is required (0x + 64 hex digits)")
    text = value[2:] if value.startswith("0x") else value
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise OperatorError(f"{flag} {value!r} is not 32 bytes of hex")
    return "0x" + raw.hex()


def _address_flag(value: str | None, flag: str) -> str:
    if not value or not Web3.is_address(value):
        raise OperatorError(f"{flag} {value!r} is not an address")
    return to_checksum_address(value)


def addresses(journal_addresses: dict[str, str], network: str) -> dict[str, str]:
    """The Rail contracts journaled by `rail-deploy` (by role name)."""
    out = {}
    for name, step in DEPLOY_STEPS.items():
        found = journal_addresses.get(f"rail-deploy/{step}")
        if not found:
            raise OperatorError(f"no Rail deployment on {network}: run rail-deploy with EXECUTE=1 first")
        out[name] = found
    return out


def categories_mask(text: str | None) -> int:
    """`OPERATIONS,COMPLIANCE` -> bitmask."""
    if not text:
        raise OperatorError(f"--categories is required: a comma list of {', '.join(rules.CATEGORIES)}")
    mask = 0
    for name in (p.strip().upper() for p in text.split(",") if p.strip()):
        if name not in rules.CATEGORIES:
            raise OperatorError(f"unknown category {name!r} (known: {', '.join(rules.CATEGORIES)})")
        mask |= rules.CATEGORIES[name]
    return mask


def _plan(ctx: BuildContext, command: str, key: str, steps: list, params: dict[str, Any]) -> Plan:
    return Plan(command=command, network=ctx.net.name, chain_id=ctx.net.chain_id, sender=ctx.sender,
                key=key, steps=tuple(steps), params=params)


def _next_block(ctx: BuildContext) -> int:
    return int(ctx.w3.eth.block_number) + 1


# ------------------------------------------------------------------ rail-deploy

def build_rail_deploy(ctx: BuildContext) -> Plan:
    """Deploy the signer registry, ledger attestation, stablecoin registry, mint controller, GRU token
    and settlement router; wire them (router bound to the controller, router role on the attestation);
    give the sender the ledger-ops, dispute and corrective-action roles; register the token ACTIVE with
    its window allowance and elevated-quorum threshold; bind the reserve gate when configured."""
    cfg = _config(ctx.net)
    s = ctx.sender
    tok = cfg["token"]
    steps = [
        deploy("deploy-signer-registry", SIGNER_REGISTRY, s, s, events=("RoleGranted",)),
        deploy("deploy-attestation", ATTESTATION, s, events=("RoleGranted",)),
        deploy("deploy-stablecoin-registry", STABLECOIN_REGISTRY, s, events=("RoleGranted",)),
        deploy("deploy-controller", CONTROLLER, s, events=("RoleGranted",)),
        deploy("deploy-token", TOKEN, tok["name"], tok["symbol"], int(tok["decimals"]), ref("deploy-controller")),
        deploy("deploy-router", ROUTER, s, ref("deploy-signer-registry"), ref("deploy-attestation"),
               ref("deploy-stablecoin-registry"), ref("deploy-controller"), events=("RoleGranted",)),
        call("bind-router", ref("deploy-controller"), CONTROLLER, "bindRouter", ref("deploy-router"),
             events=("RouterBound",)),
        call("grant-router-role", ref("deploy-attestation"), ATTESTATION, "grantRole",
             ROLES["SETTLEMENT_ROUTER_ROLE"], ref("deploy-router"), events=("RoleGranted",)),
    ]
    for role in ("LEDGER_OPS_ROLE", "DISPUTE_ROLE", "CORRECTIVE_ACTION_ROLE"):
        steps.append(call(f"grant-{role.lower().replace('_role', '').replace('_', '-')}", ref("deploy-attestation"),
                          ATTESTATION, "grantRole", ROLES[role], s, events=("RoleGranted",)))
    steps += [
        call("register-token", ref("deploy-stablecoin-registry"), STABLECOIN_REGISTRY, "register",
             bytes32(tok["canonical_id"], "rail.token.canonical_id"), ref("deploy-token"), int(tok["decimals"]),
             events=("StablecoinRegistered",)),
        call("set-mint-limit", ref("deploy-controller"), CONTROLLER, "setMintLimit", ref("deploy-token"),
             int(cfg["mint_allowance"]), int(cfg["mint_window_seconds"]), events=("MintLimitSet",)),
        call("set-elevated-threshold", ref("deploy-router"), ROUTER, "setElevatedThreshold", ref("deploy-token"),
             int(cfg["elevated_threshold"]), events=("ElevatedThresholdSet",)),
    ]
    if cfg.get("reserve_gate"):
        steps.append(call("set-reserve-gate", ref("deploy-router"), ROUTER, "setReserveGate",
                          _address_flag(cfg["reserve_gate"], "rail.reserve_gate"), events=("ReserveGateSet",)))
    label = str(ctx.param("label", "v1"))
    return _plan(ctx, "rail-deploy", f"rail-deploy:{label}", steps, {"rail": cfg})


# ------------------------------------------------------------------ signers

def build_signer_add(ctx: BuildContext) -> Plan:
    """Register a signer with its categories, effective from `--effective-from-block` (default: the
    block the transaction lands in)."""
    a = addresses(ctx.addresses, ctx.net.name)
    signer = _address_flag(ctx.param("signer"), "--signer")
    mask = categories_mask(ctx.param("categories"))
    effective = int(ctx.param("effective_from_block", _next_block(ctx)))
    if effective < _next_block(ctx):
        raise OperatorError(f"BlockInThePast: --effective-from-block {effective} is before the next block "
                            f"{_next_block(ctx)}")
    cats, eff, _ = ctx.view(a["signer_registry"], SIGNER_REGISTRY, "signerOf", signer)
    if eff and not ctx.landed("rail-signer-add", f"rail-signer-add:{signer}"):
        raise OperatorError(f"SignerAlreadyRegistered: {signer} is (or was) a signer; a revoked address is never "
                            "reinstated")
    step = call("add-signer", a["signer_registry"], SIGNER_REGISTRY, "addSigner", signer, mask, effective,
                events=("SignerAdded",))
    return _plan(ctx, "rail-signer-add", f"rail-signer-add:{signer}", [step],
                 {"signer": signer, "categories": mask, "effective_from_block": effective})


def build_signer_revoke(ctx: BuildContext) -> Plan:
    """Revoke a signer from `--at-block` (default: the block the transaction lands in, add-on §4.3)."""
    a = addresses(ctx.addresses, ctx.net.name)
    signer = _address_flag(ctx.param("signer"), "--signer")
    at = int(ctx.param("at_block", _next_block(ctx)))
    key = f"rail-signer-revoke:{signer}"
    if not ctx.landed("rail-signer-revoke", key):
        _, eff, revoked = ctx.view(a["signer_registry"], SIGNER_REGISTRY, "signerOf", signer)
        if not eff:
            raise OperatorError(f"UnknownSigner: {signer} is not a registered signer")
        if at >= revoked:
            raise OperatorError(f"RevocationNotEarlier: {signer} is already revoked from block {revoked}")
        if at < _next_block(ctx):
            raise OperatorError(f"BlockInThePast: --at-block {at} is before the next block {_next_block(ctx)}")
    step = call("revoke-signer", a["signer_registry"], SIGNER_REGISTRY, "revokeSigner", signer, at,
                events=("SignerRevocationSet",))
    return _plan(ctx, "rail-signer-revoke", key, [step], {"signer": signer, "revoked_at_block": at})


# ------------------------------------------------------------------ LPAs

def build_lpa_post(ctx: BuildContext) -> Plan:
    """Post an LPA in POSTED_FINAL for an accountingRef (one accountingRef -> at most one LPA)."""
    a = addresses(ctx.addresses, ctx.net.name)
    lpa = bytes32(ctx.param("lpa_id"), "--lpa-id")
    ref_ = bytes32(ctx.param("accounting_ref"), "--accounting-ref")
    key = f"lpa-post:{lpa}"
    if not ctx.landed("lpa-post", key):
        if ctx.view(a["attestation"], ATTESTATION, "stateOf", bytes.fromhex(lpa[2:]))[0] != 0:
            raise OperatorError(f"LpaExists: LPA {lpa} is already posted")
        bound = "0x" + bytes(ctx.view(a["attestation"], ATTESTATION, "lpaOfAccountingRef",
                                      bytes.fromhex(ref_[2:]))[0]).hex()
        if int(bound, 16):
            raise OperatorError(f"AccountingRefBound: accountingRef {ref_} already backs LPA {bound}")
    step = call("post-lpa", a["attestation"], ATTESTATION, "postLpa", lpa, ref_, events=("LpaPosted",))
    return _plan(ctx, "lpa-post", key, [step], {"lpa_id": lpa, "accounting_ref": ref_})


def build_lpa_transition(ctx: BuildContext) -> Plan:
    """Move an LPA along an add-on §2.2 transition (refused off-chain when the add-on forbids it or the
    sender lacks the role the transition needs)."""
    a = addresses(ctx.addresses, ctx.net.name)
    lpa = bytes32(ctx.param("lpa_id"), "--lpa-id")
    to_name = str(ctx.param("to") or "").upper()
    if to_name not in rules.LPA_STATES[1:]:
        raise OperatorError(f"--to must be one of {', '.join(rules.LPA_STATES[1:])}")
    to = rules.LPA_STATES.index(to_name)
    reason = bytes32(ctx.param("reason", "0x" + "00" * 32), "--reason")
    state = ctx.view(a["attestation"], ATTESTATION, "stateOf", bytes.fromhex(lpa[2:]))[0]
    key = f"lpa-transition:{lpa}:{to_name}:{reason}"
    if not ctx.landed("lpa-transition", key):
        if state == 0:
            raise OperatorError(f"UnknownLpa: LPA {lpa} is not posted")
        role = bytes(ctx.view(a["attestation"], ATTESTATION, "transitionRole", state, to)[0])
        if not int.from_bytes(role, "big"):
            raise OperatorError(f"TransitionNotAllowed: {rules.LPA_STATES[state]} -> {to_name} is not an add-on §2.2 "
                                "transition")
        if not ctx.view(a["attestation"], ATTESTATION, "hasRole", role, ctx.sender)[0]:
            name = next((n for n, v in ROLES.items() if v == "0x" + role.hex()), "0x" + role.hex())
            raise OperatorError(f"AccessControlUnauthorizedAccount: {rules.LPA_STATES[state]} -> {to_name} needs "
                                f"{name}, which {ctx.sender} does not hold")
    step = call("transition-lpa", a["attestation"], ATTESTATION, "transition", lpa, to, reason,
                events=("LpaTransitioned",))
    return _plan(ctx, "lpa-transition", key, [step],
                 {"lpa_id": lpa, "from": rules.LPA_STATES[state], "to": to_name, "reason": reason})


# ------------------------------------------------------------------ mint authorizations

def load_authorization(path: Path) -> td.MintAuthorization:
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise OperatorError(f"cannot read authorization {path}: {exc.__class__.__name__}") from None
    fields = data.get("authorization", data)
    try:
        return td.MintAuthorization.of(**fields)
    except (KeyError, ValueError, TypeError) as exc:
        raise OperatorError(f"authorization {path} is malformed: {exc}") from None


def load_signatures(directory: Path, auth: td.MintAuthorization) -> list[tuple[str, bytes]]:
    """Every `*.sig.json` in `directory` for this authorization, each checked to recover its signer."""
    digest = td.digest(auth)
    out = []
    files = sorted(Path(directory).glob("*.sig.json"))
    if not files:
        raise OperatorError(f"no signature files (*.sig.json) in {directory}")
    for f in files:
        data = json.loads(f.read_text())
        if data.get("kind") != SIGNATURE_KIND or data.get("digest") != "0x" + digest.hex():
            raise OperatorError(f"{f.name} signs another authorization (digest {data.get('digest')})")
        sig = bytes.fromhex(data["signature"][2:])
        try:
            signer = td.recover(digest, sig)
        except ValueError:
            raise OperatorError(f"SignatureInvalid: {f.name} holds a malformed signature") from None
        if signer.lower() != str(data.get("signer", "")).lower():
            raise OperatorError(f"{f.name} claims signer {data.get('signer')} but recovers {signer}")
        out.append((signer, sig))
    return out


def build_mint_auth_submit(ctx: BuildContext) -> Plan:
    """Submit a Mint Authorization with its collected signatures, after checking every router rule
    off-chain (the first failing rule is named and nothing is simulated or sent)."""
    a = addresses(ctx.addresses, ctx.net.name)
    auth_path = ctx.param("auth_file")
    if not auth_path:
        raise OperatorError("--auth-file is required (written by mint-auth-sign)")
    auth = load_authorization(Path(auth_path))
    sig_dir = Path(ctx.param("signatures_dir") or Path(auth_path).parent)
    pairs = load_signatures(sig_dir, auth)
    try:
        packed = td.assemble(pairs)
    except ValueError as exc:
        raise OperatorError(f"DuplicateSigner: {exc}") from None
    key = f"mint-auth-submit:{auth.messageId}"
    if not ctx.landed("mint-auth-submit", key):
        view = rules.read_view(ctx.w3, a, auth, [s for s, _ in pairs])
        failures = rules.check(auth, packed, view)
        if failures:
            raise OperatorError(f"mint-auth-submit refused before sending: {failures[0]}")
    step = call("submit-mint-auth", a["router"], ROUTER, "submitMintAuth", auth.as_tuple(), "0x" + packed.hex(),
                events=("MintAuthorizationExecuted",))
    return _plan(ctx, "mint-auth-submit", key, [step],
                 {"authorization": auth.to_json(), "digest": "0x" + td.digest(auth).hex(),
                  "signers": [s for s, _ in sorted(pairs, key=lambda p: int(p[0], 16))]})


def sign_command(args: Any) -> int:
    """`mint-auth-sign`: build (or load) the authorization, check it may be signed, sign it with this
    signer's own key, and write `authorization.json` + `<signer>.sig.json` into the output folder."""
    from dbis import netconfig
    from dbis.artifacts import PROJECT_ROOT
    from dbis.chain import connect
    from dbis.journal import Journal

    net = netconfig.load(args.network)
    rpc = net.rpc_url(args.rpc_url)
    w3 = connect(rpc) if rpc else None
    if w3 is not None and w3.eth.chain_id != net.chain_id:
        raise OperatorError(f"RPC chain id {w3.eth.chain_id} does not match network {net.name} "
                            f"(expected {net.chain_id}); refusing")
    rail_addresses: dict[str, str] | None = None
    if w3 is not None:
        path = Path(args.journal_dir or PROJECT_ROOT / "deployments") / f"{net.name}.json"
        if path.exists():
            journal = Journal.open(path, net.name, net.chain_id, w3.eth.get_block(0)["hash"].to_0x_hex())
            rail_addresses = addresses(journal.addresses(), net.name)
    if args.auth_file:
        auth = load_authorization(Path(args.auth_file))
    else:
        router = args.router or (rail_addresses or {}).get("router")
        token = args.token or (rail_addresses or {}).get("token")
        if not router or not token:
            raise OperatorError("no router/token: pass --router and --token, or an RPC with a journaled rail-deploy")
        deadline = args.deadline or int(time.time()) + 3600
        auth = td.MintAuthorization.of(
            messageId=bytes32(args.message_id, "--message-id"), lpaId=bytes32(args.lpa_id, "--lpa-id"),
            accountingRef=bytes32(args.accounting_ref, "--accounting-ref"),
            isoMessageHash=bytes32(args.iso_message_hash, "--iso-message-hash"),
            token=_address_flag(token, "--token"), recipient=_address_flag(args.recipient, "--recipient"),
            amount=int(args.amount or 0), deadline=int(deadline), chainId=net.chain_id,
            verifyingContract=_address_flag(router, "--router"))
    if auth.chainId != net.chain_id:
        raise OperatorError(f"WrongChainId: the authorization is for chain {auth.chainId}, network {net.name} is "
                            f"{net.chain_id}; refusing to sign")
    if auth.amount <= 0:
        raise OperatorError("ZeroValue: --amount must be positive")
    if w3 is not None and rail_addresses is not None:
        state = abi.view(w3, rail_addresses["attestation"], ATTESTATION, "stateOf", bytes.fromhex(auth.lpaId[2:]))[0]
        if rules.LPA_STATES[state] != "POSTED_FINAL":
            raise OperatorError(f"LpaNotFinal: LPA {auth.lpaId} is {rules.LPA_STATES[state]}; the add-on forbids "
                                "signing a Mint Authorization for it")
    signer, signature = _sign(auth, args)
    out = Path(args.signatures_dir or Path(args.out_dir or PROJECT_ROOT / "reports" / "rail") / auth.messageId[2:18])
    auth_file = out / "authorization.json"
    if auth_file.exists() and load_authorization(auth_file) != auth:
        raise OperatorError(f"{auth_file} holds another authorization; sign that one (--auth-file) or use another "
                            "--out-dir")
    digest = td.digest(auth)
    write_json(auth_file, {"authorization": auth.to_json(), "digest": "0x" + digest.hex(),
                           "typed_data": json.loads(json.dumps(td.typed_data(auth), default=str))})
    sig_path = out / f"{signer}.sig.json"
    write_json(sig_path, {"kind": SIGNATURE_KIND, "signer": signer, "digest": "0x" + digest.hex(),
                          "signature": "0x" + signature.hex(), "message_id": auth.messageId})
    print(f"mint-auth-sign: {signer} signed MintAuthorization {auth.messageId} (digest 0x{digest.hex()})")
    print(f"signature written to {sig_path}")
    return 0


def _sign(auth: td.MintAuthorization, args: Any) -> tuple[str, bytes]:
    """Sign with an explicit key file (tests, air-gapped signer) or an Ape account; never a shared key."""
    if bool(args.key_file) == bool(args.account):
        raise OperatorError("mint-auth-sign needs exactly one of --account <Ape alias> or --key-file <path>")
    if args.key_file:
        try:
            key = Path(args.key_file).read_text().strip()
            return td.sign(auth, key)
        except (OSError, ValueError) as exc:
            raise OperatorError(f"cannot sign with key file {args.key_file}: {exc.__class__.__name__}") from None
    from eth_account.messages import encode_typed_data

    from dbis.signers import ApeSigner

    signer = ApeSigner.from_alias(args.account)
    print(f"mint-auth-sign: {signer.address} signs MintAuthorization {json.dumps(auth.to_json())}")
    try:  # EIP-712 typed data (never a raw hash): the account signs the message it is shown
        sig = signer.account.sign_message(encode_typed_data(full_message=td.typed_data(auth)))
    except Exception as exc:
        raise OperatorError(f"Ape account {args.account} could not sign: {exc}") from None
    if sig is None:
        raise OperatorError(f"Ape account {args.account} declined to sign")
    raw = sig.encode_rsv() if hasattr(sig, "encode_rsv") else bytes(sig)
    return to_checksum_address(signer.address), raw
