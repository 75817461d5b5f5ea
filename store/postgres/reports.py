"""Report queries over the PostgreSQL schema, written from the policy's declarations.

A mixin of :class:`store.postgres.PostgresStore`, answering as ``store.sqlite.reports``
does, row for row, in the same order and with the same types. Each report section
becomes one query and one partial index, written by the same helpers so that the query's
terms imply its index's predicate and the planner can use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence

from workflow.catalogue import Catalogue
from workflow.queries import DatedBefore, Entries, Late, LatestWithout, Section

from ..common import loads
from .errors import sqlite_value
from .jsonsql import array_length, elements, ident, path, sql_text, text_at

_C = ' COLLATE "C"'


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("%s" for _ in values) or "NULL"


def _fact(name: str) -> str:
    return text_at("facts", name)


def _one_list(list_id: str | None) -> tuple[str, list[Any]]:
    """The name list queries' condition for one list (none: every list)."""
    return ("", []) if list_id is None else (" WHERE n.list = %s", [list_id])


def _dicts(rows: Iterable[Any], columns: Sequence[str]) -> list[dict[str, Any]]:
    return [dict(zip(columns, row)) for row in rows]


def _late_terms(query: Late) -> list[str]:
    terms = [f"{_fact(p)} = {sql_text(v)}" for p, v in query.where.equals]
    terms += [f"{_fact(p)} IS NULL" for p in query.where.unset]
    if len(query.where.states) == 1:
        terms.append(f"state = {sql_text(query.where.states[0])}")
    elif query.where.states:
        terms.append(f"state IN ({', '.join(sql_text(s) for s in query.where.states)})")
    return terms


def _latest(query: LatestWithout, field: str) -> str:
    return text_at("facts", query.entries, -1, field)


def _latest_terms(query: LatestWithout) -> list[str]:
    return [f"{_latest(query, query.field)} = {sql_text(query.value)}",
            f"coalesce({array_length('facts', query.without)}, 0) = 0"]


def _entries_term(query: Entries, alias: str = "") -> str:
    return f"{array_length(alias + 'facts', query.entries)} > 0"


def _before_terms(query: DatedBefore, alias: str = "") -> str:
    return (f"{alias}policy = {sql_text(query.policy)} AND {alias}policy_version = "
            f"{sql_text(query.version)} AND {alias}at < {sql_text(query.effective)} "
            f"AND {alias}case_id IS NOT NULL")


def index_statements(catalogue: Catalogue) -> list[str]:
    """One partial index per report section of the policy (schema)."""
    out = []
    for section in catalogue.sections:
        name, query = f"cases_{ident(section.id)}", section.query
        if isinstance(query, Late):
            out.append(f"CREATE INDEX {name} ON cases ({_fact(query.since)}, id, name, "
                       f"native_name, state) WHERE {' AND '.join(_late_terms(query))}")
        elif isinstance(query, LatestWithout):
            out.append(f"CREATE INDEX {name} ON cases (id, state, name, native_name, "
                       f"{_latest(query, 'at')}) WHERE {' AND '.join(_latest_terms(query))}")
        elif isinstance(query, DatedBefore):
            out.append(f"CREATE INDEX audit_{ident(section.id)} ON audit (case_id, seq) "
                       f"WHERE {_before_terms(query)}")
        else:
            out.append(f"CREATE INDEX {name} ON cases (id) WHERE {_entries_term(query)}")
    return out


def summary_indexes(catalogue: Catalogue) -> list[str]:
    return [f"CREATE INDEX cases_{ident(fact)} ON cases ({_fact(fact)}, state)"
            for fact in catalogue.summaries]


_LATE = ("id", "name", "native_name", "state", "since", "due", "days_overdue")
_FOUND = ("id", "name", "native_name", "state", "since", "by", "detail")


class PostgresReports:
    """Report queries over the PostgreSQL schema (part of :class:`store.base.Store`)."""

    if TYPE_CHECKING:  # provided by PostgresStore
        catalogue: Catalogue

        def _all(self, sql: str, params: Iterable[Any] | None = None) -> list[Any]: ...
        def _stream(self, sql: str, params: Iterable[Any] | None = None) -> Iterator[Any]: ...
        def _one(self, sql: str, params: Iterable[Any] | None = None) -> Any: ...

    def case_ids_like(self, prefix: str, limit: int = 100) -> list[tuple[int, str]]:
        """Case ids starting with ``prefix`` (shell completion), with each person's name."""
        rows = self._all("SELECT id, name FROM cases WHERE id::text LIKE %s || '%%' "
                         "ORDER BY id LIMIT %s", (prefix, limit))
        return [(int(r[0]), str(r[1])) for r in rows]

    def count_cases(self) -> int:
        return int(self._one("SELECT count(*) FROM cases")[0])

    # -- name lists and group manifests ------------------------------------------------

    def name_list_rows(self, list_id: str | None = None) -> Iterator[dict[str, Any]]:
        spec = self.catalogue.name_list
        if spec is None:
            return
        columns = ("list", spec.on, "seq", "case_id", "name", "native_name", *spec.facts,
                   spec.entries, spec.counted_as, spec.to_field, "state")
        read = ", ".join(f"(c.facts::jsonb -> {sql_text(f)})::text"
                         for f in (spec.entries, spec.reply))
        where, params = _one_list(list_id)
        sql = (f"SELECT {', '.join('n.' + ident(c) for c in columns)}, {read} "
               f"FROM name_list AS n JOIN cases AS c ON c.id = n.case_id{where} "
               "ORDER BY n.list, n.seq")
        for row in self._stream(sql, params):
            out = dict(zip(columns, (sqlite_value(v) for v in row)))
            read_back = ((spec.entries, row[-2]), (spec.reply, row[-1]))
            out["facts"] = {k: loads(v) for k, v in read_back if v is not None and v != "null"}
            yield out

    def name_list_sizes(self, list_id: str | None = None) -> list[dict[str, Any]]:
        spec = self.catalogue.name_list
        if spec is None:
            return []
        where, params = _one_list(list_id)
        rows = self._all(
            f"SELECT n.list, (array_agg(n.{ident(spec.to_field)} ORDER BY n.seq))[1], count(*) "
            f"FROM name_list AS n JOIN cases AS c ON c.id = n.case_id{where} "
            "GROUP BY n.list ORDER BY n.list", params)
        return [{"list": r[0], spec.to_field: r[1], "count": int(r[2])} for r in rows]

    def _group_trigger(self) -> Any:
        return self.catalogue.group_triggers[0]

    def group_members(self, group_id: int) -> list[dict[str, Any]]:
        trigger = self._group_trigger()
        columns = ("group_id", "at", *(p.name for p in trigger.params), "officer", "note",
                   "position", "case_id", "name", "native_name", *trigger.group.facts)
        rows = self._all(f"SELECT {', '.join(ident(c) for c in columns)} FROM "
                         f"{ident(trigger.group.view)}s WHERE group_id = %s ORDER BY position",
                         (group_id,))
        return [dict(zip(columns, (sqlite_value(v) for v in row))) for row in rows]

    def group_summaries(self) -> list[dict[str, Any]]:
        trigger = self._group_trigger()
        given = [ident(p.name) for p in trigger.params]
        first = ", ".join(f"(array_agg({g} ORDER BY position))[1]" for g in given)
        columns = ("id", "at", *given, "officer", "people", "names")
        rows = self._all(
            f"SELECT group_id, (array_agg(at ORDER BY position))[1], {first}, "
            "(array_agg(officer ORDER BY position))[1], count(*), "
            f"string_agg(name, '; ' ORDER BY position) FROM {ident(trigger.group.view)}s "
            "GROUP BY group_id ORDER BY group_id")
        return _dicts(rows, columns)

    # -- report sections ---------------------------------------------------------------

    def section_rows(self, section: Section, as_of: str, days: int | None,
                     states: Sequence[str]) -> list[dict[str, Any]]:
        query = section.query
        if isinstance(query, Late):
            terms = _late_terms(query)
            params: list[Any] = []
            if not query.where.states:
                terms.append(f"state IN ({_marks(states)})")
                params = list(states)
            return self._late(_fact(query.since), " AND ".join(terms), params, as_of,
                              int(days or 0))
        if isinstance(query, LatestWithout):
            return self._latest_without(query)
        if isinstance(query, DatedBefore):
            return self._dated_before(query)
        return self._entries(query)

    def _dated_before(self, query: DatedBefore) -> list[dict[str, Any]]:
        rows = self._all(
            "SELECT c.id, c.name, c.native_name, c.state, a.at, a.actor, "
            "a.trigger || ' (seq ' || a.seq || ')' "
            "FROM audit AS a JOIN cases AS c ON c.id = a.case_id "
            f"WHERE {_before_terms(query, 'a.')} ORDER BY a.case_id, a.seq")
        return _dicts(rows, _FOUND)

    def _late(self, since: str, where: str, params: list[Any], as_of: str,
              days: int) -> list[dict[str, Any]]:
        sql = (
            "SELECT id, name, native_name, state, since, day_text(day_number(since) + %s), "
            "day_number(%s) - day_number(since) - %s "
            f"FROM (SELECT id, name, native_name, state, {since}{_C} AS since FROM cases "
            f"WHERE {where}) AS s "
            "WHERE since IS NOT NULL AND day_number(%s) - day_number(since) > %s "
            "ORDER BY since, id")
        rows = self._all(sql, [days, as_of, days, *params, as_of, days])
        return _dicts(rows, _LATE)

    def _latest_without(self, query: LatestWithout) -> list[dict[str, Any]]:
        columns = ("id", "name", "native_name", "state", "since", "count")
        counted = (f"(SELECT count(*) FROM {elements('facts', query.entries)} "
                   f"WHERE (j.value #>> '{{{path(query.field)}}}') = {sql_text(query.value)})")
        rows = self._all(
            f"SELECT id, name, native_name, state, {_latest(query, 'at')}, {counted} "
            f"FROM cases WHERE state IN ({_marks(query.states)}) "
            f"AND {' AND '.join(_latest_terms(query))} ORDER BY id", query.states)
        return _dicts(rows, columns)

    def _entries(self, query: Entries) -> list[dict[str, Any]]:
        unset = (f"(j.value #>> '{{{path(query.unset)}}}') IS NULL" if query.unset else "true")
        rows = self._all(
            "SELECT c.id, c.name, c.native_name, c.state, j.value #> '{at}', "
            f"j.value #> '{{by}}', j.value #> '{{{path(query.detail)}}}' "
            f"FROM cases AS c CROSS JOIN LATERAL {elements('c.facts', query.entries)} "
            f"WHERE {_entries_term(query, 'c.')} AND {unset} ORDER BY c.id, j.n")
        return [dict(zip(_FOUND, (sqlite_value(v) for v in row))) for row in rows]

    # -- summaries -------------------------------------------------------------------------

    def count_by_state(self) -> dict[str, tuple[int, int]]:
        rows = self._all("SELECT state, count(*), count(*) FILTER (WHERE flagged) "
                         "FROM cases GROUP BY state")
        return {r[0]: (int(r[1]), int(r[2] or 0)) for r in rows}

    def count_by_fact(self, fact: str, states: Sequence[str]) -> list[dict[str, Any]]:
        columns = [ident(fact), "cases", *(ident(s) for s in states)]
        counts = ", ".join(f"sum(CASE WHEN state = {sql_text(s)} THEN n ELSE 0 END)::bigint"
                           for s in columns[2:])
        rows = self._all(
            f"SELECT coalesce(value, ''){_C}, sum(n)::bigint{', ' if counts else ''}{counts} "
            f"FROM (SELECT {_fact(fact)} AS value, state, count(*) AS n FROM cases "
            "GROUP BY 1, 2) AS s GROUP BY 1 ORDER BY 2 DESC, 1")
        return _dicts(rows, columns)

    def count_by_month(self, states: Sequence[str]) -> list[dict[str, Any]]:
        columns = ["month", *(ident(s) for s in states), "refusals"]
        entered = "".join(f"sum(CASE WHEN state = {sql_text(s)} THEN entered ELSE 0 END), "
                          for s in columns[1:-1])
        rows = self._all(f"SELECT month, {entered}sum(refused) FROM report_months "
                         "GROUP BY month ORDER BY month")
        return _dicts(rows, columns)

    def count_by_clause(self) -> dict[str, tuple[int, int, int]]:
        rows = self._all("SELECT clause, applied, refused, cases FROM report_clauses")
        return {r[0]: (int(r[1]), int(r[2]), int(r[3])) for r in rows}

    def recount_by_month(self, states: Sequence[str]) -> list[dict[str, Any]]:
        columns = ["month", *(ident(s) for s in states), "refusals"]
        entered = "".join(
            f"count(*) FILTER (WHERE outcome = 'applied' AND to_state = {sql_text(s)} "
            "AND from_state IS DISTINCT FROM to_state), " for s in columns[1:-1])
        rows = self._all(
            f"SELECT substr(at, 1, 7), {entered}count(*) FILTER (WHERE outcome = 'refused') "
            "FROM audit WHERE at IS NOT NULL GROUP BY 1 ORDER BY 1")
        return _dicts(rows, columns)

    def recount_by_clause(self) -> dict[str, tuple[int, int, int]]:
        rows = self._all(
            "SELECT j.value, count(*) FILTER (WHERE a.outcome = 'applied'), "
            "count(*) FILTER (WHERE a.outcome = 'refused'), count(DISTINCT a.case_id) "
            "FROM audit AS a CROSS JOIN LATERAL jsonb_array_elements_text(a.clauses::jsonb) "
            "AS j(value) GROUP BY j.value")
        return {r[0]: (int(r[1]), int(r[2]), int(r[3])) for r in rows}
