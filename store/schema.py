"""The SQLite schema, as ``sqlite_utils.Migrations``.

``SCHEMA_VERSION`` is also written to ``PRAGMA user_version`` after the migrations run,
so opening an up-to-date database checks one integer and never imports sqlite-utils
(its import costs about 75 ms, more than a read command's whole budget).
"""

from __future__ import annotations

from typing import Any

from workflow.policy import JILIN_1961, PURPOSE

# The policy's words the views and report indexes need, taken from the policy table (the
# SQL is written once, here; store/reports.py uses the same names so that its queries match
# the partial indexes term for term).
TERMINAL_STATES = tuple(s.name for s in JILIN_1961.states if s.terminal)
REFER = JILIN_1961.trigger("refer").name
REFERRED = str(JILIN_1961.trigger("refer").dest)
VISITING = PURPOSE[0]

SCHEMA_VERSION = 3

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
WHERE a.trigger = '{REFER}' AND a.outcome = 'applied'
ORDER BY list, a.seq;
"""
# Schema 3: what the reports need at a million cases (issue 5, target 5). Indexes matching
# the report queries of store/reports.py exactly (same expressions, same WHERE terms), and
# counts over the whole trail kept at write time by triggers on audit, in C and in the
# writer's own transaction, so a summary by month or clause reads a few rows instead of
# every event. The migration fills the counts from the rows already there; ``verify``
# recounts them from the trail. Each trigger's body is one line (see ``_statements``).
_ENTERED = ("NEW.outcome = 'applied' AND NEW.source IS NOT NEW.target "
            "AND NEW.target IS NOT NULL")
_REPORTS = f"""
CREATE INDEX cases_place ON cases(json_extract(facts, '$.place'), state);
CREATE INDEX cases_visitors ON cases(state)
WHERE json_extract(facts, '$.purpose') = '{VISITING}';
CREATE INDEX cases_unanswered ON cases(json_extract(facts, '$.referral.at'), id, name, native_name,
                                    state)
WHERE state = '{REFERRED}' AND json_extract(facts, '$.consulate_reply') IS NULL;
CREATE INDEX cases_refusers ON cases(id, state, name, native_name,
                                  json_extract(facts, '$.attempts[#-1].at'))
WHERE json_extract(facts, '$.attempts[#-1].outcome') = 'refused'
  AND coalesce(json_array_length(facts, '$.provisions'), 0) = 0;
CREATE INDEX cases_guidance ON cases(id) WHERE json_array_length(facts, '$.guidance') > 0;
CREATE INDEX cases_complaints ON cases(id) WHERE json_array_length(facts, '$.complaints') > 0;
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
  VALUES (substr(NEW.at, 1, 7), CASE WHEN {_ENTERED} THEN NEW.target ELSE '' END,
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
_ENTERED_ROW = _ENTERED.replace("NEW.", "")
# The counts of the rows already in the trail (the same rules as the triggers above; each
# new pair of report_clause_cases counts its case through clause_case_counted).
_BACKFILL = f"""
INSERT INTO report_months (month, state, entered, refused)
SELECT substr(at, 1, 7), CASE WHEN {_ENTERED_ROW} THEN target ELSE '' END,
       sum({_ENTERED_ROW}), sum(outcome = 'refused')
FROM audit WHERE at IS NOT NULL GROUP BY 1, 2;
INSERT INTO report_clauses (clause, applied, refused, cases)
SELECT j.value, sum(a.outcome = 'applied'), sum(a.outcome = 'refused'), 0
FROM audit AS a JOIN json_each(a.clauses) AS j GROUP BY j.value;
INSERT INTO report_clause_cases (case_id, clause)
SELECT DISTINCT a.case_id, j.value FROM audit AS a JOIN json_each(a.clauses) AS j
WHERE a.case_id IS NOT NULL;
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

    @crossings(name="003_report_indexes")
    def report_indexes(db: Any) -> None:
        for statement in _statements(_REPORTS) + _statements(_BACKFILL):
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
