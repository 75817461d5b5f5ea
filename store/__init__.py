"""Persistence for crossings: the store contract and its implementations.

Every SQL statement lives under this package, each store in its own subpackage.
``open_store`` is the one way in: it chooses the store from ``STORES`` by the target's
scheme (``postgresql://...`` or ``postgres://...``: the PostgreSQL store, given the whole
URL as libpq reads it; a file path otherwise). A store's module is imported only when it
is used, so a command on an SQLite file never imports the PostgreSQL driver.
"""

from __future__ import annotations

import importlib
from typing import Any, Iterator, Mapping

from workflow import InvalidInput
from workflow.catalogue import Catalogue

from .base import Store
from .sqlite import SQLiteStore


class Registry(Mapping[str, type[Store]]):
    """Store name -> its class, each imported at its first use."""

    def __init__(self, places: Mapping[str, str]) -> None:
        self._places = dict(places)  # name -> "module:Class"
        self._loaded: dict[str, type[Store]] = {}

    def __getitem__(self, name: str) -> type[Store]:
        if name not in self._loaded:
            module, _, cls = self._places[name].partition(":")
            self._loaded[name] = getattr(importlib.import_module(module), cls)
        return self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._places)

    def __len__(self) -> int:
        return len(self._places)


STORES = Registry({"sqlite": "store.sqlite:SQLiteStore",
                   "postgresql": "store.postgres:PostgresStore"})
SCHEMES = {"postgresql": "postgresql", "postgres": "postgresql"}  # URL scheme -> store
FILE_STORE = "sqlite"  # what a plain path (no scheme) means


def store_kind(target: str) -> str:
    """Which registered store serves ``target``: a URL's scheme, or a file path."""
    scheme, sep, _ = str(target).partition("://")
    if not sep:
        return FILE_STORE
    kind = SCHEMES.get(scheme.lower(), scheme)
    if kind in STORES:
        return kind
    raise InvalidInput(f"--db: no store for {scheme}:// URLs; stores: "
                       f"{', '.join(sorted({*STORES, *SCHEMES}))}")


def open_store(target: str, catalogue: Catalogue, **options: Any) -> Store:
    """Open the database at ``target`` for CATALOGUE: ``create=True`` makes a new one,
    ``readonly=True`` opens it for reading only. A file store is given the path (the part
    after ``sqlite://``, if written so); a server store the whole URL."""
    kind = store_kind(target)
    text = str(target)
    where = text.partition("://")[2] if kind == FILE_STORE and "://" in text else text
    return STORES[kind](where, catalogue, **options)  # type: ignore[call-arg]


__all__ = ["FILE_STORE", "STORES", "SQLiteStore", "Store", "open_store", "store_kind"]
