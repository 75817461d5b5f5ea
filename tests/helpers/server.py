"""The PostgreSQL server of the reliability battery: restart it under working clerks.

``scripts/test`` (and ``scripts/stress``) start a throwaway cluster and export its data
directory and ``pg_ctl`` (``CROSSINGS_TEST_PG_DATA``, ``CROSSINGS_TEST_PG_CTL``); a server
given only by URL cannot be restarted from here, and the test that needs it says so.
"""

from __future__ import annotations

import os
import subprocess
import time


def restartable() -> str | None:
    """Why the server cannot be restarted from here (None: it can)."""
    if not os.environ.get("CROSSINGS_TEST_PG_DATA") or not os.environ.get("CROSSINGS_TEST_PG_CTL"):
        return "the PostgreSQL server was not started by scripts/test (no CROSSINGS_TEST_PG_DATA)"
    return None


def restart(after: float = 0.0) -> float:
    """Restart the server (fast shutdown: every session is ended, every open transaction
    rolled back) AFTER seconds from now; returns how long the restart took."""
    time.sleep(after)
    ctl, data = os.environ["CROSSINGS_TEST_PG_CTL"], os.environ["CROSSINGS_TEST_PG_DATA"]
    # -l: the new server's output to the cluster's log, not to pipes this process would
    # wait on for as long as the server runs.
    log = os.path.join(os.path.dirname(data), "server.log")
    command = [ctl, "-D", data, "-l", log, "-m", "fast", "-w", "-t", "60", "restart"]
    if os.geteuid() == 0:  # the cluster belongs to the postgres user (scripts/_postgres.sh)
        command = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{c}'" for c in command)]
    start = time.perf_counter()
    subprocess.run(command, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def admin_url() -> str | None:
    """The server the PostgreSQL tests use: an admin URL (``scripts/test`` sets it)."""
    return os.environ.get("CROSSINGS_TEST_PG") or None


def _with_user_and_db(url: str, user: str | None, database: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    if user is None and "@" in parts.netloc:
        user = parts.netloc.rsplit("@", 1)[0]
    return urlunsplit((parts.scheme, f"{user}@{netloc}" if user else netloc, f"/{database}",
                       parts.query, ""))


def new_database(prefix: str = "reliability") -> str:
    """A new, empty database on the test server; its URL as the admin (the owner)."""
    import uuid

    import psycopg

    admin = admin_url()
    assert admin, "no PostgreSQL server (CROSSINGS_TEST_PG)"
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return _with_user_and_db(admin, None, name)


def drop_database(url: str) -> None:
    import psycopg
    from urllib.parse import urlsplit

    admin = admin_url()
    assert admin
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def clerk_url(url: str, login: str = "clerk_zhao") -> str:
    """URL of URL's database as LOGIN, a login role in the clerk role ``crossings init``
    granted (created here if missing): how a clerk connects in an office."""
    import psycopg
    from psycopg import sql

    from store.postgres.roles import DEFAULT_CLERK

    with psycopg.connect(url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (login,)).fetchone():
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN IN ROLE {}").format(
                sql.Identifier(login), sql.Identifier(DEFAULT_CLERK)))
    return _with_user_and_db(url, login, url.rsplit("/", 1)[1].split("?")[0])
