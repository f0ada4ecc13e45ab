"""The runbook's recommended operator order as data (docs: README "Operator sequence").

Each :class:`RunbookStep` is one command with its arguments, in the order of the Engine X
recipient proof runbook ("Recommended order", then the proof package and its consumption).
The README's operator section lists these rows and tests/harness/test_runbook_sequence.py runs
them on a local anvil (dry-run, then EXECUTE=1, then a second EXECUTE=1 run that sends nothing).

Integrator: the Uniswap V3 commands (indexed-lp-migration, indexed-vault-deploy, univ3-swap-proof,
indexed-proof-record) are rows of :data:`SEQUENCE` at the marked places once their branch lands.
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

    def argv(self) -> list[str]:
        return [self.command, *self.args]


PER_RECIPIENT = "5000000000"

SEQUENCE: tuple[RunbookStep, ...] = (
    RunbookStep("public-readiness", (), False, "1. run public-readiness and confirm the blockers"),
    RunbookStep("v2-deploy", (), True, "2. deploy the accounting-aware Engine X v2 vault; 4. seed the rail and "
                                       "a bounded USDC lender bucket"),
    RunbookStep("borrow-vault-deploy", (), True, "3. optionally deploy the XAUt-backed USDC borrow vault"),
    # 5. indexed-lp-migration   (integrator: add the row here)
    # 6. indexed-vault-deploy   (integrator: add the row here)
    RunbookStep("loop-proof", (), True, "7. the exact 0.01 cWUSDC internal loop proof"),
    # 8. univ3-swap-proof       (integrator: add the row here)
    # 9. indexed-proof-record   (integrator: add the row here)
    RunbookStep("proof-package", ("--per-recipient", PER_RECIPIENT), False,
                "build the recipient proof package (plan, ISO 20022 XML, peg proof, audit envelope, proof hashes)"),
    RunbookStep("recipient-proof", (), True, "runVirtualProofExactOutTo per recipient with the package's hashes"),
    RunbookStep("audit-manifest", (), False, "10. build the ABI/bytecode/proof audit manifest"),
)

# After review only (11.): `legacy-retirement --legacy-vault <address> --reviewed <reference>`.
AFTER_REVIEW = RunbookStep("legacy-retirement", ("--legacy-vault", "<legacy vault>", "--reviewed", "<review ref>"),
                           True, "11. retire the legacy vault only after the v2 proof state is live and reviewed")


def commands() -> list[str]:
    return [s.command for s in SEQUENCE]


def markdown() -> str:
    """The sequence as README lines (`ape run <command> <args>`)."""
    lines = []
    for n, s in enumerate((*SEQUENCE, AFTER_REVIEW), 1):
        lines.append(f"{n}. `ape run {' '.join(s.argv())}` — {s.runbook}")
    return "\n".join(lines)
