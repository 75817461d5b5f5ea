"""The driver's errors as crossings' own, by SQLite's result code (``sqlite_errorcode``).

:class:`converted` wraps every statement; :func:`translate` is the one place that knows
what each primary result code means for a user. An error the driver raised without a
code (its own checks) is a plain StoreError naming the file.
"""

from __future__ import annotations

import sqlite3
from typing import Any, Callable

from workflow import Conflict, InvalidInput, StoreError

_PRIMARY: dict[int, Callable[[str, str], Exception]] = {
    sqlite3.SQLITE_NOTADB: lambda path, text: StoreError(
        f"{path} is not a crossings database (not an SQLite file)"),
    sqlite3.SQLITE_READONLY: lambda path, text: StoreError(
        f"{path} is read-only: nothing was written"),
    sqlite3.SQLITE_BUSY: lambda path, text: Conflict(
        f"the database {path} stayed busy (another clerk is writing); try again"),
    sqlite3.SQLITE_LOCKED: lambda path, text: Conflict(
        f"the database {path} stayed busy (another clerk is writing); try again"),
    sqlite3.SQLITE_FULL: lambda path, text: StoreError(
        f"no space left for {path}: nothing was written"),
    sqlite3.SQLITE_IOERR: lambda path, text: StoreError(
        f"cannot use {path}: disk I/O error (is the disk full or failing?)"),
    sqlite3.SQLITE_CANTOPEN: lambda path, text: StoreError(f"cannot open {path}: {text}"),
    sqlite3.SQLITE_CORRUPT: lambda path, text: StoreError(f"{path} is corrupt: {text}"),
    # Our statements are fixed: one that fails to prepare means tables or columns are
    # missing, i.e. a file that is not (or no longer) a crossings database.
    sqlite3.SQLITE_ERROR: lambda path, text: StoreError(
        f"{path} is not a crossings database ({text})"),
}
_RAISED = sqlite3.SQLITE_CONSTRAINT_TRIGGER  # RAISE(ABORT, message) of a trigger


def translate(error: sqlite3.Error, path: str) -> Exception:
    text = str(error)
    code = getattr(error, "sqlite_errorcode", None)
    if code is None:
        return StoreError(f"database error on {path}: {text}")
    if code == _RAISED:  # the schema's own words (the audit trail is append-only)
        return StoreError(f"{path}: {text}")
    make = _PRIMARY.get(code & 0xFF)
    if make is None:
        return StoreError(f"database error on {path}: {text}")
    return make(path, text)


class converted:
    """Translate the driver's errors into crossings' own, naming the file. A class, not a
    generator: it wraps every statement, and this costs 0.3 us a use instead of 0.8."""

    __slots__ = ("path",)

    def __init__(self, path: str) -> None:
        self.path = path

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, error: BaseException | None, trace: Any) -> None:
        if isinstance(error, sqlite3.Error):
            raise translate(error, self.path) from error
        if isinstance(error, OverflowError):  # the driver's own: beyond SQLite's 64 bits
            raise InvalidInput(f"a number given is too large (at most {2**63 - 1})") from error
