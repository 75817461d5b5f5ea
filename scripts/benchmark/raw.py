"""The baseline: raw sqlite3 doing per trigger one SELECT of the case, one UPDATE of its
state and one INSERT of an audit row, with crossings' own schema and pragmas, and what any
correct engine of a signed, chained trail must do per row: a sha256 of a row of the same
size chained to the previous hash, and an Ed25519 signature of it (cryptography's).

The audit rows are the ones crossings writes for workload W (made by the parent with the
engine, passed in a JSON file), so each INSERT is as wide as the engine's.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any


COLUMNS = ("seq", "case_id", "case_version", "trigger", "from_state", "to_state", "outcome",
           "actor", "role", "at", "recorded_at", "given", "changes", "clauses", "guards",
           "reason", "refused_by", "group_id", "request_id", "policy", "policy_version",
           "prev_hash", "hash", "signature")
INSERT_AUDIT = (f"INSERT INTO audit ({', '.join(COLUMNS)}) "
                f"VALUES ({', '.join('?' for _ in COLUMNS)})")


def _schema_statements() -> list[str]:
    """crossings' own DDL for the tables (not the report triggers, views or indexes)."""
    from store.sqlite import schema

    return schema.table_statements()


class Raw:
    def __init__(self, path: str, synchronous: str, template: dict[str, Any]) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, timeout=10)
        for pragma in ("busy_timeout = 10000", "journal_mode = WAL",
                       f"synchronous = {synchronous}"):
            self.conn.execute(f"PRAGMA {pragma}")
        for statement in _schema_statements():
            self.conn.execute(statement)
        self.case = template["case"]
        self.rows = [[row[c] for c in COLUMNS] for row in template["rows"]]
        # The bytes hashed and signed: as long as each row's canonical form.
        self.blobs = [json.dumps(row, sort_keys=True, ensure_ascii=False).encode()
                      for row in template["rows"]]
        self.seq, self.prev = 0, "0" * 64
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        self.key = Ed25519PrivateKey.generate()

    def _audit(self, step: int, case_id: int, version: int) -> None:
        import base64
        import hashlib

        self.seq += 1
        values = list(self.rows[step])
        data = self.prev.encode() + self.blobs[step]
        self.prev = hashlib.sha256(data).hexdigest()
        values[0], values[1], values[2] = self.seq, case_id, version
        values[-3], values[-2] = self.prev, self.prev
        values[-1] = base64.b64encode(self.key.sign(data)).decode()
        self.conn.execute(INSERT_AUDIT, values)

    def open(self) -> int:
        case_id = self.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM cases").fetchone()[0]
        c = self.case
        self.conn.execute(
            "INSERT INTO cases (id, state, version, name, native_name, facts, flagged, "
            "opened_on, updated_at, policy) VALUES (?, 'detained', 1, ?, ?, ?, 0, ?, ?, ?)",
            (case_id, c["name"], c["native_name"], c["facts"], c["opened_on"], c["updated_at"],
             c["policy"]))
        self._audit(0, case_id, 1)
        return int(case_id)

    def step(self, step: int, case_id: int) -> None:
        row = self.conn.execute("SELECT id, state, version, facts FROM cases WHERE id = ?",
                                (case_id,)).fetchone()
        target = self.rows[step][COLUMNS.index("to_state")] or row[1]
        self.conn.execute("UPDATE cases SET state = ?, version = ?, updated_at = ? "
                          "WHERE id = ? AND version = ?",
                          (target, row[2] + 1, self.case["updated_at"], case_id, row[2]))
        self._audit(step, case_id, row[2] + 1)


def _each(conn: sqlite3.Connection, per_trigger: bool, func: Any, *args: Any) -> Any:
    if not per_trigger:
        return func(*args)
    conn.execute("BEGIN IMMEDIATE")
    result = func(*args)
    conn.execute("COMMIT")
    return result


def _workload(raw: Raw, n: int, per_trigger: bool) -> float:
    start = time.perf_counter()
    ids = [_each(raw.conn, per_trigger, raw.open) for _ in range(n)]
    for step in range(1, len(raw.rows)):
        for case_id in ids:
            _each(raw.conn, per_trigger, raw.step, step, case_id)
    return time.perf_counter() - start


def raw_w(path: str, n: int, synchronous: str, template: str) -> dict[str, Any]:
    raw = Raw(path, synchronous, json.loads(Path(template).read_text()))
    seconds = _workload(raw, n, per_trigger=True)
    return {"rate": n * len(raw.rows) / seconds, "seconds": seconds}


def raw_batch(path: str, n: int, template: str) -> dict[str, Any]:
    raw = Raw(path, "FULL", json.loads(Path(template).read_text()))
    start = time.perf_counter()
    raw.conn.execute("BEGIN IMMEDIATE")
    _workload(raw, n, per_trigger=False)
    raw.conn.execute("COMMIT")
    seconds = time.perf_counter() - start
    return {"rate": n * len(raw.rows) / seconds, "seconds": seconds}
