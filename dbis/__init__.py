"""DBIS Engine X + DBIS Rail: the Python harness (plans, proofs, typed data, benchmarks)."""

__all__ = ["__version__"]
__version__ = "0.1.0"
