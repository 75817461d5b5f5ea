"""What a reader asks of the trail as a whole: the documents cited, and each case's span
(``store.sqlite.reading``'s questions, in PostgreSQL's words)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Iterator

_SOURCE = "(given::jsonb ->> 'source') COLLATE \"C\""


class PostgresReading:
    """The reading room's questions (a base of PostgresStore)."""

    if TYPE_CHECKING:
        def _stream(self, sql: str, params: Iterable[Any] | None = None) -> Iterator[Any]: ...

    def sources(self) -> Iterator[dict[str, Any]]:
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
        keys = ("id", "name", "native_name", "state", "first_at", "last_at", "events")
        for row in self._stream(
                "SELECT c.id, c.name, c.native_name, c.state, min(a.at), max(a.at), count(*) "
                "FROM cases AS c JOIN audit AS a ON a.case_id = c.id "
                "GROUP BY c.id ORDER BY c.id"):
            yield dict(zip(keys, row))
