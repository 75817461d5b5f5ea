"""Report queries over the SQLite schema, written from the policy's declarations.

A mixin of :class:`store.sqlite.SQLiteStore`. Each report section of the policy
(``workflow.queries``) becomes one query here and one partial index in the schema, both
written by the same helpers, so that the query's terms match its index's term for term
and SQLite answers from the index at a million cases. The views of ``schema`` serve the
name lists and group manifests, so the command line and a Datasette reader see the same
rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence

from workflow.catalogue import Catalogue
from workflow.queries import DatedBefore, Entries, Late, LatestWithout, NameList, Section

from ..common import ident, path, sql_text
from ..common import loads
from .extract import READ_AS_IS, as_extracted, dated

__all__ = ["SQLiteReports", "ident", "path", "sql_text"]

def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values) or "NULL"


def _fact(name: str) -> str:
    return f"json_extract(facts, '$.{path(name)}')"


def _dicts(cursor_rows: Iterable[Any], columns: Sequence[str]) -> list[dict[str, Any]]:
    return [dict(zip(columns, row)) for row in cursor_rows]


# -- the terms of each query shape: one writer for the index and the query ----------------

def _late_terms(query: Late) -> list[str]:
    terms = [f"{_fact(p)} = {sql_text(v)}" for p, v in query.where.equals]
    terms += [f"{_fact(p)} IS NULL" for p in query.where.unset]
    if len(query.where.states) == 1:
        terms.append(f"state = {sql_text(query.where.states[0])}")
    elif query.where.states:
        terms.append(f"state IN ({', '.join(sql_text(s) for s in query.where.states)})")
    return terms


def _latest(query: LatestWithout, field: str) -> str:
    return f"json_extract(facts, '$.{path(query.entries)}[#-1].{path(field)}')"


def _latest_terms(query: LatestWithout) -> list[str]:
    return [f"{_latest(query, query.field)} = {sql_text(query.value)}",
            f"coalesce(json_array_length(facts, '$.{path(query.without)}'), 0) = 0"]


def _entries_term(query: Entries) -> str:
    return f"json_array_length(facts, '$.{path(query.entries)}') > 0"


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
            out.append(f"CREATE INDEX {name} ON cases({_fact(query.since)}, id, name, "
                       f"native_name, state) WHERE {' AND '.join(_late_terms(query))};")
        elif isinstance(query, LatestWithout):
            out.append(f"CREATE INDEX {name} ON cases(id, state, name, native_name, "
                       f"{_latest(query, 'at')}, {_length(query.entries)}, "
                       f"{_by_position(query.entries, query.field, query.value)}) "
                       f"WHERE {' AND '.join(_latest_terms(query))};")
        elif isinstance(query, DatedBefore):
            out.append(f"CREATE INDEX audit_{ident(section.id)} ON audit(case_id, seq) "
                       f"WHERE {_before_terms(query)};")
        else:
            out.append(f"CREATE INDEX {name} ON cases(id) WHERE {_entries_term(query)};")
    return out


# -- the name list: the applied rows of its trigger, by list and seq ----------------------

# An event voided (entered in error): a later void row of its case names its seq (the
# views' test too).
VOIDED_BY = ("(SELECT v.seq FROM audit AS v WHERE v.case_id = a.case_id AND v.seq > a.seq "
             "AND v.trigger = 'void' AND v.outcome = 'applied' "
             "AND json_extract(v.given, '$.seq') = a.seq)")
NOT_VOIDED = f"{VOIDED_BY} IS NULL"


def _listed(spec: NameList, field: str, alias: str = "a.") -> str:
    """A field of the record the name list's trigger wrote (its list's id, addressee)."""
    return f"json_extract({alias}changes, '$.{path(spec.record)}[1].{path(field)}')"


def _listed_terms(spec: NameList, alias: str = "a.") -> str:
    return f"{alias}trigger = {sql_text(spec.trigger)} AND {alias}outcome = 'applied'"


def name_list_index(catalogue: Catalogue) -> list[str]:
    """The name list's rows in its order, with every column of the trail they read, so
    that listing 800,000 people sorts nothing and reads no row of the trail; and the
    void rows by case, so that the test of each for a void reads none either (schema)."""
    spec = catalogue.name_list
    if spec is None:
        return []
    return [f"CREATE INDEX audit_name_list ON audit({_listed(spec, spec.list_field, '')}, "
            f"seq, case_id, at, {_listed(spec, spec.to_field, '')}) "
            f"WHERE {_listed_terms(spec, '')};",
            "CREATE INDEX audit_voids ON audit(case_id) "
            "WHERE trigger = 'void' AND outcome = 'applied';"]


# The name list's test for a void, by the void rows' index (the planner, without
# statistics, would walk each case's later rows of the trail instead: 2.5 s of 800,000).
_LISTED_NOT_VOIDED = NOT_VOIDED.replace("FROM audit AS v", "FROM audit AS v INDEXED BY audit_voids")
_LISTED_FROM = "FROM audit AS a INDEXED BY audit_name_list JOIN cases AS c ON c.id = a.case_id"


def summary_indexes(catalogue: Catalogue) -> list[str]:
    return [f"CREATE INDEX cases_{ident(fact)} ON cases({_fact(fact)}, state);"
            for fact in catalogue.summaries]


# How many of a case's entries have a value. Up to _FEW entries, by position: SQLite
# parses facts once for all the json_extract calls of a row, where json_each costs a
# virtual table each row (a third of W3's time at 200,000 refusers); beyond, json_each.
# The length and the sum by position are columns of the section's index too, so a case
# of up to _FEW entries is counted from the index without reading its row (0.76 s ->
# 0.43 s for 200,000 refusers).
_FEW = 6


def _length(entries: str) -> str:
    return f"coalesce(json_array_length(facts, '$.{path(entries)}'), 0)"


def _by_position(entries: str, field: str, value: Any) -> str:
    entries, field = path(entries), path(field)
    return " + ".join(f"(json_extract(facts, '$.{entries}[{i}].{field}') IS {sql_text(value)})"
                      for i in range(_FEW))


def _matching(entries: str, field: str, value: Any) -> str:
    return (
        f"CASE WHEN {_length(entries)} <= {_FEW} THEN {_by_position(entries, field, value)}"
        f" ELSE (SELECT count(*) FROM json_each(facts, '$.{path(entries)}') "
        f"WHERE json_extract(value, '$.{path(field)}') = {sql_text(value)}) END")


_LATE = ("id", "name", "native_name", "state", "since", "due", "days_overdue")


class SQLiteReports:
    """Report queries over the SQLite schema (part of :class:`store.base.Store`)."""

    if TYPE_CHECKING:  # provided by SQLiteStore
        catalogue: Catalogue

        def _all(self, sql: str, params: Iterable[Any] = ()) -> list[Any]: ...
        def _stream(self, sql: str, params: Iterable[Any] = ()) -> Iterator[Any]: ...
        def _one(self, sql: str, params: Iterable[Any] = ()) -> Any: ...

    # -- completion ----------------------------------------------------------------------

    def case_ids_like(self, prefix: str, limit: int = 100) -> list[tuple[int, str]]:
        """Case ids starting with ``prefix`` (shell completion), with each person's name."""
        rows = self._all("SELECT id, name FROM cases WHERE CAST(id AS TEXT) LIKE ? || '%' "
                         "ORDER BY id LIMIT ?", (prefix, limit))
        return [(int(r[0]), str(r[1])) for r in rows]

    def count_cases(self) -> int:
        return int(self._one("SELECT count(*) FROM cases")[0])

    # -- name lists and group manifests ------------------------------------------------

    def name_list_rows(self, list_id: str | None = None) -> Iterator[dict[str, Any]]:
        """Every applied row of the name list's trigger: the rows of the view
        ``name_list``, read in the order of its index (``name_list_index``); the two
        counts of entries up to the date are taken from the entries read anyway (in SQL,
        a ``json_each`` a row cost two thirds of the query at 80,000 people), and the
        facts the list reads by one ``json_extract`` of many paths, one JSON array
        decoded once in Python: five calls a row, each finding the facts in SQLite's
        cache of parsed documents by their whole text and converting its own result,
        cost 0.22 of the query's 0.51 s at 80,000 people."""
        spec = self.catalogue.name_list
        if spec is None:
            return
        listed, to = _listed(spec, spec.list_field), _listed(spec, spec.to_field)
        paths = ", ".join(f"'$.{path(f)}'" for f in (*spec.facts, spec.entries, spec.reply))
        sql = (f"SELECT {listed}, a.at, a.seq, c.id, c.name, c.native_name, {to}, c.state, "
               f"json_extract(c.facts, {paths}) {_LISTED_FROM} WHERE {_listed_terms(spec)}")
        params: list[Any] = []
        if list_id is not None:
            sql += f" AND {listed} = ?"
            params.append(list_id)
        sql += f" AND {_LISTED_NOT_VOIDED} ORDER BY {listed}, a.seq"
        head = ("list", spec.on, "seq", "case_id", "name", "native_name", *spec.facts)
        many, field, value = len(spec.facts), *spec.counted
        entries_key, reply_key, to_key = spec.entries, spec.reply, spec.to_field
        counted_as = spec.counted_as
        for row in self._stream(sql, params):
            read_back = loads(row[-1])
            facts = read_back[:many]
            if not READ_AS_IS.issuperset(map(type, facts)):
                facts = [as_extracted(v) for v in facts]
            out = dict(zip(head, (*row[:6], *facts)))
            entries, reply = read_back[many:]
            within = dated(entries, row[1])
            out[entries_key] = len(within)
            out[counted_as] = [e.get(field) for e in within].count(value)
            out[to_key], out["state"] = row[6], row[7]
            kept: dict[str, Any] = {}
            if entries is not None:
                kept[entries_key] = entries
            if reply is not None:
                kept[reply_key] = reply
            out["facts"] = kept
            yield out

    def name_list_sizes(self, list_id: str | None = None) -> list[dict[str, Any]]:
        spec = self.catalogue.name_list
        if spec is None:
            return []
        listed, to = _listed(spec, spec.list_field), _listed(spec, spec.to_field)
        sql = f"SELECT {listed}, {to}, count(*), min(a.seq) {_LISTED_FROM} WHERE {_listed_terms(spec)}"
        params: list[Any] = []
        if list_id is not None:
            sql += f" AND {listed} = ?"
            params.append(list_id)
        # the bare column ``to`` is the min(seq) row's (SQLite's rule for min/max)
        rows = self._all(f"{sql} AND {_LISTED_NOT_VOIDED} GROUP BY 1 ORDER BY 1", params)
        return [{"list": r[0], spec.to_field: r[1], "count": r[2]} for r in rows]

    def _group_trigger(self) -> Any:
        return self.catalogue.group_triggers[0]

    def group_members(self, group_id: int) -> list[dict[str, Any]]:
        """The people of one group, in the order they were named."""
        trigger = self._group_trigger()
        columns = ("group_id", "at", *(p.name for p in trigger.params), "officer", "note",
                   "position", "case_id", "name", "native_name", *trigger.group.facts)
        rows = self._all(f"SELECT {', '.join(ident(c) for c in columns)} FROM "
                         f"{ident(trigger.group.view)}s WHERE group_id = ? ORDER BY position",
                         (group_id,))
        return _dicts(rows, columns)

    def group_summaries(self) -> list[dict[str, Any]]:
        """One row per group: date, its options, who handed it over, how many, who."""
        trigger = self._group_trigger()
        given = [ident(p.name) for p in trigger.params]
        columns = ("id", "at", *given, "officer", "people", "names")
        rows = self._all(
            f"SELECT group_id, at, {', '.join(given)}, officer, count(*), "
            f"group_concat(name, '; ') FROM (SELECT * FROM {ident(trigger.group.view)}s "
            "ORDER BY group_id, position) GROUP BY group_id ORDER BY group_id")
        return _dicts(rows, columns)

    # -- report sections ---------------------------------------------------------------

    def section_rows(self, section: Section, as_of: str, days: int | None,
                     states: Sequence[str]) -> list[dict[str, Any]]:
        """The findings of one report section: ``states`` are the non-terminal states,
        for a section that names none; ``days`` the value of a Late section's setting."""
        query = section.query
        index = f" INDEXED BY cases_{ident(section.id)}"
        if isinstance(query, Late):
            terms = _late_terms(query)
            params: list[Any] = []
            if not query.where.states:
                terms.append(f"state IN ({_marks(states)})")
                params = list(states)
            return self._late(_fact(query.since), " AND ".join(terms), params, as_of,
                              int(days or 0), index)
        if isinstance(query, LatestWithout):
            return self._latest_without(query, index)
        if isinstance(query, DatedBefore):
            return self._dated_before(query, f" INDEXED BY audit_{ident(section.id)}")
        return self._entries(query, index)

    def _dated_before(self, query: DatedBefore, index: str) -> list[dict[str, Any]]:
        columns = ("id", "name", "native_name", "state", "since", "by", "detail")
        rows = self._all(
            "SELECT c.id, c.name, c.native_name, c.state, a.at, a.actor, "
            "a.trigger || ' (seq ' || a.seq || ')' "
            f"FROM audit AS a{index} JOIN cases AS c ON c.id = a.case_id "
            f"WHERE {_before_terms(query, 'a.')} ORDER BY a.case_id, a.seq")
        return _dicts(rows, columns)

    def _late(self, since: str, where: str, params: list[Any], as_of: str,
              days: int, index: str) -> list[dict[str, Any]]:
        sql = (
            f"SELECT id, name, native_name, state, since, date(since, '+' || ? || ' days'), "
            f"CAST(julianday(?) - julianday(since) - ? AS INTEGER) "
            f"FROM (SELECT *, {since} AS since FROM cases{index} WHERE {where}) "
            f"WHERE since IS NOT NULL AND julianday(?) - julianday(since) > ? ORDER BY since, id"
        )
        rows = self._all(sql, [days, as_of, days, *params, as_of, days])
        return _dicts(rows, _LATE)

    def _latest_without(self, query: LatestWithout, index: str) -> list[dict[str, Any]]:
        columns = ("id", "name", "native_name", "state", "since", "count")
        rows = self._all(
            f"SELECT id, name, native_name, state, {_latest(query, 'at')}, "
            f"{_matching(query.entries, query.field, query.value)} "
            f"FROM cases{index} WHERE state IN ({_marks(query.states)}) "
            f"AND {' AND '.join(_latest_terms(query))} ORDER BY id", query.states)
        return _dicts(rows, columns)

    def _entries(self, query: Entries, index: str) -> list[dict[str, Any]]:
        columns = ("id", "name", "native_name", "state", "since", "by", "detail")
        unset = (f"json_extract(j.value, '$.{path(query.unset)}') IS NULL"
                 if query.unset else "1")
        rows = self._all(
            "SELECT c.id, c.name, c.native_name, c.state, json_extract(j.value, '$.at'), "
            f"json_extract(j.value, '$.by'), json_extract(j.value, '$.{path(query.detail)}') "
            f"FROM cases AS c{index} JOIN json_each(c.facts, '$.{path(query.entries)}') AS j "
            f"WHERE {_entries_term(query).replace('facts', 'c.facts')} AND {unset} "
            "ORDER BY c.id, j.key")
        return _dicts(rows, columns)

    # -- summaries -------------------------------------------------------------------------

    def count_by_state(self) -> dict[str, tuple[int, int]]:
        """state -> (cases, flagged cases)."""
        rows = self._all("SELECT state, count(*), sum(flagged) FROM cases GROUP BY state")
        return {r[0]: (int(r[1]), int(r[2] or 0)) for r in rows}

    def count_by_fact(self, fact: str, states: Sequence[str]) -> list[dict[str, Any]]:
        """Per value of a fact: cases, and how many stand in each state now."""
        columns = [ident(fact), "cases", *(ident(s) for s in states)]
        counts = ", ".join(f"sum(CASE WHEN state = '{s}' THEN n ELSE 0 END)" for s in columns[2:])
        # The inner query reads the summary index cases_FACT only, not every case's facts.
        rows = self._all(
            f"SELECT coalesce(value, ''), sum(n), {counts} FROM (SELECT {_fact(fact)} "
            "AS value, state, count(*) AS n FROM cases GROUP BY 1, 2) "
            "GROUP BY 1 ORDER BY 2 DESC, 1")
        return _dicts(rows, columns)

    def count_by_month(self, states: Sequence[str]) -> list[dict[str, Any]]:
        """Per month of the events' own dates: cases entering each state, and refusals (from
        the counts the triggers keep, not a scan of the trail)."""
        columns = ["month", *(ident(s) for s in states), "refusals"]
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
        columns = ["month", *(ident(s) for s in states), "refusals"]
        entered = ", ".join(
            f"sum(outcome = 'applied' AND to_state = '{s}' AND from_state IS NOT to_state)"
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
