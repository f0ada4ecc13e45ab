"""Model-checked operations on DBISEngineXXautUsdcBorrowVault, run on the fast engine.

`BorrowHarness` deploys the borrow vault (TestERC20 XAUt and USDC, 6 decimals each, owner price
only, no feed) on a :class:`dbis.engine.FastChain` and exposes one method per operation of the
state machine. Every operation predicts its outcome from a pure-Python mirror of the vault's
accounting (`BorrowModel`: the same mulDiv roundings, the same accrual points, the contract's
order of checks) -- the exact custom error and its arguments, or the exact amounts of a success --
then runs the transaction and asserts the chain did exactly that. `check_invariants()` compares
the whole observable state with the model and checks the issue's invariants:

* totals equal the sum of positions (collateral exactly; debt within < 1 unit per position);
* the vault's XAUt balance == totalCollateral (+ surplus, none here); its USDC balance ==
  lenderUsdcIdle (+ surplus);
* USDC conservation, with principal/interest tracked by a ledger (repayments pay interest first):
  idle + outstanding principal + written-off principal == funded - withdrawn + interest paid,
  and badDebt == written-off principal + written-off interest;
* right after a borrow or a collateral withdrawal: debt <= LTV x collateral value;
* a liquidation runs only when health < 1, seizes at most the position's collateral, touches no
  other position and never lowers the liquidated position's health.

Nothing here depends on Hypothesis or pytest.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from eth_utils import keccak

from dbis.engine import FastChain, Receipt
from tests.constants import ADMIN_DELAY, BPS, PRICE_UNIT, RAY, UINT128_MAX, UINT256_MAX, UNIT, WAD, YEAR
from tests.property.model_support import Expect, ModelMismatch, erc20_balance_slot, mul_div, run_expecting

PRICE0 = 2000 * PRICE_UNIT
MAX_PRICE_AGE = 3600
MAX_MOVE_BPS = 1000
CLOSE_FACTOR_HF_THRESHOLD = 95 * 10**16
DUST_THRESHOLD = 2_000 * UNIT  # DUST_THRESHOLD_USD in USDC units
MIN_LEFTOVER = 1_000 * UNIT  # MIN_LEFTOVER_USD in USDC units
COLLATERAL_PRICE_UNIT = 10 ** (6 + 8)  # 10 ** (xaut decimals + PRICE_DECIMALS)
ZERO_ADDRESS = "0x" + "00" * 20
ZERO32 = b"\x00" * 32
OPERATOR_ROLE = keccak(text="OPERATOR_ROLE")
PAUSER_ROLE = keccak(text="PAUSER_ROLE")
PRICE_UPDATER_ROLE = keccak(text="PRICE_UPDATER_ROLE")
DEFAULT_ADMIN_ROLE = ZERO32
FLOAT = 10**30  # USDC / XAUt every actor holds (far beyond any drawn amount)
BORROWERS = ("b0", "b1", "b2")


@dataclass
class Risk:
    ltv: int = 7000
    threshold: int = 7500
    bonus: int = 500
    close_factor: int = 5000
    min_hf: int = WAD
    cap: int = 500_000 * UNIT
    rate: int = 0

    def as_tuple(self) -> tuple[int, ...]:
        return (self.ltv, self.threshold, self.bonus, self.close_factor, self.min_hf, self.cap, self.rate)


@dataclass
class BorrowModel:
    """The vault's accounting, mirrored."""

    risk: Risk = field(default_factory=Risk)
    price: int = 0
    price_at: int = 0
    index: int = RAY
    last_accrual: int = 0
    collateral: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BORROWERS, 0))
    shares: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BORROWERS, 0))
    idle: int = 0
    bad_debt: int = 0
    # Ledger (not contract state): USDC in/out of the lender bucket and principal vs interest.
    funded: int = 0
    withdrawn: int = 0
    principal: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BORROWERS, 0))
    interest_paid: int = 0
    written_off_principal: int = 0
    written_off_interest: int = 0

    @property
    def total_collateral(self) -> int:
        return sum(self.collateral.values())

    @property
    def total_shares(self) -> int:
        return sum(self.shares.values())

    def index_at(self, now: int) -> int:
        dt = now - self.last_accrual
        if self.risk.rate == 0 or dt == 0 or self.total_shares == 0:
            return self.index
        return self.index + mul_div(self.index, self.risk.rate * dt, BPS * YEAR, ceil=True)

    def accrue(self, now: int) -> None:
        if self.last_accrual == now:
            return
        self.index = self.index_at(now)
        self.last_accrual = now

    def debt_of(self, shares: int, index: int) -> int:
        return mul_div(shares, index, RAY, ceil=True)

    def value(self, collateral: int, px: int) -> int:
        return mul_div(collateral, px * UNIT, COLLATERAL_PRICE_UNIT)

    def to_collateral(self, value: int, px: int) -> int:
        return mul_div(value, COLLATERAL_PRICE_UNIT, px * UNIT)

    def hf(self, value: int, debt: int) -> int:
        if debt == 0:
            return UINT256_MAX
        return mul_div(value, self.risk.threshold * WAD, debt * BPS)

    def price_error(self, now: int) -> Expect | None:
        if self.price == 0:
            return Expect("PriceUnavailable", ())
        if now - self.price_at > MAX_PRICE_AGE:
            return Expect("StalePrice", (self.price_at, MAX_PRICE_AGE))
        return None

    def safe_error(self, collateral: int, debt: int, px: int) -> Expect | None:
        if debt == 0:
            return None
        value = self.value(collateral, px)
        max_debt = mul_div(value, self.risk.ltv, BPS)
        if debt > max_debt:
            return Expect("LtvExceeded", (debt, max_debt))
        hf = self.hf(value, debt)
        if hf < self.risk.min_hf:
            return Expect("HealthFactorTooLow", (hf, self.risk.min_hf))
        return None

    def pay(self, who: str, debt: int, repaid: int) -> None:
        """Ledger: `repaid` of `who`'s `debt` pays accrued interest first, then principal."""
        interest = max(debt - self.principal[who], 0)
        to_interest = min(repaid, interest)
        self.interest_paid += to_interest
        self.principal[who] -= repaid - to_interest
        assert self.principal[who] >= 0


class BorrowHarness:
    """The borrow vault under test, its model and its operations (see the module docstring)."""

    def __init__(self, chain: FastChain | None = None) -> None:
        self.created_at = time.perf_counter()
        self.chain = c = chain or FastChain()
        self.admin = c.account("borrow-admin")
        self.operator = c.account("borrow-operator")  # OPERATOR_ROLE and PRICE_UPDATER_ROLE
        self.liquidator = c.account("borrow-liquidator")
        self.stranger = c.account("borrow-stranger")
        self.sink = c.account("borrow-sink")
        self.actors = {name: c.account(f"borrow-{name}") for name in BORROWERS}
        self.xaut = c.deploy("TestERC20", "Tether Gold", "XAUt", 6, sender=self.admin)
        self.usdc = c.deploy("TestERC20", "USD Coin", "USDC", 6, sender=self.admin)
        self.vault = c.deploy(
            "DBISEngineXXautUsdcBorrowVault", self.xaut, self.usdc, self.admin, ADMIN_DELAY,
            Risk().as_tuple(), (MAX_PRICE_AGE, MAX_MOVE_BPS, ZERO_ADDRESS, 0), sender=self.admin,
        )
        v = self.vault
        v.grantRole(OPERATOR_ROLE, self.operator, sender=self.admin)
        v.grantRole(PRICE_UPDATER_ROLE, self.operator, sender=self.admin)
        for who in (*self.actors.values(), self.liquidator, self.operator):
            for token in (self.xaut, self.usdc):
                token.mint(who, FLOAT, sender=self.admin)
                token.approve(v, UINT256_MAX, sender=who)
        self.deployed_at = c.timestamp
        self._verify_balance_reads()
        self.model = self._fresh_model()
        self.outcomes: Counter[str] = Counter()
        self.transitions = 0
        self.last_step_at = self.created_at

    def _fresh_model(self) -> BorrowModel:
        return BorrowModel(last_accrual=self.deployed_at)

    def reset(self) -> None:
        """Forget the model (the caller restores the chain, clock included, to the deployment)."""
        self.model = self._fresh_model()

    @property
    def now(self) -> int:
        return self.chain.timestamp

    # ------------------------------------------------------------------ running

    def _run(self, label: str, expect: Expect, fn: Any, *args: Any, sender: Any) -> Receipt | None:
        self.transitions += 1
        self.last_step_at = time.perf_counter()
        receipt = run_expecting(label, expect, self.outcomes, fn, *args, sender=sender)
        if receipt is not None:
            self._last_receipt = receipt
        return receipt

    def _balance_of(self, token: Any, holder: Any) -> int:
        """OpenZeppelin ERC20 `_balances`, read from storage; verified at build."""
        return self.chain.get_storage(token, erc20_balance_slot(holder))

    def _verify_balance_reads(self) -> None:
        for token in (self.xaut, self.usdc):
            for who in (self.operator, self.liquidator, self.vault.address):
                if self._balance_of(token, who) != token.balanceOf(who):
                    raise RuntimeError("TestERC20 no longer keeps balances at slot 0")

    def _role_error(self, sender: Any, role: bytes) -> Expect | None:
        has = {DEFAULT_ADMIN_ROLE: sender == self.admin, OPERATOR_ROLE: sender == self.operator,
               PRICE_UPDATER_ROLE: sender == self.operator}[role]
        return None if has else Expect("AccessControlUnauthorizedAccount", (sender, role))

    def _check_ltv(self, who: str, label: str) -> None:
        """Post-state of a borrow or withdrawal: debt <= LTV x collateral value (chain values)."""
        collateral, debt, _ = self.vault.position(self.actors[who])
        if debt == 0:
            return
        max_debt = mul_div(mul_div(collateral, self.vault.price() * UNIT, COLLATERAL_PRICE_UNIT),
                           self.model.risk.ltv, BPS)
        if debt > max_debt:
            raise ModelMismatch(f"{label}: {who} holds debt {debt} above LTV x value {max_debt}")

    # ------------------------------------------------------------------ configuration

    def set_risk(self, risk: Risk) -> None:
        expect = Expect()
        if self._run("setRiskParams", expect, self.vault.setRiskParams, risk.as_tuple(), sender=self.admin):
            self.model.accrue(self.now)
            self.model.risk = risk

    def set_price(self, new_price: int, *, unauthorized: bool = False) -> None:
        m = self.model
        sender = self.stranger if unauthorized else self.operator
        old = m.price
        expect = (
            self._role_error(sender, PRICE_UPDATER_ROLE)
            or (Expect("ZeroPrice", ()) if new_price == 0 else None)
            or (Expect("AmountTooLarge", (new_price,)) if new_price > UINT128_MAX else None)
            or (Expect("PriceMoveTooLarge", (old, new_price, MAX_MOVE_BPS))
                if old and abs(new_price - old) * BPS > MAX_MOVE_BPS * old else None)
            or Expect()
        )
        if self._run("setPrice", expect, self.vault.setPrice, new_price, sender=sender):
            m.price, m.price_at = new_price, self.now

    def time_passes(self, seconds: int) -> None:
        self.transitions += 1
        self.chain.time_travel(seconds)
        self.outcomes["timePasses:ok"] += 1

    # ------------------------------------------------------------------ lender bucket

    def fund_lender(self, amount: int, *, unauthorized: bool = False) -> None:
        m = self.model
        sender = self.stranger if unauthorized else self.operator
        expect = (self._role_error(sender, OPERATOR_ROLE)
                  or (Expect("ZeroAmount", ()) if amount == 0 else None) or Expect())
        if self._run("fundLender", expect, self.vault.fundLender, amount, sender=sender):
            m.idle += amount
            m.funded += amount

    def withdraw_lender(self, amount: int, *, unauthorized: bool = False) -> None:
        m = self.model
        sender = self.stranger if unauthorized else self.admin
        expect = (
            self._role_error(sender, DEFAULT_ADMIN_ROLE)
            or (Expect("ZeroAmount", ()) if amount == 0 else None)
            or (Expect("InsufficientLenderUsdc", (amount, m.idle)) if amount > m.idle else None)
            or Expect()
        )
        before = self._balance_of(self.usdc, self.sink)
        if self._run("withdrawLenderUsdc", expect, self.vault.withdrawLenderUsdc, self.sink, amount, sender=sender):
            m.idle -= amount
            m.withdrawn += amount
            assert self._balance_of(self.usdc, self.sink) == before + amount

    # ------------------------------------------------------------------ collateral

    def deposit(self, who: str, amount: int) -> None:
        m = self.model
        expect = Expect("ZeroAmount", ()) if amount == 0 else Expect()
        if self._run("depositCollateral", expect, self.vault.depositCollateral, amount, sender=self.actors[who]):
            m.collateral[who] += amount

    def withdraw(self, who: str, amount: int) -> None:
        m, now = self.model, self.now
        col, shares = m.collateral[who], m.shares[who]
        expect = (Expect("ZeroAmount", ()) if amount == 0 else None) or (
            Expect("InsufficientCollateral", (amount, col)) if amount > col else None)
        if expect is None and shares:
            expect = m.price_error(now) or m.safe_error(col - amount, m.debt_of(shares, m.index_at(now)), m.price)
        expect = expect or Expect()
        sender = self.actors[who]
        before = self._balance_of(self.xaut, sender)
        if self._run("withdrawCollateral", expect, self.vault.withdrawCollateral, amount, sender, sender=sender):
            if shares:
                m.accrue(now)
            m.collateral[who] -= amount
            assert self._balance_of(self.xaut, sender) == before + amount
            self._check_ltv(who, "withdrawCollateral")

    # ------------------------------------------------------------------ debt

    def borrow(self, who: str, amount: int) -> None:
        m, now = self.model, self.now
        index = m.index_at(now)
        expect = (Expect("ZeroAmount", ()) if amount == 0 else None) or m.price_error(now) or (
            Expect("InsufficientLenderUsdc", (amount, m.idle)) if amount > m.idle else None)
        new_shares = mul_div(amount, RAY, index, ceil=True)
        debt_after = m.debt_of(m.shares[who] + new_shares, index)
        if expect is None:
            total_after = m.debt_of(m.total_shares + new_shares, index)
            expect = (
                (Expect("BorrowCapExceeded", (total_after, m.risk.cap)) if total_after > m.risk.cap else None)
                or m.safe_error(m.collateral[who], debt_after, m.price)
                or Expect()
            )
        sender = self.actors[who]
        before = self._balance_of(self.usdc, sender)
        if self._run("borrow", expect, self.vault.borrow, amount, sender, sender=sender):
            m.accrue(now)
            m.shares[who] += new_shares
            m.idle -= amount
            m.principal[who] += amount
            assert self._balance_of(self.usdc, sender) == before + amount
            (event,) = self._last_receipt.events("Borrowed")
            assert event.args["newDebt"] == debt_after, (event.args, debt_after)
            self._check_ltv(who, "borrow")

    def repay(self, who: str, amount: int, *, payer: str | None = None) -> None:
        """repay (payer None) or repayFor by `payer` ("liquidator" or another borrower)."""
        m, now = self.model, self.now
        index = m.index_at(now)
        shares = m.shares[who]
        debt = m.debt_of(shares, index)
        repaid = min(amount, debt)
        burned = shares if repaid == debt else mul_div(repaid, RAY, index)
        expect = (
            (Expect("ZeroAmount", ()) if amount == 0 else None)
            or (Expect("NoDebt", (self.actors[who],)) if debt == 0 else None)
            or (Expect("RepayTooSmall", (repaid,)) if burned == 0 else None)
            or Expect()
        )
        if payer is None:
            label, sender, fn, args = "repay", self.actors[who], self.vault.repay, (amount,)
        else:
            sender = self.liquidator if payer == "liquidator" else self.actors[payer]
            label, fn, args = "repayFor", self.vault.repayFor, (self.actors[who], amount)
        before = self._balance_of(self.usdc, sender)
        if self._run(label, expect, fn, *args, sender=sender):
            m.accrue(now)
            m.shares[who] -= burned
            m.idle += repaid
            m.pay(who, debt, repaid)
            assert self._balance_of(self.usdc, sender) == before - repaid
            assert self._last_receipt.return_value == repaid

    # ------------------------------------------------------------------ liquidation

    def liquidate(self, who: str, amount: int) -> None:
        m, now = self.model, self.now
        index = m.index_at(now)
        col, shares = m.collateral[who], m.shares[who]
        debt = m.debt_of(shares, index)
        px = m.price
        borrower = self.actors[who]
        expect = (Expect("ZeroAmount", ()) if amount == 0 else None) or m.price_error(now) or (
            Expect("NoDebt", (borrower,)) if debt == 0 else None)
        repaid = seized = written_off = burned = 0
        hf_before = UINT256_MAX
        value = 0
        if expect is None:
            value = m.value(col, px)
            hf_before = m.hf(value, debt)
            if hf_before >= WAD:
                expect = Expect("NotLiquidatable", (borrower, hf_before))
        if expect is None:
            bonus_factor = BPS + m.risk.bonus
            max_repay = debt
            if hf_before >= CLOSE_FACTOR_HF_THRESHOLD and debt >= DUST_THRESHOLD and value >= DUST_THRESHOLD:
                max_repay = mul_div(debt, m.risk.close_factor, BPS)
            repaid = min(amount, max_repay)
            seized = m.to_collateral(mul_div(repaid, bonus_factor, BPS), px)
            if seized >= col:
                seized = col
                repaid = min(repaid, -(-value * BPS // bonus_factor))  # rounded up
            if seized == 0:
                expect = Expect("RepayTooSmall", (repaid,))
            elif repaid == debt:
                burned = shares
            elif seized == col:
                burned, written_off = shares, debt - repaid
            else:
                debt_left, value_left = debt - repaid, m.value(col - seized, px)
                burned = mul_div(repaid, RAY, index)
                if debt_left < MIN_LEFTOVER or value_left < MIN_LEFTOVER:
                    expect = Expect("MustNotLeaveDust", (debt_left, value_left))
                elif burned == 0:
                    expect = Expect("RepayTooSmall", (repaid,))
        expect = expect or Expect()
        others = {o: (m.collateral[o], m.shares[o]) for o in BORROWERS if o != who}
        usdc_before = self._balance_of(self.usdc, self.liquidator)
        xaut_before = self._balance_of(self.xaut, self.liquidator)
        if not self._run("liquidate", expect, self.vault.liquidate, borrower, amount, sender=self.liquidator):
            return
        # Only below health 1; never more than the position's collateral.
        if hf_before >= WAD:
            raise ModelMismatch(f"liquidate: {who} liquidated at health {hf_before}")
        got = self._last_receipt.return_value
        if tuple(got) != (repaid, seized, written_off):
            raise ModelMismatch(f"liquidate: returned {tuple(got)}, model {(repaid, seized, written_off)}")
        if seized > col:
            raise ModelMismatch(f"liquidate: seized {seized} of a {col} collateral")
        m.accrue(now)
        m.collateral[who] -= seized
        m.shares[who] -= burned
        m.idle += repaid
        m.pay(who, debt, repaid)
        if written_off:
            m.bad_debt += written_off
            left = m.principal[who]
            m.written_off_principal += left
            m.written_off_interest += written_off - left
            m.principal[who] = 0
        assert self._balance_of(self.usdc, self.liquidator) == usdc_before - repaid
        assert self._balance_of(self.xaut, self.liquidator) == xaut_before + seized
        # No other position moved; the liquidated one's health did not fall.
        for o, state in others.items():
            chain_state = self.vault.position(self.actors[o])
            if (chain_state[0], chain_state[2]) != state:
                raise ModelMismatch(f"liquidate {who}: position {o} moved")
        debt_after = m.debt_of(m.shares[who], index)
        hf_after = m.hf(m.value(m.collateral[who], px), debt_after)
        # A partial liquidation lowers health when value / debt < 1 + bonus, i.e. below health
        # threshold x (1 + bonus) (0.7875 here): by design (as in Aave), so only checked above.
        hf_floor = m.risk.threshold * (BPS + m.risk.bonus) * WAD // (BPS * BPS)
        if debt_after and hf_after < hf_before:
            if hf_before < hf_floor:
                self.outcomes["liquidate:healthFellBelowBonusFloor"] += 1
            else:
                raise ModelMismatch(f"liquidate: {who}'s health fell from {hf_before} to {hf_after}")
        if hf_before >= WAD or (debt_after and hf_after < WAD and hf_before >= WAD):
            raise ModelMismatch(f"liquidate: made a healthy position {who} liquidatable")
        self.outcomes["liquidate:badDebt" if written_off else
                      ("liquidate:full" if debt_after == 0 else "liquidate:partial")] += 1

    # ------------------------------------------------------------------ invariants

    def check_invariants(self) -> None:
        m, v = self.model, self.vault
        now = self.now
        chain = {
            "totalCollateral": v.totalCollateral(), "totalDebtShares": v.totalDebtShares(),
            "lenderUsdcIdle": v.lenderUsdcIdle(), "badDebt": v.badDebt(), "borrowIndex": v.borrowIndex(),
            "lastAccrual": v.lastAccrual(), "ownerPrice": v.ownerPrice(),
        }
        model = {
            "totalCollateral": m.total_collateral, "totalDebtShares": m.total_shares, "lenderUsdcIdle": m.idle,
            "badDebt": m.bad_debt, "borrowIndex": m.index, "lastAccrual": m.last_accrual, "ownerPrice": m.price,
        }
        for key in chain:
            if chain[key] != model[key]:
                raise ModelMismatch(f"{key} = {chain[key]}, model {model[key]}")
        index = m.index_at(now)
        debts = []
        collateral_sum = shares_sum = 0
        for who, actor in self.actors.items():
            col, debt, shares = v.position(actor)
            if (col, shares) != (m.collateral[who], m.shares[who]):
                raise ModelMismatch(f"position({who}) = {(col, shares)}, model {(m.collateral[who], m.shares[who])}")
            if debt != m.debt_of(shares, index):
                raise ModelMismatch(f"position({who}).debt = {debt}, model {m.debt_of(shares, index)}")
            collateral_sum += col
            shares_sum += shares
            debts.append(debt)
        # Totals equal the sum of positions.
        if chain["totalCollateral"] != collateral_sum:
            raise ModelMismatch(f"totalCollateral {chain['totalCollateral']} != sum of collateral {collateral_sum}")
        if chain["totalDebtShares"] != shares_sum:
            raise ModelMismatch(f"totalDebtShares {chain['totalDebtShares']} != sum of shares {shares_sum}")
        total_debt = v.totalDebt()
        nonzero = sum(1 for d in debts if d)
        if not (sum(debts) - nonzero <= total_debt <= sum(debts)) or (nonzero and sum(debts) - total_debt >= nonzero):
            raise ModelMismatch(f"totalDebt {total_debt} vs sum of debts {sum(debts)} ({nonzero} positions)")
        # Token balances: accounted + surplus (no donations here, so surplus is zero).
        xaut_bal = self._balance_of(self.xaut, v)
        if xaut_bal != chain["totalCollateral"] or v.surplusOf(self.xaut) != 0:
            raise ModelMismatch(f"vault holds {xaut_bal} XAUt, totalCollateral {chain['totalCollateral']}")
        usdc_bal = self._balance_of(self.usdc, v)
        if usdc_bal != chain["lenderUsdcIdle"] or v.surplusOf(self.usdc) != 0:
            raise ModelMismatch(f"vault holds {usdc_bal} USDC, lenderUsdcIdle {chain['lenderUsdcIdle']}")
        # USDC conservation (ledger: repayments pay interest first, write-offs split likewise).
        principal = sum(m.principal.values())
        lhs = chain["lenderUsdcIdle"] + principal + m.written_off_principal
        rhs = m.funded - m.withdrawn + m.interest_paid
        if lhs != rhs:
            raise ModelMismatch(f"USDC not conserved: idle + principal + written-off principal = {lhs}, "
                                f"funded - withdrawn + interest paid = {rhs}")
        if chain["badDebt"] != m.written_off_principal + m.written_off_interest:
            raise ModelMismatch("badDebt != written-off principal + interest")
        for who, debt in zip(BORROWERS, debts):
            if debt < m.principal[who]:
                raise ModelMismatch(f"{who}'s debt {debt} below its outstanding principal {m.principal[who]}")
