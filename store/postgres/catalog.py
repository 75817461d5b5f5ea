"""The schema check: every object of the schema described from PostgreSQL's catalogue,
and compared with what this code creates.

:func:`describe` gives each table's columns and constraints, each view's definition, each
index, trigger (and whether it is enabled), rule, function (its definition, owner and
grants) and each relation's owner and grants, normalised by the server itself
(``pg_get_viewdef``, ``pg_get_indexdef``, ``pg_get_triggerdef``, ``pg_get_functiondef``,
``format_type``). The expectation is computed, not stored: on a second connection, a
scratch schema is made in a transaction by the very steps ``init`` runs, described in the
same words, and rolled back (DDL is transactional), so the comparison holds on every
server version and for every catalogue. It needs the CREATE privilege on the database
(the owner has it). A role without it (a clerk) compares with the snapshot of a fresh
init shipped for the server's major version (``snapshots/pgNN.json``; the suite holds it
to a fresh init; written by ``python -m store.postgres URL``).
"""

from __future__ import annotations

import itertools
import json
import os
import re
from pathlib import Path
from contextlib import AbstractContextManager
from typing import Any, Protocol

import psycopg

from workflow.catalogue import Catalogue

from . import schema
from .errors import converted



class PostgresStore(Protocol):
    """What the check needs of the store (``store.PostgresStore``)."""

    path: str
    target: str
    conn: Any

    def _clerk_of_schema(self) -> str: ...
    def _one(self, sql: str, params: Any = None) -> Any: ...
    def read(self) -> AbstractContextManager[Any]: ...

Objects = dict[tuple[str, str], str]
_scratch = itertools.count(1)
_EXPECTED: dict[tuple[Any, ...], Objects] = {}

_RELATIONS = """
SELECT c.relname, c.relkind, pg_get_userbyid(c.relowner), coalesce(c.relacl::text, ''),
       c.relrowsecurity, CASE WHEN c.relkind = 'v' THEN pg_get_viewdef(c.oid, true) END
FROM pg_class AS c WHERE c.relnamespace = to_regnamespace(%(s)s) AND c.relkind <> 'i'
"""
_COLUMNS = """
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       coalesce(pg_get_expr(d.adbin, d.adrelid), ''), coalesce(l.collname, ''), a.attidentity,
       a.attnum
FROM pg_attribute AS a JOIN pg_class AS c ON c.oid = a.attrelid
LEFT JOIN pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_collation AS l ON l.oid = a.attcollation
WHERE c.relnamespace = to_regnamespace(%(s)s) AND c.relkind IN ('r', 'p', 'f')
  AND a.attnum > 0 AND NOT a.attisdropped
"""
_CONSTRAINTS = """
SELECT c.relname || '.' || k.conname, pg_get_constraintdef(k.oid)
FROM pg_constraint AS k JOIN pg_class AS c ON c.oid = k.conrelid
WHERE k.connamespace = to_regnamespace(%(s)s)
"""
_INDEXES = """
SELECT c.relname, pg_get_indexdef(c.oid) FROM pg_class AS c
WHERE c.relnamespace = to_regnamespace(%(s)s) AND c.relkind = 'i'
"""
_TRIGGERS = """
SELECT c.relname || '.' || t.tgname, pg_get_triggerdef(t.oid) || ' ' || t.tgenabled::text
FROM pg_trigger AS t JOIN pg_class AS c ON c.oid = t.tgrelid
WHERE c.relnamespace = to_regnamespace(%(s)s) AND NOT t.tgisinternal
"""
_RULES = """
SELECT c.relname || '.' || r.rulename, pg_get_ruledef(r.oid)
FROM pg_rewrite AS r JOIN pg_class AS c ON c.oid = r.ev_class
WHERE c.relnamespace = to_regnamespace(%(s)s) AND r.rulename <> '_RETURN'
"""
_FUNCTIONS = """
SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
       CASE WHEN p.prokind IN ('f', 'p') THEN pg_get_functiondef(p.oid) ELSE p.prokind::text END
       || ' owner ' || pg_get_userbyid(p.proowner) || ' acl ' || coalesce(p.proacl::text, '')
FROM pg_proc AS p WHERE p.pronamespace = to_regnamespace(%(s)s)
"""
_SCHEMA = """
SELECT n.nspname, pg_get_userbyid(n.nspowner) || ' acl ' || coalesce(n.nspacl::text, '')
FROM pg_namespace AS n WHERE n.nspname = %(s)s
"""
_OWNED = {"grants on", "function", "schema"}  # descriptions naming roles
_KINDS = {"r": "table", "p": "table", "v": "view", "m": "materialized view",
          "S": "sequence", "f": "foreign table", "c": "type"}


def describe(conn: Any, name: str) -> Objects:
    """Every object of schema NAME, with its normalised definition (NAME itself written
    as ``crossings``, so that a scratch schema's description compares with the real)."""
    conn.execute("SELECT set_config('search_path', %s, true)", (f'"{name}"',))
    params = {"s": name}
    out: Objects = {}
    for rel, kind, owner, acl, rls, view in conn.execute(_RELATIONS, params).fetchall():
        label = _KINDS.get(kind, f"relation ({kind})")
        out[(label, rel)] = view or ""
        out[("grants on", rel)] = f"owner {owner} acl {acl} row security {rls}"
    for rel, col, kind, notnull, default, collation, identity, _ in conn.execute(
            _COLUMNS, params).fetchall():
        out[("column", f"{rel}.{col}")] = (f"{kind} not null {notnull} default {default} "
                                           f"collate {collation} identity {identity}")
    queries = [("constraint", _CONSTRAINTS), ("index", _INDEXES), ("trigger", _TRIGGERS),
               ("rule", _RULES), ("function", _FUNCTIONS), ("schema", _SCHEMA)]
    for label, query in queries:
        for key, text in conn.execute(query, params).fetchall():
            out[(label, key)] = text
    if name != schema.SCHEMA:
        out = {(kind, key.replace(name, schema.SCHEMA)): text.replace(name, schema.SCHEMA)
               for (kind, key), text in out.items()}
    return _roles_marked(conn, name, out)


def _roles_marked(conn: Any, name: str, out: Objects) -> Objects:
    """The owner's and the clerk role's names written {owner} and {clerk} in grants and
    ownerships: the schema is what init creates whoever its owner and clerk role are."""
    owner = conn.execute("SELECT pg_get_userbyid(nspowner) FROM pg_namespace "
                         "WHERE nspname = %s", (name,)).fetchone()
    clerk = conn.execute(f'SELECT role FROM "{name}".server_roles WHERE kind = %s',
                         ("clerk",)).fetchone() if (("table", "server_roles") in out) else None
    marks = [(re.escape(role[0]), mark) for role, mark in ((clerk, "{clerk}"), (owner, "{owner}"))
             if role]
    marked = {}
    for (kind, key), text in out.items():
        if kind in _OWNED:
            for role, mark in marks:
                text = re.sub(rf'(?<![\w$"]){role}(?![\w$"])', mark, text)
        marked[(kind, key)] = text
    return marked


def expected_objects(store: PostgresStore, catalogue: Catalogue) -> Objects:
    """What a fresh init on this server, for CATALOGUE, creates: made in a scratch schema
    on a second connection, described, rolled back; for a role that may not create one (a
    clerk), the snapshot shipped for this server's major version. Cached for the process."""
    clerk = store._clerk_of_schema()
    version = int(store._one("SELECT current_setting('server_version_num')")[0])
    key = (catalogue.key, clerk, version)
    if key not in _EXPECTED:
        with converted(store.path):
            try:
                _EXPECTED[key] = fresh_objects(store.target, catalogue, clerk)
            except psycopg.errors.InsufficientPrivilege:
                _EXPECTED[key] = shipped_objects(catalogue, version, store.path)
    return _EXPECTED[key]


def fresh_objects(target: str, catalogue: Catalogue, clerk: str) -> Objects:
    """A fresh init's objects, made in a scratch schema on TARGET's server, rolled back."""
    scratch = f"crossings_expected_{os.getpid()}_{next(_scratch)}"
    with psycopg.connect(target, autocommit=True) as conn:
        conn.execute("BEGIN")
        try:
            schema.apply(conn, catalogue, clerk, scratch)
            return describe(conn, scratch)
        finally:
            conn.execute("ROLLBACK")


SNAPSHOTS = Path(__file__).parent / "snapshots"


def snapshot_path(version: int) -> Path:
    return SNAPSHOTS / f"pg{version // 10000}.json"


def shipped_objects(catalogue: Catalogue, version: int, where: str) -> Objects:
    """The description of a fresh init shipped with this code (``snapshots/pgNN.json``,
    written by :func:`write_snapshot` and held to a fresh init by the suite)."""
    from workflow import StoreError

    path = snapshot_path(version)
    shipped = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    objects = shipped.get(" ".join(catalogue.key))
    if objects is None:
        raise StoreError(f"this role may not create a scratch schema on {where} to compare "
                         f"with, and no snapshot is shipped for PostgreSQL {version // 10000} "
                         "(verify as the owner)")
    return {(kind, key): text for kind, key, text in objects}


def write_snapshot(target: str, catalogue: Catalogue, clerk: str) -> Path:
    """Describe a fresh init on TARGET's server into the shipped snapshot of its version."""
    with psycopg.connect(target, autocommit=True) as conn:
        row = conn.execute("SELECT current_setting('server_version_num')").fetchone()
    path = snapshot_path(int(row[0]) if row else 0)
    shipped = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    objects = fresh_objects(target, catalogue, clerk)
    shipped[" ".join(catalogue.key)] = [[k, n, t] for (k, n), t in sorted(objects.items())]
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(shipped, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def differences(store: PostgresStore, catalogue: Catalogue) -> list[str]:
    """The schema objects that are not what this code creates: planted, redefined or
    dropped tables, columns, views, indexes, triggers, functions and grants, each named."""
    try:
        wanted = expected_objects(store, catalogue)
    except Exception as error:  # noqa: BLE001 - any failure is one problem, named
        return [f"the schema could not be compared with what crossings creates: {error}"]
    with store.read(), converted(store.path):
        found = describe(store.conn, schema.SCHEMA)
        store.conn.execute("SELECT set_config('search_path', %s, true)", (schema.SCHEMA,))
    out = [f"{kind} {name} is not one crossings creates (planted?)"
           for (kind, name) in sorted(set(found) - set(wanted))]
    out += [f"{kind} {name} is missing (dropped?)"
            for (kind, name) in sorted(set(wanted) - set(found))]
    out += [f"{kind} {name} is defined otherwise than crossings defines it"
            for (kind, name) in sorted(set(found) & set(wanted))
            if found[(kind, name)] != wanted[(kind, name)]]
    return out

