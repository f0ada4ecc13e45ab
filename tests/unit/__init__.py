"""Unit and hostile-contract tests of the Engine X vault and flash proof borrower."""
