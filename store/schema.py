"""The SQLite schema, as ``sqlite_utils.Migrations``.

``SCHEMA_VERSION`` is also written to ``PRAGMA user_version`` after the migrations run,
so opening an up-to-date database checks one integer and never imports sqlite-utils
(its import costs about 75 ms, more than a read command's whole budget).
"""

from __future__ import annotations

from typing import Any

SCHEMA_VERSION = 1

_INITIAL = """
CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    state TEXT NOT NULL,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    native_name TEXT,
    facts TEXT NOT NULL,
    flagged INTEGER NOT NULL DEFAULT 0,
    opened_on TEXT,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX cases_state ON cases(state, id);

CREATE TABLE actors (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    added_at TEXT NOT NULL
) STRICT;

CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE audit (
    seq INTEGER PRIMARY KEY,
    case_id INTEGER,
    case_version INTEGER,
    trigger TEXT NOT NULL,
    source TEXT,
    target TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('applied', 'refused')),
    actor TEXT,
    role TEXT,
    at TEXT,
    recorded_at TEXT NOT NULL,
    given TEXT NOT NULL,
    changes TEXT NOT NULL,
    clauses TEXT NOT NULL,
    guards TEXT NOT NULL,
    reason TEXT,
    group_id INTEGER,
    request_id TEXT,
    policy TEXT NOT NULL,
    policy_version TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
) STRICT;
CREATE INDEX audit_case ON audit(case_id, seq);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;

CREATE TABLE handover_groups (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    crossing_point TEXT NOT NULL,
    representative TEXT NOT NULL,
    officer TEXT NOT NULL,
    case_ids TEXT NOT NULL,
    note TEXT
) STRICT;

CREATE TABLE requests (
    request_id TEXT PRIMARY KEY,
    result TEXT NOT NULL
) STRICT;
"""


def migrations() -> Any:
    from sqlite_utils import Migrations

    crossings = Migrations("crossings")

    @crossings(name="001_initial")
    def initial(db: Any) -> None:
        for statement in _statements(_INITIAL):
            db.execute(statement)

    return crossings


def _statements(script: str) -> list[str]:
    """Split the script at lines that end in ';' (each trigger's body is one line)."""
    out, buf = [], []
    for line in script.strip().splitlines():
        buf.append(line)
        if line.rstrip().endswith(";"):
            out.append("\n".join(buf).strip())
            buf = []
    return out


def apply(conn: Any) -> None:
    """Bring the schema up to date inside the caller's write transaction."""
    import sqlite_utils

    db = sqlite_utils.Database(conn, execute_plugins=False, recursive_triggers=False)
    migrations().apply(db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
