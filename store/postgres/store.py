"""The PostgreSQL store: offices that share one server (issue 13).

The same contract as the SQLite store (``store.base``), with PostgreSQL's statements:
one transaction per command, begun with the writers' advisory lock (``connection``);
a case row updated only at the version it was read at; the audit row appended in the
same transaction; upserts by ``ON CONFLICT``. Every ``psycopg`` error is converted to a
``workflow`` error by its SQLSTATE (``errors``).
"""

from __future__ import annotations

import json
from typing import Any, Callable, Iterable, Iterator, Mapping

from workflow import Actor, Case, Conflict, StoreError
from workflow.audit import FIELDS, GENESIS, canonical_bytes, dumps
from workflow.policy import OPENED_ON
from workflow.values import fold_name

from ..base import Store
from ..common import trail_chunks
from . import catalog, schema
from .connection import PostgresConnection, batch_lost
from ..common import CASE_COLUMNS, case_of, loads
from .errors import converted
from .jsonsql import ident
from .names import PostgresNames
from .reading import PostgresReading
from .reports import PostgresReports

_AUDIT_COLUMNS = (*FIELDS, "hash", "signature")
_AUDIT = ", ".join(_AUDIT_COLUMNS)
Sign = Callable[[bytes], str]
_COPY_AUDIT = f"COPY audit ({_AUDIT}) FROM STDIN"


class PostgresStore(PostgresReports, PostgresReading, PostgresNames, PostgresConnection, Store):
    """PostgreSQL through psycopg 3; the schema through its own numbered steps."""

    # actors and settings ---------------------------------------------------------------

    def get_actor(self, name: str) -> Actor | None:
        folded = fold_name(name)
        actor = self._actors.get(folded)
        if actor is None:
            row = self._one("SELECT name, role, public_key, retired_at FROM actors "
                            "WHERE folded = %s", (folded,))
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
                  "VALUES (%s, %s, %s, %s, %s)",
                  (actor.name, fold_name(actor.name), actor.role, actor.public_key, added_at))

    def retire_actor(self, name: str, retired_at: str) -> None:
        self._actors.pop(fold_name(name), None)
        self._run("UPDATE actors SET retired_at = %s WHERE folded = %s",
                  (retired_at, fold_name(name)))

    def stored_settings(self) -> dict[str, Any]:
        if self._settings is None or not self.in_transaction:
            self._settings = {n: loads(v, f"of setting {n} ")
                              for n, v in self._all("SELECT name, value FROM settings")}
        return dict(self._settings)

    def put_setting(self, name: str, value: Any) -> None:
        self._settings = None
        self._run("INSERT INTO settings AS s (name, value) VALUES (%s, %s) "
                  "ON CONFLICT (name) DO UPDATE SET value = excluded.value", (name, dumps(value)))

    # cases -----------------------------------------------------------------------------

    def next_case_id(self) -> int:
        return int(self._one("SELECT coalesce(max(id), 0) + 1 FROM cases")[0])

    def get_case(self, case_id: int) -> Case | None:
        row = self._one(f"SELECT {CASE_COLUMNS} FROM cases WHERE id = %s", (case_id,))
        return self.read_names(case_of(row)) if row else None

    def get_cases(self, case_ids: Iterable[int]) -> dict[int, Case]:
        ids = list(dict.fromkeys(case_ids))
        found: dict[int, Case] = {}
        for start in range(0, len(ids), 5000):
            chunk = ids[start:start + 5000]
            marks = ", ".join("%s" for _ in chunk)
            for row in self._all(f"SELECT {CASE_COLUMNS} FROM cases WHERE id IN ({marks})",
                                 chunk):
                found[row[0]] = self.read_names(case_of(row))
        return found

    def insert_case(self, case: Case, recorded_at: str) -> None:
        self._run(
            "INSERT INTO cases (id, state, version, name, native_name, facts, flagged, "
            "opened_on, updated_at, policy) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (case.id, case.state, case.version, case.name, case.native_name,
             dumps(case.facts), bool(case.flagged), case.facts.get(OPENED_ON), recorded_at,
             case.policy),
        )
        self.index_new([case])

    def update_cases(self, cases: list[tuple[Case, int]], recorded_at: str) -> None:
        """One statement for the lot (the new values as arrays, unnested): the rows it
        matched counted, so any shortfall is a stale version (every writer holds the
        writers' lock: no one else's update comes between this command's read and it)."""
        if self._aborted is not None and self._depth:
            raise batch_lost(self._aborted)
        columns = list(zip(*[(case.id, expected, case.state, case.version, case.name,
                              case.native_name, dumps(case.facts), bool(case.flagged),
                              case.policy) for case, expected in cases]))
        matched = self._run(
            "UPDATE cases AS c SET state = v.state, version = v.version, name = v.name, "
            "native_name = v.native_name, facts = v.facts, flagged = v.flagged, "
            "updated_at = %s, policy = v.policy FROM unnest(%s::bigint[], %s::bigint[], "
            "%s::text[], %s::bigint[], %s::text[], %s::text[], %s::text[], %s::boolean[], "
            "%s::text[]) AS v(id, expected, state, version, name, native_name, facts, "
            "flagged, policy) WHERE c.id = v.id AND c.version = v.expected",
            (recorded_at, *map(list, columns))).rowcount
        if matched != len(cases):
            case, expected = self._stale(cases)
            raise Conflict(
                f"case {case.id} changed since it was read (expected version {expected}); "
                "nothing was written, try again"
            )
        self.index_changed(cases)

    def _stale(self, cases: list[tuple[Case, int]]) -> tuple[Case, int]:
        for case, expected in cases:
            row = self._one("SELECT version FROM cases WHERE id = %s", (case.id,))
            if row is None or row[0] != case.version:
                return case, expected
        return cases[0]

    def cases(self, state: str | None = None, after: int = 0,
              limit: int | None = None) -> Iterator[dict[str, Any]]:
        where: list[str] = ["id > %s"]
        params: list[Any] = [after]
        if state:
            where.append("state = %s")
            params.append(state)
        sql = (f"SELECT id, name, native_name, state, version, flagged, opened_on, policy "
               f"FROM cases WHERE {' AND '.join(where)} ORDER BY id")
        if limit is not None:
            sql += " LIMIT %s"
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
        where = " WHERE id BETWEEN %s AND %s" if cases else ""
        for row in self._stream(f"SELECT {', '.join(keys)} FROM cases{where} ORDER BY id",
                                cases or None):
            record = dict(zip(keys, row))
            try:
                record["facts"] = json.loads(record["facts"])
            except json.JSONDecodeError:
                record["facts"] = None  # unreadable: verification reports it
            record["flagged"] = bool(record["flagged"])
            yield record

    # audit trail -----------------------------------------------------------------------

    def _current_head(self) -> tuple[int, str, str]:
        """(seq, hash, recorded_at) of the trail's last row: read once per transaction,
        under the writers' lock when writing, so no other clerk's row can follow it."""
        if self._head is None:
            row = self._one("SELECT seq, hash, recorded_at FROM audit ORDER BY seq DESC LIMIT 1")
            self._head = (row[0], row[1], row[2]) if row else (0, GENESIS, "")
        return self._head

    def last_recorded_at(self) -> str:
        if not self.in_transaction:
            self._head = None
        return self._current_head()[2]

    def append(self, rows: list[dict[str, Any]], sign: Sign) -> list[int]:
        if not self._depth or not self.in_transaction:
            raise StoreError("append() outside a write transaction")
        import hashlib  # only when writing (a read command never pays for its import)

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
        self._copy(_COPY_AUDIT, values)  # one statement: the count trigger runs once
        self._head = (seq, prev, recorded)
        return seqs

    def load_trail(self, rows: Iterable[dict[str, Any]]) -> int:
        """The rows as they are, by COPY a chunk (the count trigger runs once a chunk)."""
        if not self._depth or not self.in_transaction:
            raise StoreError("load_trail() outside a write transaction")
        count = 0
        for chunk, head in trail_chunks(rows, self._current_head(), _AUDIT_COLUMNS, self.path):
            self._copy(_COPY_AUDIT, chunk)
            count, self._head = count + len(chunk), head
        return count

    def audit(self, **filters: Any) -> Iterator[dict[str, Any]]:
        where, params = _audit_where(filters)
        sql = f"SELECT {_AUDIT} FROM audit"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY seq"
        if filters.get("limit"):
            sql += " LIMIT %s"
            params.append(int(filters["limit"]))
        for row in self._stream(sql, params):
            yield dict(zip(_AUDIT_COLUMNS, row))

    def audit_stream(self, order: str = "seq",
                     cases: tuple[int, int] | None = None) -> Iterator[dict[str, Any]]:
        by = "case_id, seq" if order == "case" else "seq"
        where = {"case": " WHERE case_id IS NOT NULL", "setup": " WHERE case_id IS NULL"}
        ranged = order == "case" and cases
        clause = " WHERE case_id BETWEEN %s AND %s" if ranged else where.get(order, "")
        sql = f"SELECT {_AUDIT} FROM audit{clause} ORDER BY {by}"
        for row in self._stream(sql, cases if ranged else None):
            yield dict(zip(_AUDIT_COLUMNS, row))

    def audit_links(self) -> Iterator[tuple[Any, ...]]:
        return self._stream("SELECT seq, case_id, prev_hash, hash, recorded_at FROM audit "
                            "ORDER BY seq")

    def audit_row(self, seq: int) -> dict[str, Any] | None:
        row = self._one(f"SELECT {_AUDIT} FROM audit WHERE seq = %s", (seq,))
        return dict(zip(_AUDIT_COLUMNS, row)) if row else None

    def head(self) -> dict[str, Any]:
        row = self._one("SELECT (SELECT count(*) FROM audit), seq, hash FROM audit "
                        "ORDER BY seq DESC LIMIT 1")
        if row is None:
            return {"rows": 0, "seq": 0, "hash": GENESIS}
        return {"rows": int(row[0]), "seq": row[1], "hash": row[2]}

    # handover groups and requests ------------------------------------------------------

    def next_group_id(self) -> int:
        return int(self._one("SELECT coalesce(max(group_id), 0) + 1 FROM audit "
                             "WHERE group_id IS NOT NULL")[0])

    def get_group(self, group_id: int) -> dict[str, Any] | None:
        trigger = self._group_trigger()
        names = [ident(p.name) for p in trigger.params]
        row = self._one(
            "SELECT group_id, (array_agg(at ORDER BY seq))[1], (array_agg(actor ORDER BY "
            "seq))[1], json_agg(case_id ORDER BY seq)::text, (array_agg(given ORDER BY "
            "seq))[1] FROM audit WHERE group_id = %s AND outcome = 'applied' AND trigger = %s "
            "GROUP BY group_id", (group_id, trigger.name))
        if row is None:
            return None
        given = loads(row[4])
        return {"id": row[0], "at": row[1], **{n: given.get(n) for n in names},
                "officer": row[2], "case_ids": loads(row[3]), "note": given.get("note")}

    def request_rows(self, request_id: str) -> list[dict[str, Any]]:
        return list(self.audit(request_id=request_id))

    def last_event_date(self, case_id: int) -> str | None:
        return self._one("SELECT max(at) FROM audit WHERE case_id = %s", (case_id,))[0]

    def first_row(self) -> dict[str, Any] | None:
        return self.audit_row(1)

    def schema_problems(self) -> list[str]:
        """Every table, column, view, index, trigger, function or grant of the schema that
        is not exactly what this code creates, or that it does not create at all."""
        return catalog.differences(self, self.catalogue)

    def upgrade_schema(self) -> list[str]:
        if not self._depth:
            raise StoreError("upgrade_schema is called inside write()")
        if not self.upgrading:
            raise StoreError(f"{self.path} was not opened to be upgraded")
        self._writes += 1
        with converted(self.path):
            steps = schema.apply(self.conn, self.catalogue, self._clerk_of_schema())
        self.schema_version = schema.SCHEMA_VERSION
        return steps

    def _clerk_of_schema(self) -> str:
        row = self._one("SELECT role FROM server_roles WHERE kind = 'clerk'")
        return str(row[0]) if row else self.clerk_role


def _audit_where(filters: Mapping[str, Any]) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    simple = {"case_id": "case_id = %s", "actor": "actor = %s", "trigger": "trigger = %s",
              "outcome": "outcome = %s", "since": "at >= %s", "until": "at <= %s",
              "group_id": "group_id = %s", "after_seq": "seq > %s",
              "request_id": "request_id = %s"}
    for key, clause in simple.items():
        if filters.get(key) is not None:
            where.append(clause)
            params.append(filters[key])
    if filters.get("clause"):
        where.append("audit.clauses::jsonb ? %s")
        params.append(filters["clause"])
    return where, params
