"""The SQLite schema: its tables, and the numbered steps that bring a file up to date.

The tables (cases, actors with their public keys, settings, the signed audit trail, the
report counts) are the same for every policy; a retried request is found by its
``request_id`` on the trail itself, so no record outside the chain says what it did.
The views and report indexes are derived from the policies' declarations (``derived``)
and rewritten after every migration. ``STEPS`` is the numbered list: each step applied
once, in order, in one transaction with the rest, and recorded by sqlite-utils in
``_sqlite_migrations``; ``SCHEMA_VERSION`` is also written to ``PRAGMA user_version``, so
opening an up-to-date database checks one integer and never imports sqlite-utils (its
import costs about 75 ms, more than a read command's whole budget).
"""

from __future__ import annotations

from typing import Any, Callable

from workflow.catalogue import Catalogue

from . import derived, names

SCHEMA_VERSION = 10
EARLIEST = 5  # schemas before this one (unsigned chains, formats 1 and 2) are not read
BASE_INDEXES = {"cases_state", "audit_case", "audit_group", "audit_request", *names.INDEXES}

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

# 006: each case is pinned to the policy it is handled under (id@version); a file of
# schema 5 takes, for each case, the policy of its latest row (former ids resolved).
PINNED = """
ALTER TABLE cases ADD COLUMN policy TEXT NOT NULL DEFAULT '';
"""


def _pin_cases(conn: Any, catalogue: Catalogue) -> None:
    pairs = conn.execute("SELECT DISTINCT policy, policy_version FROM audit "
                         "WHERE case_id IS NOT NULL").fetchall()
    for policy_id, version in pairs:
        key = catalogue.resolve(policy_id, version)
        conn.execute(
            "UPDATE cases SET policy = ? WHERE id IN (SELECT case_id FROM audit AS a "
            "WHERE a.seq = (SELECT max(seq) FROM audit WHERE case_id = a.case_id) "
            "AND a.policy = ? AND a.policy_version = ?)", (key, policy_id, version))


Step = Callable[[Any, Catalogue], None]


def _script(script: str) -> Step:
    def run(conn: Any, catalogue: Catalogue) -> None:
        for statement in derived.split(script):
            conn.execute(statement)
    return run


def _pinned(conn: Any, catalogue: Catalogue) -> None:
    _script(PINNED)(conn, catalogue)
    _pin_cases(conn, catalogue)


def _derived_only(conn: Any, catalogue: Catalogue) -> None:
    """A step whose change is in the derived objects alone (rewritten after every step)."""


# 008: audit.case_id a foreign key to cases.id, so that a reader (Datasette) links each
# event to its case. SQLite adds no constraint to a table in place: the table is made
# anew beside the old one, every row copied as it is (the same values, so every hash and
# signature still holds), the old one dropped (DROP fires no DELETE trigger), and its
# indexes and triggers (append-only, report counts) made again. The views that read it
# are dropped first and rewritten with every derived object after the steps.
def _audit_statements(script: str) -> list[str]:
    return [s for s in derived.split(script)
            if s.startswith(("CREATE TABLE audit ", "CREATE INDEX audit_", "CREATE TRIGGER audit_"))]


LINKED_AUDIT = _audit_statements(TABLES)[0].replace(
    "case_id INTEGER,", "case_id INTEGER REFERENCES cases(id),", 1)


def _linked_audit(conn: Any, catalogue: Catalogue) -> None:
    for (view,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'").fetchall():
        conn.execute(f'DROP VIEW "{view}"')
    conn.execute("ALTER TABLE audit RENAME TO audit_unlinked")
    conn.execute(LINKED_AUDIT)
    conn.execute("INSERT INTO audit SELECT * FROM audit_unlinked ORDER BY seq")
    conn.execute("DROP TABLE audit_unlinked")
    for statement in [*_audit_statements(TABLES)[1:], *_audit_statements(COUNTS)]:
        conn.execute(statement)


def _names(conn: Any, catalogue: Catalogue) -> None:
    """009: the name index (``names``), built for the cases already there."""
    _script(names.SCHEMA)(conn, catalogue)
    names.build(conn)


STEPS: list[tuple[str, Step]] = [
    ("005_signed_schema", _script(TABLES + COUNTS)),
    ("006_pinned_policies", _pinned),
    # 007: version 3's compliance section reads the trail: an index of the rows dated
    # before the policy took effect.
    ("007_policy_versions", _derived_only),
    ("008_reading_room", _linked_audit),
    ("009_names", _names),
    # 010: the name list's rows in its order, and the void rows by case
    # (``reports.name_list_index``): listing 800,000 referrals read the whole trail and
    # sorted it.
    ("010_name_list_index", _derived_only),
]


def table_statements() -> list[str]:
    """The tables as the steps leave them, without the report counts (the benchmark's raw
    baseline writes to these)."""
    tables = [LINKED_AUDIT if s.startswith("CREATE TABLE audit ") else s
              for s in derived.split(TABLES)]
    return [*tables, *derived.split(PINNED)]


def pending(conn: Any) -> list[str]:
    """The steps not yet applied to CONN's file."""
    done = set()
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = '_sqlite_migrations'").fetchone():
        done = {name for (name,) in conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = 'crossings'")}
    return [name for name, _ in STEPS if name not in done]


def migrations(catalogue: Catalogue) -> Any:
    from sqlite_utils import Migrations

    crossings = Migrations("crossings")
    for name, step in STEPS:
        crossings(name=name)(lambda db, step=step: step(db.conn, catalogue))
    return crossings


def apply(conn: Any, catalogue: Catalogue) -> None:
    """Bring the schema up to date inside the caller's write transaction: the pending
    steps, then every derived object rewritten."""
    import sqlite_utils

    db = sqlite_utils.Database(conn, execute_plugins=False, recursive_triggers=False)
    migrations(catalogue).apply(db)
    derived.recreate(conn, catalogue, BASE_INDEXES)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _objects(conn: Any) -> dict[tuple[str, str], str | None]:
    rows = conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
    return {(kind, name): sql for kind, name, sql in rows}


_EXPECTED: dict[tuple[str, ...], dict[tuple[str, str], str | None]] = {}


def expected_objects(catalogue: Catalogue) -> dict[tuple[str, str], str | None]:
    """Every schema object this code creates for CATALOGUE, with its SQL."""
    import sqlite3

    if catalogue.key not in _EXPECTED:
        fresh = sqlite3.connect(":memory:", isolation_level=None)
        try:
            fresh.execute("BEGIN")
            apply(fresh, catalogue)
            fresh.execute("COMMIT")
            _EXPECTED[catalogue.key] = _objects(fresh)
        finally:
            fresh.close()
    return _EXPECTED[catalogue.key]


def differences(conn: Any, catalogue: Catalogue) -> list[str]:
    """The schema objects of CONN that are not what this code creates: planted, redefined
    or dropped tables, views, indexes and triggers, each named."""
    found, wanted = _objects(conn), expected_objects(catalogue)
    out = [f"{kind} {name} is not one crossings creates (planted?)"
           for (kind, name) in sorted(set(found) - set(wanted))]
    out += [f"{kind} {name} is missing (dropped?)" for (kind, name) in sorted(set(wanted) - set(found))]
    out += [f"{kind} {name} is defined otherwise than crossings defines it"
            for (kind, name) in sorted(set(found) & set(wanted))
            if found[(kind, name)] != wanted[(kind, name)]]
    return out
