"""What the PostgreSQL schema derives from the policies' declarations: the readers' views
(named and shaped as SQLite's, ``store.sqlite.derived``) and the report indexes.

Derived objects hold no data: every migration drops and writes them again after its
steps (:func:`recreate`). Fact columns are ``jsonb`` (a number stays a number for a
reader); the texts of an event (note, source, names) are ``text``.
"""

from __future__ import annotations

from typing import Any

from workflow.catalogue import Catalogue
from workflow.queries import Count, LatestField

from .jsonsql import array_length, elements, sql_text, text_at, value_at
from .reports import index_statements, summary_indexes

_VOIDED_BY = ("(SELECT min(v.seq) FROM audit AS v WHERE v.case_id = a.case_id "
              "AND v.seq > a.seq AND v.trigger = 'void' AND v.outcome = 'applied' "
              "AND (v.given::jsonb -> 'seq') = to_jsonb(a.seq))")
_NOT_VOIDED = f"{_VOIDED_BY} IS NULL"
_CLAUSES = ("(SELECT string_agg(c.value, ', ' ORDER BY c.n) FROM "
            "jsonb_array_elements_text(a.clauses::jsonb) WITH ORDINALITY AS c(value, n))")
_SOURCE = '(a.given::jsonb ->> \'source\') COLLATE "C"'

_GENERIC_VIEWS = [
    f"""CREATE VIEW case_timeline AS
SELECT a.seq, a.case_id, a.at, a.actor, a.role, a.trigger, a.outcome,
       a.from_state, a.to_state, {_CLAUSES} AS clauses,
       a.reason, a.given::jsonb ->> 'note' AS note, {_SOURCE} AS source,
       a.changes::jsonb #>> '{{name,1}}' AS name,
       a.changes::jsonb #>> '{{native_name,1}}' AS native_name, a.group_id, a.recorded_at,
       {_VOIDED_BY} AS voided_by
FROM audit AS a
WHERE a.case_id IS NOT NULL
ORDER BY a.case_id, a.seq""",
    f"""CREATE VIEW sources AS
SELECT {_SOURCE} AS source, count(*) AS events,
       count(DISTINCT a.case_id) AS cases, min(a.at) AS first_at, max(a.at) AS last_at
FROM audit AS a
WHERE (a.given::jsonb ->> 'source') IS NOT NULL
GROUP BY 1
ORDER BY 1""",
    f"""CREATE VIEW refusals AS
SELECT a.seq, a.case_id, c.name, a.at, a.actor, a.role, a.trigger, a.from_state AS state,
       {_CLAUSES} AS clauses, a.reason, a.group_id, a.recorded_at
FROM audit AS a LEFT JOIN cases AS c ON c.id = a.case_id
WHERE a.outcome = 'refused'
ORDER BY a.seq""",
]


def _fact_columns(facts: tuple[str, ...], alias: str = "") -> list[str]:
    return [f"{value_at(alias + 'facts', name)} AS {name}" for name in facts]


def _count(column: Count | LatestField) -> str:
    if isinstance(column, LatestField):
        return f"{value_at('facts', column.entries, -1, column.field)} AS {column.name}"
    if column.field is None:
        return f"coalesce({array_length('facts', column.entries)}, 0) AS {column.name}"
    field = f"(j.value #>> '{{{column.field}}}')"
    test = f"{field} IS NULL" if column.value is None else f"{field} = {sql_text(column.value)}"
    return (f"(SELECT count(*) FROM {elements('facts', column.entries)} WHERE {test}) "
            f"AS {column.name}")


def open_cases_view(catalogue: Catalogue) -> str:
    columns = ["id AS case_id", "name", "native_name", "state", "flagged", "opened_on",
               *_fact_columns(catalogue.column_facts()), *(_count(c) for c in catalogue.view_counts)]
    terminal = ", ".join(sql_text(s) for s in sorted(catalogue.terminal)) or "NULL"
    return (f"CREATE VIEW open_cases AS\nSELECT {', '.join(columns)}\nFROM cases\n"
            f"WHERE state NOT IN ({terminal})\nORDER BY id")


def case_facts_view(catalogue: Catalogue) -> str:
    columns = ["id AS case_id", "name", "native_name", "state", "policy", "flagged",
               "opened_on", *_fact_columns(catalogue.column_facts()),
               *(_count(c) for c in catalogue.view_counts)]
    return f"CREATE VIEW case_facts AS\nSELECT {', '.join(columns)}\nFROM cases\nORDER BY id"


def clauses_view(catalogue: Catalogue) -> str:
    rows = ",\n  ".join(
        f"({sql_text(cid)}, {sql_text(policy.key)}, {sql_text(c.summary)}, {sql_text(c.words)})"
        for policy in catalogue.policies for cid, c in policy.clauses.items())
    return f"CREATE VIEW clauses (id, policy, summary, words) AS VALUES\n  {rows}"


def group_views(catalogue: Catalogue) -> list[str]:
    """Each group trigger's groups (one row a group) and members (one row a person)."""
    out = []
    for trigger in catalogue.group_triggers:
        assert trigger.group is not None
        name = trigger.group.view
        given = [f"{text_at('a.given', p.name)} AS {p.name}" for p in trigger.params]
        first = [f"(array_agg({text_at('a.given', p.name)} ORDER BY a.seq))[1] AS {p.name}"
                 for p in trigger.params]
        note = f"{text_at('a.given', 'note')} AS note"
        applied = (f"a.trigger = {sql_text(trigger.name)} AND a.outcome = 'applied' "
                   f"AND a.group_id IS NOT NULL AND {_NOT_VOIDED}")
        out.append(
            f"CREATE VIEW {name}_groups AS\nSELECT a.group_id AS id, "
            f"(array_agg(a.at ORDER BY a.seq))[1] AS at, {', '.join(first)},\n"
            f"       (array_agg(a.actor ORDER BY a.seq))[1] AS officer,\n"
            f"       json_agg(a.case_id ORDER BY a.seq) AS case_ids,\n"
            f"       (array_agg({text_at('a.given', 'note')} ORDER BY a.seq))[1] AS note\n"
            f"FROM audit AS a\nWHERE {applied}\nGROUP BY a.group_id\nORDER BY a.group_id")
        out.append(
            f"CREATE VIEW {name}s AS\nSELECT a.group_id, a.at, {', '.join(given)}, "
            f"a.actor AS officer, {note},\n"
            f"       row_number() OVER (PARTITION BY a.group_id ORDER BY a.seq) AS position,\n"
            f"       c.id AS case_id, c.name, c.native_name, "
            f"{', '.join(_fact_columns(trigger.group.facts, 'c.'))}\n"
            f"FROM audit AS a JOIN cases AS c ON c.id = a.case_id\nWHERE {applied}\n"
            f"ORDER BY a.group_id, a.seq")
    return out


def name_list_view(catalogue: Catalogue) -> list[str]:
    spec = catalogue.name_list
    if spec is None:
        return []
    field, value = spec.counted
    dated = "(j.value #>> '{at}') <= a.at"
    count = f"(SELECT count(*) FROM {elements('c.facts', spec.entries)} WHERE {dated}"
    return [
        f"CREATE VIEW name_list AS\nSELECT {text_at('a.changes', spec.record, 1, spec.list_field)}"
        f' COLLATE "C" AS list, a.at AS {spec.on}, a.seq,\n'
        f"       c.id AS case_id, c.name, c.native_name, "
        f"{', '.join(_fact_columns(spec.facts, 'c.'))},\n"
        f"       {count}) AS {spec.entries},\n"
        f"       {count}\n          AND (j.value #>> '{{{field}}}') = {sql_text(value)}) "
        f"AS {spec.counted_as},\n"
        f"       {text_at('a.changes', spec.record, 1, spec.to_field)} AS {spec.to_field}, "
        f"c.state\nFROM audit AS a JOIN cases AS c ON c.id = a.case_id\n"
        f"WHERE a.trigger = {sql_text(spec.trigger)} AND a.outcome = 'applied' AND {_NOT_VOIDED}\n"
        f"ORDER BY list, a.seq"]


def statements(catalogue: Catalogue) -> list[str]:
    """Every derived object's statement."""
    return [*_GENERIC_VIEWS, open_cases_view(catalogue), case_facts_view(catalogue),
            clauses_view(catalogue), *group_views(catalogue), *name_list_view(catalogue),
            *index_statements(catalogue), *summary_indexes(catalogue)]


def recreate(conn: Any, catalogue: Catalogue, kept_indexes: set[str]) -> None:
    """Drop every view and every index not in KEPT_INDEXES (the tables' own) nor backing
    a key, then write them again from CATALOGUE, inside the migration's transaction."""
    views = conn.execute("SELECT c.relname FROM pg_class AS c WHERE c.relkind = 'v' "
                         "AND c.relnamespace = current_schema()::regnamespace").fetchall()
    for (view,) in views:
        conn.execute(f'DROP VIEW IF EXISTS "{view}" CASCADE')
    indexes = conn.execute(
        "SELECT c.relname FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid "
        "WHERE c.relnamespace = current_schema()::regnamespace "
        "AND NOT (i.indisprimary OR i.indisunique)").fetchall()
    for (index,) in indexes:
        if index not in kept_indexes:
            conn.execute(f'DROP INDEX "{index}"')
    for statement in statements(catalogue):
        conn.execute(statement)
