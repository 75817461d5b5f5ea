"""The SQLite schema, as ``sqlite_utils.Migrations``.

``SCHEMA_VERSION`` is also written to ``PRAGMA user_version`` after the migrations run,
so opening an up-to-date database checks one integer and never imports sqlite-utils
(its import costs about 75 ms, more than a read command's whole budget).
"""

from __future__ import annotations

from typing import Any

SCHEMA_VERSION = 2

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

# Views for readers (Datasette, any SQLite browser), built with SQLite's JSON functions over
# the tables above. The table of handover groups is already called ``handover_groups``; the
# view of who was in each group, one row per person, is ``handovers``.
TERMINAL_STATES = ("resident", "returned", "prosecuted", "restored", "transferred")

_VIEWS = f"""
CREATE VIEW case_timeline AS
SELECT a.seq, a.case_id, c.name, c.native_name, a.at, a.actor, a.role, a.trigger, a.outcome,
       a.source AS from_state, a.target AS to_state,
       (SELECT group_concat(value, ', ') FROM json_each(a.clauses)) AS clauses,
       a.reason, a.group_id, a.recorded_at
FROM audit AS a LEFT JOIN cases AS c ON c.id = a.case_id
WHERE a.case_id IS NOT NULL
ORDER BY a.case_id, a.seq;

CREATE VIEW open_cases AS
SELECT id AS case_id, name, native_name, state, flagged, opened_on,
       json_extract(facts, '$.crossed_on') AS crossed_on,
       json_extract(facts, '$.place') AS place,
       json_extract(facts, '$.citizenship') AS citizenship,
       json_extract(facts, '$.purpose') AS purpose,
       json_extract(facts, '$.spouse') AS spouse,
       json_extract(facts, '$.investigated_on') AS investigated_on,
       coalesce(json_array_length(facts, '$.attempts'), 0) AS attempts,
       (SELECT count(*) FROM json_each(facts, '$.attempts')
        WHERE json_extract(value, '$.outcome') = 'refused') AS refusals,
       json_extract(facts, '$.attempts[#-1].outcome') AS latest_outcome,
       coalesce(json_array_length(facts, '$.provisions'), 0) AS provisions,
       (SELECT count(*) FROM json_each(facts, '$.guidance')
        WHERE json_extract(value, '$.answer') IS NULL) AS open_guidance
FROM cases
WHERE state NOT IN ({", ".join(f"'{s}'" for s in TERMINAL_STATES)})
ORDER BY id;

CREATE VIEW refusals AS
SELECT a.seq, a.case_id, c.name, a.at, a.actor, a.role, a.trigger, a.source AS state,
       (SELECT group_concat(value, ', ') FROM json_each(a.clauses)) AS clauses,
       a.reason, a.group_id, a.recorded_at
FROM audit AS a LEFT JOIN cases AS c ON c.id = a.case_id
WHERE a.outcome = 'refused'
ORDER BY a.seq;

CREATE VIEW handovers AS
SELECT g.id AS group_id, g.at, g.crossing_point, g.representative, g.officer, g.note,
       j.key + 1 AS position, c.id AS case_id, c.name, c.native_name,
       json_extract(c.facts, '$.crossed_on') AS crossed_on,
       json_extract(c.facts, '$.place') AS place,
       json_extract(c.facts, '$.purpose') AS purpose,
       json_extract(c.facts, '$.accompanies') AS accompanies
FROM handover_groups AS g JOIN json_each(g.case_ids) AS j JOIN cases AS c ON c.id = j.value
ORDER BY g.id, j.key;

CREATE VIEW name_list AS
SELECT json_extract(a.changes, '$.referral[1].list') AS list, a.at AS referred_on, a.seq,
       c.id AS case_id, c.name, c.native_name,
       json_extract(c.facts, '$.crossed_on') AS crossed_on,
       json_extract(c.facts, '$.place') AS place,
       json_extract(c.facts, '$.spouse') AS spouse,
       (SELECT count(*) FROM json_each(c.facts, '$.attempts')
        WHERE json_extract(value, '$.at') <= a.at) AS attempts,
       (SELECT count(*) FROM json_each(c.facts, '$.attempts')
        WHERE json_extract(value, '$.at') <= a.at
          AND json_extract(value, '$.outcome') = 'refused') AS refusals,
       json_extract(a.changes, '$.referral[1].consulate') AS consulate, c.state
FROM audit AS a JOIN cases AS c ON c.id = a.case_id
WHERE a.trigger = 'refer' AND a.outcome = 'applied'
ORDER BY list, a.seq;
"""
VIEWS = ("case_timeline", "open_cases", "refusals", "handovers", "name_list")


def migrations() -> Any:
    from sqlite_utils import Migrations

    crossings = Migrations("crossings")

    @crossings(name="001_initial")
    def initial(db: Any) -> None:
        for statement in _statements(_INITIAL):
            db.execute(statement)

    @crossings(name="002_views")
    def views(db: Any) -> None:
        for statement in _statements(_VIEWS):
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
