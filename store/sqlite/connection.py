"""The SQLite connection: opening a file, its schema, transactions and the caches.

Writes run in one ``BEGIN IMMEDIATE`` transaction each (the write lock is taken up front,
so a second writer waits on the busy timeout instead of failing half-way). The actors
(add-only), the settings and the chain's head are cached across transactions while
``PRAGMA data_version`` says no other connection wrote.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager, suppress
from typing import Any, Iterable, Iterator

from workflow import Actor, InvalidInput, NotFound, StoreError
from workflow.catalogue import Catalogue

from . import schema
from .errors import converted as _converted
from .pending import Pending

BUSY_TIMEOUT_MS = 10_000
SYNCHRONOUS = ("FULL", "NORMAL", "OFF", "EXTRA")


def batch_lost(error: BaseException) -> StoreError:
    return StoreError(f"the batch was rolled back: a command failed after it began writing "
                      f"({error}); nothing of the batch was written")


class SQLiteConnection:
    """One connection to an SQLite file, with its transactions (a base of SQLiteStore).

    ``create``: make a new database (the file must not hold one); ``readonly``: open it
    for reading only (``mode=ro``), so that a read command can never change the file."""

    def __init__(self, path: str, catalogue: Catalogue, *, create: bool = False,
                 readonly: bool = False, synchronous: str = "FULL",
                 busy_timeout_ms: int = BUSY_TIMEOUT_MS, upgrade: bool = False) -> None:
        self.path = self.target = str(path)
        self.catalogue = catalogue
        self.readonly = readonly and not create
        self.upgrading = upgrade and not create and not readonly
        self.schema_version = 0
        if "\x00" in self.path:
            raise InvalidInput("--db: the path contains a NUL byte")
        memory = self.path == ":memory:"
        if not memory and not create and not os.path.isfile(self.path):
            raise NotFound(f"no database at {self.path} (create one with 'crossings init "
                           "--admin NAME --db PATH', or give --db / CROSSINGS_DB)")
        if synchronous.upper() not in SYNCHRONOUS:
            raise StoreError(f"synchronous must be one of {', '.join(SYNCHRONOUS)}")
        self._head: tuple[int, str, str] | None = None
        self._settings: dict[str, Any] | None = None
        self._actors: dict[str, Actor] = {}
        self._seen: int | None = None
        self._depth = 0
        self._aborted: BaseException | None = None
        self._pending = Pending()
        with _converted(self.path):
            target = f"file:{self.path}?mode=ro" if self.readonly and not memory else self.path
            self.conn = sqlite3.connect(target, isolation_level=None, uri=self.readonly,
                                        timeout=busy_timeout_ms / 1000, check_same_thread=False)
            try:
                self._configure(synchronous.upper(), busy_timeout_ms, memory, create)
            except BaseException:
                self.conn.close()
                raise

    def _configure(self, synchronous: str, busy_ms: int, memory: bool, create: bool) -> None:
        conn = self.conn
        conn.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
        version = self.schema_version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == schema.SCHEMA_VERSION and create and not memory:
            raise InvalidInput(f"{self.path} already holds a crossings database")
        if version == schema.SCHEMA_VERSION:
            conn.execute(f"PRAGMA synchronous = {synchronous}")
            return
        if version > schema.SCHEMA_VERSION:
            raise StoreError(f"{self.path} was written by a newer crossings (schema {version})")
        if version:
            self._older(version, create)
            conn.execute(f"PRAGMA synchronous = {synchronous}")
            return
        if self._has_tables():
            raise StoreError(f"{self.path} is an SQLite file but not a crossings database")
        if not create:
            raise StoreError(f"{self.path} is empty, not a crossings database (create one "
                             "with 'crossings init --admin NAME --db PATH')")
        if not memory:
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA synchronous = {synchronous}")
        with self.write():
            if conn.execute("PRAGMA user_version").fetchone()[0] < schema.SCHEMA_VERSION:
                schema.apply(conn, self.catalogue)

    def _older(self, version: int, create: bool) -> None:
        """An older schema: opened only to be upgraded, from EARLIEST on."""
        if version < schema.EARLIEST:
            raise StoreError(f"{self.path} was written by an earlier crossings (schema "
                             f"{version}), whose trail this one does not read; replay its "
                             "records into a new database")
        if create:
            raise InvalidInput(f"{self.path} already holds a crossings database")
        if not self.upgrading:
            raise StoreError(f"{self.path} has schema {version}, older than this "
                             f"crossings' {schema.SCHEMA_VERSION}: an administrator "
                             "upgrades it with 'crossings upgrade --as NAME' (back it "
                             "up first)")

    def _has_tables(self) -> bool:
        return bool(self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])

    def close(self) -> None:
        self.conn.close()

    def discard(self) -> None:
        self.conn.close()
        if self.path != ":memory:":
            for suffix in ("", "-wal", "-shm", "-journal"):
                with suppress(FileNotFoundError):  # os, not pathlib: kept out of start-up
                    os.unlink(f"{self.path}{suffix}")

    # transactions ----------------------------------------------------------------------

    @contextmanager
    def write(self) -> Iterator[Any]:
        """BEGIN IMMEDIATE ... COMMIT. Nested inside a batch, no savepoint: a command that
        fails before writing leaves nothing to undo, and one that fails after it began
        writing rolls the whole batch back (and every later command of it is refused)."""
        if self._depth:
            yield from self._nested()
            return
        with _converted(self.path):
            self.conn.execute("BEGIN IMMEDIATE")
            self._depth, self._aborted = 1, None
            changes = self._written()
            try:
                self._revalidate()
                yield self
                if self._aborted is not None:
                    raise batch_lost(self._aborted)
                self._send()
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                if self._written() != changes or self._aborted is not None:
                    self._forget()
                raise
            finally:
                self._depth = 0
                self._pending.clear()

    def _nested(self) -> Iterator[Any]:
        if self._aborted is not None:
            raise batch_lost(self._aborted)
        changes = self._written()
        try:
            yield self
            self._send(cases=False)  # its audit rows now: the batch loses them or none
        except BaseException as error:
            if (self._aborted is not None or self._written() != changes
                    or not self.conn.in_transaction):
                self._aborted = self._aborted or error
                if self.conn.in_transaction:
                    with _converted(self.path):
                        self.conn.execute("ROLLBACK")
                self._forget()
            raise

    # caches: actors (add-only, a role never changes), the settings and the chain's head,
    # kept across transactions while PRAGMA data_version says no other connection wrote.

    def _revalidate(self) -> None:
        version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self._seen:
            self._seen, self._head, self._settings = version, None, None

    def _forget(self) -> None:
        """After a rollback: nothing cached may come from the undone writes."""
        self._seen, self._head, self._settings = None, None, None
        self._actors.clear()
        self._pending.clear()

    # the rows a write transaction holds back (see pending.py): sent before any other
    # statement of it, so that whatever it reads in SQL sees them

    def _written(self) -> int:
        """Rows this connection has written or held back: changed, something was written."""
        return self.conn.total_changes + self._pending.held

    def _send(self, cases: bool = True) -> None:
        """Write the held-back rows, or only the audit rows. They are earlier commands'
        as much as this one's: if they fail, the transaction (the whole batch) is lost."""
        try:
            self._write_held(cases)
        except BaseException as error:
            if self._depth and self._aborted is None:
                self._aborted = error
            raise

    def _write_held(self, cases: bool) -> None:
        """SQLiteStore knows the statements."""
        raise NotImplementedError

    def _peek(self, sql: str, params: Iterable[Any] = ()) -> Any:
        """One row of a read the held-back rows cannot change (a case not held; the file's
        own rows of a case), without sending them."""
        with _converted(self.path):
            return self.conn.execute(sql, tuple(params)).fetchone()

    @contextmanager
    def read(self) -> Iterator[Any]:
        with _converted(self.path):
            if self.conn.in_transaction:
                yield self
                return
            self.conn.execute("BEGIN")
            try:
                yield self
            finally:
                if self.conn.in_transaction:
                    self.conn.execute("COMMIT")

    def _one(self, sql: str, params: Iterable[Any] = ()) -> Any:
        if self._pending:
            self._send()
        with _converted(self.path):
            return self.conn.execute(sql, tuple(params)).fetchone()

    def _all(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        if self._pending:
            self._send()
        with _converted(self.path):
            return self.conn.execute(sql, tuple(params)).fetchall()

    def _stream(self, sql: str, params: Iterable[Any] = ()) -> Iterator[Any]:
        if self._pending:
            self._send()
        with _converted(self.path):
            cursor = self.conn.execute(sql, tuple(params))
            cursor.arraysize = 500
            while batch := cursor.fetchmany():
                yield from batch

    def _run(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Cursor:
        """A write statement (never after a batch was lost: it would autocommit)."""
        if self._aborted is not None and self._depth:
            raise batch_lost(self._aborted)
        if self._pending:
            self._send()
        with _converted(self.path):
            return self.conn.execute(sql, tuple(params))
