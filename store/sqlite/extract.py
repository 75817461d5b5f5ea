"""Values as SQLite reads them: what a one-path ``json_extract`` returns, and an entry's
date compared as the views compare it, for a query that reads several values at once.

``json_extract`` of one path returns a text, a number or NULL as that SQL value, and a
record, a list or a boolean otherwise than JSON decodes it; a query that reads many paths
in one call gets a JSON array back (one call instead of one a value: each call finds the
document in SQLite's cache of parsed JSON by its whole text and converts its result), and
``as_extracted`` gives each value as the one-path call would have.
"""

from __future__ import annotations

import json
from typing import Any

# The types a one-path json_extract returns as JSON decodes them (a boolean it does not).
READ_AS_IS = frozenset({str, int, float, type(None)})


def as_extracted(value: Any) -> Any:
    """VALUE (decoded from a many-path json_extract) as a one-path json_extract returns
    it: a boolean as 1 or 0, a record or a list as its compact JSON text. Exact for what
    crossings wrote (``workflow.audit.dumps``: compact, no escapes but json's own); a file
    written by hand could differ in how a nested value is spelled (``\u00e9``, ``1.50``)."""
    if type(value) is bool:
        return int(value)
    if type(value) in (dict, list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


def on_or_before(at: Any, day: Any) -> bool:
    """An entry's date on or before DAY, as the views compare them, text against text: a
    missing date is not counted, one that is not text (a damaged file) by its JSON text."""
    if at is None or not isinstance(day, str):
        return False
    return (at if isinstance(at, str) else json.dumps(at)) <= day


def dated(entries: Any, day: Any) -> list[dict[str, Any]]:
    """The entries (a list of records) dated on or before DAY. Every entry a record with a
    text date is the rule, compared directly; anything else (a damaged file) entry by
    entry as ``on_or_before``."""
    if type(entries) is not list:
        return []
    try:
        return [e for e in entries if e["at"] <= day]
    except (TypeError, KeyError):
        return [e for e in entries if type(e) is dict and on_or_before(e.get("at"), day)]
