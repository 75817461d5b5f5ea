"""The PostgreSQL schema: its tables, and the numbered steps that bring a database up to date.

Everything lives in one PostgreSQL schema, :data:`SCHEMA` (``crossings``), owned by the
role that ran ``crossings init`` (the owner). The tables are SQLite's (cases, actors,
settings, the signed audit trail, the report counts, the name index) with PostgreSQL's
types: JSON columns stay ``text`` holding exactly the bytes crossings wrote, so a row read
back gives the same ``workflow.audit.canonical_bytes`` (hash and signature hold), and
queries cast them with ``::jsonb`` where they look inside. Every text column is
``COLLATE "C"``: ordered by code point, as SQLite orders, whatever the database's locale.

``STEPS`` is the numbered list: each step applied once, in order, inside the caller's
write transaction (DDL is transactional in PostgreSQL: a failed upgrade leaves nothing),
and recorded in ``schema_migrations(version, name, applied_at)``. After the steps, the
derived objects (views, report indexes: ``derived``) and the grants (``roles``) are
written again. The audit table has no foreign key to cases (SQLite's is declared but not
enforced: rows of a case may be copied before it).
"""

from __future__ import annotations

from typing import Any, Callable

from workflow.catalogue import Catalogue

from . import derived, roles

SCHEMA = "crossings"
SCHEMA_VERSION = 3
# the tables' own indexes (kept by a migration; the report indexes are derived)
BASE_INDEXES = {"cases_state", "audit_case", "audit_group", "audit_request", "case_names_case",
               "case_names_folded", "case_names_key"}

TABLES = """
CREATE TABLE schema_migrations (
    version integer PRIMARY KEY,
    name text COLLATE "C" NOT NULL,
    applied_at timestamp with time zone NOT NULL DEFAULT now()
);
CREATE TABLE cases (
    id bigint PRIMARY KEY,
    state text COLLATE "C" NOT NULL,
    version bigint NOT NULL,
    name text COLLATE "C" NOT NULL,
    native_name text COLLATE "C",
    facts text COLLATE "C" NOT NULL,
    flagged boolean NOT NULL DEFAULT false,
    opened_on text COLLATE "C",
    updated_at text COLLATE "C" NOT NULL,
    policy text COLLATE "C" NOT NULL DEFAULT ''
);
CREATE INDEX cases_state ON cases (state, id);
CREATE TABLE actors (
    name text COLLATE "C" PRIMARY KEY,
    folded text COLLATE "C" NOT NULL UNIQUE,
    role text COLLATE "C" NOT NULL,
    public_key text COLLATE "C" NOT NULL,
    added_at text COLLATE "C" NOT NULL,
    retired_at text COLLATE "C"
);
CREATE TABLE settings (
    name text COLLATE "C" PRIMARY KEY,
    value text COLLATE "C" NOT NULL
);
CREATE TABLE audit (
    seq bigint PRIMARY KEY,
    case_id bigint,
    case_version bigint,
    trigger text COLLATE "C" NOT NULL,
    from_state text COLLATE "C",
    to_state text COLLATE "C",
    outcome text COLLATE "C" NOT NULL CHECK (outcome IN ('applied', 'refused')),
    actor text COLLATE "C",
    role text COLLATE "C",
    at text COLLATE "C",
    recorded_at text COLLATE "C" NOT NULL,
    given text COLLATE "C" NOT NULL,
    changes text COLLATE "C" NOT NULL,
    clauses text COLLATE "C" NOT NULL,
    guards text COLLATE "C" NOT NULL,
    reason text COLLATE "C",
    refused_by text COLLATE "C",
    group_id bigint,
    request_id text COLLATE "C",
    policy text COLLATE "C" NOT NULL,
    policy_version text COLLATE "C" NOT NULL,
    prev_hash text COLLATE "C" NOT NULL,
    hash text COLLATE "C" NOT NULL,
    signature text COLLATE "C" NOT NULL
);
CREATE INDEX audit_case ON audit (case_id, seq);
CREATE INDEX audit_group ON audit (group_id, seq) WHERE group_id IS NOT NULL;
CREATE INDEX audit_request ON audit (request_id, seq) WHERE request_id IS NOT NULL;
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql
    SET search_path = {schema}, pg_temp
    AS $$BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END$$;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TABLE server_roles (
    kind text COLLATE "C" PRIMARY KEY,
    role text COLLATE "C" NOT NULL
);
CREATE FUNCTION day_number(day text) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$SELECT CASE WHEN day ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'
    THEN make_date(substr(day, 1, 4)::integer, substr(day, 6, 2)::integer, 1)
         + (substr(day, 9, 2)::integer - 1) - DATE '2000-01-01' END$$;
CREATE FUNCTION day_text(day integer) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$SELECT to_char(DATE '2000-01-01' + day, 'YYYY-MM-DD')$$;
"""

# Counts over the whole trail, kept at write time by a trigger on audit in the writer's
# own transaction (SQLite's audit_count_* triggers): once a statement, over its rows
# (a transition table), so a group's thousands of rows, appended by one COPY, are counted
# by three set-based upserts rather than row by row. The function runs as its owner
# (SECURITY DEFINER, with a fixed search_path so no clerk's objects can stand in for
# ours): clerks need no write grant on the count tables. ``verify`` recounts them.
COUNTS = """
CREATE TABLE report_months (
    month text COLLATE "C" NOT NULL,
    state text COLLATE "C" NOT NULL,
    entered integer NOT NULL,
    refused integer NOT NULL,
    PRIMARY KEY (month, state)
);
CREATE TABLE report_clauses (
    clause text COLLATE "C" PRIMARY KEY,
    applied integer NOT NULL,
    refused integer NOT NULL,
    cases integer NOT NULL
);
CREATE TABLE report_clause_cases (
    case_id bigint NOT NULL,
    clause text COLLATE "C" NOT NULL,
    PRIMARY KEY (case_id, clause)
);
CREATE FUNCTION audit_count() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = {schema}, pg_temp
    AS $$
BEGIN
    INSERT INTO report_months AS r (month, state, entered, refused)
    SELECT substr(n.at, 1, 7), CASE WHEN n.entered THEN n.to_state ELSE '' END,
           count(*) FILTER (WHERE n.entered), count(*) FILTER (WHERE n.outcome = 'refused')
    FROM (SELECT at, to_state, outcome, outcome = 'applied' AND to_state IS NOT NULL
                 AND from_state IS DISTINCT FROM to_state AS entered
          FROM new_rows WHERE at IS NOT NULL) AS n
    GROUP BY 1, 2
    ON CONFLICT (month, state) DO UPDATE
    SET entered = r.entered + excluded.entered, refused = r.refused + excluded.refused;
    WITH added AS (
        INSERT INTO report_clause_cases (case_id, clause)
        SELECT DISTINCT n.case_id, c.clause FROM new_rows AS n
        CROSS JOIN LATERAL jsonb_array_elements_text(n.clauses::jsonb) AS c(clause)
        WHERE n.case_id IS NOT NULL
        ON CONFLICT DO NOTHING RETURNING clause),
    cases AS (SELECT clause, count(*) AS cases FROM added GROUP BY clause),
    events AS (
        SELECT c.clause, count(*) FILTER (WHERE n.outcome = 'applied') AS applied,
               count(*) FILTER (WHERE n.outcome = 'refused') AS refused
        FROM new_rows AS n
        CROSS JOIN LATERAL jsonb_array_elements_text(n.clauses::jsonb) AS c(clause)
        GROUP BY c.clause)
    INSERT INTO report_clauses AS r (clause, applied, refused, cases)
    SELECT e.clause, e.applied, e.refused, coalesce(k.cases, 0)
    FROM events AS e LEFT JOIN cases AS k ON k.clause = e.clause
    ON CONFLICT (clause) DO UPDATE
    SET applied = r.applied + excluded.applied, refused = r.refused + excluded.refused,
        cases = r.cases + excluded.cases;
    RETURN NULL;
END$$;
CREATE TRIGGER audit_count AFTER INSERT ON audit REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_count();
"""

NAMES = """
CREATE TABLE case_names (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id bigint NOT NULL,
    field text COLLATE "C" NOT NULL,
    name text COLLATE "C" NOT NULL,
    folded text COLLATE "C" NOT NULL,
    key text COLLATE "C" NOT NULL,
    squashed text COLLATE "C" NOT NULL
);
CREATE INDEX case_names_case ON case_names (case_id);
CREATE INDEX case_names_folded ON case_names (folded, case_id);
CREATE INDEX case_names_key ON case_names (key, case_id);
"""

Step = Callable[[Any, Catalogue], None]


def split(script: str) -> list[str]:
    """The statements of a script: each ends with a line ending in ';' (a function's
    body, between $$, is one statement whatever its lines)."""
    out, buf, quoted = [], [], False
    for line in script.strip().splitlines():
        buf.append(line)
        quoted ^= line.count("$$") % 2 == 1
        if not quoted and line.rstrip().endswith(";"):
            out.append("\n".join(buf).strip().rstrip(";"))
            buf = []
    return out


def _script(script: str) -> Step:
    def run(conn: Any, catalogue: Catalogue) -> None:
        for statement in split(script):
            conn.execute(statement)
    return run


SCHEMA_MARK = "{schema}"  # replaced by execute(): see ``in_schema``

def _names(conn: Any, catalogue: Catalogue) -> None:
    """003: the name index, built for the cases already there (in chunks)."""
    from .names import build

    _script(NAMES)(conn, catalogue)
    build(conn)


STEPS: list[tuple[int, str, Step]] = [
    (1, "001_tables", _script(TABLES)),
    (2, "002_report_counts", _script(COUNTS)),
    (3, "003_names", _names),
]
assert STEPS[-1][0] == SCHEMA_VERSION


class in_schema:
    """A connection whose statements name the target schema where a script says
    ``{schema}`` (a function's fixed search_path): the real one, or a scratch one."""

    def __init__(self, conn: Any, schema: str) -> None:
        self.conn, self.schema = conn, schema

    def execute(self, sql: str, params: Any = None) -> Any:
        if isinstance(sql, str):
            sql = sql.replace(SCHEMA_MARK, self.schema)
        return self.conn.execute(sql, params)


def installed(conn: Any, schema: str = SCHEMA) -> tuple[bool, int]:
    """(does the schema exist, its highest recorded step: 0 when none)."""
    found = conn.execute("SELECT to_regnamespace(%s) IS NOT NULL, "
                         "to_regclass(%s) IS NOT NULL", (schema, f"{schema}.schema_migrations")
                         ).fetchone()
    if not found[1]:
        return bool(found[0]), 0
    row = conn.execute(f'SELECT coalesce(max(version), 0) FROM "{schema}".schema_migrations'
                       ).fetchone()
    return True, int(row[0])


def made_meanwhile(conn: Any, schema: str = SCHEMA) -> bool:
    """Whether another init made the schema while this one waited for the writers' lock.
    A scan of the catalogue, not ``to_regclass``: the lookup caches may still hold what was
    true when this transaction began, before the other committed."""
    row = conn.execute("SELECT EXISTS (SELECT 1 FROM pg_class AS c JOIN pg_namespace AS n "
                       "ON n.oid = c.relnamespace WHERE n.nspname = %s "
                       "AND c.relname = 'schema_migrations')", (schema,)).fetchone()
    return bool(row[0])


def has_objects(conn: Any, schema: str = SCHEMA) -> bool:
    row = conn.execute("SELECT count(*) FROM pg_class WHERE relnamespace = "
                       "to_regnamespace(%s)", (schema,)).fetchone()
    return bool(row[0])


def pending(conn: Any, schema: str = SCHEMA) -> list[tuple[int, str, Step]]:
    done = installed(conn, schema)[1]
    return [step for step in STEPS if step[0] > done]


def apply(conn: Any, catalogue: Catalogue, clerk_role: str, schema: str = SCHEMA) -> list[str]:
    """Bring SCHEMA up to date inside the caller's transaction: create it if missing, the
    pending steps in order (each recorded), then the derived objects and the grants
    written again. Returns the names of the steps applied."""
    conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    conn.execute("SELECT set_config('search_path', %s, true)", (f'"{schema}"',))
    target = in_schema(conn, f'"{schema}"')
    done = []
    for version, name, step in pending(conn, schema):
        step(target, catalogue)
        conn.execute("INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                     (version, name))
        done.append(name)
    derived.recreate(target, catalogue, BASE_INDEXES)
    roles.grant(target, schema, clerk_role)
    return done
