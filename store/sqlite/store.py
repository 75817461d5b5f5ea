"""The SQLite store: its connection, transactions, cases, actors, settings and trail.

Writes run in one ``BEGIN IMMEDIATE`` transaction each (the write lock is taken up front,
so a second writer waits on the busy timeout instead of failing half-way); a case row is
updated only at the version it was read at; the audit row is appended in the same
transaction. Every ``sqlite3`` error is converted to a ``workflow`` error by
``errors.converted``, by its result code.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Iterable, Iterator, Mapping

from workflow import Actor, Case, Conflict, StoreError
from workflow.audit import FIELDS, GENESIS, canonical_bytes, dumps
from workflow.values import fold_name
from workflow.policy import OPENED_ON

from ..base import Store
from ..common import trail_chunks
from . import schema
from .connection import SQLiteConnection, batch_lost as _batch_lost
from .errors import converted as _converted
from ..common import loads
from .names import NameIndex
from .reading import SQLiteReading
from .reports import SQLiteReports, ident

_AUDIT_COLUMNS = (*FIELDS, "hash", "signature")
Sign = Callable[[bytes], str]
_INSERT_AUDIT = (
    f"INSERT INTO audit ({', '.join(_AUDIT_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _AUDIT_COLUMNS)})"
)
_CASE_COLUMNS = "id, state, version, facts, flagged, policy"


def _case(row: tuple[Any, ...]) -> Case:
    return Case(row[0], row[1], row[2], loads(row[3], f"of case {row[0]} "), bool(row[4]),
                row[5])


class SQLiteStore(SQLiteReports, SQLiteReading, NameIndex, SQLiteConnection, Store):
    """SQLite through the standard driver; the schema through sqlite-utils' Migrations."""

    # actors and settings ---------------------------------------------------------------

    def get_actor(self, name: str) -> Actor | None:
        """The actor whose name folds as NAME does (look-alike names are one name)."""
        folded = fold_name(name)
        actor = self._actors.get(folded)
        if actor is None:
            row = self._one("SELECT name, role, public_key, retired_at FROM actors "
                            "WHERE folded = ?", (folded,))
            if row is None:
                return None
            actor = self._actors[folded] = Actor(*row)
        return actor

    def actors(self) -> list[dict[str, Any]]:
        keys = ("name", "role", "public_key", "added_at", "retired_at")
        rows = self._all(f"SELECT {', '.join(keys)} FROM actors ORDER BY name")
        return [dict(zip(keys, row)) for row in rows]

    def insert_actor(self, actor: Actor, added_at: str) -> None:
        self._run("INSERT INTO actors (name, folded, role, public_key, added_at) "
                  "VALUES (?, ?, ?, ?, ?)",
                  (actor.name, fold_name(actor.name), actor.role, actor.public_key, added_at))

    def retire_actor(self, name: str, retired_at: str) -> None:
        self._actors.pop(fold_name(name), None)
        self._run("UPDATE actors SET retired_at = ? WHERE folded = ?",
                  (retired_at, fold_name(name)))

    def stored_settings(self) -> dict[str, Any]:
        if not self.conn.in_transaction:
            with _converted(self.path):
                self._revalidate()
        if self._settings is None:
            self._settings = {n: loads(v, f"of setting {n} ")
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
        return self.read_names(_case(row)) if row else None

    def get_cases(self, case_ids: Iterable[int]) -> dict[int, Case]:
        ids = list(dict.fromkeys(case_ids))
        found: dict[int, Case] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ", ".join("?" for _ in chunk)
            for row in self._all(f"SELECT {_CASE_COLUMNS} FROM cases WHERE id IN ({marks})",
                                 chunk):
                found[row[0]] = self.read_names(_case(row))
        return found

    def insert_case(self, case: Case, recorded_at: str) -> None:
        self._run(
            "INSERT INTO cases (id, state, version, name, native_name, facts, flagged, "
            "opened_on, updated_at, policy) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (case.id, case.state, case.version, case.name, case.native_name,
             dumps(case.facts), int(case.flagged), case.facts.get(OPENED_ON), recorded_at,
             case.policy),
        )
        self.index_new([case])

    def update_cases(self, cases: list[tuple[Case, int]], recorded_at: str) -> None:
        """One executemany for the lot (a group of 10,000 is one statement); its rowcount
        sums the rows each UPDATE matched, so any shortfall is a stale version."""
        if self._aborted is not None and self._depth:
            raise _batch_lost(self._aborted)
        values = [(case.state, case.version, case.name, case.native_name, dumps(case.facts),
                   int(case.flagged), recorded_at, case.policy, case.id, expected)
                  for case, expected in cases]
        with _converted(self.path):
            cursor = self.conn.executemany(
                "UPDATE cases SET state = ?, version = ?, name = ?, native_name = ?, "
                "facts = ?, flagged = ?, updated_at = ?, policy = ? "
                "WHERE id = ? AND version = ?", values)
        if cursor.rowcount != len(values):
            case, expected = self._stale(cases)
            raise Conflict(
                f"case {case.id} changed since it was read (expected version {expected}); "
                "nothing was written, try again"
            )
        self.index_changed(cases)

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
        sql = (f"SELECT id, name, native_name, state, version, flagged, opened_on, policy "
               f"FROM cases "
               f"WHERE {' AND '.join(where)} ORDER BY id")
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        for row in self._stream(sql, params):
            yield {"id": row[0], "name": row[1], "native_name": row[2], "state": row[3],
                   "version": row[4], "flagged": bool(row[5]), "opened_on": row[6],
                   "policy": row[7]}

    def case_rows(self) -> Iterator[Case]:
        for row in self._stream(f"SELECT {_CASE_COLUMNS} FROM cases ORDER BY id"):
            yield _case(row)

    def case_records(self, cases: tuple[int, int] | None = None) -> Iterator[dict[str, Any]]:
        keys = ("id", "state", "version", "name", "native_name", "facts", "flagged",
                "opened_on", "updated_at", "policy")
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

    def _current_head(self) -> tuple[int, str, str]:
        """(seq, hash, recorded_at) of the trail's last row, cached while no one else wrote."""
        if self._head is None:
            row = self._one("SELECT seq, hash, recorded_at FROM audit ORDER BY seq DESC LIMIT 1")
            self._head = (row[0], row[1], row[2]) if row else (0, GENESIS, "")
        return self._head

    def last_recorded_at(self) -> str:
        return self._current_head()[2]

    def append(self, rows: list[dict[str, Any]], sign: Sign) -> list[int]:
        if not self.conn.in_transaction:
            raise StoreError("append() outside a write transaction")
        import hashlib

        seq, prev, recorded = self._current_head()
        values, seqs = [], []
        for row in rows:
            seq += 1
            full = {**row, "seq": seq, "prev_hash": prev}
            data = canonical_bytes(full)
            prev = full["hash"] = hashlib.sha256(data).hexdigest()
            full["signature"] = sign(data)
            values.append([full.get(c) for c in _AUDIT_COLUMNS])
            seqs.append(seq)
            recorded = max(recorded, str(full["recorded_at"]))
        with _converted(self.path):
            self.conn.executemany(_INSERT_AUDIT, values)
        self._head = (seq, prev, recorded)
        return seqs

    def load_trail(self, rows: Iterable[dict[str, Any]]) -> int:
        if not self.conn.in_transaction:
            raise StoreError("load_trail() outside a write transaction")
        count = 0
        for chunk, head in trail_chunks(rows, self._current_head(), _AUDIT_COLUMNS, self.path):
            count += self._insert_audit(chunk)
            self._head = head
        return count

    def _insert_audit(self, values: list[list[Any]]) -> int:
        with _converted(self.path):
            self.conn.executemany(_INSERT_AUDIT, values)
        return len(values)

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
        return int(self._one("SELECT coalesce(max(group_id), 0) + 1 FROM audit "
                             "WHERE group_id IS NOT NULL")[0])

    def get_group(self, group_id: int) -> dict[str, Any] | None:
        """One applied group, from its rows of the trail (the view VIEW_groups reads
        the same)."""
        trigger = self._group_trigger()
        names = [p.name for p in trigger.params]
        given = ", ".join(f"json_extract(given, '$.{ident(n)}')" for n in [*names, "note"])
        row = self._one(
            f"SELECT group_id, at, actor, json_group_array(case_id), {given} FROM (SELECT * "
            "FROM audit WHERE group_id = ? AND outcome = 'applied' AND trigger = ? "
            "ORDER BY seq) GROUP BY group_id", (group_id, trigger.name))
        if row is None:
            return None
        values = dict(zip([*names, "note"], row[4:]))
        return {"id": row[0], "at": row[1], **{n: values[n] for n in names}, "officer": row[2],
                "case_ids": loads(row[3]), "note": values["note"]}

    def request_rows(self, request_id: str) -> list[dict[str, Any]]:
        """The rows a command given this retry key wrote (none: a new request)."""
        return list(self.audit(request_id=request_id))

    def last_event_date(self, case_id: int) -> str | None:
        """The latest event date recorded for the case, applied or refused."""
        return self._one("SELECT max(at) FROM audit WHERE case_id = ?", (case_id,))[0]

    def first_row(self) -> dict[str, Any] | None:
        return self.audit_row(1)

    def schema_problems(self) -> list[str]:
        """Every table, view, index or trigger whose SQL differs from what this code
        creates, or that this code does not create at all (a planted trigger)."""
        return schema.differences(self.conn, self.catalogue)

    def upgrade_schema(self) -> list[str]:
        if not self._depth:
            raise StoreError("upgrade_schema is called inside write()")
        if not self.upgrading:
            raise StoreError(f"{self.path} was not opened to be upgraded")
        steps = schema.pending(self.conn)
        with _converted(self.path):
            schema.apply(self.conn, self.catalogue)
        self.schema_version = schema.SCHEMA_VERSION
        return steps


def _audit_where(filters: Mapping[str, Any]) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    simple = {"case_id": "case_id = ?", "actor": "actor = ?", "trigger": "trigger = ?",
              "outcome": "outcome = ?", "since": "at >= ?", "until": "at <= ?",
              "group_id": "group_id = ?", "after_seq": "seq > ?", "request_id": "request_id = ?"}
    for key, clause in simple.items():
        if filters.get(key) is not None:
            where.append(clause)
            params.append(filters[key])
    if filters.get("clause"):
        where.append("EXISTS (SELECT 1 FROM json_each(audit.clauses) WHERE value = ?)")
        params.append(filters["clause"])
    return where, params
