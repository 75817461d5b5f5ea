"""A test double of the *driver's* connection: its k-th statement fails.

``FaultyConnection`` wraps a real ``sqlite3.Connection`` and forwards everything to it,
except that the ``fail_at``-th call to ``execute``/``executemany`` raises the given
``sqlite3`` error instead of running (as SQLite does when a statement fails: the
statement has no effect). Nothing of crossings is replaced: the store runs as shipped,
only the driver under it misbehaves.

    python tests/faulty.py K MESSAGE -- crossings-args...

runs ``crossings.cli.main`` in a process whose ``sqlite3.connect`` returns such a
connection, so the command line can be failed at step K as well; with FAULTY_REPORT set,
it writes there how many statements ran and whether the fault fired.
"""

from __future__ import annotations

import atexit
import json
import os
import sqlite3
import sys
from typing import Any, Iterable

ERRORS = {
    "io": "disk I/O error",
    "locked": "database is locked",
    "full": "database or disk is full",
}
# The result code SQLite gives each of those, as the driver sets it on the error.
CODES = {
    "disk I/O error": (sqlite3.SQLITE_IOERR, "SQLITE_IOERR"),
    "database is locked": (sqlite3.SQLITE_BUSY, "SQLITE_BUSY"),
    "database or disk is full": (sqlite3.SQLITE_FULL, "SQLITE_FULL"),
}


def sqlite_error(message: str) -> sqlite3.OperationalError:
    """The error SQLite's driver raises for MESSAGE, with its result code."""
    error = sqlite3.OperationalError(message)
    error.sqlite_errorcode, error.sqlite_errorname = CODES[message]  # type: ignore[attr-defined]
    return error


class FaultyConnection:
    def __init__(self, conn: sqlite3.Connection, fail_at: int, message: str) -> None:
        self._conn = conn
        self.fail_at = fail_at
        self.message = message
        self.steps = 0
        self.failed_sql: str | None = None

    def _step(self, sql: str) -> None:
        self.steps += 1
        if self.steps == self.fail_at:
            self.failed_sql = sql
            raise sqlite_error(self.message)

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        self._step(sql)
        return self._conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Any]) -> sqlite3.Cursor:
        self._step(sql)
        return self._conn.executemany(sql, rows)

    @property
    def fired(self) -> bool:
        return self.failed_sql is not None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def install(fail_at: int, message: str, report: str | None = None) -> None:
    """Make every new ``sqlite3`` connection of this process a faulty one; at exit,
    write to ``report`` how many statements ran and whether the fault fired."""
    real = sqlite3.connect
    made: list[FaultyConnection] = []

    def connect(*args: Any, **kwargs: Any) -> Any:
        made.append(FaultyConnection(real(*args, **kwargs), fail_at, message))
        return made[-1]

    def write_report() -> None:
        if report:
            with open(report, "w", encoding="utf-8") as out:
                json.dump({"steps": sum(c.steps for c in made),
                           "fired": any(c.fired for c in made)}, out)

    sqlite3.connect = connect  # type: ignore[assignment]  # this process only
    atexit.register(write_report)


def main(argv: list[str]) -> None:
    fail_at, key, separator, *args = argv
    assert separator == "--"
    install(int(fail_at), ERRORS[key], os.environ.get("FAULTY_REPORT"))
    from crossings.cli import main as crossings

    crossings(args)


if __name__ == "__main__":
    main(sys.argv[1:])
