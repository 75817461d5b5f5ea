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
from ..common import CASE_COLUMNS, case_of, loads, loads_facts
from .names import NameIndex
from .pending import MAX_AUDIT_ROWS, MAX_CASES, UPDATE_CASE
from .reading import SQLiteReading
from .reports import SQLiteReports, ident

_AUDIT_COLUMNS = (*FIELDS, "hash", "signature")
Sign = Callable[[bytes], str]
_INSERT_AUDIT = (
    f"INSERT INTO audit ({', '.join(_AUDIT_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _AUDIT_COLUMNS)})"
)


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
        # held-back rows never add a case: the file's highest id is the highest
        return int(self._peek("SELECT coalesce(max(id), 0) + 1 FROM cases")[0])

    def get_case(self, case_id: int) -> Case | None:
        held = self._pending.cases.get(case_id)
        if held is not None:
            return _held_case(held[0])
        row = self._peek(f"SELECT {CASE_COLUMNS} FROM cases WHERE id = ?", (case_id,))
        return self._read(case_of(row)) if row else None

    def get_cases(self, case_ids: Iterable[int]) -> dict[int, Case]:
        ids = list(dict.fromkeys(case_ids))
        found: dict[int, Case] = {}
        held = self._pending.cases
        for case_id in [i for i in ids if i in held]:
            found[case_id] = _held_case(held[case_id][0])
        ids = [i for i in ids if i not in held]
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ", ".join("?" for _ in chunk)
            with _converted(self.path):
                rows = self.conn.execute(
                    f"SELECT {CASE_COLUMNS} FROM cases WHERE id IN ({marks})", chunk)
                for row in rows.fetchall():
                    found[row[0]] = self._read(case_of(row))
        return found

    def _read(self, case: Case) -> Case:
        """A case read from the file: its names remembered; in a write, its version."""
        if self._depth:
            self._pending.versions[case.id] = case.version
        return self.read_names(case)

    def insert_case(self, case: Case, recorded_at: str) -> None:
        self._run(
            "INSERT INTO cases (id, state, version, name, native_name, facts, flagged, "
            "opened_on, updated_at, policy) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (case.id, case.state, case.version, case.name, case.native_name,
             dumps(case.facts), int(case.flagged), case.facts.get(OPENED_ON), recorded_at,
             case.policy),
        )  # at once, not held back: a new id is refused here, and held rows add no case
        self.index_new([case])
        self._read(case)

    def update_cases(self, cases: list[tuple[Case, int]], recorded_at: str) -> None:
        """Cases this transaction read are held back (pending.py), each checked now
        against the version it has; others go at once, in one executemany for the lot
        (a group of 10,000 is one statement) whose rowcount sums the rows each UPDATE
        matched, so any shortfall is a stale version."""
        if self._aborted is not None and self._depth:
            raise _batch_lost(self._aborted)
        values = [(case.state, case.version, case.name, case.native_name, dumps(case.facts),
                   int(case.flagged), recorded_at, case.policy, case.id, expected)
                  for case, expected in cases]
        pending = self._pending
        versions = pending.versions
        if self._depth and all(case.id in versions for case, _ in cases):
            for case, expected in cases:
                if versions[case.id] != expected:
                    raise _stale(case.id, expected)
            for (case, _), row in zip(cases, values):
                pending.hold_case(row, case.names())
            if len(pending.cases) >= MAX_CASES:
                self._send()
            return
        self._send()
        self._update(values)
        self.index_changed([(case.id, case.names(), expected) for case, expected in cases])
        if self._depth:
            versions.update((case.id, case.version) for case, _ in cases)

    def _update(self, values: list[tuple[Any, ...]]) -> None:
        with _converted(self.path):
            cursor = self.conn.executemany(UPDATE_CASE, values)
        if cursor.rowcount != len(values):
            raise self._stale_of(values)

    def _stale_of(self, values: list[tuple[Any, ...]]) -> Conflict:
        """The first case whose row the UPDATE did not find at its new version."""
        for row in values:
            found = self._peek("SELECT version FROM cases WHERE id = ?", (row[-2],))
            if found is None or found[0] != row[1]:
                return _stale(row[-2], row[-1])
        return _stale(values[0][-2], values[0][-1])

    def _write_held(self, cases: bool) -> None:
        """Write the held-back case rows, then the audit rows (pending.py)."""
        pending = self._pending
        if cases and pending.cases:
            held = list(pending.cases.values())
            pending.cases.clear()
            self._update([row for row, _ in held])
            self.index_changed([(row[-2], names, row[-1]) for row, names in held])
        if pending.audit:
            self._send_audit()

    def _send_audit(self) -> None:
        pending = self._pending
        values, pending.audit = pending.audit, []
        pending.audit_dates.clear()
        self._insert_audit(values)

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
        for row in self._stream(f"SELECT {CASE_COLUMNS} FROM cases ORDER BY id"):
            yield case_of(row)

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
        pending, seqs = self._pending, []
        for row in rows:
            seq += 1
            full = {**row, "seq": seq, "prev_hash": prev}
            data = canonical_bytes(full)
            prev = full["hash"] = hashlib.sha256(data).hexdigest()
            full["signature"] = sign(data)
            pending.hold_audit([full.get(c) for c in _AUDIT_COLUMNS], full.get("case_id"),
                               full.get("at"))
            seqs.append(seq)
            recorded = max(recorded, str(full["recorded_at"]))
        self._head = (seq, prev, recorded)
        if len(pending.audit) >= MAX_AUDIT_ROWS:
            self._send(cases=False)
        return seqs

    def load_trail(self, rows: Iterable[dict[str, Any]]) -> int:
        if not self.conn.in_transaction:
            raise StoreError("load_trail() outside a write transaction")
        self._send()
        self._pending.dates.clear()  # the loaded rows' dates are not kept: ask the file
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

    def audit_links(self) -> Iterator[tuple[Any, ...]]:
        return self._stream("SELECT seq, case_id, prev_hash, hash, recorded_at FROM audit ORDER BY 1")

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
        """The latest event date recorded for the case, applied or refused (in a write,
        kept for the rest of it: its own rows keep it up to date)."""
        dates = self._pending.dates
        if case_id in dates:
            return dates[case_id]
        found = self._pending.latest(
            case_id, self._peek("SELECT max(at) FROM audit WHERE case_id = ?", (case_id,))[0])
        if self._depth:
            dates[case_id] = found
        return found

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
        self._send()
        steps = schema.pending(self.conn)
        with _converted(self.path):
            schema.apply(self.conn, self.catalogue)
        self.schema_version = schema.SCHEMA_VERSION
        return steps


def _held_case(row: tuple[Any, ...]) -> Case:
    """A held-back case row (UPDATE_CASE's values), read as the file would give it."""
    facts = loads_facts(row[4], f"of case {row[-2]} ")
    return Case(row[-2], row[0], row[1], facts, bool(row[5]), row[7])


def _stale(case_id: int, expected: int) -> Conflict:
    return Conflict(f"case {case_id} changed since it was read (expected version "
                    f"{expected}); nothing was written, try again")


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
