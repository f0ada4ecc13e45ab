"""`dbis` command line: the operator commands. Operator mistakes print one line and exit non-zero.

Every command is a dry-run unless EXECUTE=1 is set in the environment.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Callable, Sequence

from dbis.errors import OperatorError


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake as one line (OperatorError), not usage + error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise OperatorError(f"{self.prog}: {message} (see --help)")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--network", default=os.environ.get("DBIS_NETWORK", "local"),
                        help="local (default), mainnet or dbis; see config/networks/")
    parser.add_argument("--rpc-url", help="RPC of the target network (default: the network's *_RPC_URL variable)")
    parser.add_argument("--account", default=os.environ.get("DBIS_ACCOUNT"),
                        help="Ape account alias that signs (EXECUTE=1); never a raw key")
    parser.add_argument("--sender", help="address to simulate from in a dry-run without --account")
    parser.add_argument("--confirm", metavar="PLAN_HASH", help="confirm a broadcast on a network that requires it")
    parser.add_argument("--journal-dir", type=Path, default=None, help="journal folder (default deployments/)")
    parser.add_argument("--out-dir", type=Path, default=None, help="plan/result JSON folder (default reports/plans/)")


PARAMS: dict[str, list[tuple[str, type, str]]] = {
    "v2-deploy": [
        ("--seed", int, "cWUSDC and USDC seeded 1:1, in 6-decimal units (default from the network config)"),
        ("--lender", int, "USDC for the lender bucket, in 6-decimal units"),
        ("--cwusdc", str, "cWUSDC token address"),
        ("--usdc", str, "USDC token address"),
        ("--admin", str, "final default admin (a two-step transfer is scheduled when it is not the sender)"),
        ("--surplus-receiver", str, "receiver of proof surplus (default: sender)"),
        ("--rounding-receiver", str, "receiver of ladder rounding (default: sender)"),
        ("--label", str, "run label; a new label deploys a new vault instead of resuming"),
    ],
    "loop-proof": [
        ("--vault", str, "vault address (default: the one v2-deploy journaled)"),
        ("--recipient", str, "recipient (default: the sender, a loop)"),
        ("--amount-out", int, "exact output in 6-decimal units (default 10000 = 0.01 cWUSDC)"),
        ("--tag", str, "proof tag; the proof ID is derived from it (default: today's UTC date)"),
    ],
    "borrow-vault-deploy": [
        ("--lender", int, "USDC for the lender bucket, in 6-decimal units (default from the network config)"),
        ("--price", int, "first XAUt price, USD with 8 decimals (required without a feed)"),
        ("--feed", str, "AggregatorV3Interface XAU/USD feed address (default: owner price only)"),
        ("--xaut", str, "XAUt token address"),
        ("--usdc", str, "USDC token address"),
        ("--label", str, "run label; a new label deploys a new vault instead of resuming"),
    ],
    "reserve-deploy": [
        ("--forwarder", str, "Chainlink CRE forwarder allowed to call onReport (local default: the sender)"),
        ("--chain-selector", int, "this chain's selector as reports name it (default from the network config)"),
        ("--max-age", int, "seconds an attestation stays usable (default from the network config)"),
        ("--workflow-owner", str, "workflow owner onReport requires (default: not checked)"),
        ("--workflow-id", str, "workflow id onReport requires, 0x + 64 hex digits (default: not checked)"),
        ("--updater", str, "address granted UPDATER_ROLE (default: the sender)"),
        ("--label", str, "run label; a new label deploys a new attestation instead of resuming"),
    ],
    "reserve-workflow": [
        ("--attestation", str, "attestation address (default: the one reserve-deploy journaled)"),
        ("--source", str, "reserves and liabilities: a JSON file or an http(s) URL"),
        ("--feed", str, "proof-of-reserve AggregatorV3Interface feed (reserves), read through the RPC"),
        ("--liability-token", str, "token whose total supply is the liabilities (with --feed)"),
    ],
    "univ3-local-stack": [
        ("--mint", int, "cWUSDC and USDC test tokens minted to the sender, 6-decimal units (default from config)"),
        ("--cwusdc", str, "cWUSDC token address (default: deploy a test token)"),
        ("--usdc", str, "USDC token address (default: deploy a test token)"),
        ("--label", str, "run label; a new label deploys a new stack instead of resuming"),
    ],
    "indexed-lp-migration": [
        ("--rail-vault", str, "Engine X rail vault to migrate (default: the one v2-deploy journaled; none: sender funds)"),
        ("--amount", int, "cWUSDC and USDC to put in the position, 6-decimal units (default: the rail reserve)"),
        ("--cwusdc", str, "cWUSDC token address"),
        ("--usdc", str, "USDC token address"),
    ],
    "indexed-vault-deploy": [
        ("--pool", str, "Uniswap V3 cWUSDC/USDC pool (default: the factory's pool of the configured fee)"),
        ("--admin", str, "final default admin (a two-step transfer is scheduled when it is not the sender)"),
        ("--cwusdc", str, "cWUSDC token address"),
        ("--usdc", str, "USDC token address"),
        ("--label", str, "run label; a new label deploys a new vault instead of resuming"),
    ],
    "univ3-swap-proof": [
        ("--amount", int, "amount in, 6-decimal units (default from config: a tiny swap)"),
        ("--direction", str, "usdc-to-cwusdc (default) or cwusdc-to-usdc"),
        ("--tag", str, "swap tag; a new tag makes a new swap (default: today's UTC date)"),
        ("--cwusdc", str, "cWUSDC token address"),
        ("--usdc", str, "USDC token address"),
    ],
    "indexed-proof-record": [
        ("--vault", str, "indexed vault (default: the one indexed-vault-deploy journaled)"),
        ("--swap-tx", str, "public swap transaction hash (default: the journal's univ3-swap-proof swap)"),
        ("--liquidity-tx", str, "liquidity transaction hash (default: the journal's indexed-lp-migration mint)"),
        ("--amount", int, "proof amount (default: the swap's input amount)"),
        ("--tag", str, "proof tag; the proof ID is derived from it (default: today's UTC date)"),
    ],
    "recipient-proof": [
        ("--tag", str, "the proof package's <tag> (default DBIS_ENGINE_X_SNAPSHOT_TAG)"),
        ("--vault", str, "vault address (default: the one v2-deploy journaled)"),
        ("--status-dir", str, "folder of the proof package (default reports/status/)"),
    ],
    "legacy-retirement": [
        ("--legacy-vault", str, "the legacy vault to retire (default engine_x.legacy_vault of the network)"),
        ("--vault", str, "the v2 vault whose proof state must be live (default: the one v2-deploy journaled)"),
        ("--reviewed", str, "reference of the external review; required with EXECUTE=1"),
    ],
    "rail-deploy": [
        ("--label", str, "run label; a new label deploys a new Rail instead of resuming"),
    ],
    "rail-signer-add": [
        ("--signer", str, "signer address"),
        ("--categories", str, "comma list: OPERATIONS, COMPLIANCE, TREASURY, TECHNICAL"),
        ("--effective-from-block", int, "first block the signer counts (default: the next block)"),
    ],
    "rail-signer-revoke": [
        ("--signer", str, "signer address"),
        ("--at-block", int, "first block the signer no longer counts (default: the next block)"),
    ],
    "lpa-post": [
        ("--lpa-id", str, "LPA id (bytes32 hex)"),
        ("--accounting-ref", str, "accountingRef the LPA backs (bytes32 hex)"),
    ],
    "lpa-transition": [
        ("--lpa-id", str, "LPA id (bytes32 hex)"),
        ("--to", str, "POSTED_FINAL, POSTED_ADJUSTMENT, POSTED_REVERSAL or DISPUTED_HOLD"),
        ("--reason", str, "reference of the ledger entry or dispute decision (bytes32 hex)"),
    ],
    "mint-auth-submit": [
        ("--auth-file", str, "authorization.json written by mint-auth-sign"),
        ("--signatures-dir", str, "folder of the signers' *.sig.json files (default: the auth file's folder)"),
    ],
    "conversion-deploy": [
        ("--signer-registry", str, "Rail signer registry (default: the one rail-deploy journaled)"),
        ("--stablecoin-registry", str, "Rail stablecoin registry (default: the one rail-deploy journaled)"),
        ("--sanctions-list", str, "sanctions oracle with isSanctioned(address) (default from config; none: zero)"),
        ("--pool", str, "Uniswap V3 pool of the venue adapter (default from config)"),
        ("--quote-issuers", str, "comma list of allowed quote issuers (default from config)"),
        ("--tokens", str, "comma list of tokenIn addresses that get the configured elevated threshold"),
        ("--label", str, "run label; a new label deploys a new router instead of resuming"),
    ],
    "venue-approve": [
        ("--auth-file", str, "signed Venue Authorization (without it: write one for the signers and stop)"),
        ("--signatures-dir", str, "folder of the signers' *.sig.json files (default: the auth file's folder)"),
        ("--venue-name", str, "venue name; the venue id is keccak256 of it (default from config)"),
        ("--adapter", str, "venue adapter (default: the one conversion-deploy journaled)"),
        ("--approved-until", int, "unix time the approval ends (default: the policy maximum less an hour)"),
        ("--router", str, "conversion router (default: the one conversion-deploy journaled)"),
    ],
    "convert": [
        ("--auth-file", str, "Swap Authorization written by swap-auth-sign"),
        ("--signatures-dir", str, "folder of the signers' *.sig.json files (default: the auth file's folder)"),
        ("--router", str, "conversion router (default: the one conversion-deploy journaled)"),
    ],
}

# Read-only / file-writing commands (dbis.commands.proof_cli): flags beyond --network, --rpc-url,
# --journal-dir, --out-dir and --status-dir (reports folder, default reports/status/).
READ_ONLY: dict[str, list[tuple[str, type, str]]] = {
    "proof-package": [
        ("--per-recipient", str, "cWUSDC per recipient, whole units with at most 6 decimals (e.g. 5000000000)"),
        ("--config", str, "proof-package configuration (default config/proof-package/<network>.json)"),
        ("--vault", str, "vault whose rail the peg proof states (default: the journaled v2 vault, with --rpc-url)"),
        ("--pool-reserve", int, "rail reserve in 6-decimal units (default: the live vault, else the network config)"),
        ("--fee-bps", int, "virtual fee in bps (default: the live vault, else the network config)"),
        ("--max-loss-bps", int, "maximum round-trip loss in bps (default: the live vault, else the network config)"),
    ],
    "canary-preflight": [
        ("--tag", str, "the recipient package whose proof IDs are also checked (default DBIS_ENGINE_X_SNAPSHOT_TAG)"),
        ("--canary-tag", str, "tag of the canary package (default <tag>-canary)"),
        ("--amount", str, "canary amount in cWUSDC (default canary_amount of the configuration)"),
        ("--recipient", str, "canary recipient (default: the deployer)"),
        ("--sender", str, "deployer address (default on local: the first dev account)"),
        ("--vault", str, "vault address (default: the one v2-deploy journaled)"),
        ("--config", str, "proof-package configuration (default config/proof-package/<network>.json)"),
    ],
    "audit-manifest": [
        ("--tag", str, "only this proof package (default: every package in the reports folder)"),
    ],
    "public-readiness": [
        ("--pool", str, "the public cWUSDC/USDC Uniswap V3 pool (default public_lp.pool of the network config)"),
    ],
}


def _builders() -> dict[str, Callable]:
    from dbis.commands import borrow_vault, engine_x, rail

    return {"v2-deploy": engine_x.build_v2_deploy, "loop-proof": engine_x.build_loop_proof,
            "borrow-vault-deploy": borrow_vault.build_borrow_vault_deploy,
            "rail-deploy": rail.build_rail_deploy, "rail-signer-add": rail.build_signer_add,
            "rail-signer-revoke": rail.build_signer_revoke, "lpa-post": rail.build_lpa_post,
            "lpa-transition": rail.build_lpa_transition, "mint-auth-submit": rail.build_mint_auth_submit,
            **_reserve_builders(), **_indexed_builders(), **_proof_builders(), **_conversion_builders()}


def _conversion_builders() -> dict[str, Callable]:
    from dbis.commands import conversion

    return {"conversion-deploy": conversion.build_conversion_deploy, "venue-approve": conversion.build_venue_approve,
            "convert": conversion.build_convert}


def _proof_builders() -> dict[str, Callable]:
    from dbis.commands import proof_cli

    return {"recipient-proof": proof_cli.build_recipient_proof,
            "legacy-retirement": proof_cli.build_legacy_retirement}


def _read_only_runners() -> dict[str, Callable]:
    from dbis.commands import proof_cli

    return {"proof-package": proof_cli.proof_package_command, "canary-preflight": proof_cli.canary_preflight_command,
            "audit-manifest": proof_cli.audit_manifest_command,
            "public-readiness": proof_cli.public_readiness_command}


def _reserve_builders() -> dict[str, Callable]:
    from dbis.reserve import commands

    return {"reserve-deploy": commands.build_reserve_deploy, "reserve-workflow": commands.build_reserve_workflow}


def _reserve_monitor_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("reserve-monitor", help="follow ReserveStatusUpdated; plan (EXECUTE=1: run) the recovery")
    _common(p)
    p.add_argument("--attestation", help="attestation address (default: the one reserve-deploy journaled)")
    p.add_argument("--source", help="reserves and liabilities to size a deficit: a JSON file or an http(s) URL")
    p.add_argument("--feed", help="proof-of-reserve AggregatorV3Interface feed (reserves)")
    p.add_argument("--liability-token", help="token whose total supply is the liabilities (with --feed)")
    p.add_argument("--collateral", help="collateral token the reserve holds")
    p.add_argument("--usdc", help="USDC token the recovery wallet swaps from")
    p.add_argument("--reserve-address", help="where the recovered collateral is sent")
    p.add_argument("--swap-router", help="Uniswap V3 SwapRouter")
    p.add_argument("--pool-fee", type=int, help="Uniswap V3 pool fee tier (default 3000)")
    p.add_argument("--price", type=int, help="collateral price, USD with 8 decimals (sizes the swap)")
    p.add_argument("--slippage-bps", type=int, help="USDC allowance above the price (default 100)")
    p.add_argument("--from-block", type=int, help="first block to read events from (default: the next block)")
    p.add_argument("--interval", type=float, default=2.0, help="seconds between polls (default 2)")
    p.add_argument("--max-iterations", type=int, default=10, help="polls before stopping; 0 = until Ctrl-C")
    p.add_argument("--max-rpc-failures", type=int, default=5, help="failed polls in a row before giving up")


def _indexed_builders() -> dict[str, Callable]:
    from dbis.commands import indexed_lp

    return {"univ3-local-stack": indexed_lp.build_univ3_local_stack,
            "indexed-lp-migration": indexed_lp.build_indexed_lp_migration,
            "indexed-vault-deploy": indexed_lp.build_indexed_vault_deploy,
            "univ3-swap-proof": indexed_lp.build_univ3_swap_proof,
            "indexed-proof-record": indexed_lp.build_indexed_proof_record}


def parser() -> argparse.ArgumentParser:
    root = _Parser(prog="dbis", description=__doc__)
    sub = root.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, params in PARAMS.items():
        p = sub.add_parser(name, help=f"{name} (dry-run unless EXECUTE=1)")
        _common(p)
        for flag, kind, text in params:
            p.add_argument(flag, type=kind, help=text)
    status = sub.add_parser("borrow-vault-status", help="every borrow-vault position with its health factor")
    status.add_argument("--network", default=os.environ.get("DBIS_NETWORK", "local"))
    status.add_argument("--rpc-url", help="RPC of the network (default: the network's *_RPC_URL variable)")
    status.add_argument("--vault", help="vault address (default: the one borrow-vault-deploy journaled)")
    status.add_argument("--journal-dir", type=Path, default=None)
    status.add_argument("--out-dir", type=Path, default=None, help="status JSON folder (default reports/status/)")
    _reserve_monitor_parser(sub)
    for name, params in READ_ONLY.items():
        p = sub.add_parser(name, help=f"{name} (reads the chain, writes reports; sends nothing)")
        p.add_argument("--network", default=os.environ.get("DBIS_NETWORK", "local"))
        p.add_argument("--rpc-url", help="RPC of the network (default: the network's *_RPC_URL variable)")
        p.add_argument("--journal-dir", type=Path, default=None, help="journal folder (default deployments/)")
        p.add_argument("--out-dir", type=Path, default=None, help="ignored here (plans folder of plan commands)")
        p.add_argument("--status-dir", type=Path, default=None,
                       help="reports and proof packages (default DBIS_STATUS_DIR or reports/status/)")
        for flag, kind, text in params:
            p.add_argument(flag, type=kind, help=text)
    sign = sub.add_parser("mint-auth-sign", help="sign a Mint Authorization: one signature file per signer")
    sign.add_argument("--network", default=os.environ.get("DBIS_NETWORK", "dbis"))
    sign.add_argument("--rpc-url", help="RPC of the network (checks the chain id and the LPA state)")
    sign.add_argument("--journal-dir", type=Path, default=None)
    sign.add_argument("--signatures-dir", type=Path, default=None,
                      help="folder of authorization.json and the signature files (default <out-dir>/<messageId>)")
    sign.add_argument("--out-dir", type=Path, default=None, help="parent of the default signatures folder "
                      "(default reports/rail/)")
    sign.add_argument("--account", help="Ape account alias of this signer")
    sign.add_argument("--key-file", help="file holding this signer's private key (tests, air-gapped signing)")
    sign.add_argument("--auth-file", help="sign this authorization.json (the first signer's) instead of building one")
    for flag in ("--message-id", "--lpa-id", "--accounting-ref", "--iso-message-hash", "--token", "--recipient",
                 "--router"):
        sign.add_argument(flag)
    sign.add_argument("--amount", type=int)
    sign.add_argument("--deadline", type=int, help="unix time (default: one hour from now)")
    swap_sign = sub.add_parser("swap-auth-sign", help="sign a Swap or Venue Authorization: one signature file per signer")
    swap_sign.add_argument("--network", default=os.environ.get("DBIS_NETWORK", "dbis"))
    swap_sign.add_argument("--rpc-url", help="RPC of the network (checks the chain id and every router rule)")
    swap_sign.add_argument("--journal-dir", type=Path, default=None)
    swap_sign.add_argument("--out-dir", type=Path, default=None, help="folder of authorization.json and the signatures")
    swap_sign.add_argument("--account", help="Ape account alias of this signer")
    swap_sign.add_argument("--key-file", help="file holding this signer's private key (tests, air-gapped signing)")
    swap_sign.add_argument("--auth-file", help="co-sign this authorization.json (Swap or Venue Authorization)")
    swap_sign.add_argument("--quote-file", help="the quote (JSON) to build a Swap Authorization from")
    for flag in ("--message-id", "--lpa-id", "--router"):
        swap_sign.add_argument(flag)
    swap_sign.add_argument("--min-amount-out", type=int, help="default: the quote less the policy's max slippage")
    swap_sign.add_argument("--deadline", type=int, help="unix time (default: the quote time + the policy window)")
    demo = sub.add_parser("demo", help="the Engine X proof scenario on the embedded local chain")
    demo.add_argument("--out-dir", type=Path, default=None)
    return root


def run(argv: Sequence[str]) -> int:
    args = parser().parse_args(argv)
    if args.command == "demo":
        from dbis import demo

        return demo.main(out_dir=args.out_dir)
    if args.command == "borrow-vault-status":
        from dbis.commands import borrow_vault

        return borrow_vault.status_command(args.network, args.rpc_url, args.vault, args.journal_dir, args.out_dir)
    if args.command == "reserve-monitor":
        from dbis.reserve import monitor

        return monitor.command(args)
    if args.command in READ_ONLY:
        return _read_only_runners()[args.command](args)
    if args.command == "mint-auth-sign":
        from dbis.commands import rail

        return rail.sign_command(args)
    if args.command == "swap-auth-sign":
        from dbis.commands import conversion

        return conversion.sign_command(args)
    if args.command == "borrow-vault-status":
        from dbis.commands import borrow_vault

        return borrow_vault.status_command(args.network, args.rpc_url, args.vault, args.journal_dir, args.out_dir)
    from dbis.operator import Options, run_command

    opts = Options(
        network=args.network, rpc_url=args.rpc_url, account=args.account, sender=args.sender,
        execute=Options.execute_from_env(), confirm=args.confirm,
        params={flag.lstrip("-").replace("-", "_"): getattr(args, flag.lstrip("-").replace("-", "_"))
                for flag, _, _ in PARAMS[args.command]},
    )
    if args.journal_dir:
        opts.journal_dir = args.journal_dir
    if args.out_dir:
        opts.out_dir = args.out_dir
    run_command(args.command, _builders()[args.command], opts)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return run(sys.argv[1:] if argv is None else argv)
    except OperatorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
