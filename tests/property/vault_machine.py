"""Model-checked operations on DBISEngineXVirtualBatchVault, run on the fast engine.

`VaultHarness` deploys the vault (with its tokens, actors and borrowers) on a
:class:`dbis.engine.FastChain` and exposes one method per operation of the state machine. Every
operation first *predicts* the outcome from a pure-Python model of the vault (the exact custom
error, in the contract's order of checks, or the exact balance changes of a success, with
previews priced by :mod:`dbis.ladder`), then runs the transaction and asserts that the chain did
exactly that; `check_invariants()` compares the whole observable state with the model.

The Hypothesis state machine (`test_vault_state_machine.py`) draws the arguments; `dbis.bench`
times a fixed script of the same operations. Nothing here depends on Hypothesis or pytest.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from eth_utils import keccak

from dbis import ladder
from dbis.engine import Contract, FastChain, Receipt
from tests.property.model_support import Expect, ModelMismatch, erc20_balance_slot, run_expecting

UNIT = 10**6  # every token has 6 decimals
RUNBOOK_RESERVE = 85_763_529  # 85.763529 cWUSDC / USDC, the runbook's pool
VIRTUAL_FEE_BPS = 5
MAX_LOSS_BPS = 20
ADMIN_DELAY = 3 * 24 * 3600
MAX_FLASH_FEE_BPS = 100
CAP_MAX = 2**104 - 1  # maxFlashLoanCap is a uint104
ZERO_ADDRESS = "0x" + "00" * 20
ZERO32 = b"\x00" * 32
CALLBACK_SUCCESS = keccak(text="ERC3156FlashBorrower.onFlashLoan")
WRONG_REPLY = keccak(text="not the ERC-3156 callback value")
OPERATOR_ROLE = keccak(text="OPERATOR_ROLE")
PAUSER_ROLE = keccak(text="PAUSER_ROLE")
DEFAULT_ADMIN_ROLE = ZERO32
OPERATOR_FLOAT = 10**30  # cWUSDC and USDC the operator holds (far beyond any drawn amount)

# Flash borrowers: the production proof borrower (cooperative, pays the fee from its float),
# the no-op borrower (cooperative but holds no float: fails whenever the fee is nonzero) and
# misbehaving ones.
BORROWERS = ("proof", "noop", "wrong_reply", "no_approval", "not_allowed")
RECIPIENTS = ("fresh", "holder", "surplus", "operator", "vault", "zero")
DONATION_TOKENS = ("cwusdc", "usdc", "xaut")


@dataclass
class VaultModel:
    """What the vault's observable state must be."""

    reserve: int = 0
    bucket: int = 0
    cap: int = 0
    flash_fee_bps: int = 0
    paused: bool = False
    surplus: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DONATION_TOKENS, 0))
    proof_ids: list[bytes] = field(default_factory=list)
    borrower_proof_ids: list[bytes] = field(default_factory=list)
    borrower_float: int = 0

    def max_flash(self) -> int:
        if self.paused:
            return 0
        return self.cap if self.cap and self.cap < self.bucket else self.bucket

    def flash_fee(self, amount: int) -> int:
        return -(-amount * self.flash_fee_bps // 10_000)


class VaultHarness:
    """The vault under test, its model and its operations (see the module docstring)."""

    def __init__(self, chain: FastChain | None = None) -> None:
        self.created_at = time.perf_counter()
        self.chain = chain or FastChain()
        c = self.chain
        self.admin = c.account("admin")
        self.operator = c.account("operator")
        self.pauser = c.account("pauser")
        self.stranger = c.account("stranger")
        self.donor = c.account("donor")
        self.surplus_receiver = c.account("surplus-receiver")
        self.rounding_receiver = c.account("rounding-receiver")
        self.holder = c.account("recipient-holder")  # a recipient that already holds cWUSDC
        self.sink = c.account("withdrawal-sink")

        self.cwusdc = c.deploy("TestERC20", "Compliant Wrapped USDC", "cWUSDC", 6, sender=self.admin)
        self.usdc = c.deploy("TestERC20", "USD Coin", "USDC", 6, sender=self.admin)
        self.xaut = c.deploy("TestERC20", "Tether Gold", "XAUt", 6, sender=self.admin)
        self.tokens: dict[str, Contract] = {"cwusdc": self.cwusdc, "usdc": self.usdc, "xaut": self.xaut}
        self.vault = c.deploy(
            "DBISEngineXVirtualBatchVault",
            self.cwusdc, self.usdc, self.admin, ADMIN_DELAY,
            self.surplus_receiver, self.rounding_receiver, VIRTUAL_FEE_BPS, MAX_LOSS_BPS,
            sender=self.admin,
        )
        v = self.vault
        v.grantRole(OPERATOR_ROLE, self.operator, sender=self.admin)
        v.grantRole(PAUSER_ROLE, self.pauser, sender=self.admin)

        self.proof_borrower = c.deploy(
            "DBISEngineXFlashProofBorrower", v, self.usdc, self.operator, sender=self.operator
        )
        self.borrowers: dict[str, Contract] = {
            "proof": self.proof_borrower,
            "noop": c.deploy("BenchNoopFlashBorrower", v, self.usdc, CALLBACK_SUCCESS, sender=self.admin),
            "wrong_reply": c.deploy("BenchNoopFlashBorrower", v, self.usdc, WRONG_REPLY, sender=self.admin),
            "no_approval": c.deploy("BenchNoopFlashBorrower", v, self.cwusdc, CALLBACK_SUCCESS, sender=self.admin),
            "not_allowed": c.deploy("BenchNoopFlashBorrower", v, self.usdc, CALLBACK_SUCCESS, sender=self.admin),
        }
        for name, borrower in self.borrowers.items():
            if name != "not_allowed":
                v.setFlashBorrower(borrower, True, sender=self.admin)

        for token in (self.cwusdc, self.usdc):
            token.mint(self.operator, OPERATOR_FLOAT, sender=self.admin)
            token.approve(v, 2**256 - 1, sender=self.operator)
        for name, token in self.tokens.items():
            token.mint(self.donor, OPERATOR_FLOAT, sender=self.admin)
        # Steady state: the proof receivers and one recipient already hold cWUSDC.
        for holder in (self.surplus_receiver, self.rounding_receiver, self.holder):
            self.cwusdc.mint(holder, UNIT, sender=self.admin)

        self._verify_balance_reads()
        self.model = VaultModel()
        self._fresh = 0
        self._ids = 0
        self.outcomes: Counter[str] = Counter()
        self.transitions = 0
        self.last_step_at = self.created_at
        self.proof_events_seen: set[bytes] = set()

    # ------------------------------------------------------------------ episode control

    def reset(self) -> None:
        """Forget the model (the caller restores the chain to the deployment snapshot)."""
        self.model = VaultModel()
        self.proof_events_seen = set()

    def fresh_address(self) -> Any:
        self._fresh += 1
        return self.chain.account(f"fresh-recipient-{self._fresh}")

    def fresh_id(self) -> bytes:
        self._ids += 1
        return keccak(text=f"dbis.property.proof-id:{self._ids}")

    # ------------------------------------------------------------------ running

    def _run(self, label: str, expect: Expect, fn: Any, *args: Any, sender: Any) -> Receipt | None:
        """Run one transaction and check its outcome against `expect`."""
        self.transitions += 1
        self.last_step_at = time.perf_counter()
        return run_expecting(label, expect, self.outcomes, fn, *args, sender=sender)

    def _role_error(self, sender: Any, role: bytes) -> Expect | None:
        has = {
            DEFAULT_ADMIN_ROLE: sender == self.admin,
            OPERATOR_ROLE: sender == self.operator,
            PAUSER_ROLE: sender == self.pauser,
        }[role]
        return None if has else Expect("AccessControlUnauthorizedAccount", (sender, role))

    def balances(self, token: str, *holders: Any) -> list[int]:
        """ERC-20 balances, read from the token's ledger (see `_balance_of`)."""
        t = self.tokens[token]
        return [self._balance_of(t, h) for h in holders]

    def _balance_of(self, token: Contract, holder: Any) -> int:
        """`token.balanceOf(holder)` read straight from storage: ten times cheaper than an EVM
        call, and checked against `balanceOf` when the harness is built (`_verify_balance_reads`)."""
        return self.chain.get_storage(token, erc20_balance_slot(holder))

    def _verify_balance_reads(self) -> None:
        for token in self.tokens.values():
            for holder in (self.operator, self.donor, self.surplus_receiver, self.vault.address):
                if self._balance_of(token, holder) != token.balanceOf(holder):
                    raise RuntimeError("TestERC20 no longer keeps balances at slot 0: read them by call")

    # ------------------------------------------------------------------ rail liquidity

    def seed(self, cw_amount: int, usdc_amount: int, *, unauthorized: bool = False) -> None:
        m = self.model
        sender = self.stranger if unauthorized else self.operator
        expect = (
            self._role_error(sender, OPERATOR_ROLE)
            or (Expect("EnforcedPause", ()) if m.paused else None)
            or (Expect("UnequalAmounts", (cw_amount, usdc_amount)) if cw_amount != usdc_amount else None)
            or (Expect("ZeroAmount", ()) if cw_amount == 0 else None)
            or Expect()
        )
        receipt = self._run("seed", expect, self.vault.seedPool, cw_amount, usdc_amount, sender=sender)
        if receipt is not None:
            m.reserve += cw_amount
            (event,) = receipt.events("PoolSeeded")
            assert event.args["newReserve"] == m.reserve, event

    def withdraw_pool(self, cw_amount: int, usdc_amount: int, *, to_zero: bool = False,
                      unauthorized: bool = False) -> None:
        m = self.model
        sender = self.stranger if unauthorized else self.admin
        to = ZERO_ADDRESS if to_zero else self.sink
        expect = (
            self._role_error(sender, DEFAULT_ADMIN_ROLE)
            or (Expect("ZeroAddress", ()) if to_zero else None)
            or (Expect("ZeroAmount", ()) if cw_amount == 0 and usdc_amount == 0 else None)
            or (Expect("InsufficientReserve", (cw_amount, m.reserve)) if cw_amount > m.reserve else None)
            or (Expect("InsufficientReserve", (usdc_amount, m.reserve)) if usdc_amount > m.reserve else None)
            or (Expect("ReservesNotEqual", (m.reserve - cw_amount, m.reserve - usdc_amount))
                if cw_amount != usdc_amount else None)
            or Expect()
        )
        before = (self._balance_of(self.cwusdc, self.sink), self._balance_of(self.usdc, self.sink))
        receipt = self._run("withdrawPoolLiquidity", expect, self.vault.withdrawPoolLiquidity,
                            to, cw_amount, usdc_amount, sender=sender)
        if receipt is not None:
            m.reserve -= cw_amount
            after = (self._balance_of(self.cwusdc, self.sink), self._balance_of(self.usdc, self.sink))
            assert after == (before[0] + cw_amount, before[1] + usdc_amount), (before, after)

    # ------------------------------------------------------------------ lender bucket

    def fund_lender(self, amount: int, *, unauthorized: bool = False) -> None:
        m = self.model
        sender = self.stranger if unauthorized else self.operator
        expect = (
            self._role_error(sender, OPERATOR_ROLE)
            or (Expect("ZeroAmount", ()) if amount == 0 else None)
            or Expect()
        )
        if self._run("fundLender", expect, self.vault.fundLender, amount, sender=sender) is not None:
            m.bucket += amount

    def withdraw_lender(self, amount: int, *, unauthorized: bool = False) -> None:
        m = self.model
        sender = self.stranger if unauthorized else self.admin
        expect = (
            self._role_error(sender, DEFAULT_ADMIN_ROLE)
            or (Expect("ZeroAmount", ()) if amount == 0 else None)
            or (Expect("InsufficientLenderUsdc", (amount, m.bucket)) if amount > m.bucket else None)
            or Expect()
        )
        (before,) = self.balances("usdc", self.sink)
        if self._run("withdrawLenderUsdc", expect, self.vault.withdrawLenderUsdc,
                     self.sink, amount, sender=sender) is not None:
            m.bucket -= amount
            assert self._balance_of(self.usdc, self.sink) == before + amount

    def set_flash_terms(self, cap: int, fee_bps: int, *, unauthorized: bool = False) -> None:
        m = self.model
        sender = self.stranger if unauthorized else self.admin
        expect = (
            self._role_error(sender, DEFAULT_ADMIN_ROLE)
            or (Expect("InvalidBps", (fee_bps, MAX_FLASH_FEE_BPS)) if fee_bps > MAX_FLASH_FEE_BPS else None)
            or (Expect("AmountTooLarge", (cap,)) if cap > CAP_MAX else None)
            or Expect()
        )
        if self._run("setFlashTerms", expect, self.vault.setFlashTerms, cap, fee_bps, sender=sender) is not None:
            m.cap, m.flash_fee_bps = cap, fee_bps

    # ------------------------------------------------------------------ proofs

    def _recipient(self, kind: str) -> Any:
        return {
            "fresh": self.fresh_address,
            "holder": lambda: self.holder,
            "surplus": lambda: self.surplus_receiver,
            "operator": lambda: self.operator,
            "vault": lambda: self.vault.address,
            "zero": lambda: ZERO_ADDRESS,
        }[kind]()

    def proof(self, amount_out: int, *, extra_in: int = 0, reuse: int | None = None,
              recipient_kind: str = "fresh", overask: bool = False, zero_hash: bool = False,
              unauthorized: bool = False) -> None:
        """runVirtualProofExactOutTo with the smallest sufficient amountIn (+ `extra_in`).

        `reuse` picks an already used proof ID (index modulo their number), `overask` asks for
        one unit more than the preview gives, `zero_hash` zeroes the audit hash.
        """
        m = self.model
        sender = self.stranger if unauthorized else self.operator
        recipient = self._recipient(recipient_kind)
        proof_id = m.proof_ids[reuse % len(m.proof_ids)] if reuse is not None and m.proof_ids else self.fresh_id()
        iso, audit, peg = keccak(proof_id + b"iso"), ZERO32 if zero_hash else keccak(proof_id + b"audit"), \
            keccak(proof_id + b"peg")
        if m.reserve and amount_out and ladder.step(m.reserve, m.reserve, VIRTUAL_FEE_BPS) > 0:
            amount_in = ladder.amount_in_for_exact_out(amount_out, m.reserve, VIRTUAL_FEE_BPS).amount_in + extra_in
        else:
            # Empty pool, or a reserve so small (<= 2 units at 5 bps) that a full ladder step
            # returns nothing: no input reaches the output, and dbis.ladder's search for one
            # would never end. Ask with amountIn = amountOut; the preview refuses it.
            amount_in = amount_out + extra_in
        preview = ladder.preview(amount_in, m.reserve, VIRTUAL_FEE_BPS) if m.reserve and amount_in else None
        if overask and preview is not None:
            amount_out = preview.amount_out + 1
        expect = (
            self._role_error(sender, OPERATOR_ROLE)
            or (Expect("EnforcedPause", ()) if m.paused else None)
            or (Expect("InvalidRecipient", (recipient,)) if recipient_kind in ("zero", "vault") else None)
            or (Expect("ZeroHash", ()) if zero_hash else None)
            or (Expect("ProofIdAlreadyUsed", (proof_id,)) if proof_id in m.proof_ids else None)
            or (Expect("ZeroAmount", ()) if amount_out == 0 else None)
            or (Expect("EmptyPool", ()) if m.reserve == 0 else None)
            or (Expect("ZeroAmount", ()) if amount_in == 0 else None)
            or (Expect("RoundTripLossTooHigh", (preview.loss_bps, MAX_LOSS_BPS))
                if preview is not None and preview.loss_bps > MAX_LOSS_BPS else None)
            or (Expect("AmountOutExceedsPreview", (amount_out, preview.amount_out))
                if preview is not None and amount_out > preview.amount_out else None)
            or Expect()
        )
        watched = [self.operator, self.surplus_receiver, self.rounding_receiver, self.vault.address]
        if expect.error is None and recipient not in watched:
            watched.append(recipient)
        before = dict(zip(watched, self.balances("cwusdc", *watched)))
        receipt = self._run("proof", expect, self.vault.runVirtualProofExactOutTo,
                            recipient, amount_in, amount_out, proof_id, iso, audit, peg, sender=sender)
        if receipt is None:
            return
        assert preview is not None
        after = dict(zip(watched, self.balances("cwusdc", *watched)))
        delta = {k: after[k] - before[k] for k in watched}
        expected = Counter({self.operator: -amount_in})
        expected[recipient] += amount_out
        expected[self.surplus_receiver] += preview.amount_out - amount_out
        expected[self.rounding_receiver] += amount_in - preview.amount_out
        for holder in watched:
            assert delta[holder] == expected[holder], (
                f"proof: {holder} moved {delta[holder]}, expected {expected[holder]}")
        if recipient_kind == "fresh":  # a fresh recipient holds exactly amountOut
            assert after[recipient] == amount_out
        (event,) = receipt.events("VirtualProofAuditEvidence")
        assert event.args == {
            "proofId": proof_id, "recipient": recipient, "amountIn": amount_in, "amountOut": amount_out,
            "isoHash": iso, "auditHash": audit, "pegHash": peg,
            "poolCwusdcReserve": m.reserve, "poolUsdcReserve": m.reserve,
        }, event.args
        assert proof_id not in self.proof_events_seen, f"proof ID {proof_id.hex()} ran twice"
        self.proof_events_seen.add(proof_id)
        m.proof_ids.append(proof_id)

    # ------------------------------------------------------------------ flash loans

    def flash(self, borrower: str, amount: int, *, reuse: int | None = None, wrong_token: bool = False,
              float_topup: int = 0) -> None:
        """One flash loan of `amount` USDC through `borrower` (see `BORROWERS`)."""
        m = self.model
        vault_usdc_before = self._balance_of(self.usdc, self.vault)
        if float_topup:
            self.usdc.transfer(self.proof_borrower, float_topup, sender=self.operator)
            m.borrower_float += float_topup
        contract = self.borrowers[borrower]
        wrong_token = wrong_token and borrower != "proof"  # the proof borrower only borrows USDC
        token = self.cwusdc if wrong_token else self.usdc
        fee = m.flash_fee(amount)
        max_amount = m.max_flash()
        step_id = b""
        if borrower == "proof":
            ids = m.borrower_proof_ids
            step_id = ids[reuse % len(ids)] if reuse is not None and ids else self.fresh_id()
            step = (step_id, keccak(step_id + b"iso"), keccak(step_id + b"audit"), keccak(step_id + b"peg"))
            borrower_checks = (
                (Expect("ZeroAmount", ()) if amount == 0 else None)
                or (Expect("ProofIdAlreadyUsed", (step_id,)) if step_id in ids else None)
            )
            held_after_loan = m.borrower_float + amount
        else:
            borrower_checks = None
            held_after_loan = amount  # the no-op borrowers never hold anything of their own
        lender_checks = (
            (Expect("EnforcedPause", ()) if m.paused else None)
            or (Expect("UnsupportedToken", (token.address,)) if wrong_token else None)
            or (Expect("FlashBorrowerNotAllowed", (contract.address,)) if borrower == "not_allowed" else None)
            or (Expect("ZeroAmount", ()) if amount == 0 else None)
            or (Expect("FlashAmountExceedsMax", (amount, max_amount)) if amount > max_amount else None)
        )
        repay_checks = {
            "wrong_reply": Expect("FlashCallbackFailed", (WRONG_REPLY,)),
            "no_approval": Expect("FlashRepaymentNotApproved", (amount + fee, 0)),
        }.get(borrower)
        if repay_checks is None and held_after_loan < amount + fee:
            # The proof borrower checks it can repay before approving; the no-op borrower does
            # not, and the vault's pull of amount + fee fails in the token.
            repay_checks = (Expect("InsufficientRepaymentFunds", (amount + fee, held_after_loan))
                            if borrower == "proof" else
                            Expect("ERC20InsufficientBalance", (contract.address, held_after_loan, amount + fee)))
        expect = borrower_checks or lender_checks or repay_checks or Expect()

        if borrower == "proof":
            receipt = self._run(f"flash[{borrower}]", expect, contract.runFlashProof, amount, step,
                                sender=self.operator)
        else:
            receipt = self._run(f"flash[{borrower}]", expect, contract.run, token, amount, sender=self.stranger)
        if receipt is None:
            return
        # Never more than the bucket or the cap; never pool USDC; the fee lands in the bucket.
        assert amount <= m.bucket and (m.cap == 0 or amount <= m.cap), (amount, m.bucket, m.cap)
        (event,) = receipt.events("FlashLoan")
        assert event.args == {"receiver": contract.address, "initiator": contract.address,
                              "amount": amount, "fee": fee}, event.args
        transfers = [log for log in receipt.events("Transfer") if log.address == self.usdc.address]
        lent = [t for t in transfers if t.args["from"] == self.vault.address]
        assert [t.args["value"] for t in lent] == [amount], "the vault lent something else"
        m.bucket += fee
        if borrower == "proof":
            m.borrower_float -= fee
            m.borrower_proof_ids.append(step_id)
            assert self.proof_borrower.proofIdUsed(step_id)
        assert self._balance_of(self.usdc, self.vault) == vault_usdc_before + fee

    # ------------------------------------------------------------------ pause

    def pause(self, *, unauthorized: bool = False) -> None:
        sender = self.stranger if unauthorized else self.pauser
        expect = (self._role_error(sender, PAUSER_ROLE)
                  or (Expect("EnforcedPause", ()) if self.model.paused else None) or Expect())
        if self._run("pause", expect, self.vault.pause, sender=sender) is not None:
            self.model.paused = True

    def unpause(self, *, unauthorized: bool = False) -> None:
        sender = self.stranger if unauthorized else self.admin
        expect = (self._role_error(sender, DEFAULT_ADMIN_ROLE)
                  or (Expect("ExpectedPause", ()) if not self.model.paused else None) or Expect())
        if self._run("unpause", expect, self.vault.unpause, sender=sender) is not None:
            self.model.paused = False

    # ------------------------------------------------------------------ rescue

    def donate(self, token: str, amount: int) -> None:
        """A plain transfer to the vault: unaccounted surplus."""
        self.transitions += 1
        self.tokens[token].transfer(self.vault, amount, sender=self.donor)
        self.model.surplus[token] += amount
        self.outcomes["donate:ok"] += 1

    def rescue(self, token: str, amount: int, *, to_zero: bool = False, unauthorized: bool = False) -> None:
        """withdraw(token, to, amount): only unaccounted surplus may leave."""
        m = self.model
        sender = self.stranger if unauthorized else self.admin
        t = self.tokens[token]
        to = ZERO_ADDRESS if to_zero else self.sink
        expect = (
            self._role_error(sender, DEFAULT_ADMIN_ROLE)
            or (Expect("ZeroAddress", ()) if to_zero else None)
            or (Expect("ZeroAmount", ()) if amount == 0 else None)
            or (Expect("InsufficientSurplus", (t.address, amount, m.surplus[token]))
                if amount > m.surplus[token] else None)
            or Expect()
        )
        before = self._balance_of(t, self.sink)
        if self._run(f"withdraw[{token}]", expect, self.vault.withdraw, t, to, amount, sender=sender) is not None:
            m.surplus[token] -= amount
            assert self._balance_of(t, self.sink) == before + amount

    # ------------------------------------------------------------------ invariants

    def check_invariants(self) -> None:
        """The whole observable state equals the model."""
        m, v = self.model, self.vault
        cw_reserve, usdc_reserve = v.poolCwusdcReserve(), v.poolUsdcReserve()
        if cw_reserve != usdc_reserve:
            raise ModelMismatch(f"reserves differ: {cw_reserve} cWUSDC / {usdc_reserve} USDC")
        if cw_reserve != m.reserve:
            raise ModelMismatch(f"reserve {cw_reserve}, model {m.reserve}")
        bucket = v.lenderUsdcAvailable()
        if bucket != m.bucket:
            raise ModelMismatch(f"lender bucket {bucket}, model {m.bucket}")
        accounted = {"cwusdc": m.reserve, "usdc": m.reserve + m.bucket, "xaut": 0}
        for name, token in self.tokens.items():
            balance = self._balance_of(token, v)
            if balance != accounted[name] + m.surplus[name]:
                raise ModelMismatch(
                    f"vault holds {balance} {name}, expected {accounted[name]} accounted + "
                    f"{m.surplus[name]} surplus")
            surplus = v.surplusOf(token)
            if surplus != m.surplus[name]:
                raise ModelMismatch(f"surplusOf({name}) = {surplus}, model {m.surplus[name]}")
        if v.paused() != m.paused:
            raise ModelMismatch(f"paused() = {not m.paused}, model {m.paused}")
        max_flash = v.maxFlashLoan(self.usdc)
        if max_flash != m.max_flash():
            raise ModelMismatch(f"maxFlashLoan = {max_flash}, model {m.max_flash()}")
        if m.proof_ids and not v.proofIdUsed(m.proof_ids[-1]):
            raise ModelMismatch("the last proof ID is not marked used")
        if self._balance_of(self.usdc, self.proof_borrower) != m.borrower_float:
            raise ModelMismatch("the proof borrower's fee float moved unexpectedly")
