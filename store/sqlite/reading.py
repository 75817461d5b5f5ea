"""What a reader asks of the trail as a whole: the documents cited, and each case's span.

Both read the audit trail only (no policy's words): ``sources`` the ``source`` option every
event takes (``workflow.office.SOURCE``), kept in the row's ``given`` and so signed;
``case_spans`` each case's first and last event dates, for a picture of cases over time.
"""

from __future__ import annotations

from typing import Any, Iterator

from .connection import SQLiteConnection

_SOURCE = "json_extract(given, '$.source')"


class SQLiteReading(SQLiteConnection):
    """The reading room's questions (a base of SQLiteStore)."""

    def sources(self) -> Iterator[dict[str, Any]]:
        """One entry per document cited, in the order of its text, with the events that
        rest on it in seq order: seq, case_id, at, trigger, outcome."""
        current: dict[str, Any] | None = None
        for source, seq, case_id, at, trigger, outcome in self._stream(
                f"SELECT {_SOURCE}, seq, case_id, at, trigger, outcome FROM audit "
                f"WHERE {_SOURCE} IS NOT NULL ORDER BY 1, seq"):
            if current is None or current["source"] != source:
                if current is not None:
                    yield current
                current = {"source": source, "events": []}
            current["events"].append({"seq": seq, "case_id": case_id, "at": at,
                                      "trigger": trigger, "outcome": outcome})
        if current is not None:
            yield current

    def case_spans(self) -> Iterator[dict[str, Any]]:
        """Every case with events, in id order: its names, state, first and last event
        dates and how many events it has (applied or refused)."""
        keys = ("id", "name", "native_name", "state", "first_at", "last_at", "events")
        for row in self._stream(
                "SELECT c.id, c.name, c.native_name, c.state, min(a.at), max(a.at), count(*) "
                "FROM cases AS c JOIN audit AS a ON a.case_id = c.id "
                "GROUP BY c.id ORDER BY c.id"):
            yield dict(zip(keys, row))
