"""The driver's errors as crossings' own, by SQLSTATE (``psycopg.Error.sqlstate``), never
by the text of a message (which the server words in its own language, ``lc_messages``).

:class:`converted` wraps every statement; :func:`translate` is the one place that knows
what each SQLSTATE means for a user. Every message is one line and names the server by
:func:`display` (the URL without its password).
"""

from __future__ import annotations

import json
from typing import Any, Callable
from urllib.parse import parse_qsl, urlencode, urlsplit

import psycopg

from workflow import Conflict, InvalidInput, NotFound, StoreError

# SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html)
SERIALIZATION_FAILURE = "40001"
DEADLOCK = "40P01"
RETRIED = {SERIALIZATION_FAILURE, DEADLOCK}
LOCK_NOT_AVAILABLE = "55P03"
UNIQUE_VIOLATION = "23505"
RAISED = "P0001"  # RAISE EXCEPTION of a trigger: the schema's own words
NO_DATABASE = "3D000"

_SECRET_KEYS = {"password", "passfile", "sslpassword"}


def display(url: str) -> str:
    """The URL as shown to a user: without its password (in the user part or a query
    parameter), so no message or report ever prints one."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url.partition("://")[0] + "://..."
    netloc = parts.netloc
    if "@" in netloc:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.partition(':')[0]}@{host}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if k.lower() not in _SECRET_KEYS], safe="/:")
    # by hand, not urlunsplit: it drops the "//" of a URL with no host (a service URL)
    shown = f"{parts.scheme}://{netloc}{parts.path}"
    return shown + (f"?{query}" if query else "") + (f"#{parts.fragment}" if parts.fragment else "")


def _first_line(error: BaseException) -> str:
    diag = getattr(error, "diag", None)
    text = (diag.message_primary if diag is not None else None) or str(error)
    return (text.strip().splitlines() or ["(no message)"])[0]


def _busy(where: str, text: str) -> Exception:
    return Conflict(f"the database {where} stayed busy (another clerk is writing); try again")


def _serialisation(where: str, text: str) -> Exception:
    return Conflict(f"the database {where} could not order this command after another "
                    "clerk's; nothing was written, try again")


_BY_STATE: dict[str, Callable[[str, str], Exception]] = {
    SERIALIZATION_FAILURE: _serialisation,
    DEADLOCK: _serialisation,
    LOCK_NOT_AVAILABLE: _busy,
    "57014": lambda where, text: Conflict(  # query_canceled (statement_timeout)
        f"the database {where} took too long to answer ({text}); try again"),
    RAISED: lambda where, text: StoreError(f"{where}: {text}"),
    NO_DATABASE: lambda where, text: NotFound(
        f"no database at {where} ({text}; an administrator creates it with CREATE "
        "DATABASE, then 'crossings init --admin NAME --db URL')"),
    "22003": lambda where, text: InvalidInput(  # numeric_value_out_of_range
        f"a number given is too large (at most {2**63 - 1})"),
    "22021": lambda where, text: InvalidInput(  # character_not_in_repertoire
        f"a text given cannot be stored ({text})"),
    "42501": lambda where, text: StoreError(  # insufficient_privilege: the server's rules
        f"{where}: this role may not do that ({text})"),
    "25006": lambda where, text: StoreError(  # read_only_sql_transaction
        f"{where} is opened read-only: nothing was written"),
    "53100": lambda where, text: StoreError(f"no space left on the server {where}: "
                                            "nothing was written"),
}
_BY_CLASS: dict[str, Callable[[str, str], Exception]] = {
    "08": lambda where, text: StoreError(f"cannot reach the PostgreSQL server {where}: {text}"),
    "28": lambda where, text: StoreError(f"the PostgreSQL server {where} refused the login: "
                                         f"{text}"),
    "42": lambda where, text: StoreError(  # a fixed statement failing: tables missing
        f"{where} is not a crossings database, or this role may not use it ({text})"),
    "57": lambda where, text: StoreError(f"the PostgreSQL server {where} stopped this "
                                         f"command: {text}"),
    "58": lambda where, text: StoreError(f"the PostgreSQL server {where} failed: {text}"),
    "XX": lambda where, text: StoreError(f"{where} is damaged: {text}"),
}


def translate(error: psycopg.Error, where: str) -> Exception:
    text = _first_line(error)
    state = error.sqlstate
    if state is None:  # the driver's own: the connection lost, a NUL byte in a text...
        if isinstance(error, psycopg.OperationalError):
            return StoreError(f"cannot reach the PostgreSQL server {where}: {text}")
        if isinstance(error, psycopg.DataError):
            return InvalidInput(f"a value given cannot be stored: {text}")
        return StoreError(f"database error on {where}: {text}")
    make = _BY_STATE.get(state) or _BY_CLASS.get(state[:2])
    if make is None:
        return StoreError(f"database error on {where}: {text}")
    return make(where, text)


class converted:
    """Translate the driver's errors into crossings' own, naming the server."""

    __slots__ = ("where",)

    def __init__(self, where: str) -> None:
        self.where = where

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, error: BaseException | None, trace: Any) -> None:
        if isinstance(error, psycopg.Error):
            raise translate(error, self.where) from error


def sqlite_value(value: Any) -> Any:
    """A JSON value read with ``#>`` as SQLite's ``json_extract`` gives it: a boolean as
    0 or 1, an array or object as its compact JSON text, a scalar as itself."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value
