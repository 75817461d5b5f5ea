"""The SQLite store: every SQL statement crossings runs lives in this module.

Writes run in one ``BEGIN IMMEDIATE`` transaction each (the write lock is taken up front,
so a second writer waits on the busy timeout instead of failing half-way); a case row is
updated only at the version it was read at; the audit row is appended in the same
transaction. Every ``sqlite3`` error is converted to a ``workflow`` error in
:func:`_converted`, the one place that knows the driver's messages.
"""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import contextmanager
from typing import Any, Iterable, Iterator, Mapping

from workflow import Actor, Case, Conflict, InvalidInput, NotFound, StoreError
from workflow.audit import FIELDS, GENESIS, dumps, row_hash

from . import schema
from .base import Store
from .reports import SQLiteReports

BUSY_TIMEOUT_MS = 10_000
SYNCHRONOUS = ("FULL", "NORMAL", "OFF", "EXTRA")
_AUDIT_COLUMNS = (*FIELDS, "hash")
_INSERT_AUDIT = (
    f"INSERT INTO audit ({', '.join(_AUDIT_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _AUDIT_COLUMNS)})"
)
_CASE_COLUMNS = "id, state, version, facts"


class _converted:
    """Translate the driver's errors into crossings' own, naming the file. A class, not a
    generator: it wraps every statement, and this costs 0.3 us a use instead of 0.8."""

    __slots__ = ("path",)

    def __init__(self, path: str) -> None:
        self.path = path

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, error: BaseException | None, trace: Any) -> None:
        if isinstance(error, sqlite3.Error):
            raise _translate(error, self.path) from error
        if isinstance(error, OverflowError):  # the driver's own: beyond SQLite's 64 bits
            raise InvalidInput(f"a number given is too large (at most {2**63 - 1})") from error


def _translate(error: sqlite3.Error, path: str) -> Exception:
    text = str(error)
    lower = text.lower()
    if "not a database" in lower or "file is encrypted" in lower:
        return StoreError(f"{path} is not a crossings database (not an SQLite file)")
    if "readonly" in lower or "read-only" in lower:
        return StoreError(f"{path} is read-only: nothing was written")
    if "locked" in lower or "busy" in lower:
        return Conflict(f"the database {path} stayed busy (another clerk is writing); try again")
    if "disk is full" in lower:
        return StoreError(f"no space left for {path}: nothing was written")
    if "disk i/o error" in lower:
        return StoreError(f"cannot use {path}: disk I/O error (is the disk full or failing?)")
    if "unable to open" in lower:
        return StoreError(f"cannot open {path}: {text}")
    if "append-only" in lower:
        return StoreError(f"{path}: the audit trail is append-only")
    if "no such table" in lower or "no such column" in lower:
        return StoreError(f"{path} is not a crossings database ({text})")
    if "malformed" in lower or "corrupt" in lower:
        return StoreError(f"{path} is corrupt: {text}")
    return StoreError(f"database error on {path}: {text}")


def _batch_lost(error: BaseException) -> StoreError:
    return StoreError(f"the batch was rolled back: a command failed after it began writing "
                      f"({error}); nothing of the batch was written")


def _case(row: tuple[Any, ...]) -> Case:
    return Case(row[0], row[1], row[2], json.loads(row[3]))


class SQLiteStore(SQLiteReports, Store):
    """SQLite through the standard driver; the schema through sqlite-utils' Migrations."""

    def __init__(self, path: str, *, create: bool = False, synchronous: str = "FULL",
                 busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
        self.path = str(path)
        if "\x00" in self.path:
            raise InvalidInput("--db: the path contains a NUL byte")
        memory = self.path == ":memory:"
        if not memory and not create and not os.path.exists(self.path):
            raise NotFound(
                f"no database at {self.path} (create one with 'crossings actor add', "
                "or give --db / CROSSINGS_DB)"
            )
        if synchronous.upper() not in SYNCHRONOUS:
            raise StoreError(f"synchronous must be one of {', '.join(SYNCHRONOUS)}")
        self._head: tuple[int, str] | None = None
        self._settings: dict[str, Any] | None = None
        self._actors: dict[str, Actor] = {}
        self._seen: int | None = None
        self._depth = 0
        self._aborted: BaseException | None = None
        with _converted(self.path):
            self.conn = sqlite3.connect(self.path, isolation_level=None,
                                        timeout=busy_timeout_ms / 1000, check_same_thread=False)
            self._configure(synchronous.upper(), busy_timeout_ms, memory, create)

    def _configure(self, synchronous: str, busy_ms: int, memory: bool, create: bool) -> None:
        conn = self.conn
        conn.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == schema.SCHEMA_VERSION:
            conn.execute(f"PRAGMA synchronous = {synchronous}")
            return
        if version > schema.SCHEMA_VERSION:
            raise StoreError(f"{self.path} was written by a newer crossings (schema {version})")
        if version == 0 and self._has_tables():
            raise StoreError(f"{self.path} is an SQLite file but not a crossings database")
        if not memory:
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA synchronous = {synchronous}")
        with self.write():
            if conn.execute("PRAGMA user_version").fetchone()[0] < schema.SCHEMA_VERSION:
                schema.apply(conn)

    def _has_tables(self) -> bool:
        return bool(self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])

    def close(self) -> None:
        self.conn.close()

    # transactions ----------------------------------------------------------------------

    @contextmanager
    def write(self) -> Iterator["SQLiteStore"]:
        """BEGIN IMMEDIATE ... COMMIT. Nested inside a batch, no savepoint: a command that
        fails before writing leaves nothing to undo, and one that fails after it began
        writing rolls the whole batch back (and every later command of it is refused)."""
        if self._depth:
            yield from self._nested()
            return
        with _converted(self.path):
            self.conn.execute("BEGIN IMMEDIATE")
            self._depth, self._aborted = 1, None
            changes = self.conn.total_changes
            try:
                self._revalidate()
                yield self
                if self._aborted is not None:
                    raise _batch_lost(self._aborted)
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                if self.conn.total_changes != changes or self._aborted is not None:
                    self._forget()
                raise
            finally:
                self._depth = 0

    def _nested(self) -> Iterator["SQLiteStore"]:
        if self._aborted is not None:
            raise _batch_lost(self._aborted)
        changes = self.conn.total_changes
        try:
            yield self
        except BaseException as error:
            if self.conn.total_changes != changes or not self.conn.in_transaction:
                self._aborted = error
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

    @contextmanager
    def read(self) -> Iterator["SQLiteStore"]:
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
        with _converted(self.path):
            return self.conn.execute(sql, tuple(params)).fetchone()

    def _all(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        with _converted(self.path):
            return self.conn.execute(sql, tuple(params)).fetchall()

    def _stream(self, sql: str, params: Iterable[Any] = ()) -> Iterator[Any]:
        with _converted(self.path):
            cursor = self.conn.execute(sql, tuple(params))
            cursor.arraysize = 500
            while batch := cursor.fetchmany():
                yield from batch

    def _run(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Cursor:
        """A write statement (never after a batch was lost: it would autocommit)."""
        if self._aborted is not None and self._depth:
            raise _batch_lost(self._aborted)
        with _converted(self.path):
            return self.conn.execute(sql, tuple(params))

    # actors and settings ---------------------------------------------------------------

    def get_actor(self, name: str) -> Actor | None:
        actor = self._actors.get(name)
        if actor is None:
            row = self._one("SELECT name, role FROM actors WHERE name = ?", (name,))
            if row is None:
                return None
            actor = self._actors[name] = Actor(row[0], row[1])
        return actor

    def actors(self) -> list[dict[str, Any]]:
        rows = self._all("SELECT name, role, added_at FROM actors ORDER BY name")
        return [{"name": n, "role": r, "added_at": a} for n, r, a in rows]

    def insert_actor(self, name: str, role: str, added_at: str) -> None:
        self._run("INSERT INTO actors (name, role, added_at) VALUES (?, ?, ?)",
                  (name, role, added_at))

    def stored_settings(self) -> dict[str, Any]:
        if not self.conn.in_transaction:
            with _converted(self.path):
                self._revalidate()
        if self._settings is None:
            self._settings = {n: json.loads(v)
                              for n, v in self._all("SELECT name, value FROM settings")}
        return dict(self._settings)

    def put_setting(self, name: str, value: Any) -> None:
        self._settings = None
        self._run("INSERT INTO settings (name, value) VALUES (?, ?) "
                  "ON CONFLICT(name) DO UPDATE SET value = excluded.value", (name, dumps(value)))

    # cases -----------------------------------------------------------------------------

    def next_case_id(self) -> int:
        return int(self._one("SELECT coalesce(max(id), 0) + 1 FROM cases")[0])

    def get_case(self, case_id: int) -> Case | None:
        row = self._one(f"SELECT {_CASE_COLUMNS} FROM cases WHERE id = ?", (case_id,))
        return _case(row) if row else None

    def get_cases(self, case_ids: Iterable[int]) -> dict[int, Case]:
        ids = list(dict.fromkeys(case_ids))
        found: dict[int, Case] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ", ".join("?" for _ in chunk)
            for row in self._all(f"SELECT {_CASE_COLUMNS} FROM cases WHERE id IN ({marks})",
                                 chunk):
                found[row[0]] = _case(row)
        return found

    def insert_case(self, case: Case, recorded_at: str) -> None:
        self._run(
            "INSERT INTO cases (id, state, version, name, native_name, facts, flagged, "
            "opened_on, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (case.id, case.state, case.version, case.name, case.native_name,
             dumps(case.facts), int(bool(case.flags)), case.facts.get("opened_on"),
             recorded_at),
        )

    def update_cases(self, cases: list[tuple[Case, int]], recorded_at: str) -> None:
        """One executemany for the lot (a group of 10,000 is one statement); its rowcount
        sums the rows each UPDATE matched, so any shortfall is a stale version."""
        if self._aborted is not None and self._depth:
            raise _batch_lost(self._aborted)
        values = [(case.state, case.version, case.name, case.native_name, dumps(case.facts),
                   int(bool(case.flags)), recorded_at, case.id, expected)
                  for case, expected in cases]
        with _converted(self.path):
            cursor = self.conn.executemany(
                "UPDATE cases SET state = ?, version = ?, name = ?, native_name = ?, "
                "facts = ?, flagged = ?, updated_at = ? WHERE id = ? AND version = ?", values)
        if cursor.rowcount != len(values):
            case, expected = self._stale(cases)
            raise Conflict(
                f"case {case.id} changed since it was read (expected version {expected}); "
                "nothing was written, try again"
            )

    def _stale(self, cases: list[tuple[Case, int]]) -> tuple[Case, int]:
        """The first case whose row the UPDATE did not find at its new version."""
        for case, expected in cases:
            row = self._one("SELECT version FROM cases WHERE id = ?", (case.id,))
            if row is None or row[0] != case.version:
                return case, expected
        return cases[0]

    def cases(self, state: str | None = None, after: int = 0,
              limit: int | None = None) -> Iterator[dict[str, Any]]:
        where: list[str] = ["id > ?"]
        params: list[Any] = [after]
        if state:
            where.append("state = ?")
            params.append(state)
        sql = (f"SELECT id, name, native_name, state, version, flagged, opened_on FROM cases "
               f"WHERE {' AND '.join(where)} ORDER BY id")
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        for row in self._stream(sql, params):
            yield {"id": row[0], "name": row[1], "native_name": row[2], "state": row[3],
                   "version": row[4], "flagged": bool(row[5]), "opened_on": row[6]}

    def case_rows(self) -> Iterator[Case]:
        for row in self._stream(f"SELECT {_CASE_COLUMNS} FROM cases ORDER BY id"):
            yield _case(row)

    def case_records(self, cases: tuple[int, int] | None = None) -> Iterator[dict[str, Any]]:
        keys = ("id", "state", "version", "name", "native_name", "facts", "flagged",
                "opened_on", "updated_at")
        where = " WHERE id BETWEEN ? AND ?" if cases else ""
        for row in self._stream(f"SELECT {', '.join(keys)} FROM cases{where} ORDER BY id",
                                cases or ()):
            record = dict(zip(keys, row))
            try:
                record["facts"] = json.loads(record["facts"])
            except json.JSONDecodeError:
                record["facts"] = None  # unreadable: verification reports it
            record["flagged"] = bool(record["flagged"])
            yield record

    # audit trail -----------------------------------------------------------------------

    def _current_head(self) -> tuple[int, str]:
        if self._head is None:
            row = self._one("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
            self._head = (row[0], row[1]) if row else (0, GENESIS)
        return self._head

    def append(self, rows: list[dict[str, Any]]) -> list[int]:
        if not self.conn.in_transaction:
            raise StoreError("append() outside a write transaction")
        seq, prev = self._current_head()
        values, seqs = [], []
        for row in rows:
            seq += 1
            full = {**row, "seq": seq, "prev_hash": prev}
            prev = row_hash(full)
            full["hash"] = prev
            values.append([full.get(c) for c in _AUDIT_COLUMNS])
            seqs.append(seq)
        with _converted(self.path):
            self.conn.executemany(_INSERT_AUDIT, values)
        self._head = (seq, prev)
        return seqs

    def audit(self, **filters: Any) -> Iterator[dict[str, Any]]:
        where, params = _audit_where(filters)
        sql = f"SELECT {', '.join(_AUDIT_COLUMNS)} FROM audit"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY seq"
        if filters.get("limit"):
            sql += " LIMIT ?"
            params.append(int(filters["limit"]))
        for row in self._stream(sql, params):
            yield dict(zip(_AUDIT_COLUMNS, row))

    def audit_stream(self, order: str = "seq",
                     cases: tuple[int, int] | None = None) -> Iterator[dict[str, Any]]:
        by = "case_id, seq" if order == "case" else "seq"
        where = {"case": " WHERE case_id IS NOT NULL", "setup": " WHERE case_id IS NULL"}
        clause = " WHERE case_id BETWEEN ? AND ?" if order == "case" and cases else \
            where.get(order, "")
        sql = f"SELECT {', '.join(_AUDIT_COLUMNS)} FROM audit{clause} ORDER BY {by}"
        for row in self._stream(sql, cases if order == "case" and cases else ()):
            yield dict(zip(_AUDIT_COLUMNS, row))

    def audit_row(self, seq: int) -> dict[str, Any] | None:
        row = self._one(f"SELECT {', '.join(_AUDIT_COLUMNS)} FROM audit WHERE seq = ?", (seq,))
        return dict(zip(_AUDIT_COLUMNS, row)) if row else None

    def head(self) -> dict[str, Any]:
        count = self._one("SELECT count(*) FROM audit")[0]
        last = self._one("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
        return {"rows": count, "seq": last[0] if last else 0,
                "hash": last[1] if last else GENESIS}

    # handover groups and requests ------------------------------------------------------

    def next_group_id(self) -> int:
        return int(self._one("SELECT coalesce(max(id), 0) + 1 FROM handover_groups")[0])

    def insert_group(self, group: Mapping[str, Any]) -> None:
        self._run(
            "INSERT INTO handover_groups (id, at, crossing_point, representative, officer, "
            "case_ids, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (group["id"], group["at"], group["crossing_point"], group["representative"],
             group["officer"], dumps(list(group["case_ids"])), group.get("note")),
        )

    def _group(self, row: tuple[Any, ...]) -> dict[str, Any]:
        keys = ("id", "at", "crossing_point", "representative", "officer", "case_ids", "note")
        out = dict(zip(keys, row))
        out["case_ids"] = json.loads(out["case_ids"])
        return out

    def get_group(self, group_id: int) -> dict[str, Any] | None:
        row = self._one("SELECT id, at, crossing_point, representative, officer, case_ids, "
                        "note FROM handover_groups WHERE id = ?", (group_id,))
        return self._group(row) if row else None

    def groups(self) -> list[dict[str, Any]]:
        rows = self._all("SELECT id, at, crossing_point, representative, officer, case_ids, "
                         "note FROM handover_groups ORDER BY id")
        return [self._group(r) for r in rows]

    def get_request(self, request_id: str) -> dict[str, Any] | None:
        row = self._one("SELECT result FROM requests WHERE request_id = ?", (request_id,))
        return json.loads(row[0]) if row else None

    def put_request(self, request_id: str, result: Mapping[str, Any]) -> None:
        self._run("INSERT INTO requests (request_id, result) VALUES (?, ?)",
                  (request_id, dumps(dict(result))))


def _audit_where(filters: Mapping[str, Any]) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    simple = {"case_id": "case_id = ?", "actor": "actor = ?", "trigger": "trigger = ?",
              "outcome": "outcome = ?", "since": "at >= ?", "until": "at <= ?",
              "group_id": "group_id = ?", "after_seq": "seq > ?"}
    for key, clause in simple.items():
        if filters.get(key) is not None:
            where.append(clause)
            params.append(filters[key])
    if filters.get("clause"):
        where.append("EXISTS (SELECT 1 FROM json_each(audit.clauses) WHERE value = ?)")
        params.append(filters["clause"])
    return where, params
