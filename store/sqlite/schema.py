"""The SQLite schema: generic tables, and the views and report indexes a policy asks for.

The tables (cases, actors with their public keys, settings, the signed audit trail, the
report counts) are the same for every policy; a retried request is found by its
``request_id`` on the trail itself, so no record outside the chain says what it did. The
readers' views (timelines, open cases with their facts as columns, refusals, groups,
name lists) and the report indexes are written here from what the policy table declares
(``workflow.queries``): no policy's words are spelled out in this module.
``SCHEMA_VERSION`` is also written to ``PRAGMA user_version``, so opening an up-to-date
database checks one integer and never imports sqlite-utils (its import costs about 75
ms, more than a read command's whole budget).
"""

from __future__ import annotations

from typing import Any

from workflow import Policy
from workflow.queries import Count, LatestField

from .reports import index_statements, sql_text, summary_indexes

SCHEMA_VERSION = 5
EARLIEST = 5  # schemas before this one (unsigned chains, formats 1 and 2) are not read

TABLES = """
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
    folded TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    public_key TEXT NOT NULL,
    added_at TEXT NOT NULL,
    retired_at TEXT
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
    from_state TEXT,
    to_state TEXT,
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
    refused_by TEXT,
    group_id INTEGER,
    request_id TEXT,
    policy TEXT NOT NULL,
    policy_version TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    signature TEXT NOT NULL
) STRICT;
CREATE INDEX audit_case ON audit(case_id, seq);
CREATE INDEX audit_group ON audit(group_id, seq) WHERE group_id IS NOT NULL;
CREATE INDEX audit_request ON audit(request_id, seq) WHERE request_id IS NOT NULL;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
"""

# Counts over the whole trail, kept at write time by triggers on audit, in C and in the
# writer's own transaction, so a summary by month or clause reads a few rows instead of
# every event. ``verify`` recounts them from the trail. Each trigger's body is one line.
_ENTERED = ("NEW.outcome = 'applied' AND NEW.from_state IS NOT NEW.to_state "
            "AND NEW.to_state IS NOT NULL")
COUNTS = f"""
CREATE TABLE report_months (
    month TEXT NOT NULL,
    state TEXT NOT NULL,
    entered INTEGER NOT NULL,
    refused INTEGER NOT NULL,
    PRIMARY KEY (month, state)
) WITHOUT ROWID;
CREATE TABLE report_clauses (
    clause PRIMARY KEY,
    applied INTEGER NOT NULL,
    refused INTEGER NOT NULL,
    cases INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE report_clause_cases (
    case_id INTEGER NOT NULL,
    clause NOT NULL,
    PRIMARY KEY (case_id, clause)
) WITHOUT ROWID;
CREATE TRIGGER audit_count_month AFTER INSERT ON audit WHEN NEW.at IS NOT NULL BEGIN
  INSERT INTO report_months (month, state, entered, refused)
  VALUES (substr(NEW.at, 1, 7), CASE WHEN {_ENTERED} THEN NEW.to_state ELSE '' END,
          {_ENTERED}, NEW.outcome = 'refused')
  ON CONFLICT (month, state) DO UPDATE
  SET entered = entered + excluded.entered, refused = refused + excluded.refused; END;
CREATE TRIGGER audit_count_clause AFTER INSERT ON audit BEGIN
  INSERT INTO report_clauses (clause, applied, refused, cases)
  SELECT value, NEW.outcome = 'applied', NEW.outcome = 'refused', 0
  FROM json_each(NEW.clauses) WHERE true ON CONFLICT (clause) DO UPDATE
  SET applied = applied + excluded.applied, refused = refused + excluded.refused; INSERT
  INTO report_clause_cases (case_id, clause)
  SELECT NEW.case_id, value FROM json_each(NEW.clauses)
  WHERE NEW.case_id IS NOT NULL ON CONFLICT DO NOTHING; END;
CREATE TRIGGER clause_case_counted AFTER INSERT ON report_clause_cases BEGIN
  UPDATE report_clauses SET cases = cases + 1 WHERE clause = NEW.clause; END;
"""

_GENERIC_VIEWS = """
CREATE VIEW case_timeline AS
SELECT a.seq, a.case_id, c.name, c.native_name, a.at, a.actor, a.role, a.trigger, a.outcome,
       a.from_state, a.to_state,
       (SELECT group_concat(value, ', ') FROM json_each(a.clauses)) AS clauses,
       a.reason, a.group_id, a.recorded_at
FROM audit AS a LEFT JOIN cases AS c ON c.id = a.case_id
WHERE a.case_id IS NOT NULL
ORDER BY a.case_id, a.seq;

CREATE VIEW refusals AS
SELECT a.seq, a.case_id, c.name, a.at, a.actor, a.role, a.trigger, a.from_state AS state,
       (SELECT group_concat(value, ', ') FROM json_each(a.clauses)) AS clauses,
       a.reason, a.group_id, a.recorded_at
FROM audit AS a LEFT JOIN cases AS c ON c.id = a.case_id
WHERE a.outcome = 'refused'
ORDER BY a.seq;
"""


def _fact(path: str, column: str = "facts", alias: str = "") -> str:
    return f"json_extract({alias}{column}, '$.{path}')"


def _fact_columns(facts: tuple[str, ...], alias: str = "") -> list[str]:
    return [f"{_fact(name, alias=alias)} AS {name}" for name in facts]


def _count(column: Count | LatestField) -> str:
    if isinstance(column, LatestField):
        return f"{_fact(f'{column.entries}[#-1].{column.field}')} AS {column.name}"
    if column.field is None:
        return f"coalesce(json_array_length(facts, '$.{column.entries}'), 0) AS {column.name}"
    test = (f"json_extract(value, '$.{column.field}') IS NULL" if column.value is None else
            f"json_extract(value, '$.{column.field}') = {sql_text(column.value)}")
    return (f"(SELECT count(*) FROM json_each(facts, '$.{column.entries}') WHERE {test}) "
            f"AS {column.name}")


def open_cases_view(policy: Policy) -> str:
    """Cases not in a terminal state, their facts and the policy's counts as columns."""
    columns = ["id AS case_id", "name", "native_name", "state", "flagged", "opened_on",
               *_fact_columns(policy.column_facts()), *(_count(c) for c in policy.view_counts)]
    terminal = ", ".join(sql_text(s) for s in sorted(policy.terminal)) or "NULL"
    return (f"CREATE VIEW open_cases AS\nSELECT {', '.join(columns)}\nFROM cases\n"
            f"WHERE state NOT IN ({terminal})\nORDER BY id;")


def group_views(policy: Policy) -> list[str]:
    """Each group trigger's groups (one row a group) and members (one row a person)."""
    out = []
    for trigger in policy.triggers:
        if trigger.group is None:
            continue
        name = trigger.group.view
        given = [f"{_fact(p.name, 'given', 'a.')} AS {p.name}" for p in trigger.params]
        note = f"{_fact('note', 'given', 'a.')} AS note"
        applied = (f"a.trigger = {sql_text(trigger.name)} AND a.outcome = 'applied' "
                   "AND a.group_id IS NOT NULL")
        out.append(
            f"CREATE VIEW {name}_groups AS\nSELECT a.group_id AS id, a.at, {', '.join(given)}, "
            f"a.actor AS officer,\n       json_group_array(a.case_id) AS case_ids, {note}\n"
            f"FROM (SELECT * FROM audit WHERE group_id IS NOT NULL ORDER BY group_id, seq) AS a\n"
            f"WHERE {applied}\nGROUP BY a.group_id\nORDER BY a.group_id;")
        out.append(
            f"CREATE VIEW {name}s AS\nSELECT a.group_id, a.at, {', '.join(given)}, "
            f"a.actor AS officer, {note},\n"
            f"       row_number() OVER (PARTITION BY a.group_id ORDER BY a.seq) AS position,\n"
            f"       c.id AS case_id, c.name, c.native_name, "
            f"{', '.join(_fact_columns(trigger.group.facts, 'c.'))}\n"
            f"FROM audit AS a JOIN cases AS c ON c.id = a.case_id\nWHERE {applied}\n"
            f"ORDER BY a.group_id, a.seq;")
    return out


def name_list_view(policy: Policy) -> list[str]:
    spec = policy.name_list
    if spec is None:
        return []
    record = f"'$.{spec.record}[1].%s'"
    field, value = spec.counted
    dated = "json_extract(value, '$.at') <= a.at"
    count = f"(SELECT count(*) FROM json_each(c.facts, '$.{spec.entries}') WHERE {dated}"
    return [
        f"CREATE VIEW name_list AS\nSELECT json_extract(a.changes, {record % spec.list_field}) "
        f"AS list, a.at AS {spec.on}, a.seq,\n       c.id AS case_id, c.name, c.native_name, "
        f"{', '.join(_fact_columns(spec.facts, 'c.'))},\n"
        f"       {count}) AS {spec.entries},\n"
        f"       {count}\n          AND json_extract(value, '$.{field}') = {sql_text(value)}) "
        f"AS {spec.counted_as},\n"
        f"       json_extract(a.changes, {record % spec.to_field}) AS {spec.to_field}, c.state\n"
        f"FROM audit AS a JOIN cases AS c ON c.id = a.case_id\n"
        f"WHERE a.trigger = {sql_text(spec.trigger)} AND a.outcome = 'applied'\n"
        f"ORDER BY list, a.seq;"]


def table_statements() -> list[str]:
    """The generic tables alone (the benchmark's raw baseline writes to these)."""
    return _split(TABLES)


def statements(policy: Policy) -> list[str]:
    """Every statement that creates the schema for a database of ``policy``."""
    return [*_split(TABLES), *_split(COUNTS), *_split(_GENERIC_VIEWS), open_cases_view(policy),
            *group_views(policy), *name_list_view(policy), *index_statements(policy),
            *summary_indexes(policy)]


def view_names(policy: Policy) -> list[str]:
    names = ["case_timeline", "open_cases", "refusals"]
    for trigger in policy.triggers:
        if trigger.group is not None:
            names += [f"{trigger.group.view}_groups", f"{trigger.group.view}s"]
    return names + (["name_list"] if policy.name_list is not None else [])


def migrations(policy: Policy) -> Any:
    from sqlite_utils import Migrations

    crossings = Migrations("crossings")

    @crossings(name="005_signed_schema")
    def schema(db: Any) -> None:
        for statement in statements(policy):
            db.execute(statement)

    return crossings


def _split(script: str) -> list[str]:
    """Split the script at lines that end in ';' (each trigger's body is one line)."""
    out, buf = [], []
    for line in script.strip().splitlines():
        buf.append(line)
        if line.rstrip().endswith(";"):
            out.append("\n".join(buf).strip())
            buf = []
    return out


def apply(conn: Any, policy: Policy) -> None:
    """Bring the schema up to date inside the caller's write transaction."""
    import sqlite_utils

    db = sqlite_utils.Database(conn, execute_plugins=False, recursive_triggers=False)
    migrations(policy).apply(db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _objects(conn: Any) -> dict[tuple[str, str], str | None]:
    rows = conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
    return {(kind, name): sql for kind, name, sql in rows}


def expected_objects(policy: Policy) -> dict[tuple[str, str], str | None]:
    """Every schema object this code creates for ``policy``, with its SQL."""
    import sqlite3

    fresh = sqlite3.connect(":memory:", isolation_level=None)
    try:
        fresh.execute("BEGIN")
        apply(fresh, policy)
        fresh.execute("COMMIT")
        return _objects(fresh)
    finally:
        fresh.close()


def differences(conn: Any, policy: Policy) -> list[str]:
    """The schema objects of CONN that are not what this code creates: planted, redefined
    or dropped tables, views, indexes and triggers, each named."""
    found, wanted = _objects(conn), expected_objects(policy)
    out = [f"{kind} {name} is not one crossings creates (planted?)"
           for (kind, name) in sorted(set(found) - set(wanted))]
    out += [f"{kind} {name} is missing (dropped?)" for (kind, name) in sorted(set(wanted) - set(found))]
    out += [f"{kind} {name} is defined otherwise than crossings defines it"
            for (kind, name) in sorted(set(found) & set(wanted))
            if found[(kind, name)] != wanted[(kind, name)]]
    return out
