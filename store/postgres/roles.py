"""The roles: the server keeps the trail append-only and the schema its owner's.

How an office sets up its roles (once, as a superuser or a role with CREATEROLE)::

    CREATE ROLE crossings_owner LOGIN PASSWORD '...';       -- runs init and upgrade
    CREATE DATABASE crossings OWNER crossings_owner;
    CREATE ROLE crossings_clerk NOLOGIN;                     -- what clerks may do
    CREATE ROLE clerk_kim LOGIN PASSWORD '...' IN ROLE crossings_clerk;  -- one a clerk

    crossings init --admin NAME --db postgresql://crossings_owner@server/crossings

``init`` (and ``upgrade``) create the schema ``crossings`` owned by the connecting role,
and grant the clerk role (``clerk_role`` option, default ``crossings_clerk``; created
NOLOGIN if missing and the owner may create roles) only what commands need: USAGE on the
schema, SELECT on every table and view, INSERT on the audit trail (never UPDATE, DELETE
or TRUNCATE: BEFORE triggers refuse those even to the owner, short of dropping them,
which the schema check reports), INSERT and UPDATE on cases and settings, INSERT on
actors and UPDATE of ``retired_at`` only, INSERT and DELETE on the name index. No role but the owner
may CREATE in the schema. The report counts are kept by a SECURITY DEFINER trigger
function, so clerks hold no grant on the count tables but SELECT.

Clerks connect as their own login roles, by URL (``postgresql://clerk_kim@server/crossings``)
or by a service of ``~/.pg_service.conf`` (``postgresql:///?service=crossings``); the
password from ``~/.pgpass`` and TLS from libpq's own settings (``sslmode=verify-full``).
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

from workflow import StoreError

DEFAULT_CLERK = "crossings_clerk"

# table -> the privileges clerks hold on it beyond SELECT (every table and view)
CLERK_WRITES: dict[str, tuple[str, ...]] = {
    "audit": ("INSERT",),
    "cases": ("INSERT", "UPDATE"),
    "actors": ("INSERT", "UPDATE (retired_at)"),  # retiring; never a role or a key
    "settings": ("INSERT", "UPDATE"),
    "case_names": ("INSERT", "DELETE"),
}
DEFINERS = ("audit_count()",)  # run as the owner: no one calls them but their trigger


def ensure_clerk_role(conn: Any, role: str, where: str) -> None:
    """Create the clerk role NOLOGIN if it is missing and the owner may create roles
    (outside any transaction: a role belongs to the whole cluster)."""
    if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
        return
    can = conn.execute("SELECT rolcreaterole OR rolsuper FROM pg_roles "
                       "WHERE rolname = current_user").fetchone()
    if not can or not can[0]:
        raise StoreError(f"{where}: the clerk role {role} does not exist and this role may "
                         f"not create it (an administrator runs: CREATE ROLE {role} NOLOGIN)")
    try:
        conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
    except psycopg.errors.DuplicateObject:
        pass  # another init created it meanwhile
    except psycopg.errors.UniqueViolation:
        pass


def grant(conn: Any, schema: str, clerk: str) -> None:
    """The grants of the schema, written again after every migration: what was granted
    before is revoked first, so the grants are exactly these."""
    role = sql.Identifier(clerk)
    conn.execute(f"REVOKE ALL ON SCHEMA {schema} FROM PUBLIC")
    conn.execute(sql.SQL(f"GRANT USAGE ON SCHEMA {schema} TO {{}}").format(role))
    conn.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM PUBLIC")
    conn.execute(sql.SQL(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {{}}").format(role))
    conn.execute(sql.SQL(f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {{}}").format(role))
    for table, privileges in CLERK_WRITES.items():
        conn.execute(sql.SQL(f"GRANT {', '.join(privileges)} ON {table} TO {{}}").format(role))
    for function in DEFINERS:
        conn.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
    conn.execute("DELETE FROM server_roles")
    conn.execute("INSERT INTO server_roles (kind, role) VALUES ('clerk', %s)", (clerk,))
