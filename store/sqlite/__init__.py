"""The SQLite store: a file on one machine (WAL, STRICT tables, one writer at a time)."""

from .store import SQLiteStore

__all__ = ["SQLiteStore"]
