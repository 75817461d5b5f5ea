"""Persistence for crossings: the store contract and its implementations.

Every SQL statement lives under this package, each store in its own subpackage.
``open_store`` is the one way in: it chooses the store from ``STORES`` by the target's
scheme (``postgresql://...`` when such a store is registered; a file path otherwise).
"""

from __future__ import annotations

from typing import Any

from workflow import InvalidInput
from workflow.catalogue import Catalogue

from .base import Store
from .sqlite import SQLiteStore

STORES: dict[str, type[Store]] = {"sqlite": SQLiteStore}
FILE_STORE = "sqlite"  # what a plain path (no scheme) means


def store_kind(target: str) -> str:
    """Which registered store serves ``target``: a URL's scheme, or a file path."""
    scheme, sep, _ = str(target).partition("://")
    if not sep:
        return FILE_STORE
    if scheme in STORES:
        return scheme
    raise InvalidInput(f"--db: no store for {scheme}:// URLs; stores: {', '.join(STORES)}")


def open_store(target: str, catalogue: Catalogue, **options: Any) -> Store:
    """Open the database at ``target`` for CATALOGUE: ``create=True`` makes a new one,
    ``readonly=True`` opens it for reading only."""
    kind = store_kind(target)
    path = str(target).partition("://")[2] if "://" in str(target) else str(target)
    return STORES[kind](path, catalogue, **options)  # type: ignore[call-arg]


__all__ = ["FILE_STORE", "STORES", "SQLiteStore", "Store", "open_store", "store_kind"]
