"""DBIS conversion router operator commands (Conversion Router spec v1.5): `conversion-deploy`,
`venue-approve`, `convert` (plans: dry-run by default, EXECUTE=1 broadcasts) and `swap-auth-sign`
(off-chain: one signature file per signer, for a Swap or a Venue Authorization).

Every command checks every rule of the router off-chain against the chain's current state first and
refuses with the name of the first failing rule (the router's custom error name) before anything is
simulated or sent.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from eth_utils import to_checksum_address
from web3 import Web3

from dbis import abi
from dbis.commands.rail import bytes32
from dbis.errors import OperatorError
from dbis.operator import BuildContext
from dbis.plan import Plan, call, deploy, ref, write_json
from dbis.rail import conversion as cv

ROUTER = "DBISConversionRouter"
ADAPTER = "DBISUniswapV3VenueAdapter"
ERC20 = "TestERC20"  # any compiled contract with the ERC-20 ABI
SIGNATURE_KIND = "dbis-rail-conversion-authorization-signature"
KINDS = {"SwapAuthorization": cv.SwapAuthorization, "VenueAuthorization": cv.VenueAuthorization}
ZERO = "0x0000000000000000000000000000000000000000"


# ------------------------------------------------------------------ helpers

def _config(net: Any) -> dict[str, Any]:
    return net.section("conversion")


def _address(value: Any, flag: str) -> str:
    if not value or not Web3.is_address(str(value)):
        raise OperatorError(f"{flag} {value!r} is not an address")
    return to_checksum_address(str(value))


def _has_code(w3: Any, address: str) -> bool:
    return len(w3.eth.get_code(to_checksum_address(address))) > 0


def _plan(ctx: BuildContext, command: str, key: str, steps: list, params: dict[str, Any]) -> Plan:
    return Plan(command=command, network=ctx.net.name, chain_id=ctx.net.chain_id, sender=ctx.sender, key=key,
                steps=tuple(steps), params=params)


def router_address(ctx: BuildContext) -> str:
    found = ctx.param("router") or ctx.addresses.get("conversion-deploy/deploy-router")
    if not found:
        raise OperatorError(f"no conversion router on {ctx.net.name}: run conversion-deploy with EXECUTE=1 first "
                            "(or pass --router)")
    return _address(found, "--router")


def load_authorization(path: Path) -> cv.SwapAuthorization | cv.VenueAuthorization:
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise OperatorError(f"cannot read authorization {path}: {exc.__class__.__name__}") from None
    kind = KINDS.get(str(data.get("kind")))
    if kind is None:
        raise OperatorError(f"{path} is not a conversion authorization (kind {data.get('kind')!r})")
    try:
        return kind.of(**data["authorization"])
    except (KeyError, ValueError, TypeError) as exc:
        raise OperatorError(f"authorization {path} is malformed: {exc}") from None


def write_authorization(path: Path, auth: cv.SwapAuthorization | cv.VenueAuthorization,
                        extra: dict[str, Any] | None = None) -> None:
    write_json(path, {"kind": auth.PRIMARY, "authorization": auth.to_json(), "digest": "0x" + auth.digest().hex(),
                      "typed_data": json.loads(json.dumps(auth.typed_data(), default=str)), **(extra or {})})


def load_signatures(directory: Path, auth: Any) -> list[tuple[str, bytes]]:
    """Every `*.sig.json` in `directory` for this authorization (digest match), each checked to recover."""
    from dbis.rail import typed_data as td

    digest = auth.digest()
    out = []
    for f in sorted(Path(directory).glob("*.sig.json")):
        data = json.loads(f.read_text())
        if data.get("kind") != SIGNATURE_KIND or data.get("digest") != "0x" + digest.hex():
            continue  # another authorization's signature
        sig = bytes.fromhex(data["signature"][2:])
        try:
            signer = td.recover(digest, sig)
        except ValueError:
            raise OperatorError(f"SignatureInvalid: {f.name} holds a malformed signature") from None
        if signer.lower() != str(data.get("signer", "")).lower():
            raise OperatorError(f"{f.name} claims signer {data.get('signer')} but recovers {signer}")
        out.append((signer, sig))
    return out


def _pack(pairs: list[tuple[str, bytes]]) -> bytes:
    try:
        return cv.assemble(pairs)
    except ValueError as exc:
        raise OperatorError(f"DuplicateSigner: {exc}") from None


def read_view(w3: Any, router: str, caller: str, signers: list[str], venue: str,
              tokens: tuple[str, ...] = (), message_id: str | None = None, issuer: str | None = None,
              amount_token: str | None = None) -> cv.ConversionView:
    """What `check_swap` / `check_venue` need, read from the chain (the transaction lands in the next block)."""
    latest = w3.eth.get_block("latest")
    v = lambda fn, *a: abi.view(w3, router, ROUTER, fn, *a)  # noqa: E731
    registry, coins, sanctions = v("signerRegistry")[0], v("stablecoinRegistry")[0], v("sanctionsList")[0]
    adapter, until, nonce = v("venueOf", bytes.fromhex(venue[2:]))
    known = int(adapter, 16) != 0
    pool = abi.view(w3, adapter, ADAPTER, "pool")[0] if known else None
    screened = [a for a in (caller, adapter if known else None, pool) if a]
    records = {}
    for s in signers:
        cats, eff, rev = abi.view(w3, registry, "DBISSignerRegistry", "signerOf", s)
        records[s] = cv.SignerRecord(cats, eff, rev)
    statuses = {t.lower(): cv.TOKEN_STATUSES[abi.view(w3, coins, "DBISStablecoinRegistry", "statusOf", t)[0]]
                for t in tokens}
    sanctioned = frozenset(a.lower() for a in screened
                           if int(sanctions, 16) and abi.view(w3, sanctions, "ISanctionsList", "isSanctioned", a)[0])
    liquidity = floor = None
    if known:
        liquidity = abi.view(w3, pool, "IUniswapV3PoolLike", "liquidity")[0]
        floor = abi.view(w3, adapter, ADAPTER, "minLiquidity")[0]
    return cv.ConversionView(
        chain_id=w3.eth.chain_id, router=router, block_number=latest["number"] + 1, timestamp=latest["timestamp"],
        caller=caller, max_deadline_window=v("maxDeadlineWindow")[0], max_venue_approval=v("maxVenueApproval")[0],
        check_token_in=v("checkTokenIn")[0],
        message_used=bool(message_id) and int.from_bytes(v("quoteHashOf", bytes.fromhex(message_id[2:]))[0], "big") != 0,
        venue_adapter=to_checksum_address(adapter) if known else None,
        venue_pool=to_checksum_address(pool) if pool else None, venue_approved_until=until, venue_nonce=nonce,
        issuer_allowed=bool(issuer) and v("quoteIssuerAllowed", issuer)[0], token_status=statuses,
        denylisted=frozenset(a.lower() for a in screened if v("denylisted", a)[0]), sanctioned=sanctioned,
        elevated_threshold=v("elevatedThreshold", amount_token)[0] if amount_token else 0, signers=records,
        pool_liquidity=liquidity, min_liquidity=floor or 0)


def _refuse(command: str, failures: list[cv.Failure]) -> None:
    if failures:
        raise OperatorError(f"{command} refused before sending: {failures[0]}")


# ------------------------------------------------------------------ conversion-deploy

def build_conversion_deploy(ctx: BuildContext) -> Plan:
    """Deploy the conversion router over the Rail's signer and stablecoin registries (journaled by
    rail-deploy, or given), allow the configured quote issuers, set the elevated-quorum threshold of the
    given tokens, and deploy the Uniswap V3 venue adapter over the venue pool (approval: venue-approve)."""
    cfg = _config(ctx.net)
    signer_registry = _address(ctx.param("signer_registry") or ctx.addresses.get("rail-deploy/deploy-signer-registry"),
                               "--signer-registry (or a journaled rail-deploy)")
    coins = _address(ctx.param("stablecoin_registry") or ctx.addresses.get("rail-deploy/deploy-stablecoin-registry"),
                     "--stablecoin-registry (or a journaled rail-deploy)")
    sanctions = ctx.param("sanctions_list") or cfg.get("sanctions_list") or ZERO
    sanctions = _address(sanctions, "--sanctions-list")
    for name, address in (("signer registry", signer_registry), ("stablecoin registry", coins)):
        if not _has_code(ctx.w3, address):
            raise OperatorError(f"ZeroValue: the {name} {address} has no code")
    if int(sanctions, 16) and not _has_code(ctx.w3, sanctions):
        raise OperatorError(f"ZeroValue: the sanctions list {sanctions} has no code")
    window, approval = int(cfg["deadline_window_seconds"]), int(cfg["max_venue_approval_seconds"])
    if not 0 < window <= 120:
        raise OperatorError(f"DeadlineTooFar: deadline_window_seconds {window} must be 1..120 (spec §4.1)")
    if not 0 < approval < 2**32:
        raise OperatorError(f"ZeroValue: max_venue_approval_seconds {approval} must be 1 .. 2**32 - 1")
    s = ctx.sender
    steps = [deploy("deploy-router", ROUTER, s, signer_registry, coins, sanctions, window, approval,
                    bool(cfg["check_token_in"]), events=("RoleGranted",))]
    issuers = [_address(i, "quote issuer") for i in
               (str(ctx.param("quote_issuers", "")).split(",") if ctx.param("quote_issuers") else cfg["quote_issuers"])]
    for n, issuer in enumerate(issuers):
        steps.append(call(f"allow-issuer-{n}", ref("deploy-router"), ROUTER, "setQuoteIssuer", issuer, True,
                          events=("QuoteIssuerSet",)))
    tokens = [_address(t, "--tokens") for t in str(ctx.param("tokens", "")).split(",") if t.strip()]
    for n, token in enumerate(tokens):
        steps.append(call(f"set-threshold-{n}", ref("deploy-router"), ROUTER, "setElevatedThreshold", token,
                          int(cfg["elevated_threshold"]), events=("ElevatedThresholdSet",)))
    venue = cfg["venue"]
    pool = ctx.param("pool") or venue.get("pool")
    if pool:
        pool = _address(pool, "--pool")
        if not _has_code(ctx.w3, pool):
            raise OperatorError(f"ZeroValue: venue pool {pool} has no code")
        impact = int(venue["max_price_impact_bps"])
        if not 0 < impact < cv.BPS:
            raise OperatorError(f"PriceImpactOutOfRange: max_price_impact_bps {impact} must be 1..9999")
        steps.append(deploy("deploy-adapter", ADAPTER, ref("deploy-router"), pool, int(venue["min_liquidity"]),
                            impact))
    label = str(ctx.param("label", "v1"))
    return _plan(ctx, "conversion-deploy", f"conversion-deploy:{label}", steps,
                 {"conversion": cfg, "signer_registry": signer_registry, "stablecoin_registry": coins,
                  "sanctions_list": sanctions, "quote_issuers": issuers, "threshold_tokens": tokens, "pool": pool})


# ------------------------------------------------------------------ venue-approve

def build_venue_approve(ctx: BuildContext) -> Plan:
    """Enable or re-approve a venue with a Venue Authorization signed by 3 signers including COMPLIANCE.

    Without --auth-file: build the authorization (nonce read from the router), write it for the signers
    (`swap-auth-sign --auth-file ...`) and stop. With it: collect the signatures, check every rule, plan
    `approveVenue`."""
    cfg = _config(ctx.net)
    router = router_address(ctx)
    auth_path = ctx.param("auth_file")
    if not auth_path:
        name = ctx.param("venue_name") or cfg["venue"]["name"]
        adapter = _address(ctx.param("adapter") or ctx.addresses.get("conversion-deploy/deploy-adapter"), "--adapter")
        pool = abi.view(ctx.w3, adapter, ADAPTER, "pool")[0]
        venue = cv.venue_id(name)
        nonce = abi.view(ctx.w3, router, ROUTER, "venueOf", bytes.fromhex(venue[2:]))[2]
        now = ctx.w3.eth.get_block("latest")["timestamp"]
        until = int(ctx.param("approved_until", now + int(cfg["max_venue_approval_seconds"]) - 3_600))
        auth = cv.VenueAuthorization.of(venue=venue, adapter=adapter, pool=pool, approvedUntil=until, nonce=nonce,
                                        deadline=now + 86_400, chainId=ctx.w3.eth.chain_id, verifyingContract=router)
        out = Path(ctx.options.out_dir) / "venue-approvals" / f"{name.replace(':', '_').replace('/', '_')}-{nonce}"
        write_authorization(out / "authorization.json", auth, {"venue_name": name})
        raise OperatorError(f"QuorumNotMet: Venue Authorization written to {out / 'authorization.json'}; 3 signers "
                            "including COMPLIANCE sign it with swap-auth-sign, then re-run with --auth-file")
    auth = load_authorization(Path(auth_path))
    if not isinstance(auth, cv.VenueAuthorization):
        raise OperatorError(f"{auth_path} holds a {auth.PRIMARY}, not a VenueAuthorization")
    pairs = load_signatures(Path(ctx.param("signatures_dir") or Path(auth_path).parent), auth)
    packed = _pack(pairs)
    key = f"venue-approve:{auth.venue}:{auth.nonce}"
    if not ctx.landed("venue-approve", key):
        has_code = _has_code(ctx.w3, auth.adapter)
        a_router = abi.view(ctx.w3, auth.adapter, ADAPTER, "router")[0] if has_code else None
        a_pool = abi.view(ctx.w3, auth.adapter, ADAPTER, "pool")[0] if has_code else None
        view = read_view(ctx.w3, router, ctx.sender, [s for s, _ in pairs], auth.venue)
        screen = _screen_pair(ctx.w3, router, auth.adapter, auth.pool)
        view = cv.ConversionView(**{**view.__dict__, **screen})
        _refuse("venue-approve", cv.check_venue(auth, packed, view, a_router, a_pool))
    step = call("approve-venue", router, ROUTER, "approveVenue", auth.as_tuple(), "0x" + packed.hex(),
                events=("VenueApproved",))
    return _plan(ctx, "venue-approve", key, [step], {"authorization": auth.to_json(),
                                                    "digest": "0x" + auth.digest().hex(),
                                                    "signers": sorted((s for s, _ in pairs), key=lambda a: int(a, 16))})


def _screen_pair(w3: Any, router: str, *accounts: str) -> dict[str, frozenset[str]]:
    sanctions = abi.view(w3, router, ROUTER, "sanctionsList")[0]
    deny = frozenset(a.lower() for a in accounts if abi.view(w3, router, ROUTER, "denylisted", a)[0])
    hit = frozenset(a.lower() for a in accounts if int(sanctions, 16)
                    and abi.view(w3, sanctions, "ISanctionsList", "isSanctioned", a)[0])
    return {"denylisted": deny, "sanctioned": hit}


# ------------------------------------------------------------------ convert

def build_convert(ctx: BuildContext) -> Plan:
    """Execute a signed Swap Authorization from the sender: every router and venue rule checked off-chain
    first; the plan approves the venue adapter for tokenIn when the allowance is short."""
    router = router_address(ctx)
    auth_path = ctx.param("auth_file")
    if not auth_path:
        raise OperatorError("--auth-file is required (a SwapAuthorization written by swap-auth-sign)")
    auth = load_authorization(Path(auth_path))
    if not isinstance(auth, cv.SwapAuthorization):
        raise OperatorError(f"{auth_path} holds a {auth.PRIMARY}, not a SwapAuthorization")
    pairs = load_signatures(Path(ctx.param("signatures_dir") or Path(auth_path).parent), auth)
    packed = _pack(pairs)
    key = f"convert:{auth.messageId}"
    steps = []
    view = read_view(ctx.w3, router, ctx.sender, [s for s, _ in pairs], auth.venue, (auth.tokenIn, auth.tokenOut),
                     auth.messageId, auth.quoteIssuer, auth.tokenIn)
    if not ctx.landed("convert", key):
        balance = abi.view(ctx.w3, auth.tokenIn, ERC20, "balanceOf", ctx.sender)[0]
        view = cv.ConversionView(**{**view.__dict__, "balance_in": balance})
        _refuse("convert", cv.check_swap(auth, packed, view))
    adapter = view.venue_adapter
    if adapter and abi.view(ctx.w3, auth.tokenIn, ERC20, "allowance", ctx.sender, adapter)[0] < auth.amountIn:
        steps.append(call("approve-token-in", auth.tokenIn, ERC20, "approve", adapter, auth.amountIn,
                          events=("Approval",)))
    steps.append(call("convert", router, ROUTER, "convert", auth.as_tuple(), "0x" + packed.hex(),
                      events=("ConversionExecuted",)))
    return _plan(ctx, "convert", key, steps, {"authorization": auth.to_json(), "digest": "0x" + auth.digest().hex(),
                                              "signers": sorted((s for s, _ in pairs), key=lambda a: int(a, 16))})


# ------------------------------------------------------------------ swap-auth-sign (off-chain)

def sign_command(args: Any) -> int:
    """`swap-auth-sign`: build a Swap Authorization from a quote (or load any conversion authorization),
    check it may be signed, sign it with this signer's own key, write `authorization.json` and
    `<signer>.sig.json` into the output folder."""
    from dbis import netconfig
    from dbis.artifacts import PROJECT_ROOT
    from dbis.chain import connect
    from dbis.journal import Journal

    net = netconfig.load(args.network)
    cfg = _config(net)
    rpc = net.rpc_url(args.rpc_url)
    w3 = connect(rpc) if rpc else None
    if w3 is not None and w3.eth.chain_id != net.chain_id:
        raise OperatorError(f"RPC chain id {w3.eth.chain_id} does not match network {net.name} "
                            f"(expected {net.chain_id}); refusing")
    journaled: dict[str, str] = {}
    if w3 is not None:
        path = Path(args.journal_dir or PROJECT_ROOT / "deployments") / f"{net.name}.json"
        if path.exists():
            journaled = Journal.open(path, net.name, net.chain_id, w3.eth.get_block(0)["hash"].to_0x_hex()).addresses()
    quote = None
    if args.auth_file:
        auth = load_authorization(Path(args.auth_file))
        out = Path(args.auth_file).parent  # co-signatures go next to the authorization they sign
    else:
        if not args.quote_file:
            raise OperatorError("swap-auth-sign needs --auth-file (co-sign) or --quote-file (build a Swap Authorization)")
        quote = _load_quote(Path(args.quote_file))
        router = args.router or journaled.get("conversion-deploy/deploy-router")
        if not router:
            raise OperatorError("no router: pass --router, or an RPC with a journaled conversion-deploy")
        window = int(cfg["deadline_window_seconds"])
        auth = cv.SwapAuthorization.of(
            messageId=bytes32(args.message_id, "--message-id"), lpaId=args.lpa_id or cv.ZERO32, venue=quote.venue,
            tokenIn=quote.tokenIn, tokenOut=quote.tokenOut, amountIn=quote.amountIn,
            minAmountOut=args.min_amount_out if args.min_amount_out is not None
            else cv.min_amount_out(quote, int(cfg["max_slippage_bps"])),
            deadline=args.deadline or min(quote.expiresAt, quote.issuedAt + window), quoteHash=quote.quote_hash,
            quoteIssuer=quote.issuer, chainId=net.chain_id, verifyingContract=_address(router, "--router"))
        out = Path(args.out_dir or PROJECT_ROOT / "reports" / "conversion" / auth.messageId[2:18])
    if auth.chainId != net.chain_id:
        raise OperatorError(f"WrongChainId: the authorization is for chain {auth.chainId}, network {net.name} is "
                            f"{net.chain_id}; refusing to sign")
    now = int(w3.eth.get_block("latest")["timestamp"]) if w3 is not None else int(time.time())
    if quote is not None:
        _refuse("swap-auth-sign", cv.check_quote(quote, auth, int(cfg["max_slippage_bps"]), now,
                                                 int(cfg["deadline_window_seconds"])))
    if w3 is not None and isinstance(auth, cv.SwapAuthorization):
        view = read_view(w3, auth.verifyingContract, "", [], auth.venue, (auth.tokenIn, auth.tokenOut),
                         auth.messageId, auth.quoteIssuer, auth.tokenIn)
        # the quorum is being assembled and the caller is screened at submission; every other rule holds now
        _refuse("swap-auth-sign", [f for f in cv.check_swap(auth, b"", view) if f.rule != "QuorumNotMet"])
    elif w3 is not None:
        assert isinstance(auth, cv.VenueAuthorization)
        has_code = _has_code(w3, auth.adapter)
        view = read_view(w3, auth.verifyingContract, "", [], auth.venue)
        view = cv.ConversionView(**{**view.__dict__, **_screen_pair(w3, auth.verifyingContract, auth.adapter, auth.pool)})
        failures = cv.check_venue(auth, b"", view, abi.view(w3, auth.adapter, ADAPTER, "router")[0] if has_code else None,
                                  abi.view(w3, auth.adapter, ADAPTER, "pool")[0] if has_code else None)
        _refuse("swap-auth-sign", [f for f in failures if f.rule != "QuorumNotMet"])
    signer, signature = _sign(auth, args)
    auth_file = out / "authorization.json"
    if auth_file.exists() and load_authorization(auth_file) != auth:
        raise OperatorError(f"{auth_file} holds another authorization; sign that one (--auth-file) or use another "
                            "--out-dir")
    if not auth_file.exists():
        write_authorization(auth_file, auth, {"quote": quote.to_json()} if quote else None)
    digest = auth.digest()
    sig_path = out / f"{signer}.sig.json"
    write_json(sig_path, {"kind": SIGNATURE_KIND, "signer": signer, "digest": "0x" + digest.hex(),
                          "signature": "0x" + signature.hex(), "authorization": auth.PRIMARY})
    print(f"swap-auth-sign: {signer} signed {auth.PRIMARY} (digest 0x{digest.hex()})")
    print(f"signature written to {sig_path}")
    return 0


def _load_quote(path: Path) -> cv.Quote:
    try:
        data = json.loads(path.read_text())
        return cv.Quote.of(**data.get("quote", data))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise OperatorError(f"quote {path} is malformed: {exc}") from None


def _sign(auth: Any, args: Any) -> tuple[str, bytes]:
    """Sign with an explicit key file (tests, air-gapped signer) or an Ape account; never a shared key."""
    if bool(args.key_file) == bool(args.account):
        raise OperatorError("swap-auth-sign needs exactly one of --account <Ape alias> or --key-file <path>")
    if args.key_file:
        try:
            return auth.sign(Path(args.key_file).read_text().strip())
        except (OSError, ValueError) as exc:
            raise OperatorError(f"cannot sign with key file {args.key_file}: {exc.__class__.__name__}") from None
    from dbis.signers import ApeSigner

    signer = ApeSigner.from_alias(args.account)
    try:
        sig = signer.account.sign_raw_msghash(auth.digest())
    except Exception as exc:
        raise OperatorError(f"Ape account {args.account} could not sign: {exc}") from None
    if sig is None:
        raise OperatorError(f"Ape account {args.account} declined to sign")
    raw = sig.encode_rsv() if hasattr(sig, "encode_rsv") else bytes(sig)
    return to_checksum_address(signer.address), raw
