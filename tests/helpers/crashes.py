"""Kill a clerk process with SIGKILL at random moments; check the file after each kill.

Used by ``tests/test_crash.py`` (short form) and ``scripts/stress`` (full form). The
clerk is a forked child of this process (crossings is already imported, so a fork costs
milliseconds, not an interpreter start); it opens its own database connection after the
fork and runs :func:`walk.walk` until it is killed. Linux/Unix only.
"""

from __future__ import annotations

import mmap
import os
import random
import signal
import time
from typing import Any

from helpers import walk
from helpers.chain import connect, database_report
from crossings.service import Service


def _child(db: str, seed: int, ready_fd: int, busy: mmap.mmap) -> None:
    """The clerk: never returns (it is killed, or exits on an unexpected error)."""
    code = 70
    try:
        service = Service.open(db)
        rng = random.Random(seed)
        walk.step(service, rng)  # one command done before the kill window opens
        os.write(ready_fd, b"r")

        def mark(flag: bool) -> None:
            busy[0] = 1 if flag else 0

        walk.walk(service, rng, busy=mark)
    except BaseException as error:  # an error no clerk should see: report and stop
        os.write(2, f"clerk died: {type(error).__name__}: {error}\n".encode())
    finally:
        os._exit(code)


def kill_once(db: str, seed: int, delay: float) -> dict[str, Any]:
    """Start a clerk; once it has done one command, let it work for ``delay`` seconds
    more, SIGKILL it, and check the file."""
    busy = mmap.mmap(-1, 1)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(db, seed, write_fd, busy)
    os.close(write_fd)
    started = os.read(read_fd, 1) == b"r"
    os.close(read_fd)
    time.sleep(delay)
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    return {"started": started, "killed": killed, "mid_command": busy[0] == 1,
            **database_report(db)}


def rows(db: str) -> int:
    conn = connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM audit").fetchone()[0])
    finally:
        conn.close()


def run(db: str, kills: int, seed: int = 1961, max_delay: float = 0.03) -> dict[str, Any]:
    """``kills`` clerks killed in turn on one file; the figures of the run."""
    walk.prepare(db)
    rng = random.Random(seed)
    start = time.perf_counter()
    results = [kill_once(db, rng.randrange(2**32), rng.uniform(0, max_delay))
               for _ in range(kills)]
    failed = [r for r in results if r["integrity"] or r["chain"] or r["replay"]]
    first = failed[0] if failed else {}
    return {
        "kills": sum(1 for r in results if r["killed"]),
        "clerks_not_started": sum(1 for r in results if not r["started"]),
        "killed_mid_command": sum(1 for r in results if r["mid_command"]),
        "audit_rows": rows(db),
        "integrity_failures": sum(1 for r in results if r["integrity"]),
        "chain_failures": sum(1 for r in results if r["chain"]),
        "replay_failures": sum(1 for r in results if r["replay"]),
        "first_failure_at_kill": results.index(first) + 1 if failed else None,
        "first_problems": [p for k in ("integrity", "chain", "replay")
                           for p in first.get(k, [])][:5],
        "seconds": round(time.perf_counter() - start, 2),
    }
