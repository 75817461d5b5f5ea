"""What both stores share, no SQL of either: the policy's names and values as they are
spliced into SQL (checked, as they are not bound parameters), and the rows of the name
index (each name folded and keyed once)."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any, Iterable, Iterator, Mapping, Sequence

from workflow import Case, StoreError
from workflow.audit import linked
from workflow.names import searchable

_IDENT = re.compile(r"^[a-z][a-z0-9_]*$")
_PATH = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
MIN_TRIGRAM = 3  # the shortest substring a trigram index serves


def ident(name: str) -> str:
    """A policy's name used as an SQL identifier or column: checked, as it is spliced in."""
    if not _IDENT.match(name):
        raise ValueError(f"not a plain identifier: {name!r}")
    return name


def path(name: str) -> str:
    if not _PATH.match(name):
        raise ValueError(f"not a plain fact path: {name!r}")
    return name


def sql_text(value: Any) -> str:
    """A policy's value as an SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def loads(text: Any, where: str = "") -> Any:
    """A stored JSON value; a damaged one is the database's corruption, one StoreError."""
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        raise StoreError(f"the database is damaged: a stored JSON value {where}cannot be "
                         "read (run crossings verify)") from None


def loads_facts(text: Any, where: str = "") -> dict[str, Any]:
    """A case's stored facts: a JSON object, or the database's corruption (a Case's facts
    are a dict by contract: ``null`` read as none would show an empty case)."""
    facts = loads(text, where)
    if not isinstance(facts, dict):
        raise StoreError(f"the database is damaged: the facts {where}are not a JSON object "
                         "(run crossings verify)")
    return facts


# A case's columns, in the order case_of reads them (every store's table has them).
CASE_COLUMNS = "id, state, version, facts, flagged, policy"


def case_of(row: tuple[Any, ...]) -> Case:
    """A Case from a row of CASE_COLUMNS."""
    return Case(row[0], row[1], row[2], loads_facts(row[3], f"of case {row[0]} "), bool(row[4]),
                row[5])


keyed = lru_cache(maxsize=65_536)(searchable)  # a surname is keyed once, not per case


def rows_of(case_id: int, names: Iterable[tuple[str, str]]) -> list[tuple[Any, ...]]:
    """The index rows of one case's names (each name once per fact)."""
    unique = dict.fromkeys(names)
    return [(case_id, field, name, *keyed(name)) for field, name in unique]


Head = tuple[int, str, str]  # the trail's last seq, its hash, the latest recorded_at


def trail_chunks(rows: Iterable[Mapping[str, Any]], head: Head, columns: Sequence[str],
                 where: str, size: int = 5000) -> Iterator[tuple[list[list[Any]], Head]]:
    """Rows copied from another store (``Store.load_trail``) as lists of column values, in
    chunks of SIZE, each with the head after it; only onto an empty trail, and only as one
    unbroken chain (:func:`workflow.audit.linked`)."""
    seq, prev, recorded = head
    if seq:
        raise StoreError(f"{where} already holds a trail ({seq} rows)")
    chunk: list[list[Any]] = []
    for row in linked(rows, seq, prev):
        chunk.append([row.get(c) for c in columns])
        seq, prev = int(row["seq"]), str(row["hash"])
        recorded = max(recorded, str(row["recorded_at"]))
        if len(chunk) == size:
            yield chunk, (seq, prev, recorded)
            chunk = []
    if chunk:
        yield chunk, (seq, prev, recorded)
