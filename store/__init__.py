"""Persistence for crossings: the store contract and its SQLite implementation.

Every SQL statement lives under this package. ``open_store`` is the one way in.
"""

from .base import Store
from .sqlite import SQLiteStore

STORES = {"sqlite": SQLiteStore}


def open_store(path: str, *, create: bool = False, synchronous: str = "FULL") -> Store:
    """Open (and with ``create``, make) the database at ``path``."""
    return SQLiteStore(path, create=create, synchronous=synchronous)


__all__ = ["STORES", "SQLiteStore", "Store", "open_store"]
