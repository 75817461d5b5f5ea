"""A real PostgreSQL server for the tests: a fresh database per test, dropped after.

The server comes from ``CROSSINGS_TEST_PG``, an admin libpq URL (a superuser, or a role
that may CREATE DATABASE and CREATE ROLE), e.g. ``postgresql://postgres@127.0.0.1:54329/postgres``;
``scripts/test`` sets it when it starts a throwaway cluster. Without it, every test that
asks for these fixtures is skipped, with :data:`NO_SERVER` as the reason.

Fixtures (registered by ``helpers.fixtures``):

* ``pg_admin_url``: the admin URL (session; skips without a server);
* ``pg_worker_database``: this test process's database (session), see below;
* ``pg_database``: the URL of an empty database (per test: no schema but ``public``), as
  the admin role (the owner of what ``init`` creates). Creating a database costs the
  server about a second, so each test process makes one (``pg_worker_database``) and
  every test gets it back emptied: its schemas dropped (or, if a test left a lock
  behind, the database made anew); it is dropped when the session ends;
* ``pg_clerk_url``: a function ``url -> url`` giving the same database as the login role
  ``crossings_test_clerk``, a member of the clerk role ``crossings_clerk`` (session role).
"""

from __future__ import annotations

import itertools
import os
from typing import Callable, Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest

ENV = "CROSSINGS_TEST_PG"
NO_SERVER = ("no PostgreSQL server (set CROSSINGS_TEST_PG; scripts/test starts one when "
             "PostgreSQL's binaries are installed)")
CLERK_ROLE = "crossings_clerk"
CLERK_LOGIN = "crossings_test_clerk"
_numbers = itertools.count(1)


def server_url() -> str | None:
    return os.environ.get(ENV) or None


def with_database(url: str, database: str) -> str:
    """URL naming another database of the same server (and the same user)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


def with_user(url: str, user: str) -> str:
    """URL with another user (no password: the test server trusts local logins)."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, f"{user}@{host}", parts.path, parts.query, parts.fragment))


def _admin(url: str):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(url, autocommit=True)


def create_database(admin_url: str) -> str:
    """A fresh empty database; returns its URL."""
    name = f"crossings_test_{os.getpid()}_{next(_numbers)}"
    with _admin(admin_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    return with_database(admin_url, name)


def drop_database(admin_url: str, url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    with _admin(admin_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    url = server_url()
    if url is None:
        pytest.skip(NO_SERVER)
    return url


def empty(url: str) -> None:
    """Drop every schema of the database but the system's and ``public``."""
    with _admin(url) as conn:
        conn.execute("SET lock_timeout = '5s'")
        for (name,) in conn.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' "
                "AND nspname NOT IN ('public', 'information_schema')").fetchall():
            conn.execute(f'DROP SCHEMA "{name}" CASCADE')


@pytest.fixture(scope="session")
def pg_worker_database(pg_admin_url: str) -> Iterator[list[str]]:
    """This test process's database (a list holding its URL: it may be made anew)."""
    made = [create_database(pg_admin_url)]
    try:
        yield made
    finally:
        drop_database(pg_admin_url, made[0])


@pytest.fixture
def pg_database(pg_admin_url: str, pg_worker_database: list[str]) -> str:
    import psycopg

    try:
        empty(pg_worker_database[0])
    except psycopg.Error:  # a lock left behind: start afresh
        drop_database(pg_admin_url, pg_worker_database[0])
        pg_worker_database[0] = create_database(pg_admin_url)
    return pg_worker_database[0]


def clerk_login(admin_url: str) -> Callable[[str], str]:
    """Make the clerk login role (once for the cluster: roles are not per database); a
    function giving a database's URL as that clerk."""
    import psycopg

    with _admin(admin_url) as conn:
        for role, login in ((CLERK_ROLE, "NOLOGIN"), (CLERK_LOGIN, "LOGIN")):
            try:
                conn.execute(f'CREATE ROLE "{role}" {login}')
            except (psycopg.errors.DuplicateObject, psycopg.errors.UniqueViolation):
                pass
        conn.execute(f'GRANT "{CLERK_ROLE}" TO "{CLERK_LOGIN}"')
    return lambda url: with_user(url, CLERK_LOGIN)


@pytest.fixture(scope="session")
def pg_clerk_url(pg_admin_url: str) -> Callable[[str], str]:
    return clerk_login(pg_admin_url)
