"""The PostgreSQL connection: opening a server's database, its schema, transactions.

One writer at a time, as on SQLite. Every write transaction begins by taking a
transaction-scoped advisory lock, ``pg_advisory_xact_lock(WRITE_LOCK)``, before it reads
anything: this is SQLite's ``BEGIN IMMEDIATE`` on a server. While one clerk's command
holds it, another's waits (up to ``busy_timeout_ms``, then a one-line Conflict); it is
released by COMMIT or ROLLBACK, or by the server when a clerk's connection dies, so a
killed clerk never leaves it held. Holding it, a writer reads the chain's head and
appends ``seq`` = head + 1: no gaps (a SEQUENCE would leave one at every rolled-back
command), and every row's ``prev_hash`` is the hash of the row before it, whichever
machine wrote that. Row locks alone would not do: two clerks appending to an empty or
the same head would both read it before either wrote. Readers take no lock (MVCC).
An advisory lock is scoped to the database, so two trails on one server do not wait on
each other.
"""

from __future__ import annotations

import itertools
import logging
from contextlib import contextmanager
from typing import Any, Iterable, Iterator

import psycopg
from psycopg import pq

from workflow import Actor, InvalidInput, NotFound, StoreError
from workflow.catalogue import Catalogue

from . import roles, schema
from .errors import RETRIED, converted, display

# psycopg logs a second error met while it closes a failed pipeline ("error ignored
# terminating ...") as a warning; with no handler configured, Python's last-resort handler
# would print it on stderr beside the one-line error the first one became.
logging.getLogger("psycopg").addHandler(logging.NullHandler())

BUSY_TIMEOUT_MS = 10_000
WRITE_LOCK = 0x63726F7373696E67  # "crossing": the one advisory lock of a trail's writers
BEGIN_ATTEMPTS = 3  # a deadlock or serialisation failure taking the lock: begun again
SYNCHRONOUS = ("FULL", "NORMAL", "OFF", "EXTRA")
_MAX_INT = 2**63 - 1
_IDLE, _INERROR = pq.TransactionStatus.IDLE, pq.TransactionStatus.INERROR
_cursor_names = itertools.count(1)


def batch_lost(error: BaseException) -> StoreError:
    return StoreError(f"the batch was rolled back: a command failed after it began writing "
                      f"({error}); nothing of the batch was written")


def _checked(params: Iterable[Any] | None) -> Any:
    """The parameters, refusing an integer beyond PostgreSQL's bigint (which the driver
    would send as a numeric, silently matching nothing)."""
    if params is None:
        return None
    values = tuple(params)
    for value in values:
        if type(value) is int and not -_MAX_INT - 1 <= value <= _MAX_INT:
            raise InvalidInput(f"a number given is too large (at most {_MAX_INT})")
    return values


class PostgresConnection:
    """One connection to a crossings database on a PostgreSQL server (a base of
    PostgresStore). ``target``: a libpq URL (``postgresql://user@host/db``,
    ``postgresql:///db?service=office``); ``path``: the same without its password."""

    def __init__(self, target: str, catalogue: Catalogue, *, create: bool = False,
                 readonly: bool = False, synchronous: str = "FULL",
                 busy_timeout_ms: int = BUSY_TIMEOUT_MS, upgrade: bool = False,
                 clerk_role: str = roles.DEFAULT_CLERK) -> None:
        self.target = str(target)
        self.path = display(self.target)
        self.catalogue = catalogue
        self.readonly = readonly and not create
        self.upgrading = upgrade and not create and not readonly
        self.clerk_role = clerk_role
        self.schema_version = 0
        if synchronous.upper() not in SYNCHRONOUS:
            raise StoreError(f"synchronous must be one of {', '.join(SYNCHRONOUS)}")
        self._head: tuple[int, str, str] | None = None
        self._settings: dict[str, Any] | None = None
        self._actors: dict[str, Actor] = {}
        self._depth = 0
        self._writes = 0
        self._aborted: BaseException | None = None
        self._created = False  # whether this store made the schema (discard drops only that)
        scheme, sep, rest = self.target.partition("://")
        with converted(self.path):
            try:  # libpq takes the scheme in lower case only
                self.conn = psycopg.connect(scheme.lower() + sep + rest, autocommit=True)
            except (psycopg.ProgrammingError, UnicodeError):  # a malformed URL
                # not libpq's message: it quotes the text it could not read, password and all
                raise InvalidInput(f"--db: {self.path} is not a valid PostgreSQL URL") from None
            try:
                self._configure(synchronous.upper(), busy_timeout_ms, create)
            except BaseException:
                self.conn.close()
                raise

    def _configure(self, synchronous: str, busy_ms: int, create: bool) -> None:
        conn = self.conn
        conn.execute("SELECT set_config('search_path', %s, false), "
                     "set_config('lock_timeout', %s, false), "
                     "set_config('synchronous_commit', %s, false)",
                     (schema.SCHEMA, f"{int(busy_ms)}ms", "off" if synchronous == "OFF" else "on"))
        exists, version = schema.installed(conn)
        self.schema_version = version
        if version and create:
            raise InvalidInput(f"{self.path} already holds a crossings database")
        if version == schema.SCHEMA_VERSION:
            return self._read_only_if(self.readonly)
        if version > schema.SCHEMA_VERSION:
            raise StoreError(f"{self.path} was written by a newer crossings (schema {version})")
        if version:
            if not self.upgrading:
                raise StoreError(f"{self.path} has schema {version}, older than this "
                                 f"crossings' {schema.SCHEMA_VERSION}: an administrator "
                                 "upgrades it with 'crossings upgrade --as NAME' (back it "
                                 "up first)")
            return None
        if exists and schema.has_objects(conn):
            raise StoreError(f"{self.path} holds a schema {schema.SCHEMA} that is not a "
                             "crossings database")
        if not create:
            raise NotFound(f"no crossings database at {self.path} (create one with "
                           "'crossings init --admin NAME --db URL', or give --db / "
                           "CROSSINGS_DB)")
        self._create()
        return None

    def _read_only_if(self, readonly: bool) -> None:
        if readonly:
            self.conn.execute("SET default_transaction_read_only = on")

    def _create(self) -> None:
        roles.ensure_clerk_role(self.conn, self.clerk_role, self.path)
        with self.write():
            # again under the writers' lock: another init may have made it meanwhile
            if schema.made_meanwhile(self.conn):
                raise InvalidInput(f"{self.path} already holds a crossings database")
            schema.apply(self.conn, self.catalogue, self.clerk_role)
            self._writes += 1
        self._created = True
        self.schema_version = schema.SCHEMA_VERSION

    def close(self) -> None:
        self.conn.close()

    def discard(self) -> None:
        """Drop the schema this store created (a failed init or copy), then close; a
        schema this store did not create is left alone."""
        try:
            with converted(self.path):
                if self.in_transaction:
                    self.conn.execute("ROLLBACK")
                if self._created:
                    self.conn.execute(f'DROP SCHEMA IF EXISTS "{schema.SCHEMA}" CASCADE')
        finally:
            self.conn.close()

    @property
    def in_transaction(self) -> bool:
        return self.conn.info.transaction_status != _IDLE

    # transactions ----------------------------------------------------------------------

    def _begin(self) -> None:
        """BEGIN, then the writers' lock; a deadlock or serialisation failure while taking
        it (nothing done yet, so safe to repeat) is retried a few times."""
        for attempt in range(1, BEGIN_ATTEMPTS + 1):
            try:
                self.conn.execute(f"BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})")
                return
            except psycopg.Error as error:
                if self.in_transaction:
                    self.conn.execute("ROLLBACK")
                if error.sqlstate not in RETRIED or attempt == BEGIN_ATTEMPTS:
                    raise
            except BaseException:  # Ctrl-C while waiting for the lock: no transaction left open
                self._rollback()
                raise

    @contextmanager
    def write(self) -> Iterator[Any]:
        """BEGIN, the writers' lock, ... COMMIT. Nested inside a batch, no savepoint: a
        command that fails before writing leaves nothing to undo, and one that fails
        after it began writing (or after any statement failed: PostgreSQL then refuses
        the rest of the transaction) rolls the whole batch back."""
        if self._depth:
            yield from self._nested()
            return
        with converted(self.path):
            self._begin()
            self._depth, self._aborted = 1, None
            self._forget()
            try:
                yield self
                if self._aborted is not None:
                    raise batch_lost(self._aborted)
                self._commit()
            except BaseException:
                self._rollback()
                self._forget()
                raise
            finally:
                self._depth = 0

    def _commit(self) -> None:
        try:
            self.conn.execute("COMMIT")
        except psycopg.OperationalError as error:
            raise StoreError(f"the connection to {self.path} was lost while committing: the "
                             "command may or may not have been written (look with 'crossings "
                             f"log' before trying again): {error}") from error

    def _rollback(self) -> None:
        if self.conn.closed or not self.in_transaction:
            return
        try:
            self.conn.execute("ROLLBACK")
        except psycopg.OperationalError:
            pass  # the server is gone: it rolled the transaction back itself

    def _nested(self) -> Iterator[Any]:
        if self._aborted is not None:
            raise batch_lost(self._aborted)
        writes = self._writes
        try:
            yield self
        except BaseException as error:
            failed = self.conn.info.transaction_status == _INERROR
            if self._writes != writes or failed or not self.in_transaction:
                self._aborted = error
                with converted(self.path):
                    self._rollback()
                self._forget()
            raise

    def _forget(self) -> None:
        """At a transaction's start and after a rollback: nothing cached may come from
        another clerk's writes or from undone ones."""
        self._head, self._settings = None, None
        self._actors.clear()

    @contextmanager
    def read(self) -> Iterator[Any]:
        """A consistent snapshot (REPEATABLE READ) for several reads."""
        with converted(self.path):
            if self.in_transaction:
                yield self
                return
            self.conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
            self._forget()
            try:
                yield self
            finally:
                if self.in_transaction:
                    self.conn.execute("COMMIT")

    # statements ------------------------------------------------------------------------

    def _one(self, sql: str, params: Iterable[Any] | None = None) -> Any:
        with converted(self.path):
            return self.conn.execute(sql, _checked(params)).fetchone()

    def _all(self, sql: str, params: Iterable[Any] | None = None) -> list[Any]:
        with converted(self.path):
            return self.conn.execute(sql, _checked(params)).fetchall()

    def _stream(self, sql: str, params: Iterable[Any] | None = None) -> Iterator[Any]:
        """Rows of a query: from a server-side cursor inside a transaction (fetched a
        thousand at a time, other statements free to run meanwhile), else all at once."""
        values = _checked(params)
        if not self.in_transaction:
            yield from self._all(sql, values)
            return
        with converted(self.path):
            with self.conn.cursor(name=f"crossings_{next(_cursor_names)}") as cursor:
                cursor.itersize = 1000
                cursor.execute(sql, values)
                yield from cursor

    def _run(self, sql: str, params: Iterable[Any] | None = None) -> Any:
        """A write statement (never after a batch was lost)."""
        if self._aborted is not None and self._depth:
            raise batch_lost(self._aborted)
        self._writes += 1
        with converted(self.path):
            return self.conn.execute(sql, _checked(params))

    def _copy(self, sql: str, rows: list[Any]) -> None:
        """Rows into a table by COPY: one statement, whatever their number."""
        if self._aborted is not None and self._depth:
            raise batch_lost(self._aborted)
        self._writes += 1
        with converted(self.path):
            with self.conn.cursor() as cursor, cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)

    def _many(self, sql: str, rows: list[Any]) -> int:
        """One statement for many rows (pipelined by the driver); the rows it touched."""
        if self._aborted is not None and self._depth:
            raise batch_lost(self._aborted)
        self._writes += 1
        with converted(self.path):
            with self.conn.cursor() as cursor:
                cursor.executemany(sql, [_checked(r) for r in rows], returning=False)
                return int(cursor.rowcount)
