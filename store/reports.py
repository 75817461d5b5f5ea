"""Read-only queries behind the reports, name lists and manifests (issue 6).

A mixin of :class:`store.sqlite.SQLiteStore`: SQL stays in ``store/``. The queries read
the views of schema 2 (``store.schema._VIEWS``) where one fits, so the command line and a
Datasette reader see the same rows. The policy's state names come in as arguments, and
the few words of the policy the indexes need come from the policy table through
``store.schema``: no state, purpose or clause is spelled out here.
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence

from .schema import REFERRED, VISITING

_IDENT = re.compile(r"^[a-z][a-z0-9_]*$")


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values) or "NULL"


def _column(name: str) -> str:
    """A state name used as a result column: checked, since it is spliced into SQL."""
    if not _IDENT.match(name):
        raise ValueError(f"not a plain identifier: {name!r}")
    return name


def _dicts(cursor_rows: Iterable[Any], columns: Sequence[str]) -> list[dict[str, Any]]:
    return [dict(zip(columns, row)) for row in cursor_rows]


_HANDOVER_COLUMNS = ("group_id", "at", "crossing_point", "representative", "officer", "note",
                     "position", "case_id", "name", "native_name", "crossed_on", "place",
                     "purpose", "accompanies")
_NAME_LIST_COLUMNS = ("list", "referred_on", "seq", "case_id", "name", "native_name",
                      "crossed_on", "place", "spouse", "attempts", "refusals", "consulate",
                      "state")
_LATE = ("id", "name", "native_name", "state", "since", "due", "days_overdue")


# How many of a case's persuasion attempts were refused. Up to _FEW attempts, by position:
# SQLite parses facts once for all the json_extract calls of a row, where json_each costs
# a virtual table each row (a third of W3's time at 200,000 refusers); beyond, json_each.
_FEW = 6
_REFUSALS = (
    f"CASE WHEN coalesce(json_array_length(facts, '$.attempts'), 0) <= {_FEW} THEN "
    + " + ".join(f"(json_extract(facts, '$.attempts[{i}].outcome') IS 'refused')"
                 for i in range(_FEW))
    + " ELSE (SELECT count(*) FROM json_each(facts, '$.attempts') "
      "WHERE json_extract(value, '$.outcome') = 'refused') END")


class ReportQueries(ABC):
    """The report queries every store answers (part of :class:`store.base.Store`)."""

    @abstractmethod
    def case_ids_like(self, prefix: str, limit: int = 100) -> list[tuple[int, str]]: ...

    @abstractmethod
    def count_cases(self) -> int: ...

    @abstractmethod
    def name_list_rows(self, list_id: str | None = None) -> Iterator[dict[str, Any]]: ...

    @abstractmethod
    def handover_rows(self, group_id: int) -> list[dict[str, Any]]: ...

    @abstractmethod
    def handover_groups_summary(self) -> list[dict[str, Any]]: ...

    @abstractmethod
    def visitors_past(self, as_of: str, days: int,
                      states: Sequence[str]) -> list[dict[str, Any]]: ...

    @abstractmethod
    def referrals_unanswered(self, as_of: str, days: int) -> list[dict[str, Any]]: ...

    @abstractmethod
    def refusers_without_provision(self, states: Sequence[str]) -> list[dict[str, Any]]: ...

    @abstractmethod
    def open_guidance_requests(self) -> list[dict[str, Any]]: ...

    @abstractmethod
    def complaints(self) -> list[dict[str, Any]]: ...

    @abstractmethod
    def count_by_state(self) -> dict[str, tuple[int, int]]: ...

    @abstractmethod
    def count_by_place(self, states: Sequence[str]) -> list[dict[str, Any]]: ...

    @abstractmethod
    def count_by_month(self, states: Sequence[str]) -> list[dict[str, Any]]: ...

    @abstractmethod
    def count_by_clause(self) -> dict[str, tuple[int, int, int]]: ...

    @abstractmethod
    def recount_by_month(self, states: Sequence[str]) -> list[dict[str, Any]]: ...

    @abstractmethod
    def recount_by_clause(self) -> dict[str, tuple[int, int, int]]: ...


class SQLiteReports(ReportQueries):
    """Report queries over the SQLite schema."""

    if TYPE_CHECKING:  # provided by SQLiteStore
        def _all(self, sql: str, params: Iterable[Any] = ()) -> list[Any]: ...
        def _stream(self, sql: str, params: Iterable[Any] = ()) -> Iterator[Any]: ...
        def _one(self, sql: str, params: Iterable[Any] = ()) -> Any: ...

    # -- completion ----------------------------------------------------------------------

    def case_ids_like(self, prefix: str, limit: int = 100) -> list[tuple[int, str]]:
        """Case ids starting with ``prefix`` (shell completion), with each person's name."""
        rows = self._all("SELECT id, name FROM cases WHERE CAST(id AS TEXT) LIKE ? || '%' "
                         "ORDER BY id LIMIT ?", (prefix, limit))
        return [(int(r[0]), str(r[1])) for r in rows]

    # -- name lists and handover manifests ---------------------------------------------

    def name_list_rows(self, list_id: str | None = None) -> Iterator[dict[str, Any]]:
        """Every P3 referral (one row per applied ``refer``), with the case's facts."""
        sql = (f"SELECT {', '.join('n.' + c for c in _NAME_LIST_COLUMNS)}, c.facts "
               "FROM name_list AS n JOIN cases AS c ON c.id = n.case_id")
        params: list[Any] = []
        if list_id is not None:
            sql += " WHERE n.list = ?"
            params.append(list_id)
        sql += " ORDER BY n.list, n.seq"
        for row in self._stream(sql, params):
            out = dict(zip(_NAME_LIST_COLUMNS, row))
            out["facts"] = json.loads(row[-1])
            yield out

    def count_cases(self) -> int:
        return int(self._one("SELECT count(*) FROM cases")[0])

    def handover_rows(self, group_id: int) -> list[dict[str, Any]]:
        """The people of one handover group, in the order they were named."""
        rows = self._all(f"SELECT {', '.join(_HANDOVER_COLUMNS)} FROM handovers "
                         "WHERE group_id = ? ORDER BY position", (group_id,))
        return _dicts(rows, _HANDOVER_COLUMNS)

    def handover_groups_summary(self) -> list[dict[str, Any]]:
        """One row per handover group: date, place, representative, how many, who."""
        columns = ("id", "at", "crossing_point", "representative", "officer", "people", "names")
        rows = self._all(
            "SELECT group_id, at, crossing_point, representative, officer, count(*), "
            "group_concat(name, '; ') FROM (SELECT * FROM handovers ORDER BY group_id, position) "
            "GROUP BY group_id ORDER BY group_id")
        return _dicts(rows, columns)

    # -- overdue (P2, P3) ----------------------------------------------------------------

    def visitors_past(self, as_of: str, days: int, states: Sequence[str]) -> list[dict[str, Any]]:
        """P2 visitors in ``states``, investigated more than ``days`` days before ``as_of``."""
        return self._late(
            "json_extract(facts, '$.investigated_on')",
            f"json_extract(facts, '$.purpose') = '{VISITING}' "
            f"AND state IN ({_marks(states)})", [*states], as_of, days)

    def referrals_unanswered(self, as_of: str, days: int) -> list[dict[str, Any]]:
        """P3 referrals with no consulate reply more than ``days`` days after the referral."""
        return self._late(
            "json_extract(facts, '$.referral.at')",
            f"state = '{REFERRED}' AND json_extract(facts, '$.consulate_reply') IS NULL", [],
            as_of, days, " INDEXED BY cases_unanswered")  # in order, without reading facts

    def _late(self, since: str, where: str, params: list[Any], as_of: str,
              days: int, index: str = "") -> list[dict[str, Any]]:
        sql = (
            f"SELECT id, name, native_name, state, since, date(since, '+' || ? || ' days'), "
            f"CAST(julianday(?) - julianday(since) - ? AS INTEGER) "
            f"FROM (SELECT *, {since} AS since FROM cases{index} WHERE {where}) "
            f"WHERE since IS NOT NULL AND julianday(?) - julianday(since) > ? ORDER BY since, id"
        )
        rows = self._all(sql, [days, as_of, days, *params, as_of, days])
        return _dicts(rows, _LATE)

    # -- compliance (W3, G, W2) ------------------------------------------------------------

    def refusers_without_provision(self, states: Sequence[str]) -> list[dict[str, Any]]:
        """W3: in ``states``, the latest attempt refused, and no food or clothing recorded."""
        columns = ("id", "name", "native_name", "state", "since", "refusals")
        rows = self._all(
            "SELECT id, name, native_name, state, json_extract(facts, '$.attempts[#-1].at'), "
            f"{_REFUSALS} "
            # the partial index cases_refusers (schema 3): in id order, only the refusers
            f"FROM cases INDEXED BY cases_refusers WHERE state IN ({_marks(states)}) "
            "AND json_extract(facts, '$.attempts[#-1].outcome') = 'refused' "
            "AND coalesce(json_array_length(facts, '$.provisions'), 0) = 0 ORDER BY id",
            states)
        return _dicts(rows, columns)

    def open_guidance_requests(self) -> list[dict[str, Any]]:
        """G: every guidance request with no answer recorded."""
        return self._entries("guidance", "json_extract(j.value, '$.answer') IS NULL",
                             "json_extract(j.value, '$.question')")

    def complaints(self) -> list[dict[str, Any]]:
        """W2: every complaint of rude treatment recorded on a case."""
        return self._entries("complaints", "1",
                             "json_extract(j.value, '$.text')")

    def _entries(self, key: str, where: str, detail: str) -> list[dict[str, Any]]:
        columns = ("id", "name", "native_name", "state", "since", "by", "detail")
        rows = self._all(
            "SELECT c.id, c.name, c.native_name, c.state, json_extract(j.value, '$.at'), "
            f"json_extract(j.value, '$.by'), {detail} "
            f"FROM cases AS c JOIN json_each(c.facts, '$.{key}') AS j "
            # the partial index cases_{key} (schema 3): only the cases with an entry
            f"WHERE json_array_length(c.facts, '$.{key}') > 0 AND {where} "
            "ORDER BY c.id, j.key")
        return _dicts(rows, columns)

    # -- summaries -------------------------------------------------------------------------

    def count_by_state(self) -> dict[str, tuple[int, int]]:
        """state -> (cases, flagged cases)."""
        rows = self._all("SELECT state, count(*), sum(flagged) FROM cases GROUP BY state")
        return {r[0]: (int(r[1]), int(r[2] or 0)) for r in rows}

    def count_by_place(self, states: Sequence[str]) -> list[dict[str, Any]]:
        """Per crossing place: cases, and how many stand in each state now."""
        columns = ["place", "cases", *(_column(s) for s in states)]
        counts = ", ".join(f"sum(CASE WHEN state = '{s}' THEN n ELSE 0 END)" for s in columns[2:])
        # The inner query reads the index cases_place only (schema 3), not every case's facts.
        rows = self._all(
            f"SELECT coalesce(place, ''), sum(n), {counts} FROM (SELECT json_extract(facts, "
            "'$.place') AS place, state, count(*) AS n FROM cases GROUP BY 1, 2) "
            "GROUP BY 1 ORDER BY 2 DESC, 1")
        return _dicts(rows, columns)

    def count_by_month(self, states: Sequence[str]) -> list[dict[str, Any]]:
        """Per month of the events' own dates: cases entering each state, and refusals (from
        the counts the triggers of schema 3 keep, not a scan of the trail)."""
        columns = ["month", *(_column(s) for s in states), "refusals"]
        entered = ", ".join(f"sum(CASE WHEN state = '{s}' THEN entered ELSE 0 END)"
                            for s in columns[1:-1])
        rows = self._all(f"SELECT month, {entered}, sum(refused) FROM report_months "
                         "GROUP BY month ORDER BY month")
        return _dicts(rows, columns)

    def count_by_clause(self) -> dict[str, tuple[int, int, int]]:
        """clause -> (applied events, refused events, cases) citing it (kept counts)."""
        rows = self._all("SELECT clause, applied, refused, cases FROM report_clauses")
        return {r[0]: (int(r[1]), int(r[2]), int(r[3])) for r in rows}

    def recount_by_month(self, states: Sequence[str]) -> list[dict[str, Any]]:
        """:meth:`count_by_month` counted from the whole trail (``verify`` compares them)."""
        columns = ["month", *(_column(s) for s in states), "refusals"]
        entered = ", ".join(
            f"sum(outcome = 'applied' AND target = '{s}' AND source IS NOT target)"
            for s in columns[1:-1])
        rows = self._all(
            f"SELECT substr(at, 1, 7), {entered}, sum(outcome = 'refused') FROM audit "
            "WHERE at IS NOT NULL GROUP BY 1 ORDER BY 1")
        return _dicts(rows, columns)

    def recount_by_clause(self) -> dict[str, tuple[int, int, int]]:
        """:meth:`count_by_clause` counted from the whole trail (``verify`` compares them)."""
        rows = self._all(
            "SELECT j.value, sum(a.outcome = 'applied'), sum(a.outcome = 'refused'), "
            "count(DISTINCT a.case_id) FROM audit AS a JOIN json_each(a.clauses) AS j "
            "GROUP BY j.value")
        return {r[0]: (int(r[1]), int(r[2]), int(r[3])) for r in rows}
