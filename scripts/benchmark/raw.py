"""The baseline (the limit): raw sqlite3 doing per trigger what any correct engine of a
signed, chained trail must do, with crossings' own statements on crossings' own schema.

* **The same statements.** Per trigger crossings runs (traced by the parent with
  ``set_trace_callback``, see ``workload.template``): ``BEGIN IMMEDIATE``, ``PRAGMA
  data_version``, the SELECT of the case, the SELECT of its latest event date, the
  UPDATE of the case row with its version check, the INSERT of the audit row, ``COMMIT``;
  an opening: the next id, the INSERT of the case, of its two names (one statement), of
  the audit row. The baseline runs those very statements (``STEP``, ``OPEN``; it refuses
  to run if they differ from the traced ones) with values as wide as crossings' (each
  step's case row and audit row, from the template).
* **The same schema.** It starts from a copy of a database crossings made (the template's
  ``schema_db``: every table, index and trigger, the report counts and the name index's
  FTS5 triggers included, the bench's actors), with the same pragmas.
* **The same proof.** A sha256 over the previous hash and a row of the canonical row's
  size, and an Ed25519 signature of the same bytes by the signer crossings uses
  (``crossings.keys.PrivateKey``: libsodium's), in base64 as stored.

What it leaves out is crossings' own work: validating input, deciding, evaluating
guards, encoding the facts, changes and guards, building the canonical row. The ratio
crossings : baseline measures that overhead.
"""

from __future__ import annotations

import hashlib
import json
import re
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
NEXT_ID = "SELECT coalesce(max(id), 0) + 1 FROM cases"
INSERT_CASE = ("INSERT INTO cases (id, state, version, name, native_name, facts, flagged, "
               "opened_on, updated_at, policy) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
INSERT_NAMES = ("INSERT INTO case_names (case_id, field, name, folded, key, squashed) "
                "VALUES (?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?)")  # a case's two names
SELECT_CASE = "SELECT id, state, version, facts, flagged, policy FROM cases WHERE id = ?"
LATEST = "SELECT max(at) FROM audit WHERE case_id = ?"
UPDATE_CASE = ("UPDATE cases SET state = ?, version = ?, name = ?, native_name = ?, "
               "facts = ?, flagged = ?, updated_at = ?, policy = ? WHERE id = ? AND version = ?")
BEGIN, CHECK, COMMIT = "BEGIN IMMEDIATE", "PRAGMA data_version", "COMMIT"
OPEN = [BEGIN, CHECK, NEXT_ID, INSERT_CASE, INSERT_NAMES, INSERT_AUDIT, COMMIT]
STEP = [BEGIN, CHECK, SELECT_CASE, LATEST, UPDATE_CASE, INSERT_AUDIT, COMMIT]
_LITERAL = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b|\bNULL\b")


def describe() -> str:
    """What the baseline does per trigger, for the table."""
    return ("per trigger: BEGIN IMMEDIATE, PRAGMA data_version, SELECT case, SELECT its "
            "latest date, UPDATE case WHERE id AND version, INSERT audit, COMMIT "
            "(crossings' own statements, traced), on crossings' schema with its indexes and "
            "triggers; sha256 + Ed25519 of a row of the canonical row's size")


def check_statements(traced: list[list[str]]) -> None:
    """Refuse to measure a baseline that runs other statements than crossings does."""
    ours = [OPEN, *[STEP] * (len(traced) - 1)]
    for step, (mine, theirs) in enumerate(zip(ours, traced)):
        shaped = [_LITERAL.sub("?", sql) for sql in mine]
        if shaped != theirs:
            raise SystemExit(f"the baseline's statements for step {step} are not crossings':"
                             f"\n  baseline:  {shaped}\n  crossings: {theirs}")


class Raw:
    def __init__(self, path: str, synchronous: str, template: dict[str, Any]) -> None:
        check_statements(template["statements"])
        source = sqlite3.connect(template["schema_db"])
        self.conn = sqlite3.connect(path, isolation_level=None, timeout=10)
        source.backup(self.conn)
        source.close()
        for pragma in ("busy_timeout = 10000", "journal_mode = WAL",
                       f"synchronous = {synchronous}"):
            self.conn.execute(f"PRAGMA {pragma}")
        self.cases = template["cases"]
        self.rows = [[row[c] for c in COLUMNS] for row in template["rows"]]
        # The bytes hashed and signed: as long as each row's canonical form.
        self.blobs = [json.dumps({k: v for k, v in row.items() if k not in ("hash", "signature")},
                                 sort_keys=True, ensure_ascii=False,
                                 separators=(",", ":")).encode()
                      for row in template["rows"]]
        self.seq, self.prev = self.conn.execute(
            "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        from crossings.keys import PrivateKey

        self.key = PrivateKey.generate()  # the signer crossings uses (libsodium's)

    def _audit(self, step: int, case_id: int, version: int) -> None:
        self.seq += 1
        values = list(self.rows[step])
        data = self.prev.encode() + self.blobs[step]
        self.prev = hashlib.sha256(data).hexdigest()
        values[0], values[1], values[2] = self.seq, case_id, version
        values[-3], values[-2] = self.prev, self.prev
        values[-1] = self.key.sign(data)
        self.conn.execute(INSERT_AUDIT, values)

    def open(self) -> int:
        execute = self.conn.execute
        case_id = execute(NEXT_ID).fetchone()[0]
        c, row = self.cases[0], self.rows[0]
        execute(INSERT_CASE, (case_id, row[COLUMNS.index("to_state")], 1, c["name"],
                              c["native_name"], c["facts"], c["flagged"], c["opened_on"],
                              row[COLUMNS.index("recorded_at")], c["policy"]))
        names: list[Any] = []
        for field in ("name", "native_name"):
            name = c[field]  # folded, key and squashed as wide as the name itself
            names += (case_id, field, name, name.lower(), name.lower(), name.replace(" ", ""))
        execute(INSERT_NAMES, names)
        self._audit(0, case_id, 1)
        return int(case_id)

    def step(self, step: int, case_id: int) -> None:
        execute = self.conn.execute
        row = execute(SELECT_CASE, (case_id,)).fetchone()
        execute(LATEST, (case_id,)).fetchone()
        c = self.cases[step]
        target = self.rows[step][COLUMNS.index("to_state")] or row[1]
        execute(UPDATE_CASE, (target, row[2] + 1, c["name"], c["native_name"], c["facts"],
                              c["flagged"], self.rows[step][COLUMNS.index("recorded_at")],
                              c["policy"], case_id, row[2]))
        self._audit(step, case_id, row[2] + 1)


def _each(raw: Raw, per_trigger: bool, func: Any, *args: Any) -> Any:
    """One trigger: in its own transaction (BEGIN IMMEDIATE, PRAGMA data_version, ...,
    COMMIT, as crossings' per command), or inside the batch's."""
    if not per_trigger:
        return func(*args)
    raw.conn.execute(BEGIN)
    raw.conn.execute(CHECK).fetchone()
    result = func(*args)
    raw.conn.execute(COMMIT)
    return result


def _workload(raw: Raw, n: int, per_trigger: bool) -> float:
    start = time.perf_counter()
    ids = [_each(raw, per_trigger, raw.open) for _ in range(n)]
    for step in range(1, len(raw.rows)):
        for case_id in ids:
            _each(raw, per_trigger, raw.step, step, case_id)
    return time.perf_counter() - start


def raw_w(path: str, n: int, synchronous: str, template: str) -> dict[str, Any]:
    raw = Raw(path, synchronous, json.loads(Path(template).read_text()))
    seconds = _workload(raw, n, per_trigger=True)
    return {"rate": n * len(raw.rows) / seconds, "seconds": seconds}


def raw_batch(path: str, n: int, template: str) -> dict[str, Any]:
    """W in one transaction, one UPDATE and one INSERT per event, without a BEGIN, PRAGMA
    and COMMIT of each command's own. crossings' batch sends the same audit rows (one
    executemany per command) but holds its case rows back and writes each case once, at
    its last version, before COMMIT (store/sqlite/pending.py): fewer UPDATEs than this
    baseline runs, which the README's figures say alongside the ratio."""
    raw = Raw(path, "FULL", json.loads(Path(template).read_text()))
    start = time.perf_counter()
    raw.conn.execute(BEGIN)
    raw.conn.execute(CHECK).fetchone()
    _workload(raw, n, per_trigger=False)
    raw.conn.execute(COMMIT)
    seconds = time.perf_counter() - start
    return {"rate": n * len(raw.rows) / seconds, "seconds": seconds}
