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


def restart_when(url: str, rows: int, timeout: float = 60.0) -> float:
    """Restart the server once the trail at URL has grown by ROWS rows (the clerks are
    mid-run, whatever the machine's speed); returns how long the restart took."""
    import psycopg

    from store.postgres.schema import SCHEMA

    with psycopg.connect(url, autocommit=True) as conn:
        count = f"SELECT count(*) FROM {SCHEMA}.audit"
        start, deadline = conn.execute(count).fetchone()[0], time.monotonic() + timeout
        while conn.execute(count).fetchone()[0] < start + rows and time.monotonic() < deadline:
            time.sleep(0.01)
    return restart()
