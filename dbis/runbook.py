"""The runbook's recommended operator order as data (docs: README "Operator sequence").

Each :class:`RunbookStep` is one command with its arguments, in the order of the Engine X
recipient proof runbook ("Recommended order", then the proof package and its consumption).
The README's operator section lists these rows and tests/harness/test_runbook_sequence.py runs
them on a local anvil (dry-run, then EXECUTE=1, then a second EXECUTE=1 run that sends nothing).

On the local network the Uniswap V3 stack and the test tokens come first from `univ3-local-stack`
(a local stand-in for mainnet's official contracts, not a runbook step). The migration moves only
`<lp amount>` of the rail into the pool: the runbook runs the internal loop proof and the recipient
proofs on the v2 rail after it, and a virtual proof needs a nonempty rail (`EmptyPool`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RunbookStep:
    """One command of the operator sequence."""

    command: str
    args: tuple[str, ...] = ()
    sends: bool = False  # broadcasts transactions with EXECUTE=1 (a plan command)
    runbook: str = ""  # the runbook's words for this step

    def argv(self, **values: str) -> list[str]:
        """The command line; `<name>` placeholders are replaced from `values`."""
        return [self.command, *(values.get(a[1:-1], a) if a.startswith("<") else a for a in self.args)]


PER_RECIPIENT = "5000000000"

SEQUENCE: tuple[RunbookStep, ...] = (
    RunbookStep("public-readiness", (), False, "run public-readiness and confirm the blockers"),
    RunbookStep("v2-deploy", (), True, "deploy the accounting-aware Engine X v2 vault, seed the rail and "
                                       "a bounded USDC lender bucket"),
    RunbookStep("borrow-vault-deploy", (), True, "optionally deploy the XAUt-backed USDC borrow vault"),
    RunbookStep("indexed-lp-migration", ("--amount", "<lp amount>"), True,
                "create/fund the official UniV3 cWUSDC/USDC public LP from the upgraded vault at exactly 1:1 "
                "(part of the rail: the loop and recipient proofs run through the rest)"),
    RunbookStep("indexed-vault-deploy", (), True, "deploy DBISEngineXIndexedLiquidityVault"),
    RunbookStep("loop-proof", (), True, "the exact 0.01 cWUSDC internal loop proof"),
    RunbookStep("univ3-swap-proof", ("--tag", "<tag>"), True, "run a tiny actual UniV3 public swap proof"),
    RunbookStep("indexed-proof-record", ("--tag", "<tag>"), True,
                "record the indexed proof with real swap/liquidity/proof hashes"),
    RunbookStep("proof-package", ("--per-recipient", PER_RECIPIENT), False,
                "build the recipient proof package (plan, ISO 20022 XML, peg proof, audit envelope, proof hashes)"),
    RunbookStep("recipient-proof", ("--tag", "<tag>"), True, "runVirtualProofExactOutTo per recipient with the package's hashes"),
    RunbookStep("audit-manifest", (), False, "build the ABI/bytecode/proof audit manifest"),
)

# Before the first broadcast of a package on mainnet (the runbook's On-Chain Anchor Flow, step 1);
# not in SEQUENCE because a re-run after the recipient proof rightly refuses the consumed IDs.
CANARY = RunbookStep("canary-preflight", (), False,
                     "fresh canary proof IDs, none consumed; advises the XAUt -> USDC prep swap when the deployer "
                     "holds no USDC")

# After review only (11.): `legacy-retirement --legacy-vault <address> --reviewed <reference>`.
AFTER_REVIEW = RunbookStep("legacy-retirement", ("--legacy-vault", "<legacy vault>", "--reviewed", "<review ref>"),
                           True, "retire the legacy vault only after the v2 proof state is live and reviewed")


def commands() -> list[str]:
    return [s.command for s in SEQUENCE]


def operator_order() -> list[RunbookStep]:
    """SEQUENCE with the canary preflight before the recipient proof and the retirement last."""
    steps = list(SEQUENCE)
    steps.insert(commands().index("recipient-proof"), CANARY)
    return [*steps, AFTER_REVIEW]


def markdown() -> str:
    """The sequence as README lines (`ape run <command> <args>`)."""
    lines = []
    for n, s in enumerate(operator_order(), 1):
        lines.append(f"{n}. `ape run {' '.join(s.argv())}` — {s.runbook}")
    return "\n".join(lines)
