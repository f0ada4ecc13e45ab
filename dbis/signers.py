"""Transaction signing through Ape accounts only: never a raw private key from the environment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dbis.errors import OperatorError


@dataclass
class ApeSigner:
    """Signs transactions with an Ape account (keyfile alias, hardware wallet, or test account)."""

    account: Any
    label: str

    @property
    def address(self) -> str:
        return str(self.account.address)

    @classmethod
    def from_alias(cls, alias: str) -> "ApeSigner":
        """An account created with `ape accounts import/generate <alias>`."""
        from ape import accounts

        try:
            account = accounts.load(alias)
        except Exception:
            raise OperatorError(
                f"no Ape account {alias!r}: create it with `ape accounts import {alias}`"
            ) from None
        if hasattr(account, "set_autosign"):
            # The operator approves the whole plan (its table, and --confirm <plan hash> where the
            # network requires it), so the account signs the plan's transactions without a prompt
            # each. One passphrase: APE_ACCOUNTS_<alias>_PASSPHRASE, or Ape prompts once.
            try:
                account.set_autosign(True)
            except Exception as exc:
                raise OperatorError(f"could not unlock Ape account {alias!r}: {exc}") from None
        return cls(account, f"ape:{alias}")

    @classmethod
    def test_account(cls, index: int = 0) -> "ApeSigner":
        """Ape's test account `index` (from ape-config.yaml's test mnemonic): local chains only."""
        from ape import accounts

        return cls(accounts.test_accounts[index], f"ape-test:{index}")

    def sign(self, tx: dict[str, Any]) -> bytes:
        """Sign an EIP-1559 transaction dict (web3 field names) and return the raw bytes."""
        from ape import networks

        ape_tx = networks.ethereum.create_transaction(**tx, type=2)
        signed = self.account.sign_transaction(ape_tx)
        if signed is None or signed.signature is None:
            raise OperatorError(f"account {self.label} declined to sign")
        return bytes(signed.serialize_transaction())
